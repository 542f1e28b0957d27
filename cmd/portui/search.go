package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/report"
)

// defaultSearchLimit is how many matches `search` prints unless told.
const defaultSearchLimit = 20

func (a *app) searchCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Find ports by number, service name or words of their description (the explorer's search)",
		Long: "Rank the registry's ports against the query, as the explorer's / does: every word must " +
			"match the port number, the service name or the description of one record on the port; " +
			"a port number typed in full comes first, then exact names, name prefixes, names containing " +
			"the word, and descriptions. Several words may be given as one quoted argument or as several.\n\n" +
			"Nothing found is not an error: the text says so, --json gives an empty \"matches\" list, and " +
			"the exit status is 0.",
		Example: "  portui search kerb\n  portui search http alt\n  portui search 'remote desktop' --limit 5 --json",
		Args: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(strings.Join(args, " ")) == "" {
				return usageErr(errors.New("portui search takes a query: a port number, a name or words of a description"))
			}
			return nil
		},
	}
	out := addOutputFlags(cmd, report.SchemaSearch)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if limit < 0 {
			return usageErr(fmt.Errorf("bad --limit %d: want 0 (no limit) or more", limit))
		}
		f, err := out.selected(cmd)
		if err != nil {
			return err
		}
		reg, info, err := a.registry()
		if err != nil {
			return err
		}
		doc, err := report.NewSearch(reg, strings.Join(args, " "), limit, report.RegistryOf(info))
		if err != nil {
			return err
		}
		return a.emit(f, doc)
	}
	cmd.Flags().IntVar(&limit, "limit", defaultSearchLimit, "at most this many ports, best first; 0 for all")
	return cmd
}
