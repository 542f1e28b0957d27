package scan

import (
	"context"

	"golang.org/x/sys/unix"
)

// The host's UDP tables are the expensive part of a poll: a UDP dump walks
// every UDP socket of the host, connected ones included (158,000 on the
// busy benchmark host: ~10 ms, in the kernel), however narrow the port
// filter, while a TCP LISTEN dump walks only the listening hash. So the
// host's UDP listeners are dumped for all ports at once and kept; a poll
// serves them from that dump unless something suggests they changed:
//
//   - the host's UDP or UDP6 socket counter (sockstat's inuse) moved: a
//     socket was bound or closed;
//   - a process was created since (loadavg's last PID moved): perhaps a
//     new daemon;
//   - hostUDPRedumpEvery polls went by.
//
// What this can miss, for at most hostUDPRedumpEvery polls: a process
// already running that closes one UDP socket and binds another between
// two polls (the counter does not move), or connects or disconnects an
// unconnected socket. TCP is dumped every poll.
type hostUDP struct {
	p       *procDir
	statFDs [2]int // sockstat, sockstat6 of the host: 0 not opened, -1 absent
	counts  sockCounts
	lastPID int
	last    []sockEntry // the host's unconnected UDP sockets, every port
	have    bool
	polls   uint64
	stats   struct{ Dumps, Served int }
	// pidNow is p.lastPID; tests replace it.
	pidNow func() (int, bool)
}

// hostUDPRedumpEvery bounds how long the host's UDP listeners are served
// from their last dump while nothing moved.
const hostUDPRedumpEvery = 16

const (
	tcpSlots = 1<<0 | 1<<2
	udpSlots = 1<<1 | 1<<3
)

func newHostUDP(p *procDir) *hostUDP { return &hostUDP{p: p, pidNow: p.lastPID} }

func (h *hostUDP) close() {
	for i, fd := range h.statFDs {
		if fd > 0 {
			_ = unix.Close(fd)
		}
		h.statFDs[i] = 0
	}
}

// counters reads the host's sockstat and sockstat6 (kept open); ok is
// false when they cannot be read (then every poll dumps).
func (h *hostUDP) counters() (sockCounts, bool) {
	return readSockstats(&h.statFDs, h.p.root+"/self", h.p.file)
}

// list lists the host's sockets that f selects through src: TCP dumped
// with f, UDP served from the last all-ports dump or dumped anew.
func (h *hostUDP) list(ctx context.Context, src slotSource, f Filter) ([]sockEntry, []string, error) {
	var out []sockEntry
	var warns []string
	if f.wants("tcp") {
		es, w, err := src.listSlots(ctx, Filter{Proto: "tcp", Lo: f.Lo, Hi: f.Hi}, tcpSlots)
		if err != nil {
			return nil, nil, err
		}
		out, warns = es, w
	}
	if !f.wants("udp") {
		return out, warns, nil
	}
	h.polls++
	c, counted := h.counters()
	lp, lpOK := h.pidNow()
	fresh := h.have && counted && lpOK && lp == h.lastPID &&
		c[1] == h.counts[1] && c[3] == h.counts[3] && h.polls%hostUDPRedumpEvery != 0
	if fresh {
		h.stats.Served++
	} else {
		es, w, err := src.listSlots(ctx, Filter{Proto: "udp"}, udpSlots)
		if err != nil {
			h.have = false
			return nil, nil, err
		}
		h.stats.Dumps++
		h.last, h.counts, h.lastPID = es, c, lp
		h.have = counted && lpOK && len(w) == 0 // an interrupted dump is not kept
		warns = append(warns, w...)
	}
	return appendMatching(out, h.last, f), warns, nil
}
