package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/portui/portui/internal/model"
)

// runTUI runs the explorer until the user quits, ctx is cancelled, a
// signal says stop, or the terminal goes away, and returns with the
// terminal restored.
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
// View; Bubble Tea restores the terminal on every exit path it sees,
// including a panic inside the program. Two it does not see are handled
// here (S8):
//
//   - SIGHUP, SIGTERM and SIGQUIT end the program the way a cancelled ctx
//     does (alternate screen left, cursor shown, mouse reporting off, the
//     tty's modes restored); the exit status is 128 + the signal's number.
//     Without this, SIGHUP killed the process with the terminal left in
//     the alternate screen with mouse reporting on and the cursor hidden,
//     and SIGQUIT also left it raw. A SIGHUP that is ignored (nohup) stays
//     ignored.
//   - The terminal going away (its input reads end of file or EIO: the
//     window was closed, the tmux pane killed, the SSH connection dropped
//     with SIGHUP ignored) ends the program too, instead of polling on for
//     no one; status 129, as for a hangup.
//
// Cancelling ctx ends the program quietly (status 0).
func runTUI(ctx context.Context, cfg model.Config) error {
	if cfg.Registry == nil {
		return errors.New("explorer: no registry")
	}
	if cfg.FirstFrameWait == 0 {
		cfg.FirstFrameWait = firstFrameWait
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs := watchSignals(cancel)
	defer sigs.stop()

	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	in, closeIn, err := terminalInput()
	if err != nil {
		return fmt.Errorf("explorer: %w", err)
	}
	defer closeIn()
	if in != nil {
		opts = append(opts, tea.WithInput(in))
	}
	_, err = tea.NewProgram(model.New(cfg), opts...).Run()
	if s := sigs.received(); s != 0 {
		return &exitErr{code: 128 + int(s)}
	}
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted):
		return nil
	case errors.Is(err, errTerminalGone):
		return &exitErr{code: 128 + int(syscall.SIGHUP)}
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil // cancelled by the caller (a signal): not an error
	}
	return fmt.Errorf("explorer: %w", err)
}

// firstFrameWait is how long the first frame may wait for the first scan:
// the registry loads in ~10 ms, so the frame still comes well inside the
// 150 ms start-up budget, and on a machine where the first scan is quick
// (most) the screen is painted once, listeners included.
const firstFrameWait = 60 * time.Millisecond

// signalWatch ends the explorer on SIGHUP, SIGTERM or SIGQUIT and
// remembers which came.
type signalWatch struct {
	ch   chan os.Signal
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	got  syscall.Signal
}

func watchSignals(cancel context.CancelFunc) *signalWatch {
	w := &signalWatch{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGQUIT}
	if !signal.Ignored(syscall.SIGHUP) {
		// Under nohup SIGHUP stays ignored (Notify would undo that); the
		// terminal's end of input then ends the program (terminalInput).
		sigs = append(sigs, syscall.SIGHUP)
	}
	signal.Notify(w.ch, sigs...)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		select {
		case s := <-w.ch:
			w.record(s)
			cancel()
		case <-w.done:
		}
	}()
	return w
}

func (w *signalWatch) record(s os.Signal) {
	if n, ok := s.(syscall.Signal); ok {
		w.mu.Lock()
		w.got = n
		w.mu.Unlock()
	}
}

// received is the signal that ended the program, 0 if none. A SIGTERM also
// cancels main's context, which can end the program first: the signal was
// delivered to w.ch as well, so it is looked for there too.
func (w *signalWatch) received() syscall.Signal {
	select {
	case s := <-w.ch:
		w.record(s)
	default:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.got
}

func (w *signalWatch) stop() {
	signal.Stop(w.ch)
	close(w.done)
	w.wg.Wait()
}

// errTerminalGone is what the explorer's input reads once its terminal is
// gone (end of file, EIO).
var errTerminalGone = errors.New("the terminal is gone")

// ttyInput is the terminal Bubble Tea reads keys from, with end of file
// and EIO reported as errTerminalGone: Bubble Tea's reader takes a plain
// end of file for "no more input" and would run on without a terminal.
// It is still the *os.File (Fd, raw mode, the cancelable reader).
type ttyInput struct{ *os.File }

func (t ttyInput) Read(p []byte) (int, error) {
	n, err := t.File.Read(p)
	if n == 0 && (err == nil && len(p) > 0 || errors.Is(err, io.EOF) || errors.Is(err, syscall.EIO)) {
		return 0, errTerminalGone
	}
	return n, err
}

// terminalInput returns the terminal to read keys from (stdin, or
// /dev/tty when stdin is not a terminal) wrapped as ttyInput; nil leaves
// Bubble Tea's default.
func terminalInput() (io.Reader, func(), error) {
	if term.IsTerminal(os.Stdin.Fd()) {
		return ttyInput{os.Stdin}, func() {}, nil
	}
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, func() {}, fmt.Errorf("no terminal to read keys from: %w", err)
	}
	return ttyInput{f}, func() { _ = f.Close() }, nil
}
