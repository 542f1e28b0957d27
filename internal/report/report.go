// Package report is portui's output layer for the command line: the named
// schema types of every --json document (pinned to docs/json.md by a
// test), the builders that fill them from the registry and from an
// annotated listener snapshot, and their renderings in every format.
//
// A command builds one Document and hands it to a Format. Formats are a
// table (Formats): text for people, JSON for scripts; a new format
// (Prometheus text exposition, NDJSON) is one entry there plus, where the
// document needs a different shape, an optional interface its documents
// implement. A document that has no form in a format is refused with
// ErrUnsupported rather than written half.
//
// Every string from outside is neutralised once, where it enters the
// program, and the builders here take it as it is: the scanner
// neutralises what it reads from the system (process names, command
// lines, user and interface names, warnings), the registry what it reads
// from its file (sanitize.Text for free text that may span lines,
// sanitize.Line for the rest), the store the paths it names. The one
// outside string that enters here, a command-line query, is neutralised
// by the builder that takes it. So the text renderings emit no control
// sequence but the SGR sequences of Styles. WriteJSON is the safety net
// at the end: it also escapes DEL, C1 controls and bidirectional
// formatting characters as \uXXXX, should a string ever slip past.
package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Document is one command's output: it names its schema and renders
// itself for people. Its JSON form is the value itself (WriteJSON).
type Document interface {
	// Schema is the document's "schema" string, e.g. "portui.listeners/v1".
	Schema() string
	// WriteText writes the human form to w, styled with st. It returns the
	// first write error.
	WriteText(w io.Writer, st Styles) error
}

// Format is one way to write documents.
type Format struct {
	Name  string // the --format value
	Usage string // one line for --help
	// Write renders doc on w. Styles apply only to formats for people.
	Write func(w io.Writer, st Styles, doc Document) error
	// Plain: the output never holds an escape sequence (JSON escapes
	// control bytes), so it needs no pass through the colour-profile
	// writer (which strips or downsamples styles per write: 40 ms for
	// 10,000 listeners in JSON).
	Plain bool
}

// ErrUnsupported is returned by a Format for a document it has no form for.
var ErrUnsupported = errors.New("format not available for this command")

// Formats are every output format, the default first. Adding one here is
// all a command needs to offer it (see the package documentation).
var Formats = []Format{
	{Name: "text", Usage: "for people: tables and pages", Write: func(w io.Writer, st Styles, doc Document) error {
		return doc.WriteText(w, st)
	}},
	{Name: "json", Usage: "one JSON document, schemas in docs/json.md", Write: func(w io.Writer, _ Styles, doc Document) error {
		return WriteJSON(w, doc)
	}, Plain: true},
}

// FormatNames lists the names of Formats, in order.
func FormatNames() []string {
	out := make([]string, len(Formats))
	for i, f := range Formats {
		out[i] = f.Name
	}
	return out
}

// LookupFormat returns the format called name (case-insensitive).
func LookupFormat(name string) (Format, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if i := slices.IndexFunc(Formats, func(f Format) bool { return f.Name == name }); i >= 0 {
		return Formats[i], nil
	}
	return Format{}, fmt.Errorf("unknown format %q: want %s", name, strings.Join(FormatNames(), " or "))
}

// printer writes formatted text and keeps the first error, so a renderer
// can write line after line and check once.
type printer struct {
	w   io.Writer
	err error
}

// line writes the parts and a newline.
func (p *printer) line(parts ...string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, strings.Join(parts, "")+"\n")
	}
}

// write writes b, which holds whole lines.
func (p *printer) write(b []byte) {
	if p.err == nil {
		_, p.err = p.w.Write(b)
	}
}

// block writes s, which holds whole lines (a table), and a newline if s
// does not end in one.
func (p *printer) block(s string) {
	if s == "" || p.err != nil {
		return
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	_, p.err = io.WriteString(p.w, s)
}
