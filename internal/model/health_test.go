package model

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/scan"
)

// fakeProber is a scanner that is also a scan.Prober: the clients and
// counters the test sets, and the probes it was asked.
type fakeProber struct {
	scan.Scanner
	clients  scan.Clients
	counters scan.Counters
	asked    []uint16
	ns       []scan.NetNS
}

func (f *fakeProber) Clients(_ context.Context, ns scan.NetNS, port uint16) (scan.Clients, error) {
	f.asked = append(f.asked, port)
	f.ns = append(f.ns, ns)
	c := f.clients
	c.Port = port
	return c, nil
}

func (f *fakeProber) Counters(context.Context, scan.NetNS) (scan.Counters, error) {
	return f.counters, nil
}

func clients(n int, addr string) scan.Clients {
	return scan.Clients{Established: n, Top: []scan.Remote{{Addr: netip.MustParseAddr(addr), Conns: n}}}
}

// newHealthSim is the explorer at 120×40 on port with a fake prober, after
// its first poll (and probe).
func newHealthSim(t *testing.T, port int, snap scan.Snapshot, p *fakeProber) *sim {
	t.Helper()
	p.Scanner = scan.Static(snap)
	m := New(Config{Registry: testReg, Scanner: p, Port: port, Interval: time.Second})
	m.loc = time.UTC
	s := newSim(t, m)
	s.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	s.ready, s.timers = s.ready[:0], s.timers[:0]
	s.run(s.m.Init())
	s.until(10*time.Millisecond, 100)
	return s
}

func TestHealthClientsInPane(t *testing.T) {
	p := &fakeProber{clients: clients(5, "127.0.0.1")}
	s := newHealthSim(t, 22, baseSnap(t0), p)
	if len(p.asked) != 1 || p.asked[0] != 22 {
		t.Fatalf("probes %v, want one of port 22", p.asked)
	}
	if sc := screen(s.m); !strings.Contains(sc, "clients 5 · 127.0.0.1 ×5") {
		t.Fatalf("clients not in the pane:\n%s", sc)
	}
	if n, ok := s.m.clientsOf(s.m.listenersAt(22)[0]); !ok || n != 5 {
		t.Errorf("clientsOf = %d, %v; want 5", n, ok)
	}
	if _, ok := s.m.clientsOf(s.m.listenersAt(631)[0]); ok {
		t.Error("clientsOf knows a port never probed")
	}
	// The count falls: the pane follows at the next poll, and the
	// history (a sparkline once it varies) holds both.
	p.clients = clients(3, "127.0.0.1")
	s.until(1100*time.Millisecond, 100)
	sc := screen(s.m)
	if !strings.Contains(sc, "clients 3 · 127.0.0.1 ×3") || !strings.Contains(sc, "█▅") {
		t.Fatalf("count did not fall, or no sparkline:\n%s", sc)
	}
	if h := s.m.health.history(); len(h) != 2 || h[0] != 5 || h[1] != 3 {
		t.Errorf("history %v, want [5 3]", h)
	}
	// Another port: the history starts again, the probe follows it.
	for _, k := range typeKeys("631") {
		s.send(k)
	}
	s.send(press("enter"))
	s.until(2100*time.Millisecond, 100)
	if p.asked[len(p.asked)-1] != 631 || len(s.m.health.history()) != 1 {
		t.Errorf("probes %v, history %v: want 631 probed, its history new", p.asked, s.m.health.history())
	}
}

// TestHealthProbeOnlyWhenShown: no probe for a port nothing listens on,
// nor while the table covers the grid and its pane.
func TestHealthProbeOnlyWhenShown(t *testing.T) {
	p := &fakeProber{clients: clients(1, "10.0.0.1")}
	s := newHealthSim(t, 23, baseSnap(t0), p)
	s.until(3*time.Second, 100)
	if len(p.asked) != 0 {
		t.Fatalf("probed %v for a port without a listener", p.asked)
	}
	s = newHealthSim(t, 22, baseSnap(t0), p)
	n := len(p.asked)
	s.m.setArea(areaTable)
	s.until(3*time.Second, 100)
	if len(p.asked) != n {
		t.Fatalf("probed %v while the table is shown", p.asked[n:])
	}
	s.m.setArea(areaGrid)
	s.until(4100*time.Millisecond, 100)
	if len(p.asked) == n {
		t.Fatal("no probe back in the grid")
	}
}

