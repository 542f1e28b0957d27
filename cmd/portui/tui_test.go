package main

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/model"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// #4: when no scanner can start, the explorer says why, in the pane and
// the status bar, instead of "polling…" forever. Before the fix explore
// dropped newScanner's error.
func TestExplorerSaysWhyNoScanner(t *testing.T) {
	old := newScanner
	t.Cleanup(func() { newScanner = old })
	newScanner = func() (scan.Scanner, error) {
		return nil, errors.New("scan: netlink: protocol not supported; /proc/net/tcp: no such file or directory")
	}
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.Config{Registry: reg, Port: 22}
	closeScanner := withScanner(&cfg)
	defer closeScanner()
	if cfg.Scanner != nil || cfg.ScannerErr == nil {
		t.Fatalf("withScanner: scanner %v err %v", cfg.Scanner, cfg.ScannerErr)
	}
	next, _ := model.New(cfg).Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s := ansi.Strip(next.(model.Model).View().Content)
	lines := strings.Split(s, "\n")
	if strings.Contains(s, "polling…") || !strings.Contains(s, "unavailable") ||
		!strings.Contains(s, "netlink: protocol not supported") ||
		!strings.Contains(lines[len(lines)-1], "netlink: protocol not supported") {
		t.Fatalf("reason not shown in the pane and the status bar:\n%s", s)
	}
}
