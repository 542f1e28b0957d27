package model

import (
	"net/netip"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// hostSnap is a machine with n TCP listeners on loopback, all in the
// block 1024–2047: ports 1024..2047 on 127.0.0.1, 127.0.0.2, … (the S9
// report: 60,000 listeners, one core busy on the block holding them),
// plus the few of baseSnap in 0–1023.
func hostSnap(n int) scan.Snapshot {
	s := baseSnap(t0)
	for i := range n {
		a := netip.AddrFrom4([4]byte{127, 0, byte(i / 1024 / 250), byte(1 + i/1024%250)})
		port := uint16(1024 + i%1024)
		s.Listeners = append(s.Listeners, scan.Listener{Proto: "tcp", Addr: a, Port: port, Scope: scan.ScopeLoopback,
			UID: 0, User: "root", Inode: uint64(100000 + i),
			Procs: proc(3000+i%50, "loadgen", "root", "loadgen -L 60000")})
	}
	scan.SortListeners(s.Listeners)
	return s
}

// only returns the listeners of s on lo..hi (what a block scan reports).
func only(s scan.Snapshot, lo, hi int) scan.Snapshot {
	out := s
	out.Listeners = nil
	for _, l := range s.Listeners {
		if int(l.Port) >= lo && int(l.Port) <= hi {
			out.Listeners = append(out.Listeners, l)
		}
	}
	return out
}

// fresh is a deep copy, as each scan returns new memory.
func fresh(s scan.Snapshot) scan.Snapshot {
	out := s
	out.Listeners = make([]scan.Listener, len(s.Listeners))
	for i, l := range s.Listeners {
		l.Procs = append([]scan.Process(nil), l.Procs...)
		out.Listeners[i] = l
	}
	return out
}

// BenchmarkHandlePoll measures one poll result landing in the model with
// 60,000 listeners on the machine, with the block that holds them on
// screen ("hot") and with 0–1023 on screen ("cold"): a block scan that
// changed nothing, a block scan where one listener appeared or vanished,
// and a whole-machine scan (unchanged and changed).
func BenchmarkHandlePoll(b *testing.B) {
	const n = 60000
	base := hostSnap(n)
	extra := base
	extra.Listeners = append(append([]scan.Listener(nil), base.Listeners...), scan.Listener{Proto: "tcp",
		Addr: netip.MustParseAddr("127.0.9.9"), Port: 1500, Scope: scan.ScopeLoopback, Inode: 9,
		Procs: proc(9, "nc", "root", "nc -l 1500")})
	scan.SortListeners(extra.Listeners)
	for _, scr := range []struct {
		name string
		port int
		lo   int
	}{{"hot", 1500, 1024}, {"cold", 326, 0}} {
		for _, kind := range []struct {
			name    string
			full    bool
			changed bool
		}{{"block-unchanged", false, false}, {"block-changed", false, true}, {"full-unchanged", true, false}, {"full-changed", true, true}} {
			b.Run(scr.name+"/"+kind.name, func(b *testing.B) {
				m := newTest(b, 120, 40, scr.port, base)
				m = pollSnap(b, m, fresh(base))
				snaps := []scan.Snapshot{base, base}
				if kind.changed {
					snaps[1] = extra
					if !kind.full && scr.lo == 0 {
						// a change in the block on screen
						snaps[1] = base
						snaps[1].Listeners = append(append([]scan.Listener(nil), base.Listeners...),
							lst("tcp", "127.0.0.1", 326, proc(1, "x", "root", "x")))
						scan.SortListeners(snaps[1].Listeners)
					}
				}
				if !kind.full {
					for i := range snaps {
						snaps[i] = only(snaps[i], scr.lo, scr.lo+1023)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					b.StopTimer()
					s := fresh(snaps[i%2])
					if m.phase == pollWaiting {
						next, _ := m.Update(pollTickMsg{id: m.poller.id})
						m = next.(Model)
					}
					msg := pollMsg{id: m.poller.id, req: blockReq(scr.lo), snap: s}
					if kind.full {
						msg.req = pollReq{full: true}
					}
					b.StartTimer()
					next, _ := m.Update(msg)
					m = next.(Model)
				}
			})
		}
	}
}

// BenchmarkTab measures tab (next listener) with 60,000 listeners.
func BenchmarkTab(b *testing.B) {
	m := pollSnap(b, newTest(b, 120, 40, 1500, hostSnap(60000)), fresh(hostSnap(60000)))
	tab := press("tab")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		next, _ := m.Update(tab)
		m = next.(Model)
	}
}
