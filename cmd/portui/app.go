package main

import (
	"io"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/sanitize"
)

// app holds what the commands share: the standard streams and the
// registry, opened once on first use.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	registryFile string // --registry: use this registry.json instead

	reg     *registry.Registry
	regInfo store.Info
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr}
}

// registry opens the registry once. The strings of the Info it returns
// (paths, the file's date and name) come from the command line and the
// registry file: they are neutralised here, where they enter.
func (a *app) registry() (*registry.Registry, store.Info, error) {
	if a.reg == nil {
		reg, info, err := store.Open(a.registryFile)
		if err != nil {
			return nil, info, err
		}
		info.Kind, info.Path, info.Updated = sanitize.Line(info.Kind), sanitize.Line(info.Path), sanitize.Line(info.Updated)
		info.Source.Format, info.Source.File = sanitize.Line(info.Source.Format), sanitize.Line(info.Source.File)
		info.Source.SHA256 = sanitize.Line(info.Source.SHA256)
		a.reg, a.regInfo = reg, info
	}
	return a.reg, a.regInfo, nil
}

// out is stdout adapted to the terminal: styled text keeps its colour on
// a terminal, loses it under NO_COLOR, and is plain text when piped.
func (a *app) out() io.Writer { return colorWriter(a.stdout) }

// emit writes doc in format f. A failed write is the command's error.
func (a *app) emit(f report.Format, doc report.Document) error {
	return f.Write(a.out(), report.DefaultStyles(), doc)
}

// usageErr marks bad input: exit code 2 and a one-line message.
func usageErr(err error) error { return &exitErr{code: exitError, err: err} }
