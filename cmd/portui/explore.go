package main

import (
	"context"
	"os"

	"github.com/portui/portui/internal/model"
	"github.com/portui/portui/internal/views"
)

// explore opens the registry and the scanner and runs the explorer. A
// scanner that cannot start is not fatal: the explorer still browses the
// registry and says why it has no live data.
func (a *app) explore(ctx context.Context, opts tuiOptions) error {
	reg, _, err := a.registry()
	if err != nil {
		return err
	}
	cfg := model.Config{
		Registry: reg,
		Interval: opts.interval,
		Port:     opts.port,
		Block:    opts.block,
		IsRoot:   os.Geteuid() == 0,
		ASCII:    !views.UTF8Locale(os.Getenv("LC_ALL"), os.Getenv("LC_CTYPE"), os.Getenv("LANG")),
	}
	if s, err := newScanner(); err == nil {
		defer s.Close()
		cfg.Scanner = s
	}
	return runTUI(ctx, cfg)
}
