// Command portui explores the well-known TCP/UDP ports against IANA's
// registry and against what is listening on this machine right now.
//
// `portui` alone opens the explorer (a terminal UI); the subcommands
// (lookup, listeners, audit, registry) serve scripts.
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
)

// version is set at build time (-ldflags "-X main.version=…"); fang falls
// back to the module version from the build info.
var version = ""

// Exit codes, shared by every command so scripts can rely on them.
const (
	exitOK       = 0
	exitFindings = 1 // audit found something worth a look
	exitError    = 2 // bad input or a failure
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line; it is main without the process, so tests
// can drive every command in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	app.ctx = ctx
	root := app.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	opts := []fang.Option{fang.WithErrorHandler(printError), fang.WithVersion(buildVersion())}
	err := fang.Execute(ctx, root, opts...)
	var ee *exitErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return exitError
}

// buildVersion is -X main.version when set, else what the go command
// stamped: the module version for `go install`, the VCS revision for a
// build from a checkout.
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		v = "devel-" + rev[:min(12, len(rev))]
		if dirty {
			v += "-dirty"
		}
	}
	if v == "" {
		v = "(devel)"
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

// printError writes one line on stderr: the brief's rule for bad input.
func printError(w io.Writer, _ fang.Styles, err error) {
	msg := err.Error()
	if msg == "" {
		return
	}
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; ")
	fmt.Fprintln(w, "portui: "+msg)
}
