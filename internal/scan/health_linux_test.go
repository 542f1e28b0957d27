package scan

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newProber is New's scanner on a clock an hour later at each look, so
// that ClientsDuty never holds a dump back (on a loaded host a dump may
// take long enough to space the next by seconds): these tests count.
func newProber(t *testing.T) (Scanner, Prober) {
	t.Helper()
	ls, err := newLinux(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Now()
	ls.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Hour)
		return clock
	}
	s := &serialProber{serial: newSerial(ls.snapshot, ls.close), clients: ls.clients, counters: ls.counters}
	t.Cleanup(func() { s.Close() })
	if _, ok := ProberOf(s); !ok {
		t.Fatal("the Linux scanner is not a Prober")
	}
	return s, s
}

// TestNewIsProber: the scanner New returns is a Prober.
func TestNewIsProber(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := ProberOf(s); !ok {
		t.Fatal("the Linux scanner is not a Prober")
	}
}

// eventually retries check until it reports true or 5 s pass (the kernel
// moves a closed connection out of ESTABLISHED as the FIN is processed).
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, got := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestClientsLoopback(t *testing.T) {
	_, p := newProber(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range 5 {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	ctx := context.Background()
	c, err := p.Clients(ctx, NetNS{}, port)
	if err != nil {
		t.Fatal(err)
	}
	want := []Remote{{Addr: netip.MustParseAddr("127.0.0.1"), Conns: 5}}
	if c.Port != port || c.Established != 5 || c.SynRecv != 0 || len(c.Top) != 1 || c.Top[0] != want[0] {
		t.Fatalf("5 clients: got %+v, want Established 5, Top %v", c, want)
	}
	conns[0].Close()
	conns[1].Close()
	conns = conns[2:]
	eventually(t, "after closing 2", func() (bool, string) {
		c, err := p.Clients(ctx, NetNS{}, port)
		return err == nil && c.Established == 3 && len(c.Top) == 1 && c.Top[0].Conns == 3, strconv.Itoa(c.Established)
	})
}

// TestClientsTop: remotes ranked by connections, ties by address, at most
// MaxTopRemotes; counting covers IPv6 too.
func TestClientsTop(t *testing.T) {
	_, p := newProber(t)
	ln, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		t.Skip("no dual-stack listener here:", err)
	}
	t.Cleanup(func() { ln.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	dial := func(src string, n int) {
		for range n {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
			c, err := d.Dial("tcp", net.JoinHostPort(src, strconv.Itoa(port)))
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
	}
	dial("127.0.0.3", 2)
	dial("127.0.0.2", 2)
	dial("127.0.0.4", 3)
	dial("::1", 1)
	for i := 5; i <= 9; i++ {
		dial("127.0.0."+strconv.Itoa(i), 1)
	}
	c, err := p.Clients(context.Background(), NetNS{}, uint16(port))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range c.Top {
		got = append(got, r.Addr.String()+"×"+strconv.Itoa(r.Conns))
	}
	want := "127.0.0.4×3 127.0.0.2×2 127.0.0.3×2 127.0.0.5×1 127.0.0.6×1"
	if c.Established != 13 || strings.Join(got, " ") != want {
		t.Fatalf("got %d %v, want 13 [%s]", c.Established, got, want)
	}
}

// TestClientCounterOver: above MaxListedClients the remotes are counted,
// not listed.
func TestClientCounterOver(t *testing.T) {
	var cc clientCounter
	for i := range MaxListedClients + 1 {
		cc.add(tcpEstablished, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	cc.add(tcpSynRecv, netip.MustParseAddr("10.9.9.9"))
	cc.add(tcpListen, netip.MustParseAddr("10.9.9.9"))
	c := cc.result(80)
	if c.Established != MaxListedClients+1 || c.SynRecv != 1 || c.Top != nil || cc.remotes != nil {
		t.Fatalf("got %+v (map %d)", c, len(cc.remotes))
	}
}

// ssQueues runs `ss -ltnH sport = :port` and returns its Recv-Q and Send-Q.
func ssQueues(t *testing.T, ss string, port uint16) (rq, sq uint32, ok bool) {
	out, err := exec.Command(ss, "-ltnH", "sport = :"+strconv.Itoa(int(port))).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		return 0, 0, false
	}
	r, err1 := strconv.ParseUint(f[1], 10, 32)
	s, err2 := strconv.ParseUint(f[2], 10, 32)
	return uint32(r), uint32(s), err1 == nil && err2 == nil
}

// TestAcceptQueue: a listener with backlog 4 that never accepts, and 6
// connection attempts: its Queue/QueueMax are what ss reports as
// Recv-Q/Send-Q, and the listen-overflow counter grows.
func TestAcceptQueue(t *testing.T) {
	ss, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) not installed")
	}
	s, p := newProber(t)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 4); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(sa.(*unix.SockaddrInet4).Port)
	ctx := context.Background()
	before, err := p.Counters(ctx, NetNS{})
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(c) })
		if err := unix.Connect(c, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: int(port)}); err != nil && !errors.Is(err, unix.EINPROGRESS) {
			t.Fatal(err)
		}
	}
	var l Listener
	eventually(t, "queue against ss", func() (bool, string) {
		sn, err := s.Snapshot(ctx, Filter{Proto: "tcp", Lo: port, Hi: port})
		if err != nil || len(sn.Listeners) != 1 {
			return false, "no listener"
		}
		l = sn.Listeners[0]
		rq, sq, ok := ssQueues(t, ss, port)
		got := strconv.Itoa(int(l.Queue)) + "/" + strconv.Itoa(int(l.QueueMax))
		want := strconv.Itoa(int(rq)) + "/" + strconv.Itoa(int(sq))
		return ok && got == want && l.Queue > 0, "portui " + got + ", ss " + want
	})
	if l.QueueMax != 4 || l.Queue < 4 {
		t.Errorf("queue %d/%d, want at least 4/4", l.Queue, l.QueueMax)
	}
	t.Logf("queue %d/%d (ss agrees)", l.Queue, l.QueueMax)
	eventually(t, "listen overflows", func() (bool, string) {
		after, err := p.Counters(ctx, NetNS{})
		return err == nil && after.ListenOverflows > before.ListenOverflows, strconv.FormatUint(after.ListenOverflows, 10)
	})
}

