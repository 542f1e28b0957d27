package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/scan"
)

// watchTimeLayout is the documents' time format (report's), in UTC.
const watchTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// minWatchInterval is the shortest --interval, the explorer's too.
const minWatchInterval = 100 * time.Millisecond

// Events of the watch stream.
const (
	eventAppeared = "appeared"
	eventVanished = "vanished"
)

// watchEvent is one line of `listeners --watch --json`: a listener that
// appeared or vanished between two polls. ts is the time of the poll that
// saw the change (the snapshot's); listener is the object of
// `listeners --json` (report.ListenerOf), as that poll saw it (for a
// vanished listener: as the last poll that still saw it did).
type watchEvent struct {
	TS       string          `json:"ts"`
	Event    string          `json:"event"`
	Listener report.Listener `json:"listener"`
}

// watchKey is a listener's identity in the stream: transport, address,
// port, device, network namespace and socket inode. The inode makes a
// socket closed and reopened on the same port a new listener (vanished,
// then appeared); a change of the processes that hold one socket (a fork,
// an exec, a parent exiting) is no event: it is the same listener.
func watchKey(l scan.Listener) string {
	return l.Key() + " %" + l.Iface + " ns" + strconv.FormatUint(l.NetNS.Inode, 10)
}

// watcher polls one scanner and reports the difference between polls.
type watcher struct {
	a        *app
	sc       scan.Scanner
	sel      selection
	json     bool
	interval time.Duration

	polled bool                     // the first poll succeeded
	seen   map[string]scan.Listener // by watchKey, as the last poll saw them
	warned map[string]bool          // warnings printed; printed again only after they went away
	failed string                   // the last poll's error, printed once while it repeats
}

// watch runs `listeners --watch`: it polls what sel selects every
// interval and writes one line per listener that appeared or vanished,
// the first poll's listeners as "appeared" (so a reader can rebuild the
// set from the stream alone). It returns nil when ctx is cancelled (SIGINT,
// SIGTERM) or when the reader of stdout has gone (EPIPE); an error when
// the first poll fails, or a write fails otherwise. Polls never overlap:
// the next starts interval after the last one started, but never sooner
// than its duration after it ended (a slow poll delays the next one and
// the scanner runs at most half the time). The one scanner is kept across
// polls, with its caches, as in the explorer.
func (a *app) watch(ctx context.Context, sel selection, jsonOut bool, interval time.Duration) error {
	steadyGC() // a long-running program: the default collector
	if _, _, err := a.registry(); err != nil {
		return err
	}
	sc, err := newScanner(scan.Options{HostOnly: sel.netns.host})
	if err != nil {
		return err
	}
	defer sc.Close()
	w := &watcher{a: a, sc: sc, sel: sel, json: jsonOut, interval: interval,
		seen: map[string]scan.Listener{}, warned: map[string]bool{}}
	return w.run(ctx)
}

func (w *watcher) run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		start := time.Now()
		err := w.poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if isEPIPE(err) {
				return nil // the reader has gone: the stream's normal end
			}
			return err
		}
		took := time.Since(start)
		timer.Reset(max(w.interval-took, took))
	}
}

// poll takes one snapshot and writes its changes. A failed scan after the
// first is a warning on stderr (once while it repeats), and the listeners
// seen before stand: a scan that fails is no reason to say they vanished.
func (w *watcher) poll(ctx context.Context) error {
	snap, err := w.sc.Snapshot(ctx, w.sel.filter())
	if err != nil {
		if ctx.Err() != nil || !w.polled {
			return err // run ends quietly when ctx is done
		}
		if msg := err.Error(); msg != w.failed {
			w.failed = msg
			_, _ = fmt.Fprintln(w.a.stderr, "portui: warning: poll failed (retrying): "+msg)
		}
		return nil
	}
	snap = w.sel.keep(snap)
	var perr error
	if snap, perr = w.sel.keepPlace(snap); perr != nil {
		if !w.polled {
			return usageErr(perr)
		}
		// The namespace or container asked for is gone: so are its
		// listeners.
		snap.Listeners = nil
	}
	w.failed = ""
	w.polled = true
	w.warn(snap.Warnings)

	reg := w.a.reg
	ts := snap.Taken
	if ts.IsZero() {
		ts = time.Now()
	}
	next := make(map[string]scan.Listener, len(snap.Listeners))
	var lines bytes.Buffer
	for _, l := range snap.Listeners {
		k := watchKey(l)
		if _, dup := next[k]; dup {
			continue
		}
		next[k] = l
		_, known := w.seen[k]
		w.seen[k] = l // its owners as now
		if known {
			continue
		}
		// Only the events are annotated: a quiet poll costs the scan alone.
		a := audit.AnnotateOne(reg, l)
		if err := w.line(&lines, ts, eventAppeared, &a); err != nil {
			return err
		}
	}
	// Vanished in the order they were listed (port, proto, address).
	var gone []scan.Listener
	for k, l := range w.seen {
		if _, ok := next[k]; !ok {
			gone = append(gone, l)
			delete(w.seen, k)
		}
	}
	scan.SortListeners(gone)
	for _, l := range gone {
		a := audit.AnnotateOne(reg, l)
		if err := w.line(&lines, ts, eventVanished, &a); err != nil {
			return err
		}
	}
	if lines.Len() == 0 {
		return nil
	}
	// One write per poll: a reader sees a poll's lines together. It goes
	// past outStream's memory of the first error (which makes any command
	// exit 2): a reader that went away is the stream's normal end.
	if _, err := w.a.stdout.w.Write(lines.Bytes()); err != nil {
		if isEPIPE(err) {
			return err
		}
		return writeErr(err)
	}
	return nil
}

// line appends one event: a compact JSON object, or for people
// "10:41:05 + tcp 127.0.0.1:8080 python3 (pid 5)" (- for vanished), with
// where it lives when that is not the host.
func (w *watcher) line(b *bytes.Buffer, ts time.Time, event string, a *audit.Listener) error {
	if w.json {
		var doc bytes.Buffer
		// WriteJSON escapes what could still reach a terminal raw;
		// Compact keeps those escapes and makes the object one line.
		if err := report.WriteJSON(&doc, watchEvent{TS: ts.UTC().Format(watchTimeLayout), Event: event, Listener: report.ListenerOf(a)}); err != nil {
			return err
		}
		if err := json.Compact(b, doc.Bytes()); err != nil {
			return err
		}
		b.WriteByte('\n')
		return nil
	}
	mark := "+"
	if event == eventVanished {
		mark = "-"
	}
	l := a.Listener
	fmt.Fprintf(b, "%s %s %s %s %s", ts.Local().Format(time.TimeOnly), mark, l.Proto, l.Endpoint(), audit.Owner(l))
	if !l.NetNS.IsHost() || l.Container != nil {
		b.WriteString(" in " + audit.Place(l))
	}
	b.WriteByte('\n')
	return nil
}

// warn prints each of the scanner's warnings once while it stays (a
// warning that goes away and comes back is printed again).
func (w *watcher) warn(ws []string) {
	now := make(map[string]bool, len(ws))
	for _, s := range ws {
		now[s] = true
		if !w.warned[s] {
			_, _ = fmt.Fprintln(w.a.stderr, "portui: warning: "+s)
		}
	}
	w.warned = now
}

// errWatchFormat refuses --watch with a format the stream has no lines
// for.
var errWatchFormat = errors.New("--watch prints text or JSON lines: use --format text or --json")
