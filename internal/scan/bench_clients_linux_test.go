package scan

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The budget of the pane's extra dump: Clients of one port costs at most
// 2 ms CPU on a host with 100,000 established connections.
//
// BenchmarkClients100k opens them over loopback in a private network
// namespace: 5,000 clients of the busy port (the one the pane shows) and
// 95,000 of other ports (noise the kernel walks past), held by helper
// processes (each connection is two sockets, two fds: as many helpers as
// RLIMIT_NOFILE's hard limit asks, each on a port of its own), which stop
// when the benchmark ends (stdin closed; killed by PID after 5 s; SIGKILL
// if the benchmark dies; on their own after clientsHelperMax).
const (
	clientsBusyPort  = 1000 // below the ephemeral range: no client side uses it
	clientsBusyConns = 5000
	clientsNoise     = 95000
	clientsHelperMax = 10 * time.Minute
)

func BenchmarkClients100k(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("BenchmarkClients100k needs root: it makes a network namespace and raises RLIMIT_NOFILE for 200,000 sockets")
	}
	ns, err := newPrivateNetNS()
	if err != nil {
		b.Skipf("no private network namespace: %v", err)
	}
	b.Cleanup(func() { ns.Close() })
	if err := inNetNS(ns, func() error {
		return os.WriteFile("/proc/sys/net/ipv4/ip_local_port_range", []byte("1024 65535\n"), 0)
	}); err != nil {
		b.Fatalf("ip_local_port_range: %v", err)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	per := int(min(lim.Max, 1<<20)-256) / 2 // connections one helper can hold
	if per < 1000 {
		b.Skipf("RLIMIT_NOFILE hard limit %d: too few fds per helper", lim.Max)
	}
	type job struct{ port, n int }
	jobs := []job{{clientsBusyPort, clientsBusyConns}}
	for left, port := clientsNoise, clientsBusyPort+1; left > 0; port++ {
		k := min(per, left)
		jobs = append(jobs, job{port, k})
		left -= k
	}
	var hs []*helper
	b.Cleanup(func() {
		for _, h := range hs {
			h.stop()
		}
	})
	for _, j := range jobs {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=clients", quickExit(),
			"PORTUI_CLIENTS_PORT="+strconv.Itoa(j.port), "PORTUI_CLIENTS_N="+strconv.Itoa(j.n))
		cmd.ExtraFiles = []*os.File{ns}
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		h, err := start(cmd)
		if err != nil {
			b.Fatal(err)
		}
		hs = append(hs, h)
	}
	for i, h := range hs {
		line, err := h.out.ReadString('\n')
		if strings.TrimSpace(line) != "ready" {
			b.Fatalf("clients helper %d (port %d, %d connections): %q %v", h.pid(), jobs[i].port, jobs[i].n, line, err)
		}
	}
	var ls *linuxScanner
	if err := inNetNS(ns, func() error {
		var err error
		ls, err = newLinux(Options{Source: "netlink", HostOnly: true})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	defer ls.close()
	nl := ls.src.(*netlinkSource)
	ctx := context.Background()
	check := func(b *testing.B, c Clients, want int) {
		if c.Established != want || (want > MaxListedClients && c.Top != nil) || (want > 0 && want <= MaxListedClients && c.Top == nil) {
			b.Fatalf("%+v, want %d established", c, want)
		}
		b.ReportMetric(float64(c.Total()), "clients")
	}
	dump := func(b *testing.B, port uint16, want int) {
		var c Clients
		var err error
		m := meter(b)
		for b.Loop() {
			if c, err = nl.clients(ctx, port); err != nil {
				b.Fatal(err)
			}
		}
		m.done()
		if c.Established != want {
			again, err := nl.clients(ctx, port)
			b.Logf("count %d, asked again: %+v %v", c.Established, again, err)
		}
		check(b, c, want)
	}
	// dump is one kernel-filtered dump of the busy port (IPv4 and IPv6);
	// idle the same for a port nobody is connected to: the walk alone.
	b.Run("dump", func(b *testing.B) { dump(b, clientsBusyPort, clientsBusyConns) })
	b.Run("idle", func(b *testing.B) { dump(b, 999, 0) })
	// poll is the budget's figure: Prober.Clients of the busy port once
	// per poll, a poll a second (the explorer's interval), its dumps
	// spaced by ClientsDuty.
	b.Run("poll", func(b *testing.B) {
		clock := time.Now()
		ls.now = func() time.Time { return clock }
		ls.lastClients = clientsMemo{}
		var c Clients
		var err error
		m := meter(b)
		for b.Loop() {
			if c, err = ls.clients(ctx, NetNS{}, clientsBusyPort); err != nil {
				b.Fatal(err)
			}
			clock = clock.Add(time.Second)
		}
		m.done()
		check(b, c, clientsBusyConns)
	})
}

// clientsHelper is the "clients" helper: in the namespace passed as fd 3
// it listens on 127.0.0.1:PORTUI_CLIENTS_PORT, connects to it
// PORTUI_CLIENTS_N times (accepting each), says "ready" and holds the
// connections until stdin closes (or clientsHelperMax passes).
func clientsHelper() int {
	port, err1 := strconv.Atoi(os.Getenv("PORTUI_CLIENTS_PORT"))
	n, err2 := strconv.Atoi(os.Getenv("PORTUI_CLIENTS_N"))
	if err1 != nil || err2 != nil || n <= 0 {
		fmt.Println("ERR bad PORTUI_CLIENTS_PORT/N")
		return 2
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil {
		lim.Cur = lim.Max
		_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &lim) // checked below
		_ = unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	if lim.Cur < uint64(2*n+64) {
		fmt.Println("ERR RLIMIT_NOFILE", lim.Cur, "for", n, "connections")
		return 1
	}
	time.AfterFunc(clientsHelperMax, func() { os.Exit(3) })
	ns := os.NewFile(3, "netns")
	var fds []int
	if err := inNetNS(ns, func() error {
		var err error
		fds, err = loopbackClients(port, n)
		return err
	}); err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	closeAll(fds)
	return 0
}

// loopbackClients opens a listener on 127.0.0.1:port and n connections to
// it, accepted: the fds of all three kinds.
func loopbackClients(port, n int) ([]int, error) {
	fds := make([]int, 0, 2*n+1)
	fail := func(err error) ([]int, error) {
		closeAll(fds)
		return nil, err
	}
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(err)
	}
	fds = append(fds, lfd)
	sa := &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	if err := unix.Bind(lfd, sa); err != nil {
		return fail(fmt.Errorf("bind 127.0.0.1:%d: %w", port, err))
	}
	if err := unix.Listen(lfd, 1024); err != nil {
		return fail(err)
	}
	for i := range n {
		c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fail(fmt.Errorf("socket (connection %d of %d): %w", i+1, n, err))
		}
		fds = append(fds, c)
		if err := unix.Connect(c, sa); err != nil {
			return fail(fmt.Errorf("connect (connection %d of %d): %w", i+1, n, err))
		}
		a, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
		if err != nil {
			return fail(fmt.Errorf("accept (connection %d of %d): %w", i+1, n, err))
		}
		fds = append(fds, a)
	}
	return fds, nil
}

// BenchmarkClientsHost is one Clients dump of a port on this host as it
// is (the walk of its established hash), without ClientsDuty's spacing.
func BenchmarkClientsHost(b *testing.B) {
	port := benchPort(b)
	ls, err := newLinux(Options{Source: "netlink", HostOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer ls.close()
	nl := ls.src.(*netlinkSource)
	m := meter(b)
	for b.Loop() {
		if _, err := nl.clients(context.Background(), port); err != nil {
			b.Fatal(err)
		}
	}
	m.done()
}
