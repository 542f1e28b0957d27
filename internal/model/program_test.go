package model

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"
	"github.com/portui/portui/internal/scan"
)

// recorder replays the program's output into a virtual terminal, so the
// test asserts on what a person would see: the renderer writes only
// changed cells, so text rarely appears whole in the byte stream, and
// teatest.WaitFor consumes the stream it reads.
type recorder struct {
	src io.Reader
	mu  sync.Mutex
	emu *vt.Emulator
}

func newRecorder(tm *teatest.TestModel, w, h int) *recorder {
	emu := vt.NewEmulator(w, h)
	// The emulator answers terminal queries on a pipe: drain it or Write
	// blocks. Not closed: vt v0.1.0's Close races with Read.
	go func() { _, _ = io.Copy(io.Discard, emu) }()
	return &recorder{src: tm.Output(), emu: emu}
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.src.Read(p)
	r.mu.Lock()
	// Without a TTY the renderer relies on the tty's ONLCR to add "\r".
	_, _ = r.emu.Write(bytes.ReplaceAll(p[:n], []byte("\n"), []byte("\r\n")))
	r.mu.Unlock()
	return n, err
}

func (r *recorder) Screen() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.emu.String()
}

// waitScreen blocks until the emulated screen satisfies cond.
func waitScreen(t *testing.T, r *recorder, what string, cond func(string) bool) string {
	t.Helper()
	var s string
	teatest.WaitFor(t, r, func([]byte) bool { s = r.Screen(); return cond(s) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	if !cond(s) {
		t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
	}
	return s
}

// TestProgramFlow runs the whole program against a fake scanner whose
// answer changes: jump to 326 by typing it, see the listener appear in the
// pane and on the grid, search for ssh and accept, then quit.
func TestProgramFlow(t *testing.T) {
	var mu sync.Mutex
	snap := baseSnap(t0)
	sc := scan.Func(func(_ context.Context, _ scan.Filter) (scan.Snapshot, error) {
		mu.Lock()
		defer mu.Unlock()
		// New memory per scan, as a real scanner returns: scan.Func
		// neutralises the snapshot in place, and the model still holds
		// the listeners of the last one.
		return fresh(snap), nil
	})
	m := New(Config{Registry: testReg, Scanner: sc, Port: -1, Interval: 20 * time.Millisecond})
	m.loc = time.UTC
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	rec := newRecorder(tm, 120, 40)

	waitScreen(t, rec, "the first poll", func(s string) bool { return strings.Contains(s, "live · 12:00") })
	tm.Type("326")
	waitScreen(t, rec, "port 326", func(s string) bool { return strings.Contains(s, "nothing listens on 326") })

	mu.Lock()
	snap = with326(t0.Add(5 * time.Second))
	mu.Unlock()
	shot := waitScreen(t, rec, "the listener", func(s string) bool {
		return strings.Contains(s, "python3 pid 4242") && strings.Contains(s, "+ 12:00:05")
	})
	golden.RequireEqual(t, shot)

	tm.Type("/ssh")
	waitScreen(t, rec, "search results", func(s string) bool { return strings.Contains(s, "ssh-mgmt") })
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, rec, "the best match", func(s string) bool { return strings.Contains(s, "/ssh 1/") })
	tm.Type("q")

	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if fm.Selected() != 22 || fm.search.applied != "ssh" || !fm.polled {
		t.Fatalf("final model: sel %d query %q polled %v", fm.Selected(), fm.search.applied, fm.polled)
	}
}
