//go:build !portui_tui

package main

import (
	"context"
	"errors"
)

func (a *app) explore(ctx context.Context, opts tuiOptions) error {
	return errors.New("the explorer is not built yet")
}
