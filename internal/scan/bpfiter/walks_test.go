//go:build linux

package bpfiter

// Tests of both walks (iter/task and iter/task_file) against sockets,
// processes, threads and namespaces the tests make themselves. They load
// BPF programs: root only, and skipped when the kernel cannot load them.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (loads BPF programs)")
	}
}

// openIter opens an iterator whose host namespace is host, with the walk
// forced to iter/task_file when taskFile. forceTaskFile keeps that value
// until the test ends (a grow of the wanted map reloads by it) and is
// restored in Cleanup. It skips the test when the kernel cannot load the
// programs, and checks Walk.
func openIter(t *testing.T, host uint64, taskFile bool) *Iter {
	t.Helper()
	needRoot(t)
	prev := forceTaskFile
	forceTaskFile = taskFile
	t.Cleanup(func() { forceTaskFile = prev })
	it, err := Open(host)
	var un *Unavailable
	if errors.As(err, &un) {
		t.Skipf("BPF iterator unavailable: %s", un.Reason)
	}
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = it.Close() })
	checkWalk(t, it, taskFile)
	return it
}

// checkWalk checks that it runs the walk asked for: "task_file" when
// forced, else "task" (or "task_file" on a kernel where the fd-table walk
// does not load, which is logged).
func checkWalk(t *testing.T, it *Iter, taskFile bool) {
	t.Helper()
	switch got := it.Walk(); {
	case taskFile && got == "task_file", !taskFile && got == "task":
	case !taskFile && got == "task_file":
		t.Logf("the default walk on this kernel is task_file: the iter/task fd-table walk did not load")
	default:
		t.Fatalf("Walk() = %q with forceTaskFile=%v", got, taskFile)
	}
}

// eachWalk runs fn in two subtests, "task" (the default Open) and
// "task_file" (forced).
func eachWalk(t *testing.T, host uint64, fn func(t *testing.T, it *Iter)) {
	t.Helper()
	for _, taskFile := range []bool{false, true} {
		name := "task"
		if taskFile {
			name = "task_file"
		}
		t.Run(name, func(t *testing.T) { fn(t, openIter(t, host, taskFile)) })
	}
}

// netNS is the inode of the network namespace of /proc/pid ("self" for
// this process).
func netNS(t *testing.T, pid string) uint64 {
	t.Helper()
	fi, err := os.Stat("/proc/" + pid + "/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// sock is a socket the test opened; it is closed when the test ends.
type sock struct {
	f   *os.File
	fd  int
	ino uint64
}

// newSock opens an AF_INET socket of type typ (SOCK_STREAM: a listener on
// 127.0.0.1; SOCK_DGRAM: bound to 127.0.0.1 when bind).
func newSock(t *testing.T, typ int, bind bool) sock {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	s, err := adopt(fd)
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	t.Cleanup(func() { s.f.Close() })
	if bind {
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			t.Fatalf("bind: %v", err)
		}
	}
	if typ == unix.SOCK_STREAM {
		if err := unix.Listen(fd, 8); err != nil {
			t.Fatalf("listen: %v", err)
		}
	}
	return s
}

// adopt wraps the socket fd (the caller closes s.f).
func adopt(fd int) (sock, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return sock{}, fmt.Errorf("fstat %d: %w", fd, err)
	}
	return sock{os.NewFile(uintptr(fd), "socket"), fd, st.Ino}, nil
}

// dupFD duplicates fd onto the lowest free fd (to < 0) or onto to, which
// must be free, and closes the copy when the test ends.
func dupFD(t *testing.T, fd, to int) int {
	t.Helper()
	var n int
	var err error
	if to < 0 {
		n, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	} else {
		if _, err := unix.FcntlInt(uintptr(to), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
			t.Fatalf("fd %d is already open in the test process (%v)", to, err)
		}
		n, err = to, unix.Dup3(fd, to, unix.O_CLOEXEC)
	}
	if err != nil {
		t.Fatalf("dup %d onto %d: %v", fd, to, err)
	}
	t.Cleanup(func() { unix.Close(n) })
	return n
}

