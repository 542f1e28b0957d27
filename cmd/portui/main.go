// Command portui explores the well-known TCP/UDP ports against IANA's
// registry and against what is listening on this machine right now.
//
// `portui` alone opens the explorer (a terminal UI); the subcommands
// (lookup, search, listeners, audit, registry) serve scripts.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/sanitize"
)

// version is set at build time (-ldflags "-X main.version=…"); otherwise
// it comes from the build info (buildVersion).
var version = ""

// Exit codes, shared by every command so scripts can rely on them.
const (
	exitOK       = 0
	exitFindings = 1 // audit found something worth a look
	exitError    = 2 // bad input or a failure, a failed write included
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile()
	oneShotGC() // the explorer and --watch go back to the defaults (gc.go)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

// run executes one command line; it is main without the process, so tests
// can drive every command in-process.
//
// Output that cannot be written fails the command: exit 2 and one line on
// stderr, whichever printer hit it (help and version included, which
// cobra writes without looking at errors). A closed pipe (`| head -1`) is
// the exception the Unix convention makes: on a pipe whose reader has
// gone, the write raises SIGPIPE and portui ends quietly by that signal
// (status 141 in the shell), as cat and ls do. (Go's runtime does so for
// stdout even when the parent ignored SIGPIPE; were a write to return
// EPIPE instead, printError stays silent and the exit status is 2.)
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	app.ctx = ctx
	root := app.rootCmd()
	root.AddCommand(app.searchCmd(), app.manCmd())
	help := newHelpWriter(app.stdout)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(help)
	root.SetErr(stderr)
	// Completion scripts go out byte for byte, not through the help filter.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.SetOut(app.stdout)
		}
	}
	root.InitDefaultHelpCmd()
	var failed error
	captureErrors(root, &failed)
	opts := []fang.Option{
		fang.WithErrorHandler(printError),
		fang.WithVersion(buildVersion(debug.ReadBuildInfo())),
		fang.WithoutManpage(), // ours: manCmd
	}
	err := fang.Execute(ctx, root, opts...)
	if ferr := help.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err == nil && failed != nil {
		err = failed
		printError(stderr, fang.Styles{}, err)
	}
	if err == nil && app.stdout.err != nil {
		// Written by something that does not report errors (cobra's help,
		// --version): report it here.
		err = writeErr(app.stdout.err)
		printError(stderr, fang.Styles{}, err)
	}
	var ee *exitErr
	switch {
	case app.stdout.err != nil:
		return exitError
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return exitError
}

// buildVersion is -X main.version when set, else what the go command
// stamped in the build info: the module version for `go install …@v1.2.0`
// or `@latest`, and for a build from a checkout the VCS revision, its
// commit time and whether the tree had changes. A build with neither
// (go build -buildvcs=false, or outside a checkout) says so.
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if version != "" {
		return version
	}
	if !ok || info == nil {
		return "unknown (no build information)"
	}
	var rev, when string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	v := info.Main.Version
	if v != "" && v != "(devel)" {
		// A release, or a pseudo-version the go command derived from the
		// checkout (v0.0.0-20261201120000-0123456789ab+dirty): it already
		// names the commit and its time.
		if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
			v += " (" + rev[:min(12, len(rev))] + ")"
		}
		return v
	}
	if rev == "" {
		return "devel (built from source without VCS information; " + info.GoVersion + ")"
	}
	v = "devel " + rev[:min(12, len(rev))]
	if when != "" {
		v += " " + when
	}
	if dirty {
		v += " (modified)"
	}
	return v
}

// exitErr carries a specific exit code; a nil err prints nothing (audit's
// "findings" result is not an error message).
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// printError writes one line on stderr: the rule for bad input and
// failures. The message may quote input (a path, a name from the
// registry): it is neutralised again here, the last stop before the
// terminal. A closed pipe is not reported (see run).
func printError(w io.Writer, _ fang.Styles, err error) {
	msg := err.Error()
	if msg == "" || isEPIPE(err) {
		return
	}
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; ")
	_, _ = fmt.Fprintln(w, "portui: "+sanitize.Line(msg))
}

// captureErrors keeps the errors of c and its subcommands (bad
// arguments, bad flags, failures) from fang: run prints them. fang's
// error path asks the terminal for its background colour (OSC 11 and DA1
// written to the terminal, the answer read from stdin, up to seconds when
// the terminal does not answer) on every error, audit's exit 1 included,
// only to style a message printError writes plain.
func captureErrors(c *cobra.Command, failed *error) {
	keep := func(err error) {
		if *failed == nil {
			*failed = err
		}
	}
	if args := c.Args; args != nil {
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				keep(err)
			}
			return nil
		}
	}
	if runE := c.RunE; runE != nil {
		c.RunE = func(cmd *cobra.Command, a []string) error {
			if *failed != nil {
				return nil //nolint:nilerr // the arguments were refused; run prints why
			}
			if err := runE(cmd, a); err != nil {
				keep(err) // printed by run, so that fang does not
			}
			return nil

		}
	}
	if c.Parent() == nil {
		// Inherited by every subcommand.
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
			keep(usageErr(err))
			return nil
		})
	}
	for _, sub := range c.Commands() {
		captureErrors(sub, failed)
	}
}
