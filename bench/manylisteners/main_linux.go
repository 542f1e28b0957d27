//go:build linux

// Command manylisteners opens many listening sockets on one loopback
// address, for measuring what a host with tens of thousands of listeners
// costs the explorer (issue 7, S9).
//
//	manylisteners -n 60000 [-udp 0] [-range 1024-65535] [-addr 127.0.0.1] [-max-time 10m]
//
// It binds -n TCP listeners (and -udp unconnected UDP sockets) on -addr,
// port after port from the low end of -range, skipping ports already taken,
// and prints one line
//
//	READY {"pid":…,"pids":[…],"addr":"127.0.0.1","tcp":60000,"udp":0,"tcp_ports":[[1024,61023]],"udp_ports":[]}
//
// where pids are the processes holding the sockets and the port lists are
// inclusive ranges. A process may not hold more fds than its hard
// RLIMIT_NOFILE (raising it needs CAP_SYS_RESOURCE), so beyond -per-proc
// sockets (default: what the limit allows, at most 16,384) the sockets are
// spread over worker processes, this program run again. It stops on
// SIGTERM or SIGINT or after -max-time: workers are stopped by PID (and die
// with it, PR_SET_PDEATHSIG, or when their stdin closes).
//
// Sixty thousand listeners on the machine's own 127.0.0.1 take most ports,
// the ephemeral ones included, away from everyone else: run it in a network
// namespace of its own (bench/explorer.sh does).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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

type config struct {
	tcp, udp int
	lo, hi   int
	addr     netip.Addr
	maxTime  time.Duration
	perProc  int
	worker   bool
	start    string // worker: "TCP,UDP", the first ports to try
}

// holding is what one process holds; the parent prints the union.
type holding struct {
	PID      int      `json:"pid"`
	PIDs     []int    `json:"pids"`
	Addr     string   `json:"addr"`
	TCP      int      `json:"tcp"`
	UDP      int      `json:"udp"`
	TCPPorts [][2]int `json:"tcp_ports"`
	UDPPorts [][2]int `json:"udp_ports"`
	Next     *[2]int  `json:"next,omitempty"` // worker: first TCP and UDP port not tried
}

func main() {
	var c config
	var rng, addr string
	flag.IntVar(&c.tcp, "n", 60000, "TCP listeners")
	flag.IntVar(&c.udp, "udp", 0, "unconnected UDP sockets")
	flag.StringVar(&rng, "range", "1024-65535", "ports to use, LOW-HIGH")
	flag.StringVar(&addr, "addr", "127.0.0.1", "local address (a loopback address)")
	flag.DurationVar(&c.maxTime, "max-time", 10*time.Minute, "stop after this long")
	flag.IntVar(&c.perProc, "per-proc", 0, "sockets per process (0: as the fd limit allows, at most 16384)")
	flag.BoolVar(&c.worker, "worker", false, "internal: hold sockets for a parent")
	flag.StringVar(&c.start, "start", "", "internal: a worker's first TCP and UDP ports, TCP,UDP")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected argument %q", flag.Arg(0)))
	}
	var err error
	if c.lo, c.hi, err = parseRange(rng); err != nil {
		fail(err)
	}
	if c.addr, err = netip.ParseAddr(addr); err != nil {
		fail(fmt.Errorf("bad -addr: %w", err))
	}
	if !c.addr.IsLoopback() {
		fail(fmt.Errorf("-addr %s is not a loopback address", c.addr))
	}
	if c.tcp < 0 || c.udp < 0 || c.tcp+c.udp == 0 {
		fail(errors.New("-n and -udp must be >= 0 and not both 0"))
	}
	if c.maxTime <= 0 {
		fail(errors.New("-max-time must be positive"))
	}
	// PR_SET_PDEATHSIG fires when the thread that started a worker exits;
	// keep main on one thread for the program's life.
	runtime.LockOSThread()
	if c.worker {
		err = worker(c)
	} else {
		err = parent(c)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "manylisteners:", err)
	os.Exit(1)
}

func parseRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || lo < 1 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("bad -range %q: want LOW-HIGH within 1-65535", s)
	}
	return lo, hi, nil
}

// fdLimit returns the RLIMIT_NOFILE in effect. The Go runtime has already
// raised the soft limit to the hard one (since Go 1.19, in every program
// that imports os), so this is the hard limit wherever the kernel allows it.
func fdLimit() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 1024
	}
	return int(min(lim.Cur, 1<<30))
}

