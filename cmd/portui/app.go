package main

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"os"

	"github.com/charmbracelet/colorprofile"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/report"
)

// app holds what the commands share: the standard streams and the
// registry, opened once on first use.
type app struct {
	stdin io.Reader
	// stdout is where every command writes (through out for styled text):
	// it keeps the first write error, which fails the command (exit 2).
	stdout *outStream
	stderr io.Writer

	registryFile string          // --registry: use this registry.json instead
	ctx          context.Context // the command line's (signals cancel it); nil: Background

	reg     *registry.Registry
	regInfo store.Info
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: newOutStream(stdout, os.Environ()), stderr: stderr}
}

// registry opens the registry once. The strings of the Info it returns
// are clean: the store neutralises the path, the registry the file's date
// and source.
func (a *app) registry() (*registry.Registry, store.Info, error) {
	if a.reg == nil {
		reg, info, err := store.Open(cmp.Or(a.ctx, context.Background()), a.registryFile)
		if err != nil {
			return nil, info, err
		}
		a.reg, a.regInfo = reg, info
	}
	return a.reg, a.regInfo, nil
}

// out is stdout adapted to the terminal: styled text keeps its colour on
// a terminal, loses it under NO_COLOR, and is plain text when piped.
func (a *app) out() io.Writer { return colorWriter(a.stdout) }

// emit writes doc in format f. A failed write is the command's error.
func (a *app) emit(f report.Format, doc report.Document) error {
	if f.Plain {
		if err := f.Write(a.stdout, report.DefaultStyles(), doc); err != nil {
			return writeErr(err)
		}
		return nil
	}
	st, w := report.DefaultStyles(), a.out()
	if a.stdout.profile <= colorprofile.NoTTY {
		// Not a terminal (a pipe, a file, NO_COLOR's ASCII is above
		// this): nothing styled, nothing to strip.
		st, w = report.PlainStyles(), a.stdout
	}
	lb := &lineBuffer{w: w}
	err := f.Write(lb, st, doc)
	if ferr := lb.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return writeErr(err)
	}
	return nil
}

// lineBuffer gathers a document's output and hands it on in chunks of
// whole lines, about lineChunk bytes each: 10,000 listeners are a few
// writes (and colour-profile passes) instead of one per line. Whole
// lines, because the colour writer below parses escape sequences one
// Write at a time and must never see one cut in two; a report's styles
// end before its line does.
type lineBuffer struct {
	w   io.Writer
	buf []byte
	err error
}

const lineChunk = 32 << 10

func (b *lineBuffer) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(b.buf) == 0 && len(p) >= lineChunk {
		// A whole table in one write: hand its lines on as they are
		// rather than copy them into the buffer first.
		if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
			b.forward(p[:i+1])
			b.buf = append(b.buf, p[i+1:]...)
			return len(p), b.err
		}
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= lineChunk {
		if i := bytes.LastIndexByte(b.buf, '\n'); i >= 0 {
			b.forward(b.buf[:i+1])
			b.buf = append(b.buf[:0], b.buf[i+1:]...)
		}
	}
	return len(p), b.err
}

// Flush hands on what is left.
func (b *lineBuffer) Flush() error {
	if b.err == nil && len(b.buf) > 0 {
		b.forward(b.buf)
		b.buf = b.buf[:0]
	}
	return b.err
}

func (b *lineBuffer) forward(p []byte) {
	if _, err := b.w.Write(p); err != nil {
		b.err = err
	}
}

// outStream is stdout as the commands see it. It remembers the first
// write error (later writes fail at once, so a command stops producing
// output), and it still looks like the terminal it writes to, so colour
// detection (here and in fang's help) sees the real file descriptor.
type outStream struct {
	w       io.Writer
	profile colorprofile.Profile
	err     error
}

func newOutStream(w io.Writer, environ []string) *outStream {
	return &outStream{w: w, profile: colorprofile.Detect(w, environ)}
}

func (o *outStream) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// Fd is the descriptor of the underlying file (for terminal detection);
// an invalid one when stdout is not a file.
func (o *outStream) Fd() uintptr {
	if f, ok := o.w.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// Read and Close complete term.File, which colour detection asks for.
func (o *outStream) Read([]byte) (int, error) { return 0, io.EOF }

// Close does nothing: the caller owns stdout.
func (o *outStream) Close() error { return nil }

// Profile is the colour profile of the terminal (colorprofile.NoTTY when
// piped).
func (o *outStream) Profile() colorprofile.Profile { return o.profile }

// usageErr marks bad input: exit code 2 and a one-line message.
func usageErr(err error) error { return &exitErr{code: exitError, err: err} }
