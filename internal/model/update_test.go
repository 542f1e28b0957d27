package model

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

func TestDigitsJumpAsYouType(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0))
	for _, step := range []struct {
		key  string
		want int
	}{{"4", 4}, {"4", 44}, {"3", 443}} {
		m = update(t, m, press(step.key))
		if m.Selected() != step.want || m.mode != modeDigits {
			t.Fatalf("after %q: sel %d mode %v, want %d in digit mode", step.key, m.Selected(), m.mode, step.want)
		}
	}
	if !strings.Contains(screen(m), "go to 443") {
		t.Error("typed number not shown in the status bar")
	}
	// A stale timeout (from the first digit) does not end the number.
	m = update(t, m, digitTimeoutMsg{seq: m.digitSeq - 1})
	if m.mode != modeDigits {
		t.Fatal("stale timeout ended the number")
	}
	m = update(t, m, digitTimeoutMsg{seq: m.digitSeq})
	if m.mode != modeBrowse || m.digits != "" {
		t.Fatalf("timeout: mode %v digits %q", m.mode, m.digits)
	}
	// A new number starts from scratch.
	m = update(t, m, press("8"), press("0"))
	if m.Selected() != 80 {
		t.Fatalf("second number: sel %d, want 80", m.Selected())
	}
}

func TestDigitsEndedByOtherKey(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0))
	m = update(t, m, press("4"), press("4"), press("l"))
	if m.Selected() != 45 || m.mode != modeBrowse {
		t.Fatalf("44 then l: sel %d mode %v, want 45 browse", m.Selected(), m.mode)
	}
	// Numbers past 65535 ignore the extra digit; the block follows.
	m = update(t, m, typeKeys("70000")...)
	if m.Selected() != 7000 || m.block != 6144 {
		t.Fatalf("70000: sel %d block %d, want 7000 in 6144", m.Selected(), m.block)
	}
	m = update(t, m, press("esc"))
	if m.mode != modeBrowse || m.Selected() != 7000 {
		t.Fatalf("esc: mode %v sel %d", m.mode, m.Selected())
	}
}

func TestMoveKeys(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0)) // 8 columns, 37 rows
	c, r := m.geo.Cols, m.geo.Rows()
	steps := []struct {
		key  string
		want int
	}{
		{"l", 1}, {"right", 2}, {"j", 2 + c}, {"down", 2 + 2*c}, {"k", 2 + c}, {"up", 2}, {"h", 1}, {"left", 0},
		{"end", c - 1}, {"home", 0}, {"G", 1023}, {"g", 0}, {"pgdown", r * c}, {"pgup", 0},
	}
	for _, s := range steps {
		m = update(t, m, press(s.key))
		if m.Selected() != s.want {
			t.Fatalf("%s: sel %d, want %d", s.key, m.Selected(), s.want)
		}
	}
	// The selection stays on screen.
	m = update(t, m, press("G"))
	if r := (m.sel - m.block) / m.geo.Cols; r < m.top || r >= m.top+m.geo.Rows() {
		t.Fatalf("G: row %d not in view [%d,%d)", r, m.top, m.top+m.geo.Rows())
	}
}

func TestBlocksAndRuns(t *testing.T) {
	m := newTest(t, 120, 40, 326, baseSnap(t0))
	m = update(t, m, press(">"))
	if m.Selected() != 1350 || m.block != 1024 || !strings.Contains(screen(m), "ports 1024–2047 User Ports") {
		t.Fatalf(">: sel %d block %d\n%s", m.Selected(), m.block, screen(m))
	}
	m = update(t, m, press("<"), press("<"))
	if m.Selected() != 326 || m.block != 0 {
		t.Fatalf("<<: sel %d block %d", m.Selected(), m.block)
	}
	m = update(t, m, press("]"))
	if m.Selected() != 333 {
		t.Fatalf("]: sel %d, want 333", m.Selected())
	}
	m = update(t, m, press("["), press("["))
	if m.Selected() != testReg.RunAt(324, registry.Combined).Lo {
		t.Fatalf("[[: sel %d", m.Selected())
	}
	// The last block has 5-digit cells and the same layout rules.
	m = update(t, m, press("6"), press("5"), press("5"), press("3"), press("5"), press("esc"))
	if m.block != 64512 || m.geo.CellW != 5 || m.Selected() != 65535 {
		t.Fatalf("65535: block %d cellW %d sel %d", m.block, m.geo.CellW, m.Selected())
	}
	assertFits(t, screen(m), 120, 40)
}

