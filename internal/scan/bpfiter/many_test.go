//go:build linux

package bpfiter

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// TestHoldersManyInOneTask: one process holding more sockets than one
// task's records fit in the iterator's buffer (1,024 per pass) gets every
// one of them reported exactly once, through resumed passes, on both
// walks; and the next pass is a full one again. Before the resume record,
// such a process (bench/manylisteners, a server with 10,000 listeners)
// failed the whole read with E2BIG.
func TestHoldersManyInOneTask(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const n = 3000
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < 2*n {
		raised := lim
		raised.Cur = min(lim.Max, 4*n)
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &raised); err != nil {
			t.Skipf("RLIMIT_NOFILE %d: %v", lim.Cur, err)
		}
		t.Cleanup(func() { _ = unix.Setrlimit(unix.RLIMIT_NOFILE, &lim) })
	}
	want := map[uint64]int{} // inode → fd
	var inodes []uint64
	for i := 0; i < n; i++ {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		want[st.Ino] = fd
		inodes = append(inodes, st.Ino)
		if i%700 == 0 {
			// A gap in the fd table: resume points need not be dense.
			gap, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Close(gap) })
		}
	}
	for _, taskFile := range []bool{false, true} {
		forceTaskFile = taskFile
		it, err := Open(0)
		forceTaskFile = false
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		seen := map[uint64]int{}
		err = it.Holders(context.Background(), inodes, func(h Holder) {
			if h.PID != os.Getpid() {
				t.Errorf("%s: holder %+v: not this process", it.Walk(), h)
			}
			if fd, ok := want[h.Inode]; !ok || fd != h.FD {
				t.Errorf("%s: holder %+v: want fd %d", it.Walk(), h, fd)
			}
			seen[h.Inode]++
		})
		if err != nil {
			it.Close()
			t.Fatalf("%s: Holders: %v", it.Walk(), err)
		}
		for ino, fd := range want {
			if seen[ino] != 1 {
				t.Errorf("%s: socket %d (fd %d) reported %d times, want once", it.Walk(), ino, fd, seen[ino])
			}
		}
		// The next pass is a full pass again: a listener of ours
		// outside the big set is found.
		ln, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		var st unix.Stat_t
		_ = unix.Fstat(ln, &st)
		got := 0
		if err := it.Holders(context.Background(), []uint64{st.Ino}, func(h Holder) { got++ }); err != nil {
			t.Errorf("%s: second pass: %v", it.Walk(), err)
		}
		syscall.Close(ln)
		if got != 1 {
			t.Errorf("%s: second pass found %d holders of a fresh socket, want 1", it.Walk(), got)
		}
		t.Logf("%s: %d sockets in one process, each reported once", it.Walk(), len(seen))
		it.Close()
	}
}

// TestVerifierAccepts: this kernel's verifier accepts every program of
// both walks, and the fd-table walk stays small: its per-byte work is a
// bpf_loop callback, verified once (1,302 instructions with the resume
// record; the unrolled walk before took 7,719 and a load five times as
// long, counters on the stack 10,351).
func TestVerifierAccepts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for _, taskFile := range []bool{false, true} {
		forceTaskFile = taskFile
		it, err := Open(0)
		forceTaskFile = false
		if err != nil {
			t.Fatalf("Open (task_file %v): %v", taskFile, err)
		}
		walk := it.objs.Tasks
		if it.Walk() == "task_file" {
			walk = it.objs.Holders
		}
		if !taskFile && it.Walk() != "task" {
			// Kernels before 6.2 have no bpf_loop/bpf_rdonly_cast; this
			// one has, so the walk was refused by the verifier.
			t.Errorf("Open loaded the %s walk, want task (the fd-table walk did not load)", it.Walk())
		}
		for name, p := range map[string]*ebpf.Program{it.Walk(): walk, "netns": it.objs.Netns} {
			info, err := p.Info()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			n, ok := info.VerifiedInstructions()
			if !ok {
				t.Logf("%s: this kernel does not report verified instructions", name)
				continue
			}
			t.Logf("%s: %d instructions verified", name, n)
			if n == 0 || n > 4096 {
				t.Errorf("%s: %d instructions verified, want 1..4096", name, n)
			}
		}
		it.Close()
	}
}
