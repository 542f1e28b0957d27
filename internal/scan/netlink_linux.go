package scan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// netlinkSource reads listening sockets from the kernel with
// NETLINK_SOCK_DIAG dump requests that carry a state filter (and a port
// filter), so the kernel skips established connections instead of
// formatting them as text.
type netlinkSource struct {
	c *netlink.Conn
}

// dialNetlink is swapped by tests to simulate a kernel or sandbox that
// refuses NETLINK_SOCK_DIAG.
var dialNetlink = func() (*netlink.Conn, error) {
	return netlink.Dial(unix.NETLINK_SOCK_DIAG, nil)
}

func newNetlinkSource() (*netlinkSource, error) {
	c, err := dialNetlink()
	if err != nil {
		return nil, err
	}
	return &netlinkSource{c: c}, nil
}

func (s *netlinkSource) name() string { return "netlink" }

func (s *netlinkSource) close() error { return s.c.Close() }

// maxDiagWait bounds a dump when the caller's context has no deadline: the
// kernel answers in milliseconds, so waiting longer means something is wrong.
const maxDiagWait = 10 * time.Second

func (s *netlinkSource) listeners(ctx context.Context, f Filter) ([]sockEntry, []string, error) {
	lo, hi := uint16(0), uint16(0xffff)
	if !f.All() {
		lo, hi = f.Lo, f.Hi
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(maxDiagWait)
	}
	// Only a safety net; a socket without deadlines still works.
	_ = s.c.SetDeadline(deadline)
	var out []sockEntry
	var warns []string
	for _, proto := range [...]string{"tcp", "udp"} {
		if !f.wants(proto) {
			continue
		}
		for _, fam := range [...]uint8{afInet, afInet6} {
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
	req := netlink.Message{
		Header: netlink.Header{
			Type:  sockDiagByFamily,
			Flags: netlink.Request | netlink.Dump,
		},
		Data: encodeDiagReq(fam, ipproto, diagState(proto), lo, hi),
	}
	msgs, err := s.c.Execute(req)
	if err != nil {
		if errors.Is(err, unix.ENOENT) && fam == afInet6 {
			// No IPv6 in this kernel: no IPv6 listeners either.
			return out, false, nil
		}
		return out, false, fmt.Errorf("netlink %s%s dump: %w", proto, famSuffix(fam), err)
	}
	intr := false
	for _, m := range msgs {
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			intr = true
		}
		if m.Header.Type != sockDiagByFamily {
			continue
		}
		e, err := decodeDiagMsg(m.Data, proto)
		if err != nil {
			return out, false, fmt.Errorf("netlink %s%s dump: %w", proto, famSuffix(fam), err)
		}
		out = append(out, e)
	}
	return out, intr, nil
}