func TestTabVisitsListeners(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, -1, with326(t0)))
	var got []int
	for range 7 {
		m = update(t, m, press("tab"))
		got = append(got, m.Selected())
	}
	want := []int{22, 68, 326, 631, 5432, 22, 68}
	if !slices.Equal(got, want) {
		t.Fatalf("tab: %v, want %v", got, want)
	}
	m = update(t, m, press("shift+tab"))
	if m.Selected() != 22 {
		t.Fatalf("shift+tab: %d", m.Selected())
	}
	// With the needs-a-look filter, tab visits only the listeners that
	// need a look: 68 (dhclient on all addresses), 326 (private use), not
	// 631 or 5432 (loopback, assigned).
	for m.filter != filterLook {
		m = update(t, m, press("f"))
	}
	var looked []int
	for range 3 {
		m = update(t, m, press("tab"))
		looked = append(looked, m.Selected())
	}
	if want := []int{68, 326, 22}; !slices.Equal(looked, want) {
		t.Fatalf("tab under the needs-a-look filter: %v, want %v", looked, want)
	}
	if m.cells[326].Dim() || !m.cells[631].Dim() || m.cells[326].Mark() != views.MarkLook {
		t.Fatal("needs-a-look filter: wrong cells dimmed")
	}
}

func TestSearchFlow(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, -1, baseSnap(t0)))
	m = update(t, m, typeKeys("/ssh")...)
	if m.mode != modeSearch || m.search.typed != "ssh" || !m.search.pending {
		t.Fatalf("typing: mode %v typed %q pending %v", m.mode, m.search.typed, m.search.pending)
	}
	// q types while searching; it does not quit.
	m = update(t, m, press("q"), press("backspace"))
	if m.mode != modeSearch || m.search.typed != "ssh" {
		t.Fatalf("q/backspace in search: mode %v typed %q", m.mode, m.search.typed)
	}
	m = runSearch(t, m)
	if len(m.search.live) == 0 || m.search.live[0].Port != 22 || !m.cells[22].Match() {
		t.Fatalf("results: %v", m.search.live)
	}
	if s := screen(m); !strings.Contains(s, "ssh name") || !strings.Contains(s, "matches") {
		t.Errorf("pane does not list the matches:\n%s", s)
	}
	m = update(t, m, press("enter"))
	if m.mode != modeBrowse || m.Selected() != 22 || m.search.applied != "ssh" {
		t.Fatalf("enter: mode %v sel %d applied %q", m.mode, m.Selected(), m.search.applied)
	}
	second := m.search.matches[1].Port
	m = update(t, m, press("n"))
	if m.Selected() != second {
		t.Fatalf("n: %d, want %d", m.Selected(), second)
	}
	m = update(t, m, press("N"), press("N"))
	if m.Selected() != m.search.matches[len(m.search.matches)-1].Port {
		t.Fatalf("N wraps: %d", m.Selected())
	}
	m = update(t, m, press("esc"))
	if m.search.applied != "" || m.cells[22].Match() {
		t.Fatal("esc did not clear the search")
	}
}

func TestSearchEnterBeforeResults(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0))
	m = update(t, m, typeKeys("/imap")...)
	stale := searchCmd(m.reg, m.search.seq, m.search.typed)()
	m = update(t, m, press("s")) // "imaps": the "imap" result is now stale
	m = update(t, m, stale)
	if m.search.live != nil || !m.search.pending {
		t.Fatal("stale search result was used")
	}
	m = update(t, m, press("enter"))
	if m.Selected() != 0 || !m.search.accepting() {
		t.Fatalf("enter before results: sel %d accepting %v", m.Selected(), m.search.accepting())
	}
	m = runSearch(t, m)
	if m.Selected() != 993 {
		t.Fatalf("imaps: sel %d, want 993", m.Selected())
	}
}

