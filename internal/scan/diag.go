package scan

// Encoding and decoding of inet_diag (NETLINK_SOCK_DIAG) requests and
// replies. Kept free of I/O and build tags so the decoder can be fuzzed on
// any platform; the socket itself lives in netlink_linux.go.

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// Constants from linux/inet_diag.h, linux/sock_diag.h and net/tcp_states.h.
const (
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY message type

	afInet  = 2
	afInet6 = 10

	ipprotoTCP = 6
	ipprotoUDP = 17

	tcpEstablished = 1
	tcpClose       = 7 // an unconnected UDP socket sits in TCP_CLOSE
	tcpListen      = 10

	inetDiagReqBytecode = 1  // request attribute: filter program
	inetDiagSKMemInfo   = 7  // reply attribute: u32[SK_MEMINFO_VARS], asked for with idiag_ext
	inetDiagSKV6Only    = 11 // reply attribute: u8 IPV6_V6ONLY
	inetDiagCgroupID    = 21 // reply attribute: u64 cgroup2 id of the socket (CONFIG_SOCK_CGROUP_DATA)

	inetDiagBCSGE = 2 // source port >= next op's "no"
	inetDiagBCSLE = 3 // source port <= next op's "no"

	// SK_MEMINFO_* indexes into the INET_DIAG_SKMEMINFO array.
	skMemInfoRcvbuf = 1
	skMemInfoDrops  = 8

	tcpSynRecv = 3

	inetDiagReqLen = 56 // struct inet_diag_req_v2
	inetDiagMsgLen = 72 // struct inet_diag_msg
)

// diagState is the state a listener of proto has in the kernel's table:
// TCP listeners are LISTEN; UDP sockets are CLOSE until connect(), which
// makes them ESTABLISHED and so not listeners.
func diagState(proto string) uint8 {
	if proto == "tcp" {
		return tcpListen
	}
	return tcpClose
}

// sockEntry is one socket as reported by the kernel, before owners are
// attached.
type sockEntry struct {
	Proto   string
	Addr    netip.Addr
	Port    uint16
	UID     int
	Inode   uint64
	V6Only  bool
	V6      bool   // AF_INET6 socket (a wildcard one may be dual-stack)
	V6Known bool   // V6Only was reported (netlink) rather than guessed (procfs)
	IfIndex int    // SO_BINDTODEVICE interface index, 0 if none
	NetNS   uint64 // inode of the network namespace it was listed in, 0 if unknown
	// CgroupID is the cgroup2 id of the cgroup the socket was created in
	// (INET_DIAG_CGROUP_ID: the inode of its directory on the cgroup2
	// mount), 0 if not reported (text tables, old kernels).
	CgroupID uint64
	// Queue, QueueMax and Drops are Listener's (idiag_rqueue, idiag_wqueue
	// or SK_MEMINFO_RCVBUF, SK_MEMINFO_DROPS; see Listener).
	Queue, QueueMax, Drops uint32
}

// encodeDiagReq builds the payload of a dump request for one family and
// protocol, asking only for sockets in state and, when lo..hi is not the
// whole range, only for source ports in that range (checked in the kernel by
// an inet_diag bytecode program, so nothing else is copied to user space).
//
// A UDP request also asks for INET_DIAG_SKMEMINFO (40 bytes more per
// reply: the receive buffer's size and the drop counter).
func encodeDiagReq(family, protocol uint8, state uint8, lo, hi uint16) []byte {
	return encodeDiagReqStates(family, protocol, 1<<state, lo, hi)
}

// encodeDiagReqStates is encodeDiagReq for a set of states (a bitmask of
// 1<<TCP_*).
func encodeDiagReqStates(family, protocol uint8, states uint32, lo, hi uint16) []byte {
	var bc []byte
	if lo != 0 || hi != 0xffff {
		bc = encodePortRange(lo, hi)
	}
	b := make([]byte, inetDiagReqLen, inetDiagReqLen+4+len(bc))
	b[0] = family
	b[1] = protocol
	if protocol == ipprotoUDP {
		b[2] = 1 << (inetDiagSKMemInfo - 1) // idiag_ext
	}
	binary.NativeEndian.PutUint32(b[4:8], states)
	if bc != nil {
		var hdr [4]byte
		binary.NativeEndian.PutUint16(hdr[0:2], uint16(4+len(bc)))
		binary.NativeEndian.PutUint16(hdr[2:4], inetDiagReqBytecode)
		b = append(b, hdr[:]...)
		b = append(b, bc...)
	}
	return b
}

// encodePortRange returns the bytecode "sport >= lo && sport <= hi". Each
// comparison is two 4-byte ops {code, yes, no} where the second carries the
// port in "no"; a jump of len+4 past the end means "reject".
func encodePortRange(lo, hi uint16) []byte {
	b := make([]byte, 16)
	op := func(at int, code uint8, yes uint8, no uint16) {
		b[at] = code
		b[at+1] = yes
		binary.NativeEndian.PutUint16(b[at+2:at+4], no)
	}
	op(0, inetDiagBCSGE, 8, 16+4) // remaining length 16: no = reject
	op(4, 0, 0, lo)
	op(8, inetDiagBCSLE, 8, 8+4) // remaining length 8: no = reject
	op(12, 0, 0, hi)
	return b
}