// startSleep starts `sleep 30` with files as its fds 3, 4, ... and the
// clone flags given; it is killed by its PID when the test ends.
func startSleep(t *testing.T, cloneflags uintptr, files ...*os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: cloneflags, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// onOwnThread runs setup on a goroutine locked to an OS thread other than
// the main one, after unshare(flags) there, and keeps that thread as it is
// until the test ends. Then the goroutine returns still locked, so the
// runtime ends the thread, and Cleanup waits until it is gone (its fd
// table and namespaces with it). It returns the thread's id and what setup
// returned.
func onOwnThread[T any](t *testing.T, flags int, setup func() (T, error)) (int, T) {
	t.Helper()
	type result struct {
		tid int
		v   T
		err error
	}
	rc := make(chan result, 1)
	quit := make(chan struct{})
	var run func(held chan<- struct{})
	run = func(held chan<- struct{}) {
		runtime.LockOSThread()
		tid := unix.Gettid()
		if tid == unix.Getpid() {
			// The main thread must not change (and a locked goroutine
			// that returns does not end it). Held locked here, it cannot
			// run the next goroutine, which gets another thread.
			h := make(chan struct{})
			go run(h)
			<-h
			runtime.UnlockOSThread()
			return
		}
		if held != nil {
			close(held)
		}
		// Never unlocked from here: the thread dies with the goroutine.
		if err := unix.Unshare(flags); err != nil {
			rc <- result{tid: tid, err: fmt.Errorf("unshare(%#x): %w", flags, err)}
			return
		}
		v, err := setup()
		rc <- result{tid, v, err}
		<-quit
	}
	go run(nil)
	r := <-rc
	t.Cleanup(func() {
		close(quit)
		waitThreadGone(t, r.tid)
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.tid, r.v
}

// waitThreadGone waits until thread tid of this process has exited and
// been reaped (its files and namespaces released).
func waitThreadGone(t *testing.T, tid int) {
	t.Helper()
	path := fmt.Sprintf("/proc/self/task/%d", tid)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("thread %d still there 10 s after its goroutine returned", tid)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// holdersOf runs one pass for want and returns the holders, sorted.
func holdersOf(t *testing.T, it *Iter, want []uint64) []Holder {
	t.Helper()
	var got []Holder
	if err := it.Holders(context.Background(), want, func(h Holder) { got = append(got, h) }); err != nil {
		hint := ""
		if errors.Is(err, unix.E2BIG) {
			hint = " (one task's records overflowed the iterator's 32 KiB seq_file buffer: the resume record, TestHoldersManyInOneTask)"
		}
		t.Fatalf("Holders (%s walk, %d sockets wanted): %v%s", it.Walk(), len(want), err, hint)
	}
	sortHolders(got)
	return got
}

func sortHolders(hs []Holder) {
	slices.SortFunc(hs, func(a, b Holder) int {
		return cmp.Or(cmp.Compare(a.Inode, b.Inode), cmp.Compare(a.PID, b.PID),
			cmp.Compare(a.FD, b.FD), cmp.Compare(a.NetNS, b.NetNS))
	})
}

// only keeps the holders of the inodes in inos.
func only(hs []Holder, inos map[uint64]bool) []Holder {
	var out []Holder
	for _, h := range hs {
		if inos[h.Inode] {
			out = append(out, h)
		}
	}
	return out
}

// diffHolders describes how the multisets got and want differ ("" when
// they are the same).
func diffHolders(got, want []Holder) string {
	count := make(map[Holder]int)
	for _, h := range got {
		count[h]++
	}
	for _, h := range want {
		count[h]--
	}
	var extra, missing []string
	for h, n := range count {
		for ; n > 0; n-- {
			extra = append(extra, fmt.Sprintf("%+v", h))
		}
		for ; n < 0; n++ {
			missing = append(missing, fmt.Sprintf("%+v", h))
		}
	}
	if len(extra) == 0 && len(missing) == 0 {
		return ""
	}
	slices.Sort(extra)
	slices.Sort(missing)
	return fmt.Sprintf("extra %v; missing %v", extra, missing)
}

// sameHolders fails the test when got and want differ as multisets.
func sameHolders(t *testing.T, what string, got, want []Holder) {
	t.Helper()
	if d := diffHolders(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// TestWalksAgree: for sockets this test holds in several ways (listeners
// and UDP sockets, dup'd, inherited by children, one inherited twice) and
// the host's listeners, the fd-table walk and the task_file walk find the
// same holders, and exactly the expected ones for this test's sockets.
func TestWalksAgree(t *testing.T) {
	needRoot(t)
	host := netNS(t, "self")
	self := os.Getpid()

	var socks []sock
	for range 4 {
		socks = append(socks, newSock(t, unix.SOCK_STREAM, true), newSock(t, unix.SOCK_DGRAM, true))
	}
	socks = append(socks, newSock(t, unix.SOCK_DGRAM, false)) // unbound
	ours := make(map[uint64]bool)
	var want []uint64
	var expect []Holder
	hold := func(s sock, pid, fd int) { expect = append(expect, Holder{s.ino, pid, fd, host}) }
	for _, s := range socks {
		ours[s.ino] = true
		want = append(want, s.ino)
		hold(s, self, s.fd)
	}
	for _, s := range socks[:3] {
		hold(s, self, dupFD(t, s.fd, -1))
	}
	hold(socks[0], self, dupFD(t, socks[0].fd, -1)) // a second dup
	for _, c := range []struct{ files []sock }{
		{[]sock{socks[0], socks[1]}},
		{[]sock{socks[1], socks[4], socks[5], socks[8]}},
		{[]sock{socks[2], socks[2]}}, // one socket on fds 3 and 4
	} {
		var files []*os.File
		for _, s := range c.files {
			files = append(files, s.f)
		}
		pid := startSleep(t, 0, files...).Process.Pid
		for i, s := range c.files {
			hold(s, pid, 3+i)
		}
	}
	hostWant := listenerInodes(t)
	want = append(want, hostWant...) // holds ours again: a duplicate in want is one socket
	first, _ := census(t)
	for _, h := range first {
		want = append(want, h.Inode) // every socket some process holds
	}

	// A grow of the wanted map reloads by forceTaskFile as it is then: each
	// iterator makes its map big enough while forceTaskFile is its own.
	task := openIter(t, host, false)
	holdersOf(t, task, want)
	file := openIter(t, host, true)
	holdersOf(t, file, want)
	taskWalk := task.Walk()

	// The host's other processes may change between two passes; a round
	// counts when two passes of the task walk around the task_file pass
	// and the /proc census agree.
	var a, b []Holder
	for round := 1; ; round++ {
		a = holdersOf(t, task, want)
		b = holdersOf(t, file, want)
		c, threads := census(t)
		a2 := holdersOf(t, task, want)
		if diffHolders(a, a2) == "" {
			sameHolders(t, "task_file walk against task walk", b, a)
			if threads {
				t.Logf("a thread on the host has a file table of its own: no comparison with the /proc census")
			} else {
				sameHolders(t, "task walk against the /proc census", a, only(c, inodeSet(want)))
			}
			break
		}
		if round == 5 {
			t.Logf("the host's holders changed in each of 5 rounds (%s); compared this test's sockets only", diffHolders(a2, a))
			break
		}
	}
	sameHolders(t, "task walk, this test's sockets", only(a, ours), expect)
	sameHolders(t, "task_file walk, this test's sockets", only(b, ours), expect)
	if task.Walk() != taskWalk || file.Walk() != "task_file" {
		t.Errorf("walks %q and %q after the passes, want %q and task_file", task.Walk(), file.Walk(), taskWalk)
	}
	t.Logf("%d sockets wanted (%d host listeners), %d holders; %d of them of this test's %d sockets",
		len(inodeSet(want)), len(hostWant), len(a), len(expect), len(socks))
}

func inodeSet(inos []uint64) map[uint64]bool {
	m := make(map[uint64]bool, len(inos))
	for _, ino := range inos {
		m[ino] = true
	}
	return m
}

// census reads every process's fds in /proc (the leader's file table) and
// returns a holder for each socket, sorted; threads says whether some
// thread has a file table other than its leader's (which /proc/PID/fd does
// not show). A process that exits meanwhile is left out.
func census(t *testing.T) (hs []Holder, threads bool) {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := "/proc/" + e.Name()
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil || len(fds) == 0 {
			continue
		}
		fi, err := os.Stat(dir + "/ns/net")
		if err != nil {
			continue
		}
		ns := fi.Sys().(*syscall.Stat_t).Ino
		for _, f := range fds {
			l, err := os.Readlink(dir + "/fd/" + f.Name())
			if err != nil || !strings.HasPrefix(l, "socket:[") {
				continue
			}
			ino, err1 := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]"), 10, 64)
			fd, err2 := strconv.Atoi(f.Name())
			if err1 == nil && err2 == nil {
				hs = append(hs, Holder{ino, pid, fd, ns})
			}
		}
		threads = threads || ownFileTables(pid)
	}
	sortHolders(hs)
	return hs, threads
}

// ownFileTables says whether a thread of pid has a file table other than
// the leader's, as far as kcmp tells.
func ownFileTables(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return false
	}
	for _, e := range tasks {
		tid, err := strconv.Atoi(e.Name())
		if err != nil || tid == pid {
			continue
		}
		const kcmpFiles = 2 // KCMP_FILES
		if r, _, errno := unix.Syscall6(unix.SYS_KCMP, uintptr(pid), uintptr(tid), kcmpFiles, 0, 0, 0); errno == 0 && r != 0 {
			return true
		}
	}
	return false
}

// fdSize is the size of this process's fd table (FDSize in
// /proc/self/status: max_fds, the bits of the open-fd bitmap).
func fdSize(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "FDSize:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("FDSize: %v", err)
			}
			return n
		}
	}
	t.Fatal("no FDSize in /proc/self/status")
	return 0
}