func TestFilterAndViewCycle(t *testing.T) {
	m := newTest(t, 120, 40, 143, baseSnap(t0))
	var names []string
	for range numFilters {
		m = update(t, m, press("f"))
		names = append(names, m.filter.String())
	}
	if got := strings.Join(names, ","); got != "assigned,unassigned,reserved,other,listening,needs a look,all" {
		t.Fatalf("filter cycle: %s", got)
	}
	// 143 is imap over TCP but reserved over UDP.
	m = update(t, m, press("t"))
	if m.view != registry.TCPOnly || m.cells[143].Status() != registry.Assigned {
		t.Fatalf("t: view %v status %v", m.view, m.cells[143].Status())
	}
	m = update(t, m, press("t"))
	if m.view != registry.UDPOnly || m.cells[143].Status() != registry.Reserved || !strings.Contains(screen(m), "udp only") {
		t.Fatalf("tt: view %v status %v", m.view, m.cells[143].Status())
	}
	m = update(t, m, press("t"))
	if m.view != registry.Combined {
		t.Fatal("ttt: not back to combined")
	}
}

// The help overlay lists only what works: n/N appear once a search is
// applied, d only when the layout makes the pane a toggle.
func TestHelpIsTruthful(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0))
	m = update(t, m, press("?"))
	s := screen(m)
	if m.mode != modeHelp || !strings.Contains(s, "go to port") || strings.Contains(s, "next match") || strings.Contains(s, "show/hide details") {
		t.Fatalf("help without search:\n%s", s)
	}
	m = update(t, m, press("j")) // ignored while help is open
	if m.Selected() != 0 || m.mode != modeHelp {
		t.Fatal("help mode let a move through")
	}
	m = update(t, m, press("esc"), press("/"), press("x"), press("enter"))
	m = runSearch(t, m)
	m = update(t, m, press("?"))
	if s := screen(m); !strings.Contains(s, "next match") {
		t.Fatalf("help with a search applied lacks n/N:\n%s", s)
	}
	m = update(t, m, press("?"))
	if m.mode != modeBrowse {
		t.Fatal("? did not close help")
	}
	small := newTest(t, 40, 14, -1, baseSnap(t0))
	if !small.keys.get("details").Enabled() || m.keys.get("details").Enabled() {
		t.Fatal("d must be enabled exactly in the toggle layout")
	}
}

func TestDetailsToggle(t *testing.T) {
	m := newTest(t, 40, 14, 326, baseSnap(t0))
	if m.geo.Mode != PaneToggle || strings.Contains(screen(m), "Port 326") {
		t.Fatalf("small terminal: mode %v\n%s", m.geo.Mode, screen(m))
	}
	m = update(t, m, press("d"))
	if s := screen(m); !strings.Contains(s, "Port 326") {
		t.Fatalf("d did not show the pane:\n%s", s)
	}
	m = update(t, m, press("l"), press("d"))
	if s := screen(m); strings.Contains(s, "Port 327") || m.Selected() != 327 {
		t.Fatalf("second d did not hide the pane:\n%s", s)
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m := newTest(t, 80, 24, -1, baseSnap(t0))
		_, cmd := m.Update(press(k))
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Fatalf("%s: command is not quit", k)
		}
		if m.ctx.Err() == nil {
			t.Fatalf("%s: poll context not cancelled", k)
		}
	}
}

