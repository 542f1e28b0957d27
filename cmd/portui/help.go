package main

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/muesli/mango"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portui/portui/internal/report"
)

// helpWriter is what cobra and fang write help and --version to. fang
// pads every line of the help to the terminal width (120 columns when
// piped) so its code blocks get an even background; on plain output
// (piped, NO_COLOR, TERM=dumb) that padding is only trailing spaces, and
// helpWriter drops them: it holds each line until its newline and writes
// it through report.TrimRight. On a colour terminal it passes everything.
type helpWriter struct {
	out  *outStream
	trim bool
	line []byte // the line being written, up to its newline
}

func newHelpWriter(out *outStream) *helpWriter {
	return &helpWriter{out: out, trim: out.Profile() <= colorprofile.ASCII}
}

func (h *helpWriter) Write(p []byte) (int, error) {
	if !h.trim {
		return h.out.Write(p)
	}
	n := len(p)
	var b []byte
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		h.line = append(h.line, p[:i]...)
		b = append(append(b, report.TrimRight(string(h.line))...), '\n')
		h.line, p = h.line[:0], p[i+1:]
	}
	h.line = append(h.line, p...)
	if len(b) > 0 {
		if _, err := h.out.Write(b); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Flush writes what is still held back (output that does not end in a
// newline), as it is.
func (h *helpWriter) Flush() error {
	if len(h.line) == 0 {
		return nil
	}
	_, err := h.out.Write(h.line)
	h.line = h.line[:0]
	return err
}

// Fd, Read and Close make helpWriter a term.File like the stream it
// writes to, so fang detects the same colour profile.
func (h *helpWriter) Fd() uintptr { return h.out.Fd() }

// Read reads nothing: help writes only.
func (h *helpWriter) Read(p []byte) (int, error) { return h.out.Read(p) }

// Close does nothing: the caller owns stdout.
func (h *helpWriter) Close() error { return nil }

// manCmd writes the man page (portui man | man -l -). It replaces fang's,
// which sets the one-line description as the page's header title (run
// into the name on the header line) and knows no exit status or examples.
func (a *app) manCmd() *cobra.Command {
	return &cobra.Command{
		Use:                   "man",
		Short:                 "Write the man page (roff) to stdout: portui man | man -l -",
		Hidden:                true,
		DisableFlagsInUseLine: true,
		Args:                  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := io.WriteString(a.stdout, manPage(cmd.Root(), time.Now())); err != nil {
				return writeErr(err)
			}
			return nil
		},
	}
}

// manPage renders the command tree as a section 1 page.
func manPage(root *cobra.Command, now time.Time) string {
	page := mango.NewManPage(1, root.Name(), root.Short).WithLongDescription(root.Long)
	addCommands(&page.Root, root)
	page.WithSection("Exit status", "0 fine (also when nothing listens or nothing matches), "+
		"1 audit findings, 2 bad input or a failure, a failed write to stdout included "+
		"(one line on stderr). On a pipe closed by its reader portui ends by SIGPIPE, quietly.")
	page.WithSection("Examples", examples(root))
	page.WithSection("Files", "$XDG_DATA_HOME/portui/registry.json (default ~/.local/share/portui/registry.json): "+
		"the registry `portui registry update` installs; every command prefers it to the embedded one.")
	page.WithSection("See also", "ss(8), services(5)")
	doc := page.Build(roff.NewDocument())
	// mango puts the one-line description in the header's centre title,
	// where man runs it into the page name; a manual's name goes there.
	if i := strings.IndexByte(doc, '\n'); i > 0 && strings.HasPrefix(doc, ".TH ") {
		doc = `.TH "` + strings.ToUpper(root.Name()) + `" 1 "` + now.Format("2006-01-02") + `" "` + root.Name() + `" "User Commands"` + doc[i:]
	}
	return doc
}

func addCommands(parent *mango.Command, c *cobra.Command) {
	addFlags(parent, c)
	for _, sub := range c.Commands() {
		if sub.Hidden || sub.Name() == "help" {
			continue
		}
		short := sub.Short
		if sub.Long != "" {
			short = strings.ReplaceAll(sub.Long, "\n\n", " ")
		}
		mc := mango.NewCommand(sub.Name(), short, sub.Use)
		addCommands(mc, sub)
		_ = parent.AddCommand(mc) // names are unique within a cobra command
	}
}

func addFlags(m *mango.Command, c *cobra.Command) {
	visit := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		usage := f.Usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			usage += " (default " + f.DefValue + ")"
		}
		_ = m.AddFlag(mango.Flag{Name: f.Name, Short: f.Shorthand, Usage: usage, PFlag: true})
	}
	c.NonInheritedFlags().VisitAll(visit)
}

// examples gathers every command's Example lines, each once.
func examples(root *cobra.Command) string {
	var b []string
	seen := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, l := range strings.Split(c.Example, "\n") {
			l = strings.TrimSpace(l)
			if l != "" && !strings.HasPrefix(l, "#") && !seen[l] {
				seen[l] = true
				b = append(b, l)
			}
		}
		for _, sub := range c.Commands() {
			if !sub.Hidden {
				walk(sub)
			}
		}
	}
	walk(root)
	return strings.Join(b, "\n")
}