// TestHealthStale: a probe overtaken by a newer one, or for a port no
// longer selected, is dropped.
func TestHealthStale(t *testing.T) {
	p := &fakeProber{clients: clients(5, "127.0.0.1")}
	s := newHealthSim(t, 22, baseSnap(t0), p)
	id := s.m.health.id
	s.send(healthMsg{id: id - 1, port: 22, tcp: true, clients: clients(99, "10.9.9.9")})
	if s.m.health.clients.Established != 5 {
		t.Fatal("an overtaken probe was taken")
	}
	s.m.health.inflight = true
	s.send(press("l")) // 23
	s.send(healthMsg{id: id, port: 22, tcp: true, clients: clients(99, "10.9.9.9")})
	if strings.Contains(screen(s.m), "clients") {
		t.Fatalf("port 22's clients shown on 23:\n%s", screen(s.m))
	}
}

// TestHealthCounters: the listen counters show only when they grew since
// the pane opened on the port.
func TestHealthCounters(t *testing.T) {
	p := &fakeProber{counters: scan.Counters{ListenOverflows: 100, ListenDrops: 100}}
	s := newHealthSim(t, 22, baseSnap(t0), p)
	if sc := screen(s.m); strings.Contains(sc, "overflows") {
		t.Fatalf("counters shown before they grew:\n%s", sc)
	}
	p.counters = scan.Counters{ListenOverflows: 112, ListenDrops: 112}
	s.until(1100*time.Millisecond, 100)
	if sc := screen(s.m); !strings.Contains(sc, "listen overflows +12 since 12:00") || strings.Contains(sc, "listen drops") {
		t.Fatalf("growth not shown (or drops repeated):\n%s", sc)
	}
}

// TestHealthHistoryBounded: one sample per poll, at most histLen.
func TestHealthHistoryBounded(t *testing.T) {
	var h healthState
	for i := range histLen + 7 {
		h.push(i)
	}
	got := h.history()
	if len(got) != histLen || got[0] != 7 || got[histLen-1] != histLen+6 {
		t.Fatalf("history %d samples %d…%d", len(got), got[0], got[len(got)-1])
	}
}

// TestQueueFacts: a listener's queue under its row, highlighted above
// half; v6only; a reuseport group.
func TestQueueFacts(t *testing.T) {
	snap := baseSnap(t0)
	for i := range snap.Listeners {
		if l := &snap.Listeners[i]; l.Port == 631 {
			l.Queue, l.QueueMax = 3, 511
		}
	}
	r := lst("tcp", "0.0.0.0", 8080, proc(77, "nginx", "root", "nginx: worker"))
	r.Queue, r.QueueMax = 300, 511
	for i := range 4 {
		r.Inode = uint64(100 + i)
		snap.Listeners = append(snap.Listeners, r)
	}
	u := lst("udp", "0.0.0.0", 5353, proc(78, "avahi", "root", "avahi-daemon"))
	u.Queue, u.QueueMax, u.Drops = 768, 212992, 3
	snap.Listeners = append(snap.Listeners, u)
	m := pollSnap(t, newTest(t, 120, 40, 631, snap), snap)
	if sc := screen(m); !strings.Contains(sc, "queue 3/511") {
		t.Fatalf("queue not shown:\n%s", sc)
	}
	m = update(t, m, typeKeys("8080")...)
	m = update(t, m, press("enter"))
	sc := screen(m)
	if !strings.Contains(sc, "queue 300/511 · reuseport ×4") {
		t.Fatalf("busy queue or reuseport group not shown:\n%s", sc)
	}
	if !strings.Contains(m.View().Content, m.sty.Warn.Wrap("queue 300/511")) {
		i := strings.Index(m.View().Content, "300/511")
		t.Errorf("a queue above half is not in the warning style: %q", m.View().Content[max(0, i-40):i+10])
	}
	m = update(t, m, typeKeys("5353")...)
	m = update(t, m, press("enter"))
	if sc := screen(m); !strings.Contains(sc, "recv-q 768 B/208 KiB · drops 3") {
		t.Fatalf("udp queue not shown:\n%s", sc)
	}
	m = update(t, m, typeKeys("22")...)
	m = update(t, m, press("enter"))
	if sc := screen(m); !strings.Contains(sc, "v6only") {
		t.Fatalf("[::]:22 without dual stack not said v6only:\n%s", sc)
	}
}
