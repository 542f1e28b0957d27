package main

import (
	"errors"
	"os"
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
	newScanner = func(scan.Options) (scan.Scanner, error) {
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

// S8: the explorer's input reports the terminal's end (end of file) as
// errTerminalGone, which ends the program; Bubble Tea's reader takes a
// plain end of file for "no more keys" and ran on, polling, without a
// terminal (scripts/e2e-tmux.sh kills a pane under nohup to see it end).
func TestTTYInputEndsWithTheTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	in := ttyInput{r}
	if _, err := w.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, err := in.Read(buf); n != 1 || err != nil || buf[0] != 'q' {
		t.Fatalf("read %d %v", n, err)
	}
	w.Close()
	if _, err := in.Read(buf); !errors.Is(err, errTerminalGone) {
		t.Fatalf("at end of file: %v, want errTerminalGone", err)
	}
}
