// Command loadgen makes this machine look like a busy server, on loopback
// only, so the listener scanner can be measured against it.
//
// It starts P child processes, each holding F open fds: connected TCP
// loopback pairs (both ends in the same child, SO_LINGER 0 so teardown
// leaves no TIME_WAIT), connected UDP sockets (in the UDP table but not
// listeners), unix socketpairs and a plain file, mixed per -mix. On top it
// binds L listeners (TCP LISTEN or unconnected UDP, about 10% on ports
// 1-1023 when allowed, the rest 1024-32767, on 127.0.0.1, 127.0.1.x and
// ::1) and hands each to one child, or -shared of them to groups of 4
// children (pre-fork style).
//
// The parent creates every fd and passes it to the child with the exec, so
// a child is a plain `sleep` (about 1 MB) rather than a copy of this
// program. Prints "READY {json}" when set up, writes the listeners to
// -manifest ("proto addr port pid[,pid...]" per line), and stops on
// SIGTERM/SIGINT or after -max-time: children are killed by PID, and die
// with the parent (PR_SET_PDEATHSIG) or when their sleep runs out anyway.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

type listener struct {
	f     *os.File // kept until the last child that gets it has started
	proto string
	addr  netip.Addr
	port  uint16
	pids  []int
}

type config struct {
	procs, fds, listeners, shared int
	v6                            float64
	mix                           map[string]float64
	maxTime                       float64 // seconds, as the Python tool takes it
	manifest                      string
	seed                          uint64
}

func main() {
	var c config
	var mix string
	flag.IntVar(&c.procs, "P", 50, "number of processes")
	flag.IntVar(&c.fds, "F", 20, "extra fds per process")
	flag.IntVar(&c.listeners, "L", 50, "listening sockets in total")
	flag.IntVar(&c.shared, "shared", 0, "of the L listeners, how many are shared by 4 processes each")
	flag.Float64Var(&c.v6, "v6", 0.25, "fraction of TCP pairs and UDP sockets on ::1")
	flag.StringVar(&mix, "mix", "tcp=0.6,udp=0.2,unix=0.1,file=0.1", "fd mix per process")
	flag.Float64Var(&c.maxTime, "max-time", 900, "stop after this many seconds")
	flag.StringVar(&c.manifest, "manifest", "", "write the listeners here")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed")
	flag.Parse()
	var err error
	if c.mix, err = parseMix(mix); err != nil {
		fail(err)
	}
	// Pdeathsig fires when the thread that started a child exits; keep the
	// one main runs on for the whole life of the program.
	runtime.LockOSThread()
	if err := run(c); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

func parseMix(s string) (map[string]float64, error) {
	m := map[string]float64{}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || f < 0 {
			return nil, fmt.Errorf("bad -mix element %q", part)
		}
		m[strings.TrimSpace(k)] = f
	}
	return m, nil
}

