//go:build linux

package bpfiter

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func sockInode(t *testing.T, c syscall.Conn) uint64 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return st.Ino
}

func TestHoldersOwnSocket(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	it, err := Open(0)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer it.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ino := sockInode(t, ln.(*net.TCPListener))
	var got []Holder
	if err := it.Holders(context.Background(), []uint64{ino}, func(h Holder) { got = append(got, h) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", got)
	if len(got) != 1 || got[0].PID != os.Getpid() || got[0].Inode != ino {
		t.Fatalf("holders of %d = %+v, want one with pid %d", ino, got, os.Getpid())
	}
}

// listenerInodes reads the inodes of the host's TCP listeners and UDP
// sockets from /proc/net (the pass's usual question).
func listenerInodes(tb testing.TB) []uint64 {
	tb.Helper()
	var out []uint64
	for _, f := range []string{"tcp", "tcp6", "udp", "udp6"} {
		b, err := os.ReadFile("/proc/net/" + f)
		if err != nil {
			tb.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			fs := strings.Fields(line)
			if i == 0 || len(fs) < 10 {
				continue
			}
			if strings.HasPrefix(f, "tcp") && fs[3] != "0A" {
				continue
			}
			if strings.HasPrefix(f, "udp") && fs[3] != "07" {
				continue
			}
			if ino, err := strconv.ParseUint(fs[9], 10, 64); err == nil && ino != 0 {
				out = append(out, ino)
			}
		}
	}
	return out
}

// BenchmarkOpen is the cost of loading and attaching the iterator: once
// per scanner (kernel BTF is parsed for CO-RE, then the verifier runs).
func BenchmarkOpen(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	for b.Loop() {
		it, err := Open(0)
		if err != nil {
			b.Fatal(err)
		}
		it.Close()
	}
}

// BenchmarkPass is one pass for the host's listeners: on the loadgen host
// (bench/run.sh), the kernel's walk of every open fd.
func BenchmarkPass(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	it, err := Open(0)
	if err != nil {
		b.Fatal(err)
	}
	defer it.Close()
	want := listenerInodes(b)
	n := 0
	for b.Loop() {
		n = 0
		if err := it.Holders(context.Background(), want, func(Holder) { n++ }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(want)), "sockets")
	b.ReportMetric(float64(n), "holders")
}
