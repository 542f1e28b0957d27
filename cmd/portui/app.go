package main

import (
	"cmp"
	"context"
	"io"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
)

// app holds what the commands share: the standard streams and the
// registry, opened once on first use.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	registryFile string          // --registry: use this registry.json instead
	ctx          context.Context // the command line's (signals cancel it); nil: Background

	reg     *registry.Registry
	regInfo store.Info
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr}
}

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

// usageErr marks bad input: exit code 2 and a one-line message.
func usageErr(err error) error { return &exitErr{code: exitError, err: err} }