func run(c config) error {
	start := time.Now()
	// Raise the soft fd limit as far as the hard one allows; the parent
	// holds the listeners plus one child's fds at a time.
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	if need := uint64(c.fds + c.listeners + 64); lim.Max != 0 && need > lim.Max {
		return fmt.Errorf("need %d fds in one process, hard limit is %d", need, lim.Max)
	}
	rng := rand.New(rand.NewPCG(c.seed, 0x5ca1ab1e))
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return fmt.Errorf("need sleep(1) for the child processes: %w", err)
	}
	lns, err := makeListeners(c.listeners, rng)
	if err != nil {
		return err
	}
	owners := assign(c, len(lns), rng)

	var children []*exec.Cmd
	stop := func() {
		for _, ch := range children {
			_ = ch.Process.Kill()
		}
		for _, ch := range children {
			_, _ = ch.Process.Wait()
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	file, err := os.Executable()
	if err != nil {
		file = "/proc/self/exe"
	}
	fdsTotal := 0
	childSeconds := strconv.Itoa(int(c.maxTime) + 10)
	for i := 0; i < c.procs; i++ {
		select {
		case <-sigs:
			stop()
			return nil
		default:
		}
		fds, err := childFDs(c, i, file)
		if err != nil {
			stop()
			return fmt.Errorf("child %d: %w", i, err)
		}
		files := make([]*os.File, len(fds), len(fds)+len(owners[i]))
		for k, fd := range fds {
			files[k] = os.NewFile(uintptr(fd), "fd")
		}
		for _, li := range owners[i] {
			files = append(files, lns[li].f)
		}
		cmd := exec.Command(sleep, childSeconds)
		cmd.ExtraFiles = files
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
		if err := cmd.Start(); err != nil {
			stop()
			return fmt.Errorf("start child %d: %w", i, err)
		}
		children = append(children, cmd)
		fdsTotal += len(files)
		// The child has its copies now. Listeners still owed to a later
		// child stay open here.
		for _, f := range files[:len(fds)] {
			f.Close()
		}
		for _, li := range owners[i] {
			lns[li].pids = append(lns[li].pids, cmd.Process.Pid)
			if last(owners, li) == i {
				lns[li].f.Close()
			}
		}
	}
	if c.manifest != "" {
		if err := writeManifest(c.manifest, lns); err != nil {
			stop()
			return err
		}
	}
	info := map[string]any{
		"pid": os.Getpid(), "P": c.procs, "F": c.fds, "L": len(lns), "shared": c.shared,
		"fds_total": fdsTotal, "setup_s": time.Since(start).Round(10 * time.Millisecond).Seconds(),
		"first_child_pid": children[0].Process.Pid, "last_child_pid": children[len(children)-1].Process.Pid,
	}
	b, _ := json.Marshal(info)
	fmt.Printf("READY %s\n", b)
	select {
	case <-sigs:
	case <-time.After(time.Duration(c.maxTime * float64(time.Second))):
	}
	stop()
	return nil
}

// last returns the index of the last child that gets listener li.
func last(owners [][]int, li int) int {
	for i := len(owners) - 1; i >= 0; i-- {
		for _, x := range owners[i] {
			if x == li {
				return i
			}
		}
	}
	return -1
}

// assign maps child index -> listener indexes.
func assign(c config, n int, rng *rand.Rand) [][]int {
	owners := make([][]int, c.procs)
	for li := 0; li < n; li++ {
		first := rng.IntN(c.procs)
		k := 1
		if li < c.shared {
			k = min(4, c.procs)
		}
		for j := 0; j < k; j++ {
			ci := (first + j) % c.procs
			owners[ci] = append(owners[ci], li)
		}
	}
	return owners
}

func makeListeners(n int, rng *rand.Rand) ([]listener, error) {
	var out []listener
	used := map[string]bool{}
	lowOK := os.Geteuid() == 0
	for tries := 0; len(out) < n; tries++ {
		if tries > 50*n+1000 {
			return nil, fmt.Errorf("could not bind %d listeners", n)
		}
		proto := "tcp"
		if rng.Float64() >= 0.6 {
			proto = "udp"
		}
		var addr netip.Addr
		switch {
		case rng.Float64() < 0.3:
			addr = netip.IPv6Loopback()
		case rng.Float64() < 0.5:
			addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		default:
			addr = netip.AddrFrom4([4]byte{127, 0, 1, byte(1 + rng.IntN(254))})
		}
		port := uint16(1024 + rng.IntN(32767-1024))
		if lowOK && len(out) < n/10 {
			port = uint16(1 + rng.IntN(1023))
		}
		key := fmt.Sprint(proto, addr, port)
		if used[key] {
			continue
		}
		fd, err := bindListener(proto, addr, port)
		if err != nil {
			continue // taken by someone else: try another
		}
		used[key] = true
		out = append(out, listener{f: os.NewFile(uintptr(fd), proto), proto: proto, addr: addr, port: port})
	}
	return out, nil
}

func sockaddr(a netip.Addr, port uint16) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Addr: a.As4(), Port: int(port)}
	}
	return &unix.SockaddrInet6{Addr: a.As16(), Port: int(port)}
}

