package scan

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// Live health of one listener (issue 10). A snapshot's listeners carry
// what every sock_diag reply already holds (Listener.Queue, QueueMax,
// Drops); who is connected takes one more, kernel-filtered dump of the
// selected port only, asked for through Prober.

// Clients is who is connected to a local TCP port right now: the sockets
// in ESTABLISHED or SYN_RECV whose local port is Port, in one network
// namespace.
type Clients struct {
	Port        uint16
	Established int
	SynRecv     int
	// Top is the remote addresses with the most connections, most first
	// (ties by address), at most MaxTopRemotes. Empty when the count is
	// above MaxListedClients: counted, not listed.
	Top []Remote
	// Taken is when the kernel was asked. A dump that is expensive (a
	// host with very many connections) is not repeated at once: Clients
	// then returns the last count, Taken saying how old it is.
	Taken time.Time
}

// Total is Established + SynRecv.
func (c Clients) Total() int { return c.Established + c.SynRecv }

// Remote is one remote address and how many connections it has.
type Remote struct {
	Addr  netip.Addr // unmapped
	Conns int
}

// MaxTopRemotes bounds Clients.Top; MaxListedClients is the count above
// which remotes are counted, not listed.
const (
	MaxTopRemotes    = 5
	MaxListedClients = 1000
)

// ClientsDuty bounds what Clients dumps cost: the same port is dumped
// again only once ClientsDuty times the last dump's CPU time has passed
// (before, the last count is returned), so they take at most 1/ClientsDuty
// of a core: 1 ms of a second, half the budget of 2 ms a poll. A dump
// walks the kernel's whole established hash (it has no index by local
// port): ~1.5 ms on a quiet host (a count every other poll), ~40 ms with
// 100,000 connections (BenchmarkClients100k: a count every ~40 s).
const ClientsDuty = 1000

// ErrClientsLater says the last Clients dump (of another port) was too
// expensive to run another yet (ClientsDuty): ask again at the next poll.
var ErrClientsLater = errors.New("scan: connected clients not counted yet (the last count was expensive)")

// Counters are the host's (or a namespace's) listen-queue and UDP error
// counters from /proc/net/netstat and /proc/net/snmp (TcpExt
// ListenOverflows, ListenDrops; Udp RcvbufErrors, InErrors). They only
// ever grow: the pane shows the growth since it opened.
type Counters struct {
	ListenOverflows uint64
	ListenDrops     uint64
	UDPRcvbufErrors uint64
	UDPInErrors     uint64
}

// Prober answers the pane's live questions about one listener. The Linux
// scanner implements it (and package container's wrapper passes it
// through); ProberOf finds it.
type Prober interface {
	// Clients counts the connections to local port port in the network
	// namespace ns (the zero NetNS or ns.IsHost(): the scanner's own). The
	// kernel walks every established socket of the host for it, so the
	// Linux scanner spaces the dumps of one port to keep their cost under
	// ClientsDuty of the time (see Clients.Taken).
	Clients(ctx context.Context, ns NetNS, port uint16) (Clients, error)
	// Counters reads ns's listen and UDP counters.
	Counters(ctx context.Context, ns NetNS) (Counters, error)
}

// ProberOf returns s's Prober, if it has one.
func ProberOf(s Scanner) (Prober, bool) {
	p, ok := s.(Prober)
	return p, ok
}
