package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portui/portui/internal/model"
)

// runTUI runs the explorer until the user quits or ctx is cancelled, and
// returns with the terminal restored.
//
// The root command calls it after parsing --interval, --range and --port
// and after checking that stdout is a terminal (otherwise it prints one
// line pointing to lookup/listeners/audit and exits 2 without calling
// this):
//
//	cfg := model.Config{Registry: reg, Scanner: sc, Interval: interval,
//		Port: port /* -1: none */, Block: block, IsRoot: os.Geteuid() == 0}
//	return runTUI(cmd.Context(), cfg)
//
// The alternate screen and mouse reporting are declared by the model's
// View; Bubble Tea restores the terminal on every exit path, including a
// panic inside the program. Cancelling ctx ends the program quietly.
// firstFrameWait is how long the first frame may wait for the first scan:
// the registry loads in ~10 ms, so the frame still comes well inside the
// 150 ms start-up budget, and on a machine where the first scan is quick
// (most) the screen is painted once, listeners included.
const firstFrameWait = 60 * time.Millisecond

func runTUI(ctx context.Context, cfg model.Config) error {
	if cfg.Registry == nil {
		return errors.New("explorer: no registry")
	}
	if cfg.FirstFrameWait == 0 {
		cfg.FirstFrameWait = firstFrameWait
	}
	p := tea.NewProgram(model.New(cfg), tea.WithContext(ctx))
	_, err := p.Run()
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted):
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil // cancelled by the caller (a signal): not an error
	}
	return fmt.Errorf("explorer: %w", err)
}