func family(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

func bindListener(proto string, a netip.Addr, port uint16) (int, error) {
	typ := unix.SOCK_STREAM
	if proto == "udp" {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(family(a), typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Bind(fd, sockaddr(a, port)); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if proto == "tcp" {
		if err := unix.Listen(fd, 16); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	return fd, nil
}

// childFDs opens the fds child i will hold.
func childFDs(c config, i int, file string) ([]int, error) {
	ntcp := int(float64(c.fds)*c.mix["tcp"]+0.5) &^ 1
	nunix := int(float64(c.fds)*c.mix["unix"]+0.5) &^ 1
	nfile := int(float64(c.fds)*c.mix["file"] + 0.5)
	nudp := max(0, c.fds-ntcp-nunix-nfile)
	var fds []int
	fail := func(err error) ([]int, error) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, err
	}
	pairs := ntcp / 2
	n6 := int(float64(pairs)*c.v6 + 0.5)
	for _, g := range []struct {
		addr netip.Addr
		n    int
	}{{netip.AddrFrom4([4]byte{127, 0, 0, 1}), pairs - n6}, {netip.IPv6Loopback(), n6}} {
		if g.n == 0 {
			continue
		}
		got, err := tcpPairs(g.addr, g.n)
		fds = append(fds, got...)
		if err != nil {
			return fail(err)
		}
	}
	u6 := int(float64(nudp)*c.v6 + 0.5)
	src4 := netip.AddrFrom4([4]byte{127, 10, byte(i / 250), byte(i%250 + 1)})
	for k := 0; k < nudp; k++ {
		local, remote := src4, netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if k < u6 {
			local, remote = netip.IPv6Loopback(), netip.IPv6Loopback()
		}
		fd, err := unix.Socket(family(local), unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fail(err)
		}
		fds = append(fds, fd)
		if err := unix.Bind(fd, sockaddr(local, 0)); err != nil {
			return fail(err)
		}
		if err := unix.Connect(fd, sockaddr(remote, 9)); err != nil {
			return fail(err)
		}
	}
	for k := 0; k < nunix/2; k++ {
		p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fail(err)
		}
		fds = append(fds, p[0], p[1])
	}
	for k := 0; k < nfile; k++ {
		fd, err := unix.Open(file, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail(err)
		}
		fds = append(fds, fd)
	}
	return fds, nil
}

// tcpPairs returns n connected loopback pairs, both ends. The acceptor is
// closed again so it adds no listener.
func tcpPairs(a netip.Addr, n int) ([]int, error) {
	acc, err := unix.Socket(family(a), unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(acc)
	if err := unix.Bind(acc, sockaddr(a, 0)); err != nil {
		return nil, err
	}
	if err := unix.Listen(acc, n+8); err != nil {
		return nil, err
	}
	sa, err := unix.Getsockname(acc)
	if err != nil {
		return nil, err
	}
	linger := &unix.Linger{Onoff: 1, Linger: 0}
	var fds []int
	for k := 0; k < n; k++ {
		c, err := unix.Socket(family(a), unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fds, err
		}
		fds = append(fds, c)
		_ = unix.SetsockoptLinger(c, unix.SOL_SOCKET, unix.SO_LINGER, linger)
		if err := unix.Connect(c, sa); err != nil {
			return fds, err
		}
	}
	for k := 0; k < n; k++ {
		s, _, err := unix.Accept4(acc, unix.SOCK_CLOEXEC)
		if err != nil {
			return fds, err
		}
		fds = append(fds, s)
		_ = unix.SetsockoptLinger(s, unix.SOL_SOCKET, unix.SO_LINGER, linger)
	}
	return fds, nil
}

func writeManifest(path string, lns []listener) error {
	var b strings.Builder
	for _, l := range lns {
		pids := make([]string, len(l.pids))
		for i, p := range l.pids {
			pids[i] = strconv.Itoa(p)
		}
		fmt.Fprintf(&b, "%s %s %d %s\n", l.proto, l.addr, l.port, strings.Join(pids, ","))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