func TestCopySummary(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 326, with326(t0)))
	m2, cmd := m.Update(press("y"))
	if cmd == nil || !strings.Contains(screen(m2.(Model)), "copied port 326") {
		t.Fatal("y: no clipboard command or message")
	}
	s := m.summary()
	for _, want := range []string{"port 326: unassigned", "325–332: unassigned run, 8 ports", "System Ports",
		"tcp 0.0.0.0:326 all pid 4242 python3 (private use)", "check: ss -tulnp 'sport = :326'"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestMouse(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0)) // 8 columns; row 0 at y=1
	c := m.geo.Cols
	m = update(t, m, tea.MouseClickMsg{X: 3 * m.geo.Pitch, Y: 1 + 2, Button: tea.MouseLeft})
	if m.Selected() != 2*c+3 {
		t.Fatalf("click: %d, want %d", m.Selected(), 2*c+3)
	}
	m = update(t, m, tea.MouseClickMsg{X: m.geo.Grid.Max.X, Y: 3, Button: tea.MouseLeft}) // the gutter
	if m.Selected() != 2*c+3 {
		t.Fatal("click on the gutter moved the selection")
	}
	m = update(t, m, tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelDown})
	if m.top != 3 || m.Selected() != 3*c+3 {
		t.Fatalf("wheel: top %d sel %d, want 3 and %d", m.top, m.Selected(), 3*c+3)
	}
	m = update(t, m, tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelUp})
	if m.top != 0 || m.Selected() != 3*c+3 {
		t.Fatalf("wheel up: top %d sel %d", m.top, m.Selected())
	}
	// Wheel over the pane scrolls the pane (port 80 has a long record).
	m = update(t, m, press("8"), press("0"), press("esc"))
	m = update(t, m, tea.MouseWheelMsg{X: 100, Y: 10, Button: tea.MouseWheelDown})
	if m.paneScroll != 3 {
		t.Fatalf("pane wheel: scroll %d", m.paneScroll)
	}
	m = update(t, m, press("K"), press("K"), press("K"), press("K"))
	if m.paneScroll != 0 {
		t.Fatalf("K: scroll %d", m.paneScroll)
	}
}

func TestResize(t *testing.T) {
	m := newTest(t, 200, 60, 1000, baseSnap(t0))
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if r := (m.sel - m.block) / m.geo.Cols; r < m.top || r >= m.top+m.geo.Rows() {
		t.Fatalf("after shrinking, row %d not in [%d,%d)", r, m.top, m.top+m.geo.Rows())
	}
	assertFits(t, screen(m), 80, 24)
	m = update(t, m, tea.WindowSizeMsg{Width: 20, Height: 6})
	if s := screen(m); !strings.Contains(s, "too small") {
		t.Fatalf("tiny terminal:\n%s", s)
	}
	m = update(t, m, press("l"), tea.WindowSizeMsg{Width: 120, Height: 40})
	assertFits(t, screen(m), 120, 40)
	if m.Selected() != 1001 {
		t.Fatalf("sel %d", m.Selected())
	}
}

func TestPolling(t *testing.T) {
	m := newTest(t, 120, 40, 326, baseSnap(t0))
	if !strings.Contains(screen(m), "polling…") {
		t.Error("no 'polling…' before the first poll")
	}
	m = poll(t, m)
	before := screen(m)
	// An unchanged poll changes nothing on screen (the time is shown to
	// the minute while live).
	m = update(t, m, pollTickMsg{id: m.poller.id})
	m2, cmd := m.Update(pollMsg{id: m.poller.id, req: pollReq{full: true}, snap: baseSnap(t0.Add(time.Second))})
	if cmd == nil {
		t.Fatal("poll not re-armed")
	}
	if screen(m2.(Model)) != before {
		t.Error("an unchanged poll changed the screen")
	}
	// A listener appears on the selected port.
	m = pollSnap(t, m, with326(t0.Add(2*time.Second)))
	if s := screen(m); !strings.Contains(s, "python3 pid 4242") || !strings.Contains(s, "+ 12:00:02 tcp 0.0.0.0:326") {
		t.Fatalf("listener not shown:\n%s", s)
	}
	if m.cells[326].Mark() != views.MarkLook || m.findings != 5 { // 22 and ::22 and 68 exposed; 326 exposed and private use
		t.Fatalf("mark %v findings %d", m.cells[326].Mark(), m.findings)
	}
	// ...and goes away again.
	m = pollSnap(t, m, baseSnap(t0.Add(3*time.Second)))
	if s := screen(m); !strings.Contains(s, "nothing listens on 326") || !strings.Contains(s, "− 12:00:03 tcp") ||
		strings.Contains(s, "pid 4242") {
		t.Fatalf("vanished listener not shown:\n%s", s)
	}
	// Pause: the poll in flight arrives stale and is dropped without
	// re-arming; resume starts exactly one new loop.
	m = update(t, m, pollTickMsg{id: m.poller.id})
	id := m.poller.id
	m = update(t, m, press("p"))
	if !m.paused || m.poller.id == id || !strings.Contains(screen(m), "paused") {
		t.Fatal("p did not pause")
	}
	m2, cmd = m.Update(pollMsg{id: id, req: pollReq{full: true}, snap: with326(t0.Add(4 * time.Second))})
	if cmd != nil || m2.(Model).snap.Taken != m.snap.Taken {
		t.Fatal("stale poll was used or re-armed")
	}
	_, cmd = m.Update(press("p"))
	if cmd == nil {
		t.Fatal("resume did not poll")
	}
	// Errors are shown, not fatal, and polling goes on.
	m = update(t, m, press("p"))
	m = update(t, m, pollTickMsg{id: m.poller.id})
	m2, cmd = m.Update(pollMsg{id: m.poller.id, err: errors.New("netlink: permission denied")})
	if cmd == nil || !strings.Contains(screen(m2.(Model)), "netlink: permission denied") {
		t.Fatal("poll error not shown or polling stopped")
	}
}