// TestUDPQueue: a UDP socket nobody reads, with a small buffer flooded:
// its queue holds bytes, QueueMax is its SO_RCVBUF and Drops counts what
// did not fit.
func TestUDPQueue(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	uc := pc.(*net.UDPConn)
	if err := uc.SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	raw, _ := uc.SyscallConn()
	var rcvbuf int
	_ = raw.Control(func(fd uintptr) { rcvbuf, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF) })
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	out, err := net.Dial("udp4", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	for range 50 {
		_, _ = out.Write(make([]byte, 1000))
	}
	s, _ := newProber(t)
	sn, err := s.Snapshot(context.Background(), Filter{Proto: "udp", Lo: port, Hi: port})
	if err != nil || len(sn.Listeners) != 1 {
		t.Fatalf("%v %v", sn.Listeners, err)
	}
	l := sn.Listeners[0]
	if l.Queue == 0 || l.QueueMax != uint32(rcvbuf) || l.Drops == 0 {
		t.Fatalf("udp queue %d/%d drops %d, want >0/%d and drops >0", l.Queue, l.QueueMax, l.Drops, rcvbuf)
	}
	t.Logf("recv-q %d B / %d B, drops %d", l.Queue, l.QueueMax, l.Drops)
}

// TestClientsDuty: a dump is not repeated before ClientsDuty times its
// duration passed: the same port gets the last count (its Taken), another
// port ErrClientsLater; after, a new dump.
func TestClientsDuty(t *testing.T) {
	ls, err := newLinux(Options{Source: "netlink", HostOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.close() })
	clock := time.Unix(1_700_000_000, 0)
	ls.now = func() time.Time { return clock }
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ctx := context.Background()
	first, err := ls.clients(ctx, NetNS{}, port)
	if err != nil || !first.Taken.Equal(clock) || first.Established != 0 {
		t.Fatalf("first: %+v %v", first, err)
	}
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if again, err := ls.clients(ctx, NetNS{}, port); err != nil || !again.Taken.Equal(first.Taken) || again.Established != 0 {
		t.Fatalf("within the duty window: %+v %v, want the last count", again, err)
	}
	if _, err := ls.clients(ctx, NetNS{}, port+1); !errors.Is(err, ErrClientsLater) {
		t.Fatalf("another port within the window: %v, want ErrClientsLater", err)
	}
	clock = clock.Add(ClientsDuty * ls.lastClients.took)
	if now, err := ls.clients(ctx, NetNS{}, port); err != nil || !now.Taken.Equal(clock) || now.Established != 1 {
		t.Fatalf("after the window: %+v %v, want a new dump with 1 client", now, err)
	}
}
