package scan

import (
	"context"
	"net/netip"
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
	// namespace ns (the zero NetNS or ns.IsHost(): the scanner's own).
	Clients(ctx context.Context, ns NetNS, port uint16) (Clients, error)
	// Counters reads ns's listen and UDP counters.
	Counters(ctx context.Context, ns NetNS) (Counters, error)
}

// ProberOf returns s's Prober, if it has one.
func ProberOf(s Scanner) (Prober, bool) {
	p, ok := s.(Prober)
	return p, ok
}