func TestNoScanner(t *testing.T) {
	m := New(Config{Registry: testReg, Port: -1})
	if m.Init() == nil {
		t.Fatal("Init returned nothing")
	}
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if s := screen(m); !strings.Contains(s, "no scanner") {
		t.Fatalf("no scanner not said:\n%s", s)
	}
}

// scanLog is a fake scanner on simulated time: it records when it was
// called and with what filter, and fails while fail says so.
type scanLog struct {
	clock *sim
	at    []time.Duration
	full  []bool
	fail  func(n int) bool // n: calls so far
}

func (l *scanLog) scanner(snap scan.Snapshot) scan.Scanner {
	static := scan.Static(snap)
	return scan.Func(func(ctx context.Context, f scan.Filter) (scan.Snapshot, error) {
		l.at = append(l.at, l.clock.now)
		l.full = append(l.full, f.All())
		if l.fail != nil && l.fail(len(l.at)) {
			return scan.Snapshot{}, errors.New("netlink: operation not permitted")
		}
		return static.Snapshot(ctx, f)
	})
}

func newSimModel(t *testing.T, interval time.Duration, l *scanLog, snap scan.Snapshot) *sim {
	m := New(Config{Registry: testReg, Scanner: l.scanner(snap), Port: -1, Interval: interval})
	m.loc = time.UTC
	s := newSim(t, m)
	l.clock = s
	s.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	s.ready = s.ready[:0] // the registry warm-up is a real tick: not needed here
	s.timers = s.timers[:0]
	s.run(s.m.Init())
	return s
}

func gaps(at []time.Duration) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(at); i++ {
		out = append(out, at[i]-at[i-1])
	}
	return out
}

