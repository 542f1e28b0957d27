package model

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// fakeFile stands in for an expectations file: it expects 22/tcp from
// sshd (matched) and requires 443/tcp from nginx (missing); everything
// else is unexpected.
type fakeFile struct{ ssh, nginx expect.Entry }

func newFakeFile() *fakeFile {
	return &fakeFile{
		ssh:   expect.Entry{Line: 3, Proto: "tcp", Lo: 22, Hi: 22, Process: "sshd"},
		nginx: expect.Entry{Line: 7, Proto: "tcp", Lo: 443, Hi: 443, Process: "nginx"},
	}
}

func (f *fakeFile) Match(l scan.Listener) expect.Match {
	if l.Proto == "tcp" && l.Port == 22 {
		return expect.Match{Verdict: expect.Matched, Entry: &f.ssh}
	}
	return expect.Match{Verdict: expect.Unexpected}
}

func (f *fakeFile) Missing(ls []scan.Listener, lo, hi int) []*expect.Entry {
	for _, l := range ls {
		if l.Port == 443 {
			return nil
		}
	}
	if lo <= 443 && 443 <= hi {
		return []*expect.Entry{&f.nginx}
	}
	return nil
}

func withFile(t *testing.T, port int) Model {
	t.Helper()
	m := newTest(t, 120, 40, port, baseSnap(t0))
	m.judging = &judging{judge: testJudging.judge, exp: newFakeFile(), name: "expected.toml"}
	return poll(t, m)
}

// An expected listener carries no verdict mark; an unexpected one is
// marked ! and the pane says why.
func TestExpectMarks(t *testing.T) {
	m := withFile(t, 631)
	if mk := m.cells[631].Mark(); mk != views.MarkLook {
		t.Errorf("631 (cupsd, unexpected): mark %v, want !", mk)
	}
	if p := paneOf(m); !strings.Contains(p, "unexpected · no entry allows it") {
		t.Errorf("631 pane:\n%s", p)
	}
	m = selectPort(t, m, 22)
	if p := paneOf(m); !strings.Contains(p, "expected · expected.toml:3 (22/tcp from sshd)") {
		t.Errorf("22 pane:\n%s", p)
	}
	// 22 still has a built-in finding on this branch's stub Judge
	// (exposed-system-port), which the pane names; with the file the real
	// Judge gives a matched listener none.
	m = selectPort(t, m, 443)
	if p := paneOf(m); !strings.Contains(p, "expected here, not listening: nginx · expected.toml:7") {
		t.Errorf("443 pane:\n%s", p)
	}
}

// A loopback listener the file expects is marked t, not !.
func TestExpectedListenerNoMark(t *testing.T) {
	m := newTest(t, 120, 40, 631, baseSnap(t0))
	f := newFakeFile()
	f.ssh.Lo, f.ssh.Hi = 631, 631
	m.judging = &judging{judge: testJudging.judge, exp: matchPort{631, &f.ssh}, name: "expected.toml"}
	m = poll(t, m)
	if mk := m.cells[631].Mark(); mk != views.MarkTCP {
		t.Errorf("631 expected: mark %v, want t", mk)
	}
	if mk := m.cells[68].Mark(); mk != views.MarkLook {
		t.Errorf("68 unexpected: mark %v, want !", mk)
	}
}

type matchPort struct {
	port int
	e    *expect.Entry
}

func (f matchPort) Match(l scan.Listener) expect.Match {
	if int(l.Port) == f.port {
		return expect.Match{Verdict: expect.Matched, Entry: f.e}
	}
	return expect.Match{Verdict: expect.Unexpected}
}

func (f matchPort) Missing([]scan.Listener, int, int) []*expect.Entry { return nil }

// The status bar warns when the registry is older than StaleAfter.
func TestStaleRegistry(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0))
	if s := screen(m); strings.Contains(s, "d old") {
		t.Fatalf("fresh registry warned:\n%s", s)
	}
	late := t0.Add(200 * 24 * time.Hour)
	m = pollSnap(t, m, baseSnap(late))
	lines := splitLines(screen(m))
	if last := lines[len(lines)-1]; !strings.Contains(last, "d old") || !strings.Contains(last, "portui registry update") {
		t.Errorf("120 columns: %q", last)
	}
	m = update(t, m, tea80())
	lines = splitLines(screen(m))
	if last := lines[len(lines)-1]; !strings.Contains(last, "IANA 203 d old") {
		t.Errorf("80 columns: %q", last)
	}
}

func tea80() tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: 80, Height: 24} }
