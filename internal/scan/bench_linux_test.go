package scan

// Benchmarks of the budgets in the design issue. Each reports cpu-ms/op,
// the CPU time (user+system, all threads, from getrusage) per snapshot,
// which is what a poll costs a busy host; ns/op is wall time.
//
// By default they measure this host as it is, with one listener of their
// own. bench/run.sh starts a load generator first and sets
// PORTUI_BENCH_PORT to one of its listeners.

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func cpuTime() time.Duration {
	var ru unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter reports CPU per op for the b.Loop it wraps: start it just
// before the loop, call done after it (b.N is then the iterations run).
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

func meter(b *testing.B) *cpuMeter { return &cpuMeter{b: b, start: cpuTime()} }

func (m *cpuMeter) done() {
	if m.b.N == 0 {
		return
	}
	per := cpuTime() - m.start
	m.b.ReportMetric(float64(per.Microseconds())/1000/float64(m.b.N), "cpu-ms/op")
}

// pollLoop is the timed loop of the warm benchmarks: s polled with f again
// and again, reporting cpu-ms/op. It returns the last snapshot. (b.Loop
// resets the timer itself, so setup before it is not timed.)
func pollLoop(b *testing.B, s Scanner, f Filter) Snapshot {
	var sn Snapshot
	m := meter(b)
	for b.Loop() {
		sn = mustSnap(b, s, f)
	}
	m.done()
	return sn
}

// benchPort is the port the one-port benchmark polls.
func benchPort(b *testing.B) uint16 {
	if p, err := strconv.Atoi(os.Getenv("PORTUI_BENCH_PORT")); err == nil && p > 0 && p < 65536 {
		return uint16(p)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

func mustSnap(b *testing.B, s Scanner, f Filter) Snapshot {
	sn, err := s.Snapshot(context.Background(), f)
	if err != nil {
		b.Fatal(err)
	}
	return sn
}

// BenchmarkSnapshotPort is the TUI's steady state: one port polled again
// and again by a scanner that has taken its census. Budget: 5 ms CPU per
// poll on the 2,081-process host.
func BenchmarkSnapshotPort(b *testing.B) {
	port := benchPort(b)
	ls, err := newLinux(Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := newSerial(ls.snapshot, ls.close)
	defer s.Close()
	f := Filter{Lo: port, Hi: port}
	sn := mustSnap(b, s, f)
	if len(sn.Listeners) == 0 {
		b.Fatalf("nothing listens on port %d", port)
	}
	var udp0, ns0 int
	if ls.udp != nil {
		udp0 = ls.udp.stats.Dumps
	}
	if ls.ns != nil {
		ns0 = ls.ns.stats.Dumps
	}
	pollLoop(b, s, f)
	b.ReportMetric(float64(len(sn.Listeners)), "listeners")
	// What the poll asked the kernel for beyond the port's TCP dump: the
	// host's whole UDP table (hostudp_linux.go) and other namespaces'
	// tables, per poll. They explain a poll that costs more than the
	// TCP dump should.
	if ls.udp != nil {
		b.ReportMetric(float64(ls.udp.stats.Dumps-udp0)/float64(b.N), "udp-dumps/op")
	}
	if ls.ns != nil {
		b.ReportMetric(float64(ls.ns.stats.Dumps-ns0)/float64(b.N), "ns-dumps/op")
	}
}

// BenchmarkSnapshotColdAll is `portui listeners`: a new scanner, every
// listener with its processes. Budget: half of `ss -tulnp`.
func BenchmarkSnapshotColdAll(b *testing.B) {
	m := meter(b)
	n := 0
	for b.Loop() {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(mustSnap(b, s, Filter{}).Listeners)
		s.Close()
	}
	m.done()
	b.ReportMetric(float64(n), "listeners")
}

// BenchmarkSnapshotWarmAll polls every listener with a warm cache.
func BenchmarkSnapshotWarmAll(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	mustSnap(b, s, Filter{})
	n := len(pollLoop(b, s, Filter{}).Listeners)
	b.ReportMetric(float64(n), "listeners")
}

// BenchmarkNetstat is the go-netstat backend (four table reads, each with
// a walk of every process's fds), for comparison.
func BenchmarkNetstat(b *testing.B) {
	s, err := NewNetstat(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	n := len(pollLoop(b, s, Filter{}).Listeners)
	b.ReportMetric(float64(n), "listeners")
}

// BenchmarkSS runs `ss -tulnp` and reports its CPU time, so the budgets can
// be read off the same run.
func BenchmarkSS(b *testing.B) {
	path, err := exec.LookPath("ss")
	if err != nil {
		b.Skip("ss (iproute2) not installed")
	}
	var cpu time.Duration
	for b.Loop() {
		cmd := exec.Command(path, "-tulnp")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu += time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// TestSoak polls one port PORTUI_SOAK_POLLS times (bench/run.sh uses
// 10,000) on the current host and checks that neither the cache nor the
// heap grows after the first tenth. Skipped unless the variable is set.
func TestSoak(t *testing.T) {
	polls, err := strconv.Atoi(os.Getenv("PORTUI_SOAK_POLLS"))
	if err != nil || polls < 10 {
		t.Skip("set PORTUI_SOAK_POLLS to run")
	}
	var port uint16
	if p, err := strconv.Atoi(os.Getenv("PORTUI_BENCH_PORT")); err == nil {
		port = uint16(p)
	} else {
		port = listenTCP(t, "tcp4", "127.0.0.1:0").port
	}
	s, err := newLinux(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	f := Filter{Lo: port, Hi: port}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	var heap1, entries1 uint64
	maxEntries := 0
	c0 := cpuTime()
	for i := 1; i <= polls; i++ {
		if _, err := s.snapshot(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		e, _, _ := s.owners.size()
		maxEntries = max(maxEntries, e)
		if i == polls/10 {
			heap1, entries1 = heap(), uint64(e)
		}
	}
	heap2 := heap()
	e, y, m := s.owners.size()
	t.Logf("SOAK polls=%d cpu-ms/poll=%.3f heap@%d=%.2fMiB heap@%d=%.2fMiB cache@%d=%d cache@%d=%d max=%d young=%d meta=%d",
		polls, float64((cpuTime()-c0).Microseconds())/1000/float64(polls),
		polls/10, float64(heap1)/(1<<20), polls, float64(heap2)/(1<<20), polls/10, entries1, polls, e, maxEntries, y, m)
	if heap2 > heap1+(2<<20) {
		t.Errorf("heap grew from %d to %d bytes", heap1, heap2)
	}
}

// The explorer's polls on a host with many listeners (issue 7, S9): the
// 1,024-port block on screen every interval, the whole machine every 5th.
// manyHost opens PORTUI_BENCH_MANY (default 60,000) TCP listeners on
// 127.0.0.1, ports 1024 upwards, in a network namespace of this process's
// own, so the machine's ports stay free for everyone else; the scanners
// below are made in that namespace. The listeners are held by helper
// processes of manyPerProc each (RLIMIT_NOFILE may not be raised here:
// without CAP_SYS_RESOURCE a process stays below the hard limit), which
// enter the namespace themselves. It is built once per test binary and
// stopped by TestMain (the setup takes seconds).
var manyHost struct {
	sync.Once
	ns      *os.File
	helpers []*helper
	n       int
	err     error
}

const (
	manyLo      = 1024
	manyPerProc = 15000
)

func manyListeners(b *testing.B) (ns *os.File, n int) {
	manyHost.Do(func() { manyHost.err = startManyHost() })
	if manyHost.err != nil {
		b.Skipf("cannot open the listeners (needs root for a network namespace): %v", manyHost.err)
	}
	return manyHost.ns, manyHost.n
}

func startManyHost() error {
	n := 60000
	if v, err := strconv.Atoi(os.Getenv("PORTUI_BENCH_MANY")); err == nil && v > 0 && v <= 65535-manyLo {
		n = v
	}
	ns, err := newPrivateNetNS()
	if err != nil {
		return err
	}
	manyHost.ns = ns
	for lo := manyLo; lo < manyLo+n; lo += manyPerProc {
		k := min(manyPerProc, manyLo+n-lo)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=many", quickExit(),
			"PORTUI_MANY_LO="+strconv.Itoa(lo), "PORTUI_MANY_N="+strconv.Itoa(k))
		cmd.ExtraFiles = []*os.File{ns}
		h, err := start(cmd)
		if err != nil {
			return err
		}
		manyHost.helpers = append(manyHost.helpers, h)
		line, err := h.out.ReadString('\n')
		if strings.TrimSpace(line) != "ready" {
			return fmt.Errorf("listener helper %d (ports %d-%d): %q %w", cmd.Process.Pid, lo, lo+k-1, line, err)
		}
		manyHost.n += k
	}
	return nil
}

// stopManyHost ends the helpers (closing stdin; killed by PID if they do
// not go) and releases the namespace.
func stopManyHost() {
	for _, h := range manyHost.helpers {
		h.stop()
	}
	manyHost.helpers = nil
	if manyHost.ns != nil {
		manyHost.ns.Close()
	}
}

// manyHelper is the "many" helper: it enters the namespace passed as fd 3,
// opens its listeners, says "ready" and holds them until stdin closes.
func manyHelper() int {
	lo, err1 := strconv.Atoi(os.Getenv("PORTUI_MANY_LO"))
	n, err2 := strconv.Atoi(os.Getenv("PORTUI_MANY_N"))
	if err1 != nil || err2 != nil {
		fmt.Println("ERR bad PORTUI_MANY_LO/N")
		return 2
	}
	ns := os.NewFile(3, "netns")
	var fds []int
	if err := inNetNS(ns, func() error {
		var err error
		fds, err = rawListeners(lo, n)
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

// newManyScanner makes a scanner whose netlink socket is in ns.
func newManyScanner(b *testing.B, ns *os.File) Scanner {
	var s Scanner
	if err := inNetNS(ns, func() error {
		var err error
		// Its own namespace only: the rest of the host is another one.
		s, err = New(Options{Source: "netlink", HostOnly: true})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchMany measures snapshots with filter f against manyHost: cold is a
// new scanner per snapshot (census included), warm a scanner that has
// polled f and, like the explorer, the whole machine before.
func benchMany(b *testing.B, f Filter, cold bool) {
	ns, n := manyListeners(b)
	b.ReportAllocs()
	got := 0
	if cold {
		m := meter(b)
		for b.Loop() {
			s := newManyScanner(b, ns)
			got = len(mustSnap(b, s, f).Listeners)
			s.Close()
		}
		m.done()
	} else {
		s := newManyScanner(b, ns)
		defer s.Close()
		mustSnap(b, s, Filter{})
		mustSnap(b, s, f)
		got = len(pollLoop(b, s, f).Listeners)
	}
	b.ReportMetric(float64(got), "listeners")
	if f.All() && got < n {
		b.Fatalf("full snapshot has %d listeners, want at least %d", got, n)
	}
}

func BenchmarkManyFullCold(b *testing.B)  { benchMany(b, Filter{}, true) }
func BenchmarkManyFullWarm(b *testing.B)  { benchMany(b, Filter{}, false) }
func BenchmarkManyBlockCold(b *testing.B) { benchMany(b, Filter{Lo: 1024, Hi: 2047}, true) }
func BenchmarkManyBlockWarm(b *testing.B) { benchMany(b, Filter{Lo: 1024, Hi: 2047}, false) }
func BenchmarkManyLowCold(b *testing.B)   { benchMany(b, Filter{Lo: 0, Hi: 1023}, true) }
func BenchmarkManyLowWarm(b *testing.B)   { benchMany(b, Filter{Lo: 0, Hi: 1023}, false) }

// BenchmarkManySS is `ss -tlnp` in manyHost's namespace (via nsenter), the
// side-by-side figure for BenchmarkManyFullCold (issue 12: at 10,000
// listeners a cold full snapshot costs at most what ss -tlnp does).
func BenchmarkManySS(b *testing.B) {
	ns, _ := manyListeners(b)
	ssPath, err := exec.LookPath("ss")
	if err != nil {
		b.Skip("ss (iproute2) not installed")
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		b.Skip("nsenter (util-linux) not installed")
	}
	var cpu time.Duration
	for b.Loop() {
		cmd := exec.Command(nsenter, "--net=/proc/self/fd/3", ssPath, "-tlnp")
		cmd.ExtraFiles = []*os.File{ns}
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu += time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
