package main

import (
	"context"
	"os"

	"github.com/portui/portui/internal/model"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// explore opens the registry, the expectations file and the scanner and
// runs the explorer. A bad expectations file is an error before the
// explorer starts (one line naming file and line, exit 2). A scanner that
// cannot start is not fatal: the explorer still browses the registry and
// says why it has no live data.
func (a *app) explore(ctx context.Context, opts tuiOptions) error {
	steadyGC() // a long-running program: the default collector
	j, err := a.judge(opts.expect)
	if err != nil {
		return err
	}
	cfg := model.Config{
		Registry: j.Reg,
		Judge:    j,
		Interval: opts.interval,
		Port:     opts.port,
		Block:    opts.block,
		IsRoot:   os.Geteuid() == 0,
		ASCII:    !views.UTF8Locale(os.Getenv("LC_ALL"), os.Getenv("LC_CTYPE"), os.Getenv("LANG")),
		Links:    views.Hyperlinks(os.Getenv),
	}
	closeScanner := withScanner(&cfg)
	defer closeScanner()
	return runTUI(ctx, cfg)
}

// withScanner starts the listener scanner into cfg, or records in
// cfg.ScannerErr why it could not start (the pane and the status bar show
// it). The returned function closes the scanner.
func withScanner(cfg *model.Config) func() {
	s, err := newScanner(scan.Options{})
	if err != nil {
		cfg.ScannerErr = err
		return func() {}
	}
	cfg.Scanner = s
	return func() { _ = s.Close() }
}