// TestSparseFDs: one socket on fds at the edges of the open-fd bitmap's
// words (63/64/65, 127/128), far out (5000) and on the table's last slot
// is reported with each exact fd, by both walks.
func TestSparseFDs(t *testing.T) {
	needRoot(t)
	host := netNS(t, "self")
	s := newSock(t, unix.SOCK_DGRAM, true)
	fds := []int{s.fd}
	for _, fd := range []int{63, 64, 65, 127, 128, 5000} {
		fds = append(fds, dupFD(t, s.fd, fd))
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if last := fdSize(t) - 1; last > 5000 && uint64(last) < lim.Cur {
		fds = append(fds, dupFD(t, s.fd, last))
	}
	var expect []Holder
	for _, fd := range fds {
		expect = append(expect, Holder{s.ino, os.Getpid(), fd, host})
	}
	t.Logf("socket %d on fds %v (fd table of %d)", s.ino, fds, fdSize(t))
	eachWalk(t, host, func(t *testing.T, it *Iter) {
		sameHolders(t, "holders", holdersOf(t, it, []uint64{s.ino}), expect)
	})
}

// TestThreadOwnFDTable: a thread that unshared its file table
// (CLONE_FILES) is visited by both walks (the programs skip only threads
// whose table is their leader's): a socket it opened in its own table is
// reported once, under the process's tgid; a socket open before the
// unshare is in both tables and is reported twice.
func TestThreadOwnFDTable(t *testing.T) {
	needRoot(t)
	host := netNS(t, "self")
	self := os.Getpid()
	both := newSock(t, unix.SOCK_DGRAM, true)
	type own struct {
		fd  int
		ino uint64
	}
	tid, mine := onOwnThread(t, unix.CLONE_FILES, func() (own, error) {
		// Raw system calls only: an fd of this table means nothing on
		// another thread (and the socket goes with the thread).
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return own{}, fmt.Errorf("socket: %w", err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return own{}, fmt.Errorf("fstat: %w", err)
		}
		return own{fd, st.Ino}, nil
	})
	link := func(path string) string { l, _ := os.Readlink(path); return l }
	sockLink := fmt.Sprintf("socket:[%d]", mine.ino)
	if l := link(fmt.Sprintf("/proc/self/task/%d/fd/%d", tid, mine.fd)); l != sockLink {
		t.Fatalf("thread %d fd %d is %q, want %s", tid, mine.fd, l, sockLink)
	}
	if l := link(fmt.Sprintf("/proc/%d/fd/%d", self, mine.fd)); l == sockLink {
		t.Fatalf("the thread's socket is in the leader's table too (fd %d): the unshare did not take", mine.fd)
	}
	expect := []Holder{
		{mine.ino, self, mine.fd, host},
		{both.ino, self, both.fd, host}, // the leader's table
		{both.ino, self, both.fd, host}, // the thread's copy
	}
	eachWalk(t, host, func(t *testing.T, it *Iter) {
		sameHolders(t, "holders", holdersOf(t, it, []uint64{mine.ino, both.ino}), expect)
	})
}

// netnsOf runs the NetNS pass and returns what it reported, by pid.
func netnsOf(t *testing.T, it *Iter) map[int]uint64 {
	t.Helper()
	got := make(map[int]uint64)
	if err := it.NetNS(context.Background(), func(pid int, ns uint64) {
		if prev, dup := got[pid]; dup {
			t.Errorf("NetNS reported pid %d twice (%d, %d)", pid, prev, ns)
		}
		got[pid] = ns
	}); err != nil {
		t.Fatalf("NetNS: %v", err)
	}
	return got
}

// TestNetNSPass: a child in a network namespace of its own is reported
// with that namespace's inode; this process is not (the host's namespace
// is the one passed to Open), not even while one of its threads is in
// another namespace; a holder's NetNS is the holder's namespace, not the
// socket's.
func TestNetNSPass(t *testing.T) {
	needRoot(t)
	host := netNS(t, "self")
	self := os.Getpid()
	hostSock := newSock(t, unix.SOCK_DGRAM, true) // a socket of the host's namespace
	// A socket of another namespace, made on a thread that unshared
	// CLONE_NEWNET (its fd is in the process's one table); the thread
	// stays in that namespace until the test ends.
	type made struct {
		s  sock
		ns uint64
	}
	_, other := onOwnThread(t, unix.CLONE_NEWNET, func() (made, error) {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return made{}, fmt.Errorf("socket: %w", err)
		}
		s, err := adopt(fd)
		if err != nil {
			unix.Close(fd)
			return made{}, err
		}
		var st unix.Stat_t
		if err := unix.Stat(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), &st); err != nil {
			s.f.Close()
			return made{}, err
		}
		return made{s, st.Ino}, nil
	})
	t.Cleanup(func() { other.s.f.Close() })
	if other.ns == host {
		t.Fatal("unshare(CLONE_NEWNET) left the thread in the host's namespace")
	}
	inNS := startSleep(t, syscall.CLONE_NEWNET, hostSock.f).Process.Pid // fd 3
	inHost := startSleep(t, 0, other.s.f).Process.Pid                   // fd 3
	childNS := netNS(t, strconv.Itoa(inNS))
	if childNS == host || childNS == other.ns {
		t.Fatalf("child %d in netns %d: want a new one (host %d, thread's %d)", inNS, childNS, host, other.ns)
	}
	if ns := netNS(t, strconv.Itoa(inHost)); ns != host {
		t.Fatalf("child %d in netns %d, want the host's %d", inHost, ns, host)
	}
	expect := []Holder{
		{hostSock.ino, self, hostSock.fd, host},
		{hostSock.ino, inNS, 3, childNS}, // the holder's namespace
		{other.s.ino, self, other.s.fd, host},
		{other.s.ino, inHost, 3, host}, // not the socket's
	}
	eachWalk(t, host, func(t *testing.T, it *Iter) {
		got := netnsOf(t, it)
		if ns, ok := got[inNS]; !ok || ns != childNS {
			t.Errorf("NetNS: child %d reported %v with %d, want %d", inNS, ok, ns, childNS)
		}
		for _, pid := range []int{self, inHost} {
			if ns, ok := got[pid]; ok {
				t.Errorf("NetNS reported pid %d (netns %d) of the host's namespace %d", pid, ns, host)
			}
		}
		for pid, ns := range got {
			if ns == host || ns == 0 {
				t.Errorf("NetNS reported pid %d in netns %d (host %d)", pid, ns, host)
			}
		}
		sameHolders(t, "holders", holdersOf(t, it, []uint64{hostSock.ino, other.s.ino}), expect)
	})
}