var errShortDiag = errors.New("inet_diag reply shorter than inet_diag_msg")

// decodeDiagMsg parses one inet_diag_msg and the attributes that follow it.
// proto is the protocol the request was for; the reply does not repeat it.
func decodeDiagMsg(b []byte, proto string) (sockEntry, error) {
	var e sockEntry
	if len(b) < inetDiagMsgLen {
		return e, errShortDiag
	}
	e.Proto = proto
	family := b[0]
	e.Port = binary.BigEndian.Uint16(b[4:6])
	switch family {
	case afInet:
		e.Addr = netip.AddrFrom4([4]byte(b[8:12]))
	case afInet6:
		e.V6 = true
		e.Addr = netip.AddrFrom16([16]byte(b[8:24])).Unmap()
	default:
		return e, fmt.Errorf("inet_diag reply has unknown address family %d", family)
	}
	e.IfIndex = int(binary.NativeEndian.Uint32(b[40:44]))
	e.UID = int(binary.NativeEndian.Uint32(b[64:68]))
	e.Inode = uint64(binary.NativeEndian.Uint32(b[68:72]))
	// LISTEN: the accept queue now and its maximum (the backlog); UDP: the
	// bytes in the receive queue (and, below, the buffer's size).
	e.Queue = binary.NativeEndian.Uint32(b[56:60])
	if proto == "tcp" {
		e.QueueMax = binary.NativeEndian.Uint32(b[60:64])
	}

	// Attributes: 4-byte header {len, type}, payload, padded to 4 bytes.
	attrs := b[inetDiagMsgLen:]
	for len(attrs) >= 4 {
		l := int(binary.NativeEndian.Uint16(attrs[0:2]))
		typ := binary.NativeEndian.Uint16(attrs[2:4]) & 0x3fff // drop NLA_F_NESTED/NET_BYTEORDER
		if l < 4 || l > len(attrs) {
			return e, fmt.Errorf("inet_diag reply has a bad attribute length %d", l)
		}
		if typ == inetDiagSKV6Only && l >= 5 {
			e.V6Only = attrs[4] != 0
			e.V6Known = true
		}
		if typ == inetDiagSKMemInfo && proto == "udp" && l >= 4+4*(skMemInfoDrops+1) {
			e.QueueMax = binary.NativeEndian.Uint32(attrs[4+4*skMemInfoRcvbuf:])
			e.Drops = binary.NativeEndian.Uint32(attrs[4+4*skMemInfoDrops:])
		}
		if typ == inetDiagCgroupID && l >= 12 {
			e.CgroupID = binary.NativeEndian.Uint64(attrs[4:12])
		}
		next := (l + 3) &^ 3
		if next > len(attrs) {
			break
		}
		attrs = attrs[next:]
	}
	return e, nil
}

// clientStates is the idiag_states of a clients dump: ESTABLISHED and
// SYN_RECV.
const clientStates = 1<<tcpEstablished | 1<<tcpSynRecv

// decodeDiagPeer reads the state and the remote address of one
// inet_diag_msg of a clients dump (nothing else of it is needed).
func decodeDiagPeer(b []byte) (state uint8, remote netip.Addr, err error) {
	if len(b) < inetDiagMsgLen {
		return 0, remote, errShortDiag
	}
	switch b[0] {
	case afInet:
		remote = netip.AddrFrom4([4]byte(b[24:28]))
	case afInet6:
		remote = netip.AddrFrom16([16]byte(b[24:40])).Unmap()
	default:
		return 0, remote, fmt.Errorf("inet_diag reply has unknown address family %d", b[0])
	}
	return b[1], remote, nil
}

// clientCounter tallies a clients dump: per state, and per remote address
// while there are at most MaxListedClients (beyond, the map goes and only
// counting goes on).
type clientCounter struct {
	c       Clients
	remotes map[netip.Addr]int
	over    bool
}

func (cc *clientCounter) add(state uint8, remote netip.Addr) {
	switch state {
	case tcpEstablished:
		cc.c.Established++
	case tcpSynRecv:
		cc.c.SynRecv++
	default:
		return // the kernel filtered by state; a stray one is not a client
	}
	if cc.over {
		return
	}
	if cc.c.Total() > MaxListedClients {
		cc.over, cc.remotes = true, nil
		return
	}
	if cc.remotes == nil {
		cc.remotes = make(map[netip.Addr]int)
	}
	cc.remotes[remote]++
}

// result is the tally, with Top: the remotes with most connections, ties
// by address, at most MaxTopRemotes.
func (cc *clientCounter) result(port uint16) Clients {
	c := cc.c
	c.Port = port
	if cc.over || len(cc.remotes) == 0 {
		return c
	}
	top := make([]Remote, 0, len(cc.remotes))
	for a, n := range cc.remotes {
		top = append(top, Remote{Addr: a, Conns: n})
	}
	slices.SortFunc(top, func(x, y Remote) int {
		if x.Conns != y.Conns {
			return cmp.Compare(y.Conns, x.Conns)
		}
		return x.Addr.Compare(y.Addr)
	})
	c.Top = slices.Clip(top[:min(len(top), MaxTopRemotes)])
	return c
}
