package views

import (
	"strconv"
	"strings"
)

// The pane's live health of the selected port: each listener's queue and
// socket facts under its row, and who is connected under the rows. Lines
// show only when they have something to say (a queue the kernel reported,
// clients, counters that grew), so that an idle pane never repaints.

// LiveFacts is a listener's queue and socket facts.
type LiveFacts struct {
	// Queue and QueueMax: TCP LISTEN, the accept queue and its backlog;
	// UDP, the receive-queue bytes and the buffer's size. Drops: UDP
	// datagrams dropped. QueueMax 0: not reported (text tables).
	Queue, QueueMax, Drops uint32
	// Reuse is how many sockets share its protocol, address and port
	// (an SO_REUSEPORT group) when more than one.
	Reuse int
	// V6Only: bound to [::] with IPV6_V6ONLY (IPv6 only, not dual-stack).
	V6Only bool
}

// HealthView is who is connected to the selected port and how the
// namespace's listen counters moved since the pane opened on it.
type HealthView struct {
	ShowClients bool // clients (or a history with some) to show
	Clients     int  // ESTABLISHED + SYN_RECV now
	SynRecv     int
	Counted     bool // above the listing limit: counted, no remotes
	Top         []RemoteRow
	History     []int  // client counts, one per poll, oldest first
	CountedAt   string // when the count was taken, if it is older than a few polls
	// Growth of the namespace's counters since Since (the pane opened):
	// TCP ListenOverflows and ListenDrops, UDP RcvbufErrors.
	Overflows, ListenDrops, RcvbufErrors uint64
	Since                                string
	UDP                                  bool // the port's listeners are UDP: RcvbufErrors applies
}

// RemoteRow is one remote address and its connections.
type RemoteRow struct {
	Addr  string
	Conns int
}

// liveFacts is the line under a listener's row: "queue 3/511 ·
// reuseport ×4 · v6only" (UDP: "recv-q 0 B/208 KiB · drops 0").
func (d *DetailState) liveFacts(p *paneText, r ListenerRow, in int, sty *Styles) {
	f := r.Live
	sep := sty.G.Sep
	var sp []span
	add := func(s ...span) {
		if len(sp) > 0 {
			sp = append(sp, sty.Dim.of(sep))
		}
		sp = append(sp, s...)
	}
	if f.QueueMax > 0 {
		st := sty.Dim
		if uint64(f.Queue)*2 > uint64(f.QueueMax) {
			st = sty.Warn
		}
		if r.Proto == "udp" {
			add(st.of("recv-q" + glue + byteSize(f.Queue) + "/" + byteSize(f.QueueMax)))
			dst := sty.Dim
			if f.Drops > 0 {
				dst = sty.Warn
			}
			add(dst.of("drops" + glue + strconv.FormatUint(uint64(f.Drops), 10)))
		} else {
			add(st.of("queue" + glue + strconv.FormatUint(uint64(f.Queue), 10) + "/" + strconv.FormatUint(uint64(f.QueueMax), 10)))
		}
	}
	if f.Reuse > 1 {
		add(sty.Dim.of("reuseport" + glue + sty.G.Times + strconv.Itoa(f.Reuse)))
	}
	if f.V6Only {
		add(sty.Dim.of("v6only"))
	}
	if len(sp) > 0 {
		p.wrap(in+2, 2, sp...)
	}
}

// health is the clients and counters lines of the "Listening now"
// section: "clients 5 · 127.0.0.1 ×5", a sparkline of the count, "listen
// overflows +12 since 12:01".
func (d *DetailState) health(p *paneText, sty *Styles) {
	h := d.Listen.Health
	if h == nil {
		return
	}
	g := sty.G
	if h.ShowClients {
		n := strconv.Itoa(h.Clients)
		if h.SynRecv > 0 {
			n += " (" + strconv.Itoa(h.SynRecv) + glue + "syn)"
		}
		sp := []span{sty.Head.of("clients"), txt(" " + n)}
		switch {
		case h.Counted:
			sp = append(sp, sty.Dim.of(g.Sep+"counted, not listed"))
		case len(h.Top) > 0:
			var tops []string
			for _, r := range h.Top {
				tops = append(tops, r.Addr+glue+g.Times+strconv.Itoa(r.Conns))
			}
			sp = append(sp, sty.Dim.of(g.Sep), txt(strings.Join(tops, ", ")))
		}
		if h.CountedAt != "" {
			sp = append(sp, sty.Dim.of(g.Sep+"at "+h.CountedAt))
		}
		p.wrap(0, 2, sp...)
		if s := Sparkline(h.History, min(p.w-2, maxSpark), g); s != "" {
			p.line(txt("  "), sty.Listen.of(s))
		}
	}
	var grew []string
	if h.Overflows > 0 {
		grew = append(grew, "listen overflows +"+strconv.FormatUint(h.Overflows, 10))
	}
	if h.ListenDrops > 0 && h.ListenDrops != h.Overflows {
		grew = append(grew, "listen drops +"+strconv.FormatUint(h.ListenDrops, 10))
	}
	if h.UDP && h.RcvbufErrors > 0 {
		grew = append(grew, "udp buffer errors +"+strconv.FormatUint(h.RcvbufErrors, 10))
	}
	if len(grew) > 0 {
		p.wrap(0, 2, sty.Warn.of(strings.Join(grew, g.Sep)), sty.Dim.of(" since "+h.Since+" (whole namespace)"))
	}
}

// maxSpark is the sparkline's width at most: half a minute of polls.
const maxSpark = 30

// Sparkline draws the last at most w values of xs as g.Spark levels
// scaled between their minimum and maximum; "" for no values or a flat
// history (nothing to see, and a line that never changes while idle).
func Sparkline(xs []int, w int, g *Glyphs) string {
	if w <= 0 || len(xs) == 0 {
		return ""
	}
	if len(xs) > w {
		xs = xs[len(xs)-w:]
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	if lo == hi {
		return ""
	}
	lo = min(lo, 0) // levels from 0: a count's height reads as its size
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(g.Spark[(x-lo)*(len(g.Spark)-1)/(hi-lo)])
	}
	return b.String()
}

// byteSize is n bytes as "0 B", "768 B", "212 KiB", "4 MiB".
func byteSize(n uint32) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0 || n >= 10<<20:
		return strconv.FormatUint(uint64(n>>20), 10) + glue + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0 || n >= 10<<10:
		return strconv.FormatUint(uint64(n>>10), 10) + glue + "KiB"
	}
	return strconv.FormatUint(uint64(n), 10) + glue + "B"
}
