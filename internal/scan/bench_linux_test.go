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
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
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

// cpuMeter reports CPU per op for the loop it wraps.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
	ops   int
}

func meter(b *testing.B) *cpuMeter { return &cpuMeter{b: b, start: cpuTime()} }

func (m *cpuMeter) done() {
	if m.ops == 0 {
		return
	}
	per := cpuTime() - m.start
	m.b.ReportMetric(float64(per.Microseconds())/1000/float64(m.ops), "cpu-ms/op")
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
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := Filter{Lo: port, Hi: port}
	sn := mustSnap(b, s, f)
	if len(sn.Listeners) == 0 {
		b.Fatalf("nothing listens on port %d", port)
	}
	m := meter(b)
	b.ResetTimer()
	for b.Loop() {
		mustSnap(b, s, f)
		m.ops++
	}
	m.done()
	b.ReportMetric(float64(len(sn.Listeners)), "listeners")
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
		m.ops++
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
	n := len(mustSnap(b, s, Filter{}).Listeners)
	m := meter(b)
	b.ResetTimer()
	for b.Loop() {
		mustSnap(b, s, Filter{})
		m.ops++
	}
	m.done()
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
	m := meter(b)
	n := 0
	for b.Loop() {
		n = len(mustSnap(b, s, Filter{}).Listeners)
		m.ops++
	}
	m.done()
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
	ops := 0
	for b.Loop() {
		cmd := exec.Command(path, "-tulnp")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu += time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
		ops++
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(ops), "cpu-ms/op")
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
