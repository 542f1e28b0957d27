package scan

// Tests against this machine's real sockets and processes. Other programs
// may open and close sockets while these run, so comparisons with other
// tools retry a few times and the assertions are about sockets we own.

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type testListener struct {
	proto string
	port  uint16
	close func()
}

func listenTCP(t *testing.T, network, addr string) testListener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s %s: %v", network, addr, err)
	}
	return tcpListener(t, ln)
}

// tryListenTCP is listenTCP for optional sockets (IPv6 may be disabled).
func tryListenTCP(t *testing.T, network, addr string) (testListener, bool) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Logf("not tested: %s %s: %v", network, addr, err)
		return testListener{}, false
	}
	return tcpListener(t, ln), true
}

func tcpListener(t *testing.T, ln net.Listener) testListener {
	var once sync.Once
	c := func() { once.Do(func() { ln.Close() }) }
	t.Cleanup(c)
	return testListener{"tcp", uint16(ln.Addr().(*net.TCPAddr).Port), c}
}

func listenUDP(t *testing.T, network, addr string) testListener {
	t.Helper()
	l, ok := tryListenUDP(t, network, addr)
	if !ok {
		t.Skipf("cannot listen on %s %s", network, addr)
	}
	return l
}

func tryListenUDP(t *testing.T, network, addr string) (testListener, bool) {
	t.Helper()
	pc, err := net.ListenPacket(network, addr)
	if err != nil {
		t.Logf("not tested: %s %s: %v", network, addr, err)
		return testListener{}, false
	}
	var once sync.Once
	c := func() { once.Do(func() { pc.Close() }) }
	t.Cleanup(c)
	return testListener{"udp", uint16(pc.LocalAddr().(*net.UDPAddr).Port), c}, true
}

