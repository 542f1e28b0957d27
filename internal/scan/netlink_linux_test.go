package scan

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"
)

// fakeKernel answers inet_diag dumps from a socket list, applying the
// request's family, protocol, state mask and bytecode the way the kernel
// does, so the request encoding is checked end to end.
type fakeKernel struct {
	socks       []fakeSock
	interrupted int // answer this many dumps with NLM_F_DUMP_INTR
	timeouts    int // let this many receives time out
	reqs, dials int
}

type fakeSock struct {
	family, proto, state uint8
	addr                 netip.Addr
	port                 uint16
	inode                uint32
	v6only               bool
}

// nlError is a kernel error reply: errno, then the request's header.
func nlError(errno unix.Errno, req netlink.Message) ([]netlink.Message, error) {
	b := make([]byte, 4+16)
	binary.NativeEndian.PutUint32(b[0:4], uint32(-int32(errno)))
	binary.NativeEndian.PutUint32(b[4:8], uint32(16+len(req.Data)))
	binary.NativeEndian.PutUint16(b[8:10], uint16(req.Header.Type))
	binary.NativeEndian.PutUint16(b[10:12], uint16(req.Header.Flags))
	binary.NativeEndian.PutUint32(b[12:16], req.Header.Sequence)
	binary.NativeEndian.PutUint32(b[16:20], req.Header.PID)
	return []netlink.Message{{Header: netlink.Header{Type: netlink.Error, Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: b}}, nil
}

// reply stamps replies with the request's sequence, as the kernel does.
func reply(req netlink.Message, msgs []netlink.Message) ([]netlink.Message, error) {
	for i := range msgs {
		msgs[i].Header.Sequence, msgs[i].Header.PID = req.Header.Sequence, req.Header.PID
	}
	return nltest.Multipart(msgs)
}

func (k *fakeKernel) answer(reqs []netlink.Message) ([]netlink.Message, error) {
	k.reqs++
	req := reqs[0]
	d := req.Data
	if req.Header.Type != sockDiagByFamily || req.Header.Flags != netlink.Request|netlink.Dump || len(d) < inetDiagReqLen {
		return nlError(unix.EINVAL, req)
	}
	family, proto, states := d[0], d[1], binary.NativeEndian.Uint32(d[4:8])
	var bc []byte
	if attrs := d[inetDiagReqLen:]; len(attrs) >= 4 {
		l, typ := binary.NativeEndian.Uint16(attrs[0:2]), binary.NativeEndian.Uint16(attrs[2:4])
		if typ != inetDiagReqBytecode || int(l) > len(attrs) || !bcAudit(attrs[4:l]) {
			return nlError(unix.EINVAL, req)
		}
		bc = attrs[4:l]
	}
	var out []netlink.Message
	for _, s := range k.socks {
		if s.family != family || s.proto != proto || states&(1<<s.state) == 0 || (bc != nil && !bcRun(bc, s.port)) {
			continue
		}
		var attrs [][]byte
		if family == afInet6 {
			v := byte(0)
			if s.v6only {
				v = 1
			}
			attrs = append(attrs, attr(inetDiagSKV6Only, v))
		}
		m := netlink.Message{Header: netlink.Header{Type: sockDiagByFamily}, Data: diagMsg(family, s.addr, s.port, 0, s.inode, attrs...)}
		if k.interrupted > 0 {
			m.Header.Flags |= netlink.DumpInterrupted
		}
		out = append(out, m)
	}
	if k.interrupted > 0 {
		k.interrupted--
	}
	out = append(out, netlink.Message{Header: netlink.Header{Type: netlink.Done}, Data: make([]byte, 4)})
	return reply(req, out)
}

// dial is one socket to the fake kernel. A receive that times out leaves
// the kernel's dump running on that socket, and every later request there
// gets EBUSY, as __netlink_dump_start answers.
func (k *fakeKernel) dial() *netlink.Conn {
	k.dials++
	busy := false
	return nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		if busy {
			return nlError(unix.EBUSY, reqs[0])
		}
		if k.timeouts > 0 {
			k.timeouts--
			busy = true
			return nil, os.ErrDeadlineExceeded
		}
		return k.answer(reqs)
	})
}

func fakeNetlink(k *fakeKernel) *netlinkSource {
	return &netlinkSource{c: k.dial()}
}

func TestNetlinkRequests(t *testing.T) {
	k := &fakeKernel{socks: []fakeSock{
		{afInet, ipprotoTCP, tcpListen, netip.MustParseAddr("0.0.0.0"), 22, 1, false},
		{afInet, ipprotoTCP, tcpEstablished, netip.MustParseAddr("10.0.0.1"), 22, 2, false},
		{afInet6, ipprotoTCP, tcpListen, netip.IPv6Unspecified(), 80, 3, false},
		{afInet6, ipprotoTCP, tcpListen, netip.IPv6Unspecified(), 443, 4, true},
		{afInet, ipprotoUDP, tcpClose, netip.MustParseAddr("127.0.0.1"), 53, 5, false},
		{afInet, ipprotoUDP, tcpEstablished, netip.MustParseAddr("127.0.0.1"), 40000, 6, false},
		{afInet6, ipprotoUDP, tcpClose, netip.MustParseAddr("::1"), 53, 7, false},
	}}
	src := fakeNetlink(k)
	defer src.close()
	for _, c := range []struct {
		f    Filter
		want []uint32
	}{
		{Filter{}, []uint32{1, 3, 4, 5, 7}},
		{Filter{Proto: "tcp"}, []uint32{1, 3, 4}},
		{Filter{Proto: "udp", Lo: 53, Hi: 53}, []uint32{5, 7}},
		{Filter{Lo: 23, Hi: 443}, []uint32{3, 4, 5, 7}},
		{Filter{Lo: 54, Hi: 442}, []uint32{3}},
		{Filter{Lo: 1, Hi: 21}, nil},
	} {
		es, warns, err := src.listeners(context.Background(), c.f)
		if err != nil || len(warns) != 0 {
			t.Fatalf("%+v: %v %v", c.f, err, warns)
		}
		var got []uint32
		for _, e := range es {
			got = append(got, uint32(e.Inode))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: inodes %v, want %v", c.f, got, c.want)
		}
		for _, e := range es {
			if e.Inode == 3 && (!e.V6Known || e.V6Only) || e.Inode == 4 && !e.V6Only {
				t.Errorf("v6only not carried: %+v", e)
			}
		}
	}
}

