package model

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// Live health of the selected listener (issue 10): with each poll, while
// the grid and its pane are on screen and the selected port has a
// listener, one probe asks the scanner's scan.Prober who is connected to
// the port (TCP) and how the namespace's listen and UDP counters stand.
// Its result comes back as a healthMsg; one for a port no longer selected
// or overtaken by a newer probe is dropped (the poller's id pattern).

// histLen bounds the history of client counts: one sample per poll, a
// minute at the default interval.
const histLen = 60

// staleClients is the age, in polls, from which the pane says when the
// count was taken: the scanner spaces expensive dumps (scan.ClientsDuty),
// ~45 s apart with 100,000 connections.
const staleClients = 10

// healthState is the probe state and what it learned of one port.
type healthState struct {
	id       int  // of the outstanding probe (or the last one)
	inflight bool // a probe is running: the next poll does not start another
	port     int  // the port all of the below is of; -1 none
	ns       scan.NetNS

	clients  scan.Clients
	have     bool // clients holds a count of port
	tcp      bool // port has a TCP listener (clients are asked for)
	hist     [histLen]int
	nHist    int // samples held (at most histLen)
	headHist int // where the next sample goes

	base     scan.Counters // at the first probe since the pane opened on port
	cur      scan.Counters
	baseAt   time.Time
	haveBase bool
}

// healthMsg is the result of one probe.
type healthMsg struct {
	id       int
	port     int
	ns       scan.NetNS
	tcp      bool
	clients  scan.Clients
	cerr     error
	counters scan.Counters
	kerr     error
	at       time.Time
}

// probeTarget is what the pane would probe now: the selected port's first
// listener in scope (TCP preferred), its namespace; ok is false when
// nothing listens there, the pane is not on screen, or the scanner cannot
// probe.
func (m *Model) probeTarget() (port int, ns scan.NetNS, tcp, ok bool) {
	if m.cfg.Scanner == nil || m.area != areaGrid || m.geo.Pane.Empty() {
		return 0, ns, false, false
	}
	if _, can := scan.ProberOf(m.cfg.Scanner); !can {
		return 0, ns, false, false
	}
	found := false
	for _, l := range m.annAt(m.sel) {
		if !m.scope.has(&l.Listener) {
			continue
		}
		if l.Proto == "tcp" {
			return m.sel, l.NetNS, true, true
		}
		if !found {
			ns, found = l.NetNS, true
		}
	}
	return m.sel, ns, false, found
}

// probe is the probe command for the poll that just reported, or nil.
func (m *Model) probe() tea.Cmd {
	port, ns, tcp, ok := m.probeTarget()
	if !ok || m.health.inflight {
		return nil
	}
	if m.health.port != port || m.health.ns.Inode != ns.Inode {
		m.health = healthState{id: m.health.id, port: port, ns: ns}
	}
	m.health.id++
	m.health.inflight = true
	p, _ := scan.ProberOf(m.cfg.Scanner)
	return probeCmd(m.ctx, p, m.health.id, port, ns, tcp, m.clock)
}

// probeCmd asks p about port in ns: its clients (TCP only) and the
// namespace's counters.
func probeCmd(ctx context.Context, p scan.Prober, id, port int, ns scan.NetNS, tcp bool, clock func() time.Time) tea.Cmd {
	return func() tea.Msg {
		msg := healthMsg{id: id, port: port, ns: ns, tcp: tcp}
		if tcp {
			msg.clients, msg.cerr = p.Clients(ctx, ns, uint16(port))
		}
		msg.counters, msg.kerr = p.Counters(ctx, ns)
		msg.at = clock()
		return msg
	}
}

