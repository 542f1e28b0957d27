package scan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// netlinkSource reads listening sockets from the kernel with
// NETLINK_SOCK_DIAG dump requests that carry a state filter (and a port
// filter), so the kernel skips established connections instead of
// formatting them as text.
type netlinkSource struct {
	// c is nil after a dump failed part way: the kernel may still be
	// running that dump on the socket and refuses another one there
	// (EBUSY), so the next listeners call dials a new socket.
	c *netlink.Conn
	// sizes of the last whole and port-range listings of each set of
	// tables (slotOf bits: TCP alone, UDP alone, both), to allocate the
	// next one once instead of growing up to it
	lastAll, lastRange [allSlots + 1]int
	// dial makes a new socket; nil is dialNetlink (the scanner's own
	// namespace). A source for another namespace dials inside it.
	dial func() (*netlink.Conn, error)
}

// dialNetlink is swapped by tests to simulate a kernel or sandbox that
// refuses NETLINK_SOCK_DIAG.
var dialNetlink = func() (*netlink.Conn, error) {
	return netlink.Dial(unix.NETLINK_SOCK_DIAG, &netlink.Config{MessageBufferSize: diagBufSize})
}

// diagBufSize is the receive buffer. The kernel fills a dump's datagrams
// up to the largest buffer it has seen read (capped near 32 KiB); letting
// the library peek at each datagram for its size instead keeps them at one
// page, and a dump of 60,000 listeners then costs twice the system time
// (measured: 215 against 86 ms) in four times as many system calls.
const diagBufSize = 64 << 10

// dialNetlinkNS dials a NETLINK_SOCK_DIAG socket inside the network
// namespace nsfd refers to (the library enters it on a locked thread and
// comes back; the socket stays there). It needs CAP_SYS_ADMIN.
var dialNetlinkNS = func(nsfd int) (*netlink.Conn, error) {
	return netlink.Dial(unix.NETLINK_SOCK_DIAG, &netlink.Config{MessageBufferSize: diagBufSize, NetNS: nsfd})
}

func newNetlinkSource() (*netlinkSource, error) {
	c, err := dialNetlink()
	if err != nil {
		return nil, err
	}
	return &netlinkSource{c: c}, nil
}

func (s *netlinkSource) name() string { return "netlink" }

func (s *netlinkSource) close() error {
	if s.c == nil {
		return nil
	}
	return s.c.Close()
}

// drop closes a socket a dump failed on, with whatever of the dump is
// still queued or running there.
func (s *netlinkSource) drop() {
	_ = s.c.Close()
	s.c = nil
}

// maxDiagWait bounds a dump when the caller's context has no deadline: the
// kernel answers in milliseconds, so waiting longer means something is wrong.
const maxDiagWait = 10 * time.Second

func (s *netlinkSource) listeners(ctx context.Context, f Filter) ([]sockEntry, []string, error) {
	return s.listSlots(ctx, f, allSlots)
}

// listSlots lists the tables in slots (bits of slotOf) that f wants.
func (s *netlinkSource) listSlots(ctx context.Context, f Filter, slots uint8) ([]sockEntry, []string, error) {
	lo, hi := uint16(0), uint16(0xffff)
	if !f.All() {
		lo, hi = f.Lo, f.Hi
	}
	c, err := s.conn()
	if err != nil {
		return nil, nil, err
	}
	setDiagDeadline(ctx, c)
	tables := slots
	if !f.wants("tcp") {
		tables &^= 1<<slotOf("tcp", false) | 1<<slotOf("tcp", true)
	}
	if !f.wants("udp") {
		tables &^= 1<<slotOf("udp", false) | 1<<slotOf("udp", true)
	}
	hint := &s.lastRange[tables&allSlots]
	if f.All() {
		hint = &s.lastAll[tables&allSlots]
	}
	out := make([]sockEntry, 0, *hint+*hint/16)
	defer func() { *hint = len(out) }()
	var warns []string
	for _, proto := range [...]string{"tcp", "udp"} {
		if !f.wants(proto) {
			continue
		}
		for _, fam := range [...]uint8{afInet, afInet6} {
			if slots&(1<<slotOf(proto, fam == afInet6)) == 0 {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			n := len(out)
			var intr bool
			var err error
			out, intr, err = s.dump(out, proto, fam, lo, hi)
			if err != nil {
				return nil, nil, err
			}
			if intr {
				// The kernel flags a dump whose table changed under it; a
				// second pass usually gets a consistent one.
				out = out[:n]
				out, intr, err = s.dump(out, proto, fam, lo, hi)
				if err != nil {
					return nil, nil, err
				}
				if intr {
					warns = append(warns, fmt.Sprintf("%s%s socket table changed while it was read; listing may be incomplete", proto, famSuffix(fam)))
				}
			}
		}
	}
	return out, warns, nil
}

// setDiagDeadline bounds c's next dump by ctx's deadline, or maxDiagWait.
func setDiagDeadline(ctx context.Context, c *netlink.Conn) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(maxDiagWait)
	}
	// Only a safety net; a socket without deadlines still works.
	_ = c.SetDeadline(deadline)
}