// Polls: the first scans the whole machine, then the block on screen every
// interval with the whole machine every fullEvery-th; never two scans
// closer than the interval; a block change scans the new block at once.
func TestPollSchedule(t *testing.T) {
	l := &scanLog{}
	s := newSimModel(t, time.Second, l, with326(t0))
	s.until(10*time.Second+time.Millisecond, 1000)
	want := []bool{true, false, false, false, false, true, false, false, false, false, true}
	if !slices.Equal(l.full, want) {
		t.Fatalf("scans full=%v, want %v", l.full, want)
	}
	for i, g := range gaps(l.at) {
		if g != time.Second {
			t.Fatalf("gap %d between scans is %v, want the interval: %v", i, g, l.at)
		}
	}
	if len(s.m.listenersAt(326)) != 1 || len(s.m.listenersAt(5432)) != 1 {
		t.Fatal("listeners not merged")
	}
	// A block scan replaces only its ports: 5432 (outside) stays.
	block := baseSnap(t0.Add(time.Minute))
	m := update(t, s.m, pollTickMsg{id: s.m.poller.id})
	m = update(t, m, pollMsg{id: m.poller.id, req: blockReq(0), snap: scan.Snapshot{Taken: block.Taken,
		Listeners: block.Listeners[:1]}})
	if len(m.listenersAt(22)) != 1 || len(m.listenersAt(68)) != 0 || len(m.listenersAt(5432)) != 1 {
		t.Fatalf("merge: %v", m.snap.Listeners)
	}
	// Moving to another block while waiting scans it at once.
	n := len(l.at)
	s.send(press(">"))
	s.until(s.now, 100)
	if len(l.at) != n+1 || l.full[n] || s.m.poller.req != blockReq(1024) {
		t.Fatalf("> did not scan 1024–2047 at once: %d scans, req %+v", len(l.at)-n, s.m.poller.req)
	}
	// ... and while a scan is in flight, right after it (its result still counts).
	s.m = update(t, s.m, pollTickMsg{id: s.m.poller.id})
	inflight := s.m.poller.id
	s.send(press(">"))
	if s.m.poller.id != inflight || !s.m.poller.soon {
		t.Fatal("> during a scan restarted the loop")
	}
	next, cmd := s.m.Update(pollMsg{id: inflight, req: blockReq(1024), snap: scan.Snapshot{Taken: t0}})
	s.m = next.(Model)
	if tick, ok := cmd().(pollTickMsg); !ok || tick.id != s.m.poller.id {
		t.Fatalf("after the scan in flight: %T, want an immediate tick", cmd())
	}
}

// #2: a scanner that keeps failing (here: before the first full scan
// ever succeeded) is retried with a growing delay, never faster than the
// interval, capped at maxBackoff; when it recovers, polls go back to the
// interval. Before the fix the retries had no delay at all (22,154 scans
// in 200 ms), which this test sees as a loop that never waits.
func TestPollBackoff(t *testing.T) {
	healthyFrom := 0
	l := &scanLog{fail: func(n int) bool { return healthyFrom == 0 || n < healthyFrom }}
	s := newSimModel(t, time.Second, l, baseSnap(t0))
	s.until(5*time.Minute, 1000)
	sec := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Second)
		}
		return out
	}
	want := sec(0, 1, 3, 7, 15, 31, 61, 91, 121, 151, 181, 211, 241, 271)
	if !slices.Equal(l.at, want) {
		t.Fatalf("scans at %v, want %v", l.at, want)
	}
	if !strings.Contains(screen(s.m), "operation not permitted") {
		t.Error("the error is not shown")
	}
	healthyFrom = len(l.at) + 1
	s.until(5*time.Minute+5*time.Second, 1000)
	got := gaps(l.at[len(want)-1:])
	if !slices.Equal(got, sec(30, 1, 1, 1, 1)) {
		t.Fatalf("after recovery: gaps %v, want 30s then the interval", got)
	}
	if s.m.pollErr != nil || !s.m.polled || strings.Contains(screen(s.m), "operation not permitted") {
		t.Fatal("recovery not shown")
	}
}

