package model

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// testReg is the embedded registry, loaded once for all tests (it is safe
// for concurrent use).
var testReg = func() *registry.Registry {
	r, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		panic(err)
	}
	return r
}()

// t0 is the fixed time of the fake polls.
var t0 = time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)

func proc(pid int, name, user, cmd string) []scan.Process {
	return []scan.Process{{PID: pid, Name: name, Cmdline: cmd, UID: 0, User: user}}
}

func lst(proto, addr string, port uint16, procs []scan.Process) scan.Listener {
	a := netip.MustParseAddr(addr)
	l := scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 0, User: "root",
		Inode: uint64(port)*10 + uint64(len(proto)), Procs: procs}
	if len(procs) == 0 {
		l.UID, l.User = 1000, "alice"
		l.Hidden = "owned by another user; run as root to see the process"
	}
	return l
}

// baseSnap is the machine of the goldens: sshd, cupsd on loopback, a DHCP
// client, and a socket whose process is hidden.
func baseSnap(at time.Time) scan.Snapshot {
	return scan.Snapshot{Taken: at, Source: "fake", Listeners: []scan.Listener{
		lst("tcp", "0.0.0.0", 22, proc(812, "sshd", "root", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups")),
		lst("tcp", "::", 22, proc(812, "sshd", "root", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups")),
		lst("udp", "0.0.0.0", 68, proc(640, "dhclient", "root", "/sbin/dhclient -4 -v eth0")),
		lst("tcp", "127.0.0.1", 631, proc(900, "cupsd", "root", "/usr/sbin/cupsd -l")),
		lst("tcp", "127.0.0.1", 5432, nil),
	}}
}

// with326 is baseSnap plus a private-use listener on 326.
func with326(at time.Time) scan.Snapshot {
	s := baseSnap(at)
	s.Listeners = append(s.Listeners, lst("tcp", "0.0.0.0", 326,
		proc(4242, "python3", "root", "python3 -m http.server 326")))
	return s
}

// newTest builds a model with the embedded registry, a static scanner
// and UTC times, sized w×h.
func newTest(t testing.TB, w, h int, port int, snap scan.Snapshot) Model {
	t.Helper()
	m := New(Config{Registry: testReg, Scanner: scan.Static(snap), Port: port, IsRoot: false, Now: func() time.Time { return t0 }})
	m.loc = time.UTC
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// update drives the model directly with messages; commands are dropped
// (tests that need a command's result run it by hand: see poll, search).
func update(t testing.TB, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

// poll runs one poll against the model's scanner, as the Cmds would: the
// armed tick (if the poller is waiting), then a whole-machine scan.
func poll(t testing.TB, m Model) Model {
	t.Helper()
	snap, err := m.cfg.Scanner.Snapshot(context.Background(), scan.Filter{})
	return deliver(t, m, snap, err)
}

// pollSnap delivers snap as the result of the poll the model is waiting
// for, as a whole-machine scan.
func pollSnap(t testing.TB, m Model, snap scan.Snapshot) Model {
	t.Helper()
	return deliver(t, m, snap, nil)
}

func deliver(t testing.TB, m Model, snap scan.Snapshot, err error) Model {
	t.Helper()
	if m.phase == pollWaiting {
		m = update(t, m, pollTickMsg{id: m.poller.id})
	}
	return update(t, m, pollMsg{id: m.poller.id, req: pollReq{full: true}, snap: snap, err: err})
}

// runSearch delivers the result of the search the model is waiting for.
func runSearch(t testing.TB, m Model) Model {
	t.Helper()
	msg := searchCmd(m.reg, m.search.seq, m.search.typed)()
	return update(t, m, msg)
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// typeKeys presses each rune of s.
func typeKeys(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, press(string(r)))
	}
	return out
}

// screen is the rendered view without SGR.
func screen(m Model) string { return ansi.Strip(m.View().Content) }

// assertFits checks that the screen is exactly h lines, none wider than w.
func assertFits(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d wide (> %d): %q", i, n, w, ansi.Strip(l))
		}
	}
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func width(s string) int { return ansi.StringWidth(s) }

// testJudging judges by the built-in rules (no expectations file).
var testJudging = &judging{judge: audit.Judge{Reg: testReg}}