// TestCancel: a cancelled ctx stops Holders and NetNS with
// context.Canceled, before the pass and in the middle of one, and the
// iterator gives full answers on the next calls.
func TestCancel(t *testing.T) {
	needRoot(t)
	host := netNS(t, "self")
	self := os.Getpid()
	var want []uint64
	var expect []Holder
	for range 3 {
		s := newSock(t, unix.SOCK_DGRAM, false)
		want = append(want, s.ino)
		expect = append(expect, Holder{s.ino, self, s.fd, host})
	}
	child := startSleep(t, syscall.CLONE_NEWNET).Process.Pid
	childNS := netNS(t, strconv.Itoa(child))
	eachWalk(t, host, func(t *testing.T, it *Iter) {
		check := func(t *testing.T) {
			t.Helper()
			sameHolders(t, "holders after a cancelled call", holdersOf(t, it, want), expect)
			if ns := netnsOf(t, it)[child]; ns != childNS {
				t.Errorf("NetNS after a cancelled call: child %d in %d, want %d", child, ns, childNS)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		n := 0
		if err := it.Holders(ctx, want, func(Holder) { n++ }); !errors.Is(err, context.Canceled) {
			t.Errorf("Holders with a cancelled ctx = %v, want context.Canceled", err)
		}
		if err := it.NetNS(ctx, func(int, uint64) { n++ }); !errors.Is(err, context.Canceled) {
			t.Errorf("NetNS with a cancelled ctx = %v, want context.Canceled", err)
		}
		if n != 0 {
			t.Errorf("%d records from calls with a cancelled ctx", n)
		}
		check(t)

		// Cancelled from the first record on: the pass stops at its next read.
		ctx, cancel = context.WithCancel(context.Background())
		if err := it.Holders(ctx, want, func(Holder) { cancel() }); !errors.Is(err, context.Canceled) {
			t.Errorf("Holders cancelled during the pass = %v, want context.Canceled", err)
		}
		check(t)
		ctx, cancel = context.WithCancel(context.Background())
		if err := it.NetNS(ctx, func(int, uint64) { cancel() }); !errors.Is(err, context.Canceled) {
			t.Errorf("NetNS cancelled during the pass = %v, want context.Canceled", err)
		}
		check(t)
	})
}

// TestWantedGrowsAndShrinks: the wanted map follows the set asked for:
// changed in place, grown by a reload (10,000 inodes, most of them ones no
// socket has), shrunk; each pass reports exactly the real sockets of the
// set asked for, nothing left from an earlier set.
func TestWantedGrowsAndShrinks(t *testing.T) {
	needRoot(t)
	host := netNS(t, "self")
	self := os.Getpid()
	var socks []sock
	for range 20 {
		socks = append(socks, newSock(t, unix.SOCK_DGRAM, false))
	}
	set := func(socks []sock, fakes int) ([]uint64, []Holder) {
		var want []uint64
		var expect []Holder
		for _, s := range socks {
			want = append(want, s.ino)
			expect = append(expect, Holder{s.ino, self, s.fd, host})
		}
		// Socket inodes are 32-bit (get_next_ino): these are no socket's.
		for i := range fakes {
			want = append(want, 1<<40+uint64(i))
		}
		return want, expect
	}
	eachWalk(t, host, func(t *testing.T, it *Iter) {
		walk := it.Walk()
		for _, step := range []struct {
			name  string
			socks []sock
			fakes int
		}{
			{"10", socks[:10], 0},
			{"10 others, 5 of them new", socks[5:15], 0},
			{"10 more and more fakes than the map's first size", socks[10:20], minEntries},
			{"3", socks[:3], 0},
			{"3 again", socks[:3], 0},
			{"the other 17", socks[3:], 0},
		} {
			want, expect := set(step.socks, step.fakes)
			sameHolders(t, step.name, holdersOf(t, it, want), expect)
			if len(it.inMap) != len(want) || it.entries < len(want) {
				t.Errorf("%s: %d inodes wanted, map holds %d of %d entries", step.name, len(want), len(it.inMap), it.entries)
			}
			if step.fakes > 0 && it.entries == minEntries {
				t.Errorf("%s: the map did not grow (%d entries)", step.name, it.entries)
			}
			if it.Walk() != walk {
				t.Errorf("%s: walk %q after the step, was %q", step.name, it.Walk(), walk)
			}
		}
	})
}

// TestLoadRefused: a load that fails says why in one line: permission,
// a kernel without the iterator, anything else; and a refused reload (the
// wanted map's grow) leaves the loaded iterator working.
func TestLoadRefused(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no kernel BTF: Open says so before it loads")
	}
	t.Cleanup(func() { loadHook = nil })
	const noIter = "kernel has no BPF task-file iterator (Linux 5.8+ with BTF): "
	for _, c := range []struct {
		err  error
		want string // the Reason's start
	}{
		{unix.EPERM, "BPF not permitted: needs root, or CAP_BPF and CAP_PERFMON"},
		{fmt.Errorf("load program: %w", unix.EACCES), "BPF not permitted: "},
		{unix.EINVAL, noIter + "invalid argument"},
		{fmt.Errorf("attach: %w", unix.EINVAL), noIter + "attach: invalid argument"},
		{unix.ENOSYS, noIter},
		{unix.EOPNOTSUPP, noIter},
		{fmt.Errorf("map batch: %w", ebpf.ErrNotSupported), noIter},
		{errors.New("first line\nsecond line"), "BPF iterator unavailable: first line"},
	} {
		loadHook = func() error { return c.err }
		it, err := Open(0)
		var un *Unavailable
		switch {
		case it != nil:
			it.Close()
			t.Errorf("Open with the load failing by %q gave an iterator", c.err)
		case !errors.As(err, &un):
			t.Errorf("Open with the load failing by %q = %v (%T), want *Unavailable", c.err, err, err)
		case !strings.HasPrefix(un.Reason, c.want) || strings.Contains(un.Reason, "\n"):
			t.Errorf("Open with the load failing by %q: reason %q, want one line starting %q", c.err, un.Reason, c.want)
		}
	}

	t.Run("grow", func(t *testing.T) {
		loadHook = nil
		host := netNS(t, "self")
		it := openIter(t, host, false)
		s := newSock(t, unix.SOCK_DGRAM, false)
		expect := []Holder{{s.ino, os.Getpid(), s.fd, host}}
		sameHolders(t, "before", holdersOf(t, it, []uint64{s.ino}), expect)
		loadHook = func() error { return unix.EPERM }
		want := []uint64{s.ino}
		for i := range minEntries {
			want = append(want, 1<<40+uint64(i))
		}
		var un *Unavailable
		if err := it.Holders(context.Background(), want, func(Holder) {}); !errors.As(err, &un) {
			t.Fatalf("Holders that needs a refused reload = %v, want *Unavailable", err)
		}
		sameHolders(t, "after the refused reload", holdersOf(t, it, []uint64{s.ino}), expect)
	})
}