// handleHealth takes a probe's result.
func (m Model) handleHealth(msg healthMsg) (tea.Model, tea.Cmd) {
	h := &m.health
	if msg.id != h.id {
		return m, nil // overtaken
	}
	h.inflight = false
	if msg.port != m.sel || msg.port != h.port || msg.ns.Inode != h.ns.Inode {
		return m, nil // the selection moved on
	}
	h.tcp = msg.tcp
	switch {
	case !msg.tcp:
		h.have = false
	case msg.cerr == nil:
		h.clients, h.have = msg.clients, true
		h.push(msg.clients.Total())
	case errors.Is(msg.cerr, scan.ErrClientsLater):
		// Not counted this time: the count (if any) stays.
	default:
		h.have = false
	}
	if msg.kerr == nil {
		h.cur = msg.counters
		if !h.haveBase {
			h.base, h.baseAt, h.haveBase = msg.counters, msg.at, true
		}
	}
	return m, nil
}

// push adds one sample to the history.
func (h *healthState) push(n int) {
	h.hist[h.headHist] = n
	h.headHist = (h.headHist + 1) % histLen
	h.nHist = min(h.nHist+1, histLen)
}

// history is the samples, oldest first.
func (h *healthState) history() []int {
	out := make([]int, 0, h.nHist)
	for i := range h.nHist {
		out = append(out, h.hist[(h.headHist-h.nHist+i+histLen)%histLen])
	}
	return out
}

// clientsOf is the client count of listener l, if known: from the last
// probe of its port and namespace (the table's clients column).
func (m *Model) clientsOf(l scan.Listener) (int, bool) {
	h := &m.health
	if !h.have || h.port != int(l.Port) || l.Proto != "tcp" || h.ns.Inode != l.NetNS.Inode {
		return 0, false
	}
	return h.clients.Total(), true
}

// healthView is the pane's live-health lines for the selected port, nil
// when there is nothing to show.
func (m *Model) healthView() *views.HealthView {
	h := &m.health
	if h.port != m.sel || (!h.have && !h.haveBase) {
		return nil
	}
	var v views.HealthView
	if h.have {
		hist := h.history()
		v.Clients, v.SynRecv, v.Counted = h.clients.Total(), h.clients.SynRecv, h.clients.Total() > scan.MaxListedClients
		for _, r := range h.clients.Top {
			v.Top = append(v.Top, views.RemoteRow{Addr: r.Addr.String(), Conns: r.Conns})
		}
		v.History = hist
		v.ShowClients = v.Clients > 0 || slicesAny(hist)
		if t := h.clients.Taken; !t.IsZero() && !m.snap.Taken.IsZero() && m.snap.Taken.Sub(t) > staleClients*m.interval {
			v.CountedAt = t.In(m.loc).Format("15:04:05")
		}
	}
	if h.haveBase {
		v.Overflows = h.cur.ListenOverflows - min(h.base.ListenOverflows, h.cur.ListenOverflows)
		v.ListenDrops = h.cur.ListenDrops - min(h.base.ListenDrops, h.cur.ListenDrops)
		v.RcvbufErrors = h.cur.UDPRcvbufErrors - min(h.base.UDPRcvbufErrors, h.cur.UDPRcvbufErrors)
		v.Since = h.baseAt.In(m.loc).Format("15:04")
		v.UDP = !h.tcp
	}
	if !v.ShowClients && v.Overflows == 0 && v.ListenDrops == 0 && v.RcvbufErrors == 0 {
		return nil
	}
	return &v
}

func slicesAny(xs []int) bool {
	for _, x := range xs {
		if x != 0 {
			return true
		}
	}
	return false
}

// reuseKey is what the sockets of an SO_REUSEPORT group share.
type reuseKey struct {
	ns    uint64
	proto string
	addr  string
}

func reuseKeyOf(l *scan.Listener) reuseKey {
	return reuseKey{l.NetNS.Inode, l.Proto, l.Endpoint()}
}

// reuseGroups counts the sockets of ls (one port's) by namespace,
// protocol and address: more than one is an SO_REUSEPORT group (or
// sockets a process shares with its children, which the rows show).
func reuseGroups(ls []audit.Listener) map[reuseKey]int {
	out := make(map[reuseKey]int, len(ls))
	for i := range ls {
		out[reuseKeyOf(&ls[i].Listener)]++
	}
	return out
}
