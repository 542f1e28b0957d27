package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/report"
)

// outputFlags are --format and its shorthand --json, shared by every
// command that prints a document.
type outputFlags struct {
	format string
	json   bool
}

// addOutputFlags registers --format and --json on cmd; schema names the
// JSON document for --help.
func addOutputFlags(cmd *cobra.Command, schema string) *outputFlags {
	o := &outputFlags{}
	var names []string
	for _, f := range report.Formats {
		names = append(names, f.Name+" ("+f.Usage+")")
	}
	cmd.Flags().StringVar(&o.format, "format", report.Formats[0].Name, "output format: "+strings.Join(names, ", "))
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON, same as --format json (schema "+schema+", see docs/json.md)")
	return o
}

// selected is the format asked for; a usage error when --json and
// --format disagree or the format is unknown.
func (o *outputFlags) selected(cmd *cobra.Command) (report.Format, error) {
	f, err := report.LookupFormat(o.format)
	if err != nil {
		return f, usageErr(fmt.Errorf("bad --format: %w", err))
	}
	if o.json {
		if cmd.Flags().Changed("format") && f.Name != "json" {
			return f, usageErr(fmt.Errorf("--json and --format %s disagree: give one", f.Name))
		}
		return report.LookupFormat("json")
	}
	return f, nil
}

// textStyles are the styles under the names registrycmd.go uses; the
// styles themselves are report.DefaultStyles.
type textStyles struct {
	title, label, dim, link, warn lipgloss.Style
}

func newTextStyles() textStyles {
	s := report.DefaultStyles()
	return textStyles{title: s.Title, label: s.Header, dim: s.Dim, link: s.Link, warn: s.Warn}
}

// colorWriter adapts styled output to what w can show: colour on a
// terminal, none under NO_COLOR, plain text when piped or TERM=dumb.
func colorWriter(w io.Writer) io.Writer {
	return colorprofile.NewWriter(w, os.Environ())
}

// writeJSON writes v as the JSON documents are written (report.WriteJSON).
func writeJSON(w io.Writer, v any) error { return report.WriteJSON(w, v) }

// registryInfoJSON is `portui registry info --json`.
func registryInfoJSON(info store.Info) report.RegistryDoc { return report.NewRegistryDoc(info, "") }
