package scan

// Benchmarks of issue 8's budgets: 20 network namespaces made by the
// benchmark, 2 listeners each (TCP and UDP on 0.0.0.0:80), plus whatever
// else this host runs (its own namespaces and containers count too).
// `go test -run '^$' -bench BenchmarkNetNS ./internal/scan/` as root.

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const benchNamespaces = 20

// nsTwoHelper listens on TCP and UDP 0.0.0.0:80, prints its PID and holds
// them until stdin closes.
func nsTwoHelper() int {
	ln, err := net.Listen("tcp4", "0.0.0.0:"+strconv.Itoa(nsPort))
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp4", "0.0.0.0:"+strconv.Itoa(nsPort))
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	defer pc.Close()
	fmt.Println(os.Getpid())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// benchNetNS starts benchNamespaces helpers, each in a network namespace
// of its own, stopped when the benchmark ends.
func benchNetNS(b *testing.B) []int {
	b.Helper()
	if os.Geteuid() != 0 {
		b.Skip("needs root to create network namespaces")
	}
	var pids []int
	for range benchNamespaces {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=nstwo", quickExit())
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Cloneflags: syscall.CLONE_NEWNET}
		h, err := start(cmd)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(h.stop)
		if line, err := h.out.ReadString('\n'); err != nil || strings.TrimSpace(line) != strconv.Itoa(h.pid()) {
			b.Fatalf("namespace helper %d: %q %v", h.pid(), line, err)
		}
		pids = append(pids, h.pid())
	}
	return pids
}

// BenchmarkNetNSCold is `portui listeners` on a host with namespaces: a
// new scanner, every listener of every namespace with its processes.
// Budget: half of BenchmarkNetNSSSLoop.
func BenchmarkNetNSCold(b *testing.B) {
	benchNetNS(b)
	m := meter(b)
	var sn Snapshot
	for b.Loop() {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		sn = mustSnap(b, s, Filter{})
		s.Close()
	}
	m.done()
	b.ReportMetric(float64(len(sn.NetNS)), "netns")
	b.ReportMetric(float64(len(sn.Listeners)), "listeners")
}

// BenchmarkNetNSBlock is the explorer's steady poll of one block (ports
// 0-1023, which holds every namespace's listeners) across all namespaces.
// Budget: 5 ms CPU.
func BenchmarkNetNSBlock(b *testing.B) {
	benchNetNS(b)
	ls, err := newLinux(Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := newSerial(ls.snapshot, ls.close)
	defer s.Close()
	f := Filter{Lo: 0, Hi: 1023}
	mustSnap(b, s, Filter{})
	before := ls.ns.stats.Dumps
	sn := pollLoop(b, s, f)
	b.ReportMetric(float64(ls.ns.stats.Dumps-before)/float64(b.N), "ns-dumps/op")
	b.ReportMetric(float64(len(sn.NetNS)), "netns")
	b.ReportMetric(float64(len(sn.Listeners)), "listeners")
}

// BenchmarkNetNSSSLoop runs `ss -tulnp` once in the host's namespace and
// once in each of the benchmark's (nsenter --net=/proc/PID/ns/net), for
// comparison; the scanner's figures also cover any other namespaces of
// the host (its netns metric says how many).
func BenchmarkNetNSSSLoop(b *testing.B) {
	pids := benchNetNS(b)
	ss, err1 := exec.LookPath("ss")
	nsenter, err2 := exec.LookPath("nsenter")
	if err1 != nil || err2 != nil {
		b.Skip("ss and nsenter are needed")
	}
	cmds := [][]string{{ss, "-tulnp"}}
	for _, pid := range pids {
		cmds = append(cmds, []string{nsenter, "--net=/proc/" + strconv.Itoa(pid) + "/ns/net", ss, "-tulnp"})
	}
	var cpu time.Duration
	for b.Loop() {
		for _, c := range cmds {
			cmd := exec.CommandContext(context.Background(), c[0], c[1:]...)
			if err := cmd.Run(); err != nil {
				b.Fatalf("%v: %v", c, err)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			cpu += time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
		}
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(cmds)), "netns")
}

// BenchmarkNetNSBlockHostOnly is BenchmarkNetNSBlock with Options.HostOnly,
// so the difference is what the other namespaces cost.
func BenchmarkNetNSBlockHostOnly(b *testing.B) {
	benchNetNS(b)
	s, err := New(Options{HostOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := Filter{Lo: 0, Hi: 1023}
	mustSnap(b, s, Filter{})
	sn := pollLoop(b, s, f)
	b.ReportMetric(float64(len(sn.Listeners)), "listeners")
}