func newScanner(t *testing.T) Scanner {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func snapshot(t *testing.T, s Scanner, f Filter) Snapshot {
	t.Helper()
	sn, err := s.Snapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

func findAddr(sn Snapshot, proto, addr string, port uint16) *Listener {
	a := netip.MustParseAddr(addr)
	for i, l := range sn.Listeners {
		if l.Proto == proto && l.Port == port && l.Addr == a {
			return &sn.Listeners[i]
		}
	}
	return nil
}

func TestLiveOwnSockets(t *testing.T) {
	s := newScanner(t)
	if sn := snapshot(t, s, Filter{}); sn.Source != "netlink" {
		t.Logf("source %s (%q)", sn.Source, sn.Warnings)
	}
	me := []int{os.Getpid()}
	type want struct {
		l       testListener
		addr    string
		scope   Scope
		dual    bool
		checkDS bool
	}
	var ws []want
	add := func(l testListener, ok bool, w want) {
		if ok {
			w.l = l
			ws = append(ws, w)
		}
	}
	// The first one must work: the connection tests below use it.
	add(listenTCP(t, "tcp4", "127.0.0.1:0"), true, want{addr: "127.0.0.1", scope: ScopeLoopback})
	add(listenUDP(t, "udp4", "127.0.0.1:0"), true, want{addr: "127.0.0.1", scope: ScopeLoopback})
	l, ok := tryListenTCP(t, "tcp6", "[::1]:0")
	add(l, ok, want{addr: "::1", scope: ScopeLoopback})
	l, ok = tryListenTCP(t, "tcp", ":0")
	add(l, ok, want{addr: "::", scope: ScopeAll, dual: true, checkDS: true})
	l, ok = tryListenTCP(t, "tcp6", "[::]:0")
	add(l, ok, want{addr: "::", scope: ScopeAll, dual: false, checkDS: true})
	l, ok = tryListenUDP(t, "udp6", "[::1]:0")
	add(l, ok, want{addr: "::1", scope: ScopeLoopback})
	l, ok = tryListenUDP(t, "udp", ":0")
	add(l, ok, want{addr: "::", scope: ScopeAll, dual: true, checkDS: true})
	if os.Geteuid() == 0 {
		if ln, err := net.Listen("tcp4", "127.0.0.1:326"); err == nil {
			t.Cleanup(func() { ln.Close() })
			ws = append(ws, want{l: testListener{"tcp", 326, func() { ln.Close() }}, addr: "127.0.0.1", scope: ScopeLoopback})
		} else {
			t.Logf("system port 326 not tested: %v", err)
		}
	}

	// An established TCP connection (both ends) and a connected UDP socket
	// are not listeners.
	srv := ws[0].l
	conn, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", srv.port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	clientPort := uint16(conn.LocalAddr().(*net.TCPAddr).Port)
	udpConn, err := net.Dial("udp4", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer udpConn.Close()
	udpPort := uint16(udpConn.LocalAddr().(*net.UDPAddr).Port)

	sn := snapshot(t, s, Filter{})
	for _, w := range ws {
		l := findAddr(sn, w.l.proto, w.addr, w.l.port)
		if l == nil {
			t.Errorf("%s %s:%d not found", w.l.proto, w.addr, w.l.port)
			continue
		}
		if !slices.Equal(l.PIDs(), me) || l.Scope != w.scope || l.Inode == 0 || l.UID != os.Geteuid() {
			t.Errorf("%s: pids %v scope %v inode %d uid %d", l.Key(), l.PIDs(), l.Scope, l.Inode, l.UID)
		}
		if w.checkDS && l.DualStack != w.dual {
			t.Errorf("%s: dual-stack %v, want %v", l.Key(), l.DualStack, w.dual)
		}
		if p := l.Procs[0]; p.Name == "" || p.Cmdline == "" || p.User == "" {
			t.Errorf("%s: process %+v", l.Key(), p)
		}
	}
	n := 0
	for _, l := range sn.Listeners {
		if l.Proto == "tcp" && l.Port == srv.port && l.Addr == netip.MustParseAddr("127.0.0.1") {
			n++
		}
		if (l.Proto == "tcp" && l.Port == clientPort) || (l.Proto == "udp" && l.Port == udpPort) {
			t.Errorf("connected socket listed as a listener: %s", l.Key())
		}
	}
	if n != 1 {
		t.Errorf("port %d listed %d times; the accepted connection is not a listener", srv.port, n)
	}

	// A one-port poll returns exactly that port.
	udp := ws[1].l
	one := snapshot(t, s, Filter{Proto: "udp", Lo: udp.port, Hi: udp.port})
	if len(one.Listeners) == 0 {
		t.Error("one-port poll found nothing")
	}
	for _, l := range one.Listeners {
		if l.Proto != "udp" || l.Port != udp.port {
			t.Errorf("one-port poll returned %s", l.Key())
		}
	}

	for _, w := range ws {
		w.l.close()
	}
	sn = snapshot(t, s, Filter{})
	for _, w := range ws {
		if l := findAddr(sn, w.l.proto, w.addr, w.l.port); l != nil && slices.Contains(l.PIDs(), os.Getpid()) {
			t.Errorf("%s still listed after close", l.Key())
		}
	}
}

// TestLivePrefork: a socket shared by several processes lists them all, a
// process forked later with the socket joins, one that exits leaves.
func TestLivePrefork(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	file, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	h1 := startHelper(t, "hold", file)
	h2 := startHelper(t, "hold", file)

	s := newScanner(t)
	f := Filter{Proto: "tcp", Lo: port, Hi: port}
	check := func(want ...int) {
		t.Helper()
		slices.Sort(want)
		var got []int
		for range 50 { // a just-started child may still be exec'ing
			got = pidsOf(findAddr(snapshot(t, s, f), "tcp", "127.0.0.1", port))
			if slices.Equal(got, want) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("owners %v, want %v", got, want)
	}
	check(os.Getpid(), h1.pid(), h2.pid())
	h3 := startHelper(t, "hold", file)
	check(os.Getpid(), h1.pid(), h2.pid(), h3.pid())
	h1.stop()
	check(os.Getpid(), h2.pid(), h3.pid())
}

// TestLiveNewListener: listeners opened after the census, by an old process
// (this one) or by a process started later, are found with the right PID.
func TestLiveNewListener(t *testing.T) {
	s := newScanner(t)
	snapshot(t, s, Filter{})
	mine := listenTCP(t, "tcp4", "127.0.0.1:0")
	h, port := listenHelper(t)
	for _, c := range []struct {
		port uint16
		pid  int
	}{{mine.port, os.Getpid()}, {port, h.pid()}} {
		sn := snapshot(t, s, Filter{Lo: c.port, Hi: c.port})
		if got := pidsOf(findAddr(sn, "tcp", "127.0.0.1", c.port)); !slices.Equal(got, []int{c.pid}) {
			t.Errorf("port %d: owners %v, want [%d]", c.port, got, c.pid)
		}
	}
}

// TestLiveNotRoot scans as uid 65534: a root listener shows its owner and
// why its process is hidden (never a PID), the helper's own listener shows
// the helper.
func TestLiveNotRoot(t *testing.T) {
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")
	rep := runAsNobody(t)
	l := findAddr(rep.Snap, "tcp", "127.0.0.1", ln.port)
	if l == nil {
		t.Fatalf("root listener %d not listed for an unprivileged user", ln.port)
	}
	if len(l.Procs) != 0 || l.Hidden != "owner root (uid 0) · process hidden: run as root or grant CAP_SYS_PTRACE" {
		t.Errorf("root listener seen unprivileged: %+v", l)
	}
	own := findAddr(rep.Snap, "tcp", "127.0.0.1", uint16(rep.Port))
	if got := pidsOf(own); !slices.Equal(got, []int{rep.PID}) {
		t.Errorf("helper's own listener: %v, want [%d]", got, rep.PID)
	}
	for _, l := range rep.Snap.Listeners {
		if len(l.Procs) == 0 && l.Hidden == "" {
			t.Errorf("%s: no processes and no reason", l.Key())
		}
		for _, p := range l.Procs {
			if p.UID != 65534 {
				t.Errorf("%s: unprivileged scan reported %+v", l.Key(), p)
			}
		}
	}
}

// TestLiveChurn: processes starting and exiting during the walk are skipped
// without errors.
func TestLiveChurn(t *testing.T) {
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				cmd := exec.Command("/bin/sh", "-c", "exit 0")
				_ = cmd.Run()
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	self := snapshotOwn(t, ln.port)
	for i := range 4 {
		s, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		for j := range 10 {
			f := Filter{}
			if j > 0 {
				f = Filter{Lo: ln.port, Hi: ln.port}
			}
			sn, err := s.Snapshot(context.Background(), f)
			if err != nil {
				t.Fatalf("poll %d.%d: %v", i, j, err)
			}
			// A child caught between fork and exec really holds our
			// socket for a moment; anything else would be a wrong PID.
			l := findAddr(sn, "tcp", "127.0.0.1", ln.port)
			if l == nil || !slices.Contains(l.PIDs(), os.Getpid()) {
				t.Fatalf("poll %d.%d: %+v", i, j, l)
			}
			for _, p := range l.Procs {
				if p.PID != os.Getpid() && p.Name != "sh" && p.Name != self.Name {
					t.Errorf("poll %d.%d: unexpected owner %+v", i, j, p)
				}
			}
		}
		s.Close()
	}
}

func snapshotOwn(t *testing.T, port uint16) Process {
	t.Helper()
	sn := snapshot(t, newScanner(t), Filter{Lo: port, Hi: port})
	l := findAddr(sn, "tcp", "127.0.0.1", port)
	if l == nil || len(l.Procs) == 0 {
		t.Fatalf("own listener %d: %+v", port, l)
	}
	return l.Procs[0]
}

// tuple is what the oracles can be compared on.
func tuples(sn Snapshot) map[string]bool {
	out := map[string]bool{}
	for _, l := range sn.Listeners {
		out[fmt.Sprintf("%s %s %v", l.Proto, netip.AddrPortFrom(l.Addr, l.Port), l.PIDs())] = true
	}
	return out
}

func diffSets(a, b map[string]bool) (onlyA, onlyB []string) {
	for k := range a {
		if !b[k] {
			onlyA = append(onlyA, k)
		}
	}
	for k := range b {
		if !a[k] {
			onlyB = append(onlyB, k)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return
}

// agree retries a comparison a few times: the host's sockets may change
// between the two readings.
func agree(t *testing.T, name string, read func() (ours, theirs map[string]bool)) {
	t.Helper()
	var a, b []string
	for range 5 {
		ours, theirs := read()
		if a, b = diffSets(ours, theirs); len(a)+len(b) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("scanner and %s disagree\nonly scanner: %v\nonly %s: %v", name, a, name, b)
}

// TestLiveAgreesWithNetstat compares the fast path with go-netstat, the
// design's reference, on (proto, addr, port, pid). go-netstat keeps one PID
// per socket, so ours is reduced to "contains that PID".
func TestLiveAgreesWithNetstat(t *testing.T) {
	mine := listenTCP(t, "tcp", ":0")
	listenUDP(t, "udp4", "127.0.0.1:0")
	// ss and go-netstat see the scanner's own namespace only.
	s := newTestScanner(t, Options{HostOnly: true})
	ns, err := NewNetstat(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	agree(t, "go-netstat", func() (map[string]bool, map[string]bool) {
		ours := snapshot(t, s, Filter{})
		theirs := snapshot(t, ns, Filter{})
		for i, l := range ours.Listeners {
			if o := findAddr(theirs, l.Proto, l.Addr.String(), l.Port); o != nil && len(o.Procs) == 1 && slices.Contains(l.PIDs(), o.Procs[0].PID) {
				ours.Listeners[i].Procs = o.Procs
			}
		}
		return tuples(ours), tuples(theirs)
	})
	if l := findAddr(snapshot(t, ns, Filter{}), "tcp", "::", mine.port); l == nil || !slices.Equal(l.PIDs(), []int{os.Getpid()}) {
		t.Errorf("go-netstat misses our listener: %+v", l)
	}
}

// parseSSLine splits one `ss -Htulnp` line: the protocol, the local
// endpoint as ss writes it, and the PIDs of users:(("name",pid=N,fd=M),...),
// sorted, without repeats, never nil. ok is false for a line too short to
// be a socket.
func parseSSLine(line string) (proto, local string, pids []int, ok bool) {
	f := strings.Fields(line)
	if len(f) < 6 {
		return "", "", nil, false
	}
	pids = []int{}
	for _, part := range strings.Split(strings.Join(f[6:], " "), "pid=")[1:] {
		digits := part[:len(part)-len(strings.TrimLeft(part, "0123456789"))]
		if n, err := strconv.Atoi(digits); err == nil && !slices.Contains(pids, n) {
			pids = append(pids, n)
		}
	}
	slices.Sort(pids)
	return f[0], f[4], pids, true
}

// parseSS reads `ss -Htulnp` lines into the same tuples.
func parseSS(t *testing.T, out string) map[string]bool {
	res := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		proto, local, pids, ok := parseSSLine(line)
		if !ok {
			continue
		}
		i := strings.LastIndexByte(local, ':')
		host, portS := local[:i], local[i+1:]
		if j := strings.IndexByte(host, '%'); j >= 0 {
			host = host[:j]
		}
		host = strings.Trim(host, "[]")
		if host == "*" {
			host = "::"
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			t.Fatalf("ss address %q: %v", local, err)
		}
		port, _ := strconv.Atoi(portS)
		res[fmt.Sprintf("%s %s %v", proto, netip.AddrPortFrom(addr.Unmap(), uint16(port)), pids)] = true
	}
	return res
}

// TestLiveAgreesWithSS compares with iproute2's ss, which lists every
// process sharing a socket.
func TestLiveAgreesWithSS(t *testing.T) {
	ssPath, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) is not installed; apt-get install iproute2 to run this comparison")
	}
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	file, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	h := startHelper(t, "hold", file)
	file.Close()
	_ = h
	listenUDP(t, "udp6", "[::1]:0")
	// ss and go-netstat see the scanner's own namespace only.
	s := newTestScanner(t, Options{HostOnly: true})
	agree(t, "ss", func() (map[string]bool, map[string]bool) {
		ours := tuples(snapshot(t, s, Filter{}))
		cmd := exec.Command(ssPath, "-Htulnp")
		cmd.SysProcAttr = &syscall.SysProcAttr{}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ss: %v", err)
		}
		return ours, parseSS(t, string(out))
	})
}
