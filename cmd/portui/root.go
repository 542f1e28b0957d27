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
	block    int    // first port of the 1,024-port block shown first
	port     int    // initially selected port, -1 for the block's first
	expect   string // --expect: the expectations file ("": the default paths)
}

func (a *app) rootCmd() *cobra.Command {
	var (
		interval time.Duration
		rangeArg string
		port     int
		expectF  string
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
			opts, err := parseTUIFlags(interval, rangeArg, cmd.Flags().Changed("range"), port, cmd.Flags().Changed("port"))
			if err != nil {
				return usageErr(err)
			}
			opts.expect = expectF
			if !term.IsTerminal(a.stdout.Fd()) {
				return usageErr(errors.New("the explorer needs a terminal; for scripts use `portui lookup`, `portui listeners` or `portui audit`"))
			}
			return a.explore(cmd.Context(), opts)
		},
	}
	root.PersistentFlags().StringVar(&a.registryFile, "registry", "", "use this registry.json instead of yours or the embedded one")
	root.Flags().DurationVar(&interval, "interval", time.Second, "how often to poll the listeners")
	root.Flags().StringVar(&rangeArg, "range", "0-1023", "ports to show first: a 1,024-port block (1024-2047) or a part of one (8000-8100)")
	// No default shown: unset means "the first port of the block".
	root.Flags().IntVar(&port, "port", 0, "select this port at start (its block is shown)")
	root.Flags().StringVar(&expectF, "expect", "", "judge listeners against this expectations file (default: ~/.config/portui/expected.toml, then /etc/portui/expected.toml)")
	root.AddCommand(a.lookupCmd(), a.listenersCmd(), a.auditCmd(), a.registryCmd(), a.expectCmd(), a.exportCmd())
	return root
}

// parseTUIFlags checks the explorer's flags and turns --range/--port into
// the block to show and the port to select. The explorer shows one
// 1,024-port block (0–1023, 1024–2047, …): a --range inside one block
// opens that block (with the range's first port selected, unless it is the
// whole block); a range across blocks is refused with one line naming the
// blocks and what to type instead, rather than silently opening something
// else. --port selects a port (its block is shown); with --range it must
// lie in the range.
func parseTUIFlags(interval time.Duration, rangeArg string, rangeSet bool, port int, portSet bool) (tuiOptions, error) {
	if interval < 100*time.Millisecond {
		return tuiOptions{}, fmt.Errorf("bad --interval %s: at least 100ms", interval)
	}
	if portSet && (port < 0 || port > registry.MaxPort) {
		return tuiOptions{}, fmt.Errorf("bad --port %d: ports are 0-65535", port)
	}
	opts := tuiOptions{interval: interval, port: -1}
	if portSet {
		opts.port, opts.block = port, blockStart(port)
	}
	if !rangeSet {
		return opts, nil
	}
	r, ok, err := parsePortArg(rangeArg)
	if err != nil || !ok {
		return tuiOptions{}, fmt.Errorf("bad --range %q: want LOW-HIGH within 0-65535, e.g. 1024-2047", rangeArg)
	}
	first, last := blockStart(r.lo), blockStart(r.hi)
	if first != last {
		n := (last-first)/blockSize + 1
		spans := fmt.Sprintf("blocks %s and %s", blockName(first), blockName(last))
		if n > 2 {
			spans = fmt.Sprintf("%d blocks, %s to %s", n, blockName(first), blockName(last))
		}
		return tuiOptions{}, fmt.Errorf("--range %s spans %s; the explorer shows one 1,024-port block: use --range %d-%d or --port %d",
			r, spans, first, first+blockSize-1, r.lo)
	}
	if portSet {
		if port < r.lo || port > r.hi {
			return tuiOptions{}, fmt.Errorf("--port %d is outside --range %s", port, r)
		}
		return opts, nil
	}
	opts.block = first
	if r.lo != first || r.hi != first+blockSize-1 {
		opts.port = r.lo // a part of the block: start on it
	}
	return opts, nil
}

// blockSize is the explorer's block of ports.
const blockSize = 1024

func blockStart(p int) int { return p / blockSize * blockSize }

func blockName(first int) string { return fmt.Sprintf("%d–%d", first, first+blockSize-1) }
