package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

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

// writeErr marks a failed write to stdout: exit 2, one line on stderr
// (none for a closed pipe, see printError).
func writeErr(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		return err
	}
	return &exitErr{code: exitError, err: fmt.Errorf("cannot write output: %w", err)}
}

// isEPIPE reports a write to a pipe whose reader has gone (`| head -1`).
func isEPIPE(err error) bool { return errors.Is(err, syscall.EPIPE) }

// colorWriter adapts styled output to what w can show: colour on a
// terminal, none under NO_COLOR, plain text when piped or TERM=dumb. The
// profile is the one detected for the app's stdout when w is it.
func colorWriter(w io.Writer) io.Writer {
	if o, ok := w.(interface{ Profile() colorprofile.Profile }); ok {
		return &colorprofile.Writer{Forward: w, Profile: o.Profile()}
	}
	return colorprofile.NewWriter(w, os.Environ())
}