// TestNetlinkInterrupted: a dump the kernel flags as inconsistent (the
// table changed while it was read) is retried once, then reported.
func TestNetlinkInterrupted(t *testing.T) {
	socks := []fakeSock{{afInet, ipprotoTCP, tcpListen, netip.MustParseAddr("0.0.0.0"), 22, 1, false}}
	k := &fakeKernel{socks: socks, interrupted: 1}
	src := fakeNetlink(k)
	defer src.close()
	es, warns, err := src.listeners(context.Background(), Filter{Proto: "tcp", Lo: 22, Hi: 22})
	if err != nil || len(es) != 1 || len(warns) != 0 || k.reqs != 3 {
		t.Errorf("one interrupted dump: %d entries, %q, %v, %d requests", len(es), warns, err, k.reqs)
	}
	k.interrupted = 100
	es, warns, err = src.listeners(context.Background(), Filter{Proto: "tcp", Lo: 22, Hi: 22})
	if err != nil || len(es) != 1 || len(warns) != 1 || !strings.Contains(warns[0], "tcp socket table changed while it was read") {
		t.Errorf("always interrupted: %d entries, %q, %v", len(es), warns, err)
	}
}

// TestNetlinkTimeout: after a receive times out, the kernel's dump still
// runs on that socket, so the next poll dials a new one and reads the
// right listeners from it.
func TestNetlinkTimeout(t *testing.T) {
	k := &fakeKernel{socks: []fakeSock{
		{afInet, ipprotoTCP, tcpListen, netip.MustParseAddr("0.0.0.0"), 22, 1, false},
		{afInet, ipprotoTCP, tcpListen, netip.MustParseAddr("127.0.0.1"), 23, 2, false},
	}, timeouts: 1}
	orig := dialNetlink
	dialNetlink = func() (*netlink.Conn, error) { return k.dial(), nil }
	t.Cleanup(func() { dialNetlink = orig })
	src := fakeNetlink(k)
	defer src.close()
	if _, _, err := src.listeners(context.Background(), Filter{Proto: "tcp"}); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("timed-out dump: %v", err)
	}
	for range 2 {
		es, _, err := src.listeners(context.Background(), Filter{Proto: "tcp"})
		if err != nil || len(es) != 2 || es[0].Inode != 1 || es[1].Inode != 2 {
			t.Errorf("poll after a timeout: %+v, %v", es, err)
		}
	}
	if k.dials != 2 {
		t.Errorf("%d sockets dialled, want 2 (one new after the timeout, then kept)", k.dials)
	}
}

// TestNetlinkSequence: a reply to another request is an error, and the
// socket it came on is not used again.
func TestNetlinkSequence(t *testing.T) {
	k := &fakeKernel{socks: []fakeSock{{afInet, ipprotoTCP, tcpListen, netip.MustParseAddr("0.0.0.0"), 22, 1, false}}}
	orig := dialNetlink
	dialNetlink = func() (*netlink.Conn, error) { return k.dial(), nil }
	t.Cleanup(func() { dialNetlink = orig })
	src := &netlinkSource{c: nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		old := reqs[0]
		old.Header.Sequence--
		return k.answer([]netlink.Message{old})
	})}
	defer src.close()
	if _, _, err := src.listeners(context.Background(), Filter{Proto: "tcp"}); err == nil || !strings.Contains(err.Error(), "reply to request") {
		t.Fatalf("reply to an older request: %v", err)
	}
	es, _, err := src.listeners(context.Background(), Filter{Proto: "tcp"})
	if err != nil || len(es) != 1 || k.dials != 1 {
		t.Errorf("next poll: %+v, %v, %d sockets dialled", es, err, k.dials)
	}
}

// TestNetlinkErrors: a refused dump surfaces as an error refused() knows,
// a malformed reply as a clear error, never a panic.
func TestNetlinkErrors(t *testing.T) {
	src := &netlinkSource{c: nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		return nlError(unix.EPERM, reqs[0])
	})}
	_, _, err := src.listeners(context.Background(), Filter{})
	if err == nil || !refused(err) || !strings.HasPrefix(err.Error(), "netlink tcp dump:") {
		t.Errorf("EPERM: %v (refused=%v)", err, refused(err))
	}
	src.close()

	src = &netlinkSource{c: nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		return reply(reqs[0], []netlink.Message{
			{Header: netlink.Header{Type: sockDiagByFamily}, Data: []byte{1, 2, 3}},
			{Header: netlink.Header{Type: netlink.Done}, Data: make([]byte, 4)},
		})
	})}
	defer src.close()
	_, _, err = src.listeners(context.Background(), Filter{})
	if err == nil || !errors.Is(err, errShortDiag) || refused(err) {
		t.Errorf("short reply: %v", err)
	}
}