func famSuffix(fam uint8) string {
	if fam == afInet6 {
		return "6"
	}
	return ""
}

func (s *netlinkSource) dump(out []sockEntry, proto string, fam uint8, lo, hi uint16) ([]sockEntry, bool, error) {
	ipproto := uint8(ipprotoTCP)
	if proto == "udp" {
		ipproto = ipprotoUDP
	}
	intr, err := s.each(encodeDiagReq(fam, ipproto, diagState(proto), lo, hi), proto+famSuffix(fam), fam, func(b []byte) error {
		e, err := decodeDiagMsg(b, proto)
		if err != nil {
			return err
		}
		if len(out) == cap(out) {
			// Quadruple: append's growth of a large slice (×1.25)
			// allocates and copies five times the listing on the way to
			// 10,000, doubling still twice; capacity never written is
			// never touched. (Later listings start at the last size.)
			out = slices.Grow(out, max(3*len(out), 64))
		}
		out = append(out, e)
		return nil
	})
	return out, intr, err
}

// conn returns the source's socket, dialing a new one if the last dump
// failed.
func (s *netlinkSource) conn() (*netlink.Conn, error) {
	if s.c == nil {
		dial := s.dial
		if dial == nil {
			dial = dialNetlink
		}
		c, err := dial()
		if err != nil {
			return nil, fmt.Errorf("netlink redial: %w", err)
		}
		s.c = c
	}
	return s.c, nil
}

// each sends the dump request req (an inet_diag_req_v2 for family fam)
// and calls fn with each reply's inet_diag_msg, decoding while receiving
// rather than collecting a slice of messages (one per socket) first. intr
// says the kernel flagged the dump as interrupted (the table changed under
// it). what names the table in errors.
func (s *netlinkSource) each(req []byte, what string, fam uint8, fn func([]byte) error) (intr bool, err error) {
	sent, err := s.c.Send(netlink.Message{
		Header: netlink.Header{
			Type:  sockDiagByFamily,
			Flags: netlink.Request | netlink.Dump,
		},
		Data: req,
	})
	if err != nil {
		s.drop()
		return false, fmt.Errorf("netlink %s dump: %w", what, err)
	}
	for m, err := range s.c.ReceiveIter() {
		if err != nil {
			if errors.Is(err, unix.ENOENT) && fam == afInet6 {
				// No IPv6 in this kernel: no IPv6 sockets either. The
				// kernel answered with an error instead of starting a dump.
				return false, nil
			}
			s.drop()
			return false, fmt.Errorf("netlink %s dump: %w", what, err)
		}
		if m.Header.Sequence != sent.Header.Sequence {
			s.drop()
			return false, fmt.Errorf("netlink %s dump: reply to request %d, want %d", what, m.Header.Sequence, sent.Header.Sequence)
		}
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			intr = true
		}
		if m.Header.Type != sockDiagByFamily {
			continue
		}
		if err := fn(m.Data); err != nil {
			s.drop()
			return false, fmt.Errorf("netlink %s dump: %w", what, err)
		}
	}
	return intr, nil
}

// clients dumps the TCP sockets in ESTABLISHED or SYN_RECV whose local
// port is port, filtered in the kernel by state and port (bytecode, and
// idiag_sport, which spares the bytecode for other ports), and tallies
// them. Each dump walks the kernel's whole established hash, so only the
// address families a listener on port has are dumped (a v4 listener's
// clients are v4 sockets; a dual-stack one's, v6 sockets with mapped
// addresses): two small LISTEN dumps first, one walk instead of two for
// most listeners. With no listener on port, both are dumped.
func (s *netlinkSource) clients(ctx context.Context, port uint16) (Clients, error) {
	c, err := s.conn()
	if err != nil {
		return Clients{}, err
	}
	setDiagDeadline(ctx, c)
	fams := [2]bool{}
	for i, fam := range [...]uint8{afInet, afInet6} {
		_, err := s.each(encodeDiagReq(fam, ipprotoTCP, tcpListen, port, port), "tcp"+famSuffix(fam)+" listeners", fam, func([]byte) error {
			fams[i] = true
			return nil
		})
		if err != nil {
			return Clients{}, err
		}
	}
	if !fams[0] && !fams[1] {
		fams = [2]bool{true, true}
	}
	var cc clientCounter
	for i, fam := range [...]uint8{afInet, afInet6} {
		if !fams[i] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Clients{}, err
		}
		req := encodeDiagReqStates(fam, ipprotoTCP, clientStates, port, port)
		binary.BigEndian.PutUint16(req[8:10], port) // idiag_sport
		_, err := s.each(req, "tcp"+famSuffix(fam)+" clients", fam, func(b []byte) error {
			st, remote, err := decodeDiagPeer(b)
			if err != nil {
				return err
			}
			cc.add(st, remote)
			return nil
		})
		if err != nil {
			return Clients{}, err
		}
	}
	return cc.result(port), nil
}