// The poller's transitions on their own: ids make every tick and result
// but the current one stale.
func TestPollerTransitions(t *testing.T) {
	p := poller{interval: time.Second}
	a := p.start()
	if !a.ok || a.delay != 0 || p.phase != pollWaiting {
		t.Fatalf("start: %+v %v", a, p.phase)
	}
	if _, ok := p.onTick(a.id-1, 0); ok {
		t.Fatal("stale tick started a scan")
	}
	if ok, _ := p.onResult(a.id, nil, 0); ok {
		t.Fatal("result accepted while no scan ran")
	}
	req, ok := p.onTick(a.id, 0)
	if !ok || !req.full || p.phase != pollScanning {
		t.Fatalf("first tick: %+v %v", req, ok)
	}
	if _, ok := p.onTick(a.id, 0); ok {
		t.Fatal("a tick started a second scan")
	}
	ok, next := p.onResult(a.id, nil, 300*time.Millisecond)
	if !ok || next.delay != 700*time.Millisecond || !p.polled {
		t.Fatalf("result: %v %+v", ok, next)
	}
	// A slow scan is followed by at least as long a rest.
	p.onTick(next.id, 0)
	if _, next = p.onResult(next.id, nil, 800*time.Millisecond); next.delay != 800*time.Millisecond {
		t.Fatalf("after a slow scan: %v", next.delay)
	}
	// Pause makes the armed tick stale; resume arms a new one at once.
	p.pause()
	if _, ok := p.onTick(next.id, 0); ok || p.phase != pollOff {
		t.Fatal("tick after pause started a scan")
	}
	if a := p.moved(); a.ok {
		t.Fatal("moved while paused armed a tick")
	}
	r := p.resume()
	if !r.ok || r.delay != 0 || r.id == next.id {
		t.Fatalf("resume: %+v", r)
	}
	// Failures back off: 1, 2, 4, 8, 16, 30, 30 intervals.
	var delays []time.Duration
	for range 7 {
		p.onTick(p.id, 0)
		_, a := p.onResult(p.id, errors.New("x"), 0)
		delays = append(delays, a.delay)
	}
	if want := []time.Duration{1e9, 2e9, 4e9, 8e9, 16e9, 30e9, 30e9}; !slices.Equal(delays, want) {
		t.Fatalf("backoff %v, want %v", delays, want)
	}
	// While failing, moving does not cut the backoff short.
	if a := p.moved(); a.ok {
		t.Fatal("moved while failing armed an immediate tick")
	}
}

// TestFirstFrameWaitsForFirstScan: with FirstFrameWait the first frame is
// held until the first scan reports (painted once, listeners included) or
// the wait runs out (a slow scan must not hold the screen blank).
func TestFirstFrameWaitsForFirstScan(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	newHeld := func() Model {
		m := New(Config{Registry: testReg, Scanner: scan.Static(with326(t0)), Port: 326, FirstFrameWait: time.Hour})
		m.loc = time.UTC
		return update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	}
	m := newHeld()
	if s := screen(m); s != "" || !m.View().AltScreen {
		t.Fatalf("held frame shows %q", s)
	}
	m = pollSnap(t, m, with326(t0))
	if s := screen(m); !strings.Contains(s, "python3 pid 4242") {
		t.Fatalf("first frame after the scan lacks the listener:\n%s", s)
	}
	m = update(t, newHeld(), firstFrameMsg{})
	if s := screen(m); !strings.Contains(s, "Port 326 unassigned") {
		t.Fatalf("frame not shown when the wait ran out:\n%s", s)
	}
	if m := newTest(t, 80, 24, 326, baseSnap(t0)); screen(m) == "" {
		t.Fatal("without FirstFrameWait the first frame is held")
	}
}

// S9: on a host where a whole-machine scan is expensive (60,000
// listeners: ~190 ms), full scans are spaced so that they cost at most
// 1/fullDuty of the time; block scans still run every interval. On an
// ordinary host (a cheap full scan) the spacing stays fullEvery.
func TestFullScansSpacedByTheirCost(t *testing.T) {
	for _, tc := range []struct {
		took time.Duration
		want int // block scans between two full ones
	}{
		{0, fullEvery - 1},
		{15 * time.Millisecond, fullEvery - 1},
		{190 * time.Millisecond, 18},
		{800 * time.Millisecond, 79},
	} {
		p := poller{interval: time.Second}
		a := p.start()
		var fulls []int
		for i := 0; i < 200; i++ {
			req, ok := p.onTick(a.id, 0)
			if !ok {
				t.Fatal("tick refused")
			}
			took := time.Millisecond
			if req.full {
				fulls = append(fulls, i)
				took = tc.took
			}
			_, a = p.onResult(a.id, nil, took)
		}
		for j := 2; j < len(fulls); j++ {
			if got := fulls[j] - fulls[j-1] - 1; got != tc.want {
				t.Fatalf("full scan of %v: %d block scans between full ones (%v), want %d", tc.took, got, fulls, tc.want)
			}
		}
		if cost := time.Duration(len(fulls)) * tc.took; tc.took > 0 && cost*fullDuty > 200*time.Second*11/10+tc.took*fullDuty {
			t.Errorf("full scans of %v cost %v in 200 s", tc.took, cost)
		}
	}
}