func parent(c config) error {
	per := c.perProc
	if per <= 0 {
		per = min(fdLimit()-128, 16384)
	}
	if per < 1 {
		return errors.New("the fd limit leaves no room for sockets")
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	out := holding{PID: os.Getpid(), Addr: c.addr.String(), TCPPorts: [][2]int{}, UDPPorts: [][2]int{}}

	if c.tcp+c.udp <= per {
		h, fds, err := open(c, c.lo, c.lo, c.tcp, c.udp)
		if err != nil {
			return err
		}
		defer closeAll(fds)
		h.PID, h.PIDs, h.Next = os.Getpid(), []int{os.Getpid()}, nil
		return ready(h, c.maxTime, stop)
	}

	var workers []*exec.Cmd
	var stdins []io.Closer
	defer func() { stopWorkers(workers, stdins) }()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	nextTCP, nextUDP := c.lo, c.lo
	for tcp, udp := c.tcp, c.udp; tcp+udp > 0; {
		kt := min(tcp, per)
		ku := min(udp, per-kt)
		cmd := exec.Command(self, "-worker", "-n", strconv.Itoa(kt), "-udp", strconv.Itoa(ku),
			"-range", fmt.Sprintf("%d-%d", c.lo, c.hi), "-addr", c.addr.String(),
			"-max-time", (c.maxTime + 10*time.Second).String(),
			"-start", fmt.Sprintf("%d,%d", nextTCP, nextUDP))
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		in, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		workers, stdins = append(workers, cmd), append(stdins, in)
		line, err := bufio.NewReader(pipe).ReadString('\n')
		var h holding
		if err != nil || json.Unmarshal([]byte(line), &h) != nil {
			return fmt.Errorf("worker %d did not report (%w): %q", cmd.Process.Pid, err, line)
		}
		out.PIDs = append(out.PIDs, h.PID)
		out.TCP += h.TCP
		out.UDP += h.UDP
		out.TCPPorts = mergeRanges(out.TCPPorts, h.TCPPorts)
		out.UDPPorts = mergeRanges(out.UDPPorts, h.UDPPorts)
		if h.Next == nil {
			return fmt.Errorf("worker %d did not say where it stopped", h.PID)
		}
		nextTCP, nextUDP = h.Next[0], h.Next[1]
		tcp, udp = tcp-kt, udp-ku
	}
	return ready(out, c.maxTime, stop)
}

// ready prints the READY line and waits for a signal or the time limit.
func ready(h holding, maxTime time.Duration, stop chan os.Signal) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := fmt.Printf("READY %s\n", b); err != nil {
		return err
	}
	select {
	case s := <-stop:
		fmt.Fprintf(os.Stderr, "manylisteners: %v: stopping\n", s)
	case <-time.After(maxTime):
		fmt.Fprintf(os.Stderr, "manylisteners: -max-time %v reached: stopping\n", maxTime)
	}
	return nil
}

func stopWorkers(workers []*exec.Cmd, stdins []io.Closer) {
	for _, in := range stdins {
		in.Close()
	}
	for _, w := range workers {
		done := make(chan struct{})
		go func() { _, _ = w.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			_ = w.Process.Kill()
			<-done
		}
	}
}

// worker opens its share starting at the ports its parent passed in
// -start ("TCP,UDP"), reports and holds them until stdin closes or the
// time runs out.
func worker(c config) error {
	var fromTCP, fromUDP int
	if _, err := fmt.Sscanf(c.start, "%d,%d", &fromTCP, &fromUDP); err != nil {
		return fmt.Errorf("worker: bad start ports: %w", err)
	}
	h, fds, err := open(c, fromTCP, fromUDP, c.tcp, c.udp)
	if err != nil {
		return err
	}
	defer closeAll(fds)
	h.PID = os.Getpid()
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := fmt.Printf("%s\n", b); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(c.maxTime):
	}
	return nil
}

// open binds tcp TCP listeners from port fromTCP and udp UDP sockets from
// fromUDP, skipping ports in use, within c's range.
func open(c config, fromTCP, fromUDP, tcp, udp int) (holding, []int, error) {
	h := holding{Addr: c.addr.String(), TCPPorts: [][2]int{}, UDPPorts: [][2]int{}}
	var fds []int
	var err error
	var next int
	fds, h.TCPPorts, next, err = bindMany(fds, c, unix.SOCK_STREAM, fromTCP, tcp)
	if err != nil {
		closeAll(fds)
		return h, nil, err
	}
	h.Next = &[2]int{next, 0}
	fds, h.UDPPorts, next, err = bindMany(fds, c, unix.SOCK_DGRAM, fromUDP, udp)
	if err != nil {
		closeAll(fds)
		return h, nil, err
	}
	h.Next[1] = next
	h.TCP, h.UDP = count(h.TCPPorts), count(h.UDPPorts)
	return h, fds, nil
}

func bindMany(fds []int, c config, typ, from, n int) ([]int, [][2]int, int, error) {
	ranges := [][2]int{}
	port := from
	for got := 0; got < n; port++ {
		if port > c.hi {
			return fds, ranges, port, fmt.Errorf("only %d of %d free ports in %d-%d", got, n, from, c.hi)
		}
		fd, err := bindOne(c.addr, typ, port)
		if errors.Is(err, unix.EADDRINUSE) {
			continue
		}
		if err != nil {
			return fds, ranges, port, err
		}
		fds = append(fds, fd)
		got++
		if k := len(ranges); k > 0 && ranges[k-1][1] == port-1 {
			ranges[k-1][1] = port
		} else {
			ranges = append(ranges, [2]int{port, port})
		}
	}
	return fds, ranges, port, nil
}

func bindOne(addr netip.Addr, typ, port int) (int, error) {
	family := unix.AF_INET
	var sa unix.Sockaddr = &unix.SockaddrInet4{Port: port, Addr: addr.As4()}
	if addr.Is6() {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: port, Addr: addr.As16()}
	}
	fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w (raise the fd limit or lower -per-proc)", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EADDRINUSE) {
			return -1, err
		}
		return -1, fmt.Errorf("bind %s: %w", netip.AddrPortFrom(addr, uint16(port)), err)
	}
	if typ == unix.SOCK_STREAM {
		if err := unix.Listen(fd, 1); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("listen %s: %w", netip.AddrPortFrom(addr, uint16(port)), err)
		}
	}
	return fd, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		_ = unix.Close(fd)
	}
}

func count(rs [][2]int) int {
	n := 0
	for _, r := range rs {
		n += r[1] - r[0] + 1
	}
	return n
}

// mergeRanges appends b to a, joining a range that continues the last one.
func mergeRanges(a, b [][2]int) [][2]int {
	for _, r := range b {
		if k := len(a); k > 0 && a[k-1][1] == r[0]-1 {
			a[k-1][1] = r[1]
			continue
		}
		a = append(a, r)
	}
	return a
}
