package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/registry"
)

// tuiOptions are the explorer's command-line settings.
type tuiOptions struct {
	interval time.Duration
	block    int // first port of the 1,024-port block shown first
	port     int // initially selected port, -1 for the block's first
}

func (a *app) rootCmd() *cobra.Command {
	var (
		interval time.Duration
		rangeArg string
		port     int
	)
	root := &cobra.Command{
		Use:   "portui",
		Short: "Explore the well-known ports: IANA's registry and what listens here",
		Long: "portui shows ports 0–1023 as a grid coloured by IANA assignment status, with the " +
			"processes listening on this machine marked on top. Select a port to see its " +
			"registry records, the run of same-status ports it sits in, and who listens on it.\n\n" +
			"Run without arguments for the explorer; the subcommands serve scripts. " +
			"Exit status: 0 fine, 1 audit findings, 2 bad input or a failure (one line on stderr).",
		Example: "# the explorer, starting on port 443\n" +
			"portui --port 443\n" +
			"# what IANA says about 326, and which ports mention kerberos\n" +
			"portui lookup 326\n" +
			"portui search kerb\n" +
			"# what listens here, as JSON; listeners worth a look (exit 1 if any)\n" +
			"portui listeners --json\n" +
			"portui audit",
		Args: exactArgs(0, "no arguments (did you mean `portui lookup`?)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := parseTUIFlags(interval, rangeArg, port, cmd.Flags().Changed("port"))
			if err != nil {
				return usageErr(err)
			}
			if !term.IsTerminal(a.stdout.Fd()) {
				return usageErr(errors.New("the explorer needs a terminal; for scripts use `portui lookup`, `portui listeners` or `portui audit`"))
			}
			return a.explore(cmd.Context(), opts)
		},
	}
	root.PersistentFlags().StringVar(&a.registryFile, "registry", "", "use this registry.json instead of yours or the embedded one")
	root.Flags().DurationVar(&interval, "interval", time.Second, "how often to poll the listeners")
	root.Flags().StringVar(&rangeArg, "range", "0-1023", "the 1,024-port block to show first (e.g. 1024-2047)")
	root.Flags().IntVar(&port, "port", -1, "select this port at start (its block is shown)")
	root.AddCommand(a.lookupCmd(), a.listenersCmd(), a.auditCmd(), a.registryCmd())
	return root
}

// parseTUIFlags checks the explorer's flags and turns --range/--port into
// the block to show and the port to select.
func parseTUIFlags(interval time.Duration, rangeArg string, port int, portSet bool) (tuiOptions, error) {
	if interval < 100*time.Millisecond {
		return tuiOptions{}, fmt.Errorf("bad --interval %s: at least 100ms", interval)
	}
	r, ok, err := parsePortArg(rangeArg)
	if err != nil || !ok {
		return tuiOptions{}, fmt.Errorf("bad --range %q: want LOW-HIGH within 0-65535, e.g. 1024-2047", rangeArg)
	}
	opts := tuiOptions{interval: interval, block: r.lo / 1024 * 1024, port: -1}
	if portSet {
		if port < 0 || port > registry.MaxPort {
			return tuiOptions{}, fmt.Errorf("bad --port %d: ports are 0-65535", port)
		}
		opts.port = port
		opts.block = port / 1024 * 1024
	}
	return opts, nil
}
