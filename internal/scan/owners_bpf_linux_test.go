package scan

// Tests of the owner paths (issue 11): the BPF pass and the /proc walk
// against each other, against ss and against processes these tests start,
// and the fallback from one to the other when the pass cannot be loaded or
// fails.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/scan/bpfiter"
)

// needBPF skips a test unless the BPF owner pass can be had here: root, the
// host's PID namespace, and a kernel that loads the iterator.
func needBPF(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to load the BPF iterator")
	}
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil && ns != initPIDNS {
		t.Skipf("runs in a PID namespace of its own (%s): the BPF pass is not used there", ns)
	}
	it, err := bpfiter.Open(hostNetNS())
	var un *bpfiter.Unavailable
	if errors.As(err, &un) {
		t.Skipf("BPF iterator unavailable: %s", un.Reason)
	}
	if err != nil {
		t.Fatalf("bpfiter.Open: %v", err)
	}
	_ = it.Close()
}

// ownerScanners returns a scanner of the host's namespace for each owner
// path, by name.
func ownerScanners(t *testing.T) map[string]Scanner {
	t.Helper()
	return map[string]Scanner{
		"bpf":    newTestScanner(t, Options{Owners: "bpf", HostOnly: true}),
		"procfs": newTestScanner(t, Options{Owners: "procfs", HostOnly: true}),
	}
}

// ownersVia is the PIDs holding the TCP listener on 127.0.0.1:port in a
// one-port snapshot of s, whose Owners must be via.
func ownersVia(t *testing.T, s Scanner, via string, port uint16) (*Listener, []int) {
	t.Helper()
	sn := snapshot(t, s, Filter{Proto: "tcp", Lo: port, Hi: port})
	if sn.Owners != via {
		t.Errorf("snapshot Owners %q, want %q (warnings %q)", sn.Owners, via, sn.Warnings)
	}
	l := findAddr(sn, "tcp", "127.0.0.1", port)
	return l, pidsOf(l)
}

// wantOwners checks that both owner paths report exactly want as the
// holders of the TCP listener on 127.0.0.1:port.
func wantOwners(t *testing.T, scanners map[string]Scanner, port uint16, want ...int) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	for _, via := range []string{"bpf", "procfs"} {
		if _, got := ownersVia(t, scanners[via], via, port); !slices.Equal(got, want) {
			t.Errorf("%s: owners of 127.0.0.1:%d %v, want %v", via, port, got, want)
		}
	}
}

// heldListener opens a TCP listener on 127.0.0.1 and returns a file of
// it to hand to other processes, and its port; the listener itself is
// closed, so the file is this process's only copy (closed at the end).
func heldListener(t *testing.T) (*os.File, uint16) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, uint16(ln.Addr().(*net.TCPAddr).Port)
}

// countLines is the number of lines of ws that contain sub.
func countLines(ws []string, sub string) int {
	n := 0
	for _, w := range ws {
		if strings.Contains(w, sub) {
			n++
		}
	}
	return n
}

// TestOwnersLoadRefused: a BPF iterator that cannot be loaded (the kernel
// refused, no BTF) makes Owners "" fall back to the /proc walk with one
// warning line saying why, and Owners "bpf" fail.
func TestOwnersLoadRefused(t *testing.T) {
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil && ns != initPIDNS {
		t.Skipf("runs in a PID namespace of its own (%s): the load is not tried there", ns)
	}
	const reason = "test: the kernel said no (EPERM)"
	calls := 0
	orig := openBPF
	openBPF = func(uint64) (*bpfiter.Iter, error) {
		calls++
		return nil, &bpfiter.Unavailable{Reason: reason}
	}
	t.Cleanup(func() { openBPF = orig })
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")

	s := newTestScanner(t, Options{HostOnly: true})
	if calls != 1 {
		t.Fatalf("the scanner tried the load %d times, want 1", calls)
	}
	for i := range 2 {
		sn := snapshot(t, s, Filter{})
		if sn.Owners != "procfs" {
			t.Errorf("snapshot %d: Owners %q, want procfs", i, sn.Owners)
		}
		if n := countLines(sn.Warnings, reason); n != 1 {
			t.Errorf("snapshot %d: %d warning lines name the reason, want 1: %q", i, n, sn.Warnings)
		}
		if !slices.Contains(sn.Warnings, ownerWarning(reason)) {
			t.Errorf("snapshot %d: warnings %q lack %q", i, sn.Warnings, ownerWarning(reason))
		}
		if got := pidsOf(findAddr(sn, "tcp", "127.0.0.1", ln.port)); !slices.Equal(got, []int{os.Getpid()}) {
			t.Errorf("snapshot %d: owners of our listener %v, want [%d]", i, got, os.Getpid())
		}
	}

	_, err := New(Options{Owners: "bpf", HostOnly: true})
	if err == nil || !strings.Contains(err.Error(), reason) {
		t.Errorf("Owners bpf with the load refused: error %v, want one naming %q", err, reason)
	}
	if calls != 2 {
		t.Errorf("Owners bpf tried the load %d times in all, want 2", calls)
	}
}

// fakePass is a holderPass that finds holders by walking /proc (so its
// answers are right) and fails its call number failAt: with an error, or
// by cancelling the snapshot's context when cancel is set.
type fakePass struct {
	p      *procDir
	failAt int
	cancel context.CancelFunc
	calls  int
	closed bool
}

var errFakePass = errors.New("fake pass: map update refused")

func (f *fakePass) holders(ctx context.Context, want []uint64, fn func(ino uint64, pid, fd int)) error {
	f.calls++
	if f.calls == f.failAt {
		if f.cancel != nil {
			f.cancel()
			return ctx.Err()
		}
		return errFakePass
	}
	set := make(map[uint64]bool, len(want))
	for _, ino := range want {
		set[ino] = true
	}
	pids, err := f.p.listPIDs()
	if err != nil {
		return err
	}
	for _, pid := range pids {
		_ = f.p.walkFDs(pid, func(fd int, ino uint64) {
			if set[ino] {
				fn(ino, pid, fd)
			}
		})
	}
	return nil
}

func (f *fakePass) netns(context.Context, func(pid int, ino uint64)) error {
	return errors.New("fake pass: netns not expected")
}

func (f *fakePass) close() { f.closed = true }

// fakePassScanner is a scanner of the host's namespace whose owner cache
// uses pass.
func fakePassScanner(t *testing.T, pass *fakePass) *linuxScanner {
	t.Helper()
	s, err := newLinux(Options{Owners: "procfs", HostOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.close() })
	pass.p = newProcDir("/proc")
	s.owners.pass = pass
	return s
}

// TestOwnersPassFails: a pass that fails after it was loaded (at the
// census, or at the search for a new listener's holders) leaves the
// snapshot to the /proc walk, which finds the same owners; Owners says
// procfs from then on, with one warning line (not one per snapshot added
// up); a cancelled context is an error, not a failed pass.
func TestOwnersPassFails(t *testing.T) {
	file, shared := heldListener(t)
	h := startHelper(t, "hold", file)
	both := []int{os.Getpid(), h.pid()}
	slices.Sort(both)
	const failed = "the pass failed: "
	warn := ownerWarning(failed + errFakePass.Error())

	for _, failAt := range []int{1, 2} {
		t.Run("call"+strconv.Itoa(failAt), func(t *testing.T) {
			pass := &fakePass{failAt: failAt}
			s := fakePassScanner(t, pass)
			check := func(step, via string, warned bool) {
				t.Helper()
				sn := snap(t, s, Filter{})
				if sn.Owners != via {
					t.Errorf("%s: Owners %q, want %q", step, sn.Owners, via)
				}
				want := 0
				if warned {
					want = 1
				}
				if n := countLines(sn.Warnings, failed); n != want || (warned && !slices.Contains(sn.Warnings, warn)) {
					t.Errorf("%s: %d lines say the pass failed, want %d of %q: %q", step, n, want, warn, sn.Warnings)
				}
				if got := pidsOf(findAddr(sn, "tcp", "127.0.0.1", shared)); !slices.Equal(got, both) {
					t.Errorf("%s: owners of the shared listener %v, want %v", step, got, both)
				}
			}
			// Call 1 is the census.
			if failAt == 1 {
				check("census", "procfs", true)
			} else {
				check("census", "bpf", false)
			}
			// Call 2 (when the pass is still on) finds a new listener's
			// holders.
			mine := listenTCP(t, "tcp4", "127.0.0.1:0")
			sn := snap(t, s, Filter{Proto: "tcp", Lo: mine.port, Hi: mine.port})
			if got := pidsOf(findAddr(sn, "tcp", "127.0.0.1", mine.port)); !slices.Equal(got, []int{os.Getpid()}) {
				t.Errorf("new listener: owners %v, want [%d]", got, os.Getpid())
			}
			for i := range 2 {
				check("after the failure, snapshot "+strconv.Itoa(i+1), "procfs", true)
			}
			if pass.calls != failAt || !pass.closed || s.owners.pass != nil {
				t.Errorf("pass called %d times (want %d), closed %v, still in use %v", pass.calls, failAt, pass.closed, s.owners.pass != nil)
			}
			if !errors.Is(s.owners.passErr, errFakePass) {
				t.Errorf("passErr %v, want %v", s.owners.passErr, errFakePass)
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pass := &fakePass{failAt: 1, cancel: cancel}
		s := fakePassScanner(t, pass)
		if _, err := s.snapshot(ctx, Filter{}); !errors.Is(err, context.Canceled) {
			t.Errorf("snapshot with the context cancelled in the pass: error %v, want %v", err, context.Canceled)
		}
		if s.owners.pass == nil || s.owners.passErr != nil || pass.closed {
			t.Errorf("a cancelled pass turned the pass off: passErr %v, closed %v", s.owners.passErr, pass.closed)
		}
		sn := snap(t, s, Filter{})
		if sn.Owners != "bpf" || countLines(sn.Warnings, failed) != 0 {
			t.Errorf("after a cancelled snapshot: Owners %q, warnings %q", sn.Owners, sn.Warnings)
		}
		if got := pidsOf(findAddr(sn, "tcp", "127.0.0.1", shared)); !slices.Equal(got, both) || pass.calls != 2 {
			t.Errorf("after a cancelled snapshot: owners %v (want %v), %d passes (want 2)", got, both, pass.calls)
		}
	})

	// Owners "bpf" was asked for: a pass that fails fails the snapshot,
	// in one line, instead of walking /proc.
	t.Run("required", func(t *testing.T) {
		pass := &fakePass{failAt: 1}
		s := fakePassScanner(t, pass)
		s.owners.needPass = true
		_, err := s.snapshot(context.Background(), Filter{})
		if !errors.Is(err, errFakePass) || !strings.Contains(err.Error(), "owners by BPF: the pass failed") || strings.Contains(err.Error(), "\n") {
			t.Errorf("required pass failed: snapshot error %v, want one line naming the failed pass", err)
		}
		if !pass.closed || s.owners.pass != nil {
			t.Errorf("the failed pass is still in use (closed %v)", pass.closed)
		}
	})
}

// TestOwnersForkShared: a listener shared after fork (pre-fork servers) is
// held by every process that has it, on both paths: children forked after
// the scanner's first look (young processes) and a scanner started after
// them (the census).
func TestOwnersForkShared(t *testing.T) {
	needBPF(t)
	file, port := heldListener(t)
	early := ownerScanners(t)
	wantOwners(t, early, port, os.Getpid())
	want := []int{os.Getpid()}
	for range 3 {
		want = append(want, startHelper(t, "hold", file).pid())
	}
	wantOwners(t, early, port, want...)
	wantOwners(t, ownerScanners(t), port, want...)
}

// recvFDHelper receives one fd over the unix socket on fd 3 (SCM_RIGHTS),
// prints its number and holds it until stdin closes.
func recvFDHelper() int {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(3, buf, oob, 0)
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		fmt.Println("ERR control messages", len(msgs), err)
		return 1
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		fmt.Println("ERR rights", fds, err)
		return 1
	}
	fmt.Println(fds[0])
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// passTo starts a recvfd helper, which holds nothing of ours, and returns
// it with a function that sends it file over a unix socket and waits until
// it has it.
func passTo(t *testing.T) (*helper, func(file *os.File)) {
	t.Helper()
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(sp[0]) })
	theirs := os.NewFile(uintptr(sp[1]), "receiver")
	h := startHelper(t, "recvfd", theirs)
	theirs.Close()
	return h, func(file *os.File) {
		t.Helper()
		if err := unix.Sendmsg(sp[0], []byte{'x'}, unix.UnixRights(int(file.Fd())), nil, 0); err != nil {
			t.Fatal(err)
		}
		if line := h.line(t); strings.HasPrefix(line, "ERR") {
			t.Fatalf("receiver %d: %s", h.pid(), line)
		}
	}
}

// TestOwnersPassedSocket: a listener sent to another, already running
// process over a unix socket (SCM_RIGHTS) is held by the receiver, and by
// the sender while it keeps its copy, on both paths.
func TestOwnersPassedSocket(t *testing.T) {
	needBPF(t)
	t.Run("sender closes", func(t *testing.T) {
		file, port := heldListener(t)
		h, send := passTo(t)
		// The scanners know the listener as ours before it moves.
		scanners := ownerScanners(t)
		wantOwners(t, scanners, port, os.Getpid())
		send(file)
		file.Close()
		wantOwners(t, scanners, port, h.pid())
		wantOwners(t, ownerScanners(t), port, h.pid())
	})
	t.Run("both keep it", func(t *testing.T) {
		file, port := heldListener(t)
		h, send := passTo(t)
		send(file)
		wantOwners(t, ownerScanners(t), port, os.Getpid(), h.pid())
	})
}

// TestOwnersPIDNamespace: a process in a PID namespace of its own holding
// our listener is reported by its PID in the initial namespace (the one
// this test and the scanner see it by) on both paths.
func TestOwnersPIDNamespace(t *testing.T) {
	needBPF(t)
	file, port := heldListener(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=hold", quickExit())
	cmd.ExtraFiles = []*os.File{file}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Pdeathsig: syscall.SIGKILL}
	h := startCmd(t, cmd)
	file.Close()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.pid()))
	if err != nil {
		t.Fatal(err)
	}
	// NSpid: its PID here, then in its own namespace, where it is init.
	if _, rest, _ := strings.Cut(string(b), "\nNSpid:"); !slices.Equal(strings.Fields(strings.SplitN(rest, "\n", 2)[0]), []string{strconv.Itoa(h.pid()), "1"}) {
		t.Fatalf("helper %d is not init of a PID namespace of its own: NSpid %q", h.pid(), strings.SplitN(rest, "\n", 2)[0])
	}
	wantOwners(t, ownerScanners(t), port, h.pid())
}

// startSleep starts sleep(1) for secs seconds holding files, killed by PID
// when the test ends.
func startSleep(t *testing.T, secs string, files ...*os.File) *exec.Cmd {
	t.Helper()
	cmd := sleepCmd(secs, files...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reap(t, cmd)
	return cmd
}

func sleepCmd(secs string, files ...*os.File) *exec.Cmd {
	cmd := exec.Command("sleep", secs)
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// reap kills cmd by PID and waits for it when the test ends, unless it was
// waited for already.
func reap(t *testing.T, cmd *exec.Cmd) {
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
}

// startWithPID starts cmd with PID pid, which must be free: the last PID
// (/proc/sys/kernel/ns_last_pid) is set to pid-1 just before the fork. Any
// other fork on the host in between takes pid first, so it is tried a few
// times; false if it never worked.
func startWithPID(t *testing.T, pid int, mk func() *exec.Cmd) (*exec.Cmd, bool) {
	t.Helper()
	for range 50 {
		cmd := mk()
		runtime.LockOSThread()
		err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0)
		if err == nil {
			err = cmd.Start()
		}
		runtime.UnlockOSThread()
		if err != nil {
			t.Skipf("cannot start a process with PID %d: %v", pid, err)
		}
		reap(t, cmd)
		if cmd.Process.Pid == pid {
			return cmd, true
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	return nil, false
}

// TestOwnersPIDReuse: after the owner of a listener exits and its PID goes
// to a new process (same name, other start time and command line) holding
// a new listener on the same port, the snapshot shows the new process, not
// what the cache knew of the old one.
func TestOwnersPIDReuse(t *testing.T) {
	needBPF(t)
	file, port := heldListener(t)
	old := startSleep(t, "60", file)
	file.Close()
	pid := old.Process.Pid
	scanners := ownerScanners(t)
	procs := newProcDir("/proc")
	oldStat, err := procs.stat(pid)
	if err != nil {
		t.Fatal(err)
	}
	var oldInode uint64
	for _, via := range []string{"bpf", "procfs"} {
		l, got := ownersVia(t, scanners[via], via, port)
		if !slices.Equal(got, []int{pid}) || !slices.Equal(l.Procs[0].Args, old.Args) {
			t.Fatalf("%s: owners of port %d %+v, want [%d] running %q", via, port, l, pid, old.Args)
		}
		oldInode = l.Inode
	}

	_ = old.Process.Kill()
	_ = old.Wait()
	// A start time in another clock tick than the old process's (10 ms).
	time.Sleep(30 * time.Millisecond)
	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("listen again on %d: %v", port, err)
	}
	defer ln.Close()
	file2, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer file2.Close()
	ln.Close()
	reused, ok := startWithPID(t, pid, func() *exec.Cmd { return sleepCmd("61", file2) })
	if !ok {
		t.Skipf("PID %d was taken by other processes in 50 tries: cannot force its reuse", pid)
	}
	file2.Close()
	newStat, err := procs.stat(pid)
	if err != nil {
		t.Fatal(err)
	}
	if newStat.Comm != oldStat.Comm || newStat.Start == oldStat.Start {
		t.Fatalf("PID %d: old process %q started at %d, new one %q at %d: want the same name, another start", pid, oldStat.Comm, oldStat.Start, newStat.Comm, newStat.Start)
	}
	for _, via := range []string{"bpf", "procfs"} {
		l, got := ownersVia(t, scanners[via], via, port)
		if !slices.Equal(got, []int{pid}) || l.Inode == oldInode {
			t.Fatalf("%s: after the reuse, port %d: %+v, want a new socket held by [%d]", via, port, l, pid)
		}
		if p := l.Procs[0]; p.Name != "sleep" || !slices.Equal(p.Args, reused.Args) {
			t.Errorf("%s: after the reuse, PID %d shown as %q %q, want the new process %q", via, pid, p.Name, p.Args, reused.Args)
		}
	}
}

// TestOwnersChurn: BPF-path snapshots taken while processes start and exit
// all the time (some holding our listener for a moment) never fail, always
// show this process holding its sockets, and show no other holder than a
// child of this test that had not been reaped when the snapshot began.
func TestOwnersChurn(t *testing.T) {
	needBPF(t)
	file, port := heldListener(t)
	udp := listenUDP(t, "udp4", "127.0.0.1:0")
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	me := Process{PID: os.Getpid(), Name: strings.TrimSpace(string(comm))}
	s := newTestScanner(t, Options{Owners: "bpf", HostOnly: true})

	var mu sync.Mutex
	started := map[int]bool{} // every child, by PID
	reaped := map[int]int{}   // PID -> reaps before it and it
	stop := make(chan struct{})
	var wg sync.WaitGroup
	churn := func(mk func() *exec.Cmd) {
		defer wg.Done()
		for end := time.Now().Add(time.Second); time.Now().Before(end); {
			select {
			case <-stop:
				return
			default:
			}
			cmd := mk()
			if err := cmd.Start(); err != nil {
				t.Errorf("churn: %v", err)
				return
			}
			mu.Lock()
			started[cmd.Process.Pid] = true
			mu.Unlock()
			_ = cmd.Wait()
			mu.Lock()
			reaped[cmd.Process.Pid] = len(reaped) + 1
			mu.Unlock()
		}
	}
	wg.Add(2)
	// Processes that hold nothing (but everything of ours between fork
	// and exec), and processes that hold the TCP listener for 20 ms.
	go churn(func() *exec.Cmd { return exec.Command("true") })
	go churn(func() *exec.Cmd { return sleepCmd("0.02", file) })
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	t.Cleanup(func() { close(stop); <-finished })

	type seen struct {
		poll   int
		reaped int // children reaped before the snapshot began
		key    string
		procs  []Process
	}
	var got []seen
	polls := 0
	for running := true; running; polls++ {
		select {
		case <-finished:
			running = false // one more poll, after the churn
		default:
		}
		// Mostly whole-machine polls (owners re-checked when their
		// process exited), every third one a port-range poll (all
		// re-checked).
		f := Filter{}
		if polls%3 == 2 && running {
			f = Filter{Lo: min(port, udp.port), Hi: max(port, udp.port)}
		}
		mu.Lock()
		before := len(reaped)
		mu.Unlock()
		sn, err := s.Snapshot(context.Background(), f)
		if err != nil {
			t.Fatalf("poll %d: %v", polls, err)
		}
		if sn.Owners != "bpf" {
			t.Fatalf("poll %d: Owners %q (warnings %q)", polls, sn.Owners, sn.Warnings)
		}
		for _, l := range []*Listener{findAddr(sn, "tcp", "127.0.0.1", port), findAddr(sn, "udp", "127.0.0.1", udp.port)} {
			if l == nil {
				t.Fatalf("poll %d: our sockets %d/tcp and %d/udp not both listed", polls, port, udp.port)
			}
			got = append(got, seen{polls, before, l.Key(), l.Procs})
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, g := range got {
		self := slices.IndexFunc(g.procs, func(p Process) bool { return p.PID == me.PID })
		if self < 0 || g.procs[self].Name != me.Name {
			t.Errorf("poll %d: %s held by %+v, want this process (%d %s) among them", g.poll, g.key, g.procs, me.PID, me.Name)
		}
		for _, p := range g.procs {
			if p.PID == me.PID {
				continue
			}
			if !started[p.PID] {
				t.Errorf("poll %d: %s held by %d %s, neither this process nor a child of it", g.poll, g.key, p.PID, p.Name)
			} else if n := reaped[p.PID]; n > 0 && n <= g.reaped {
				t.Errorf("poll %d: %s held by child %d %s, reaped before the poll began", g.poll, g.key, p.PID, p.Name)
			}
		}
	}
	t.Logf("%d polls, %d children", polls, len(started))
}

// startLoadgen builds bench/loadgen and runs it with args plus -manifest;
// it returns the manifest's listeners ("proto addr:port" -> sorted PIDs)
// once loadgen is ready. loadgen is stopped by PID when the test ends.
func startLoadgen(t *testing.T, args ...string) map[string][]int {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is needed to build bench/loadgen")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "loadgen")
	if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/portui/portui/bench/loadgen").CombinedOutput(); err != nil {
		t.Fatalf("build loadgen: %v\n%s", err, out)
	}
	manifest := filepath.Join(dir, "manifest")
	cmd := exec.Command(bin, append(args, "-manifest", manifest)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM: loadgen kills its children by PID and exits.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill() // its children die with it (PR_SET_PDEATHSIG)
			<-done
		}
	})
	lines := bufio.NewScanner(out)
	for {
		if !lines.Scan() {
			t.Fatalf("loadgen %d exited before READY: %v", cmd.Process.Pid, lines.Err())
		}
		if strings.HasPrefix(lines.Text(), "READY ") {
			t.Logf("loadgen %s", lines.Text())
			break
		}
	}
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	lns := map[string][]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Fatalf("manifest line %q", line)
		}
		addr, err := netip.ParseAddr(f[1])
		port, err2 := strconv.ParseUint(f[2], 10, 16)
		if err != nil || err2 != nil {
			t.Fatalf("manifest line %q: %v %v", line, err, err2)
		}
		var pids []int
		for _, p := range strings.Split(f[3], ",") {
			pid, err := strconv.Atoi(p)
			if err != nil {
				t.Fatalf("manifest line %q: %v", line, err)
			}
			pids = append(pids, pid)
		}
		slices.Sort(pids)
		lns[f[0]+" "+netip.AddrPortFrom(addr, uint16(port)).String()] = pids
	}
	return lns
}

// TestOwnersParityLoadgen: on a host made busy by loadgen (300 processes
// with 40 fds each, 120 listeners, 8 of them shared by 4 processes), the
// BPF pass, the /proc walk and ss report the same holders of every
// listener, and loadgen's listeners are held by the processes it gave them
// to.
func TestOwnersParityLoadgen(t *testing.T) {
	needBPF(t)
	ssPath, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) is not installed; apt-get install iproute2 to compare with it")
	}
	manifest := startLoadgen(t, "-P", "300", "-F", "40", "-L", "120", "-shared", "8", "-max-time", "600")
	shared := 0
	for _, pids := range manifest {
		if len(pids) > 1 {
			shared++
		}
	}
	if len(manifest) != 120 || shared != 8 {
		t.Fatalf("loadgen's manifest has %d listeners, %d shared; want 120, 8", len(manifest), shared)
	}
	scanners := ownerScanners(t)
	snaps := map[string]Snapshot{}
	var diffs []string
	for try := range 5 {
		if try > 0 {
			time.Sleep(100 * time.Millisecond) // other programs' sockets may have changed
		}
		sets := map[string]map[string]bool{}
		for _, via := range []string{"bpf", "procfs"} {
			sn := snapshot(t, scanners[via], Filter{})
			if sn.Owners != via {
				t.Fatalf("%s scanner: Owners %q (warnings %q)", via, sn.Owners, sn.Warnings)
			}
			snaps[via], sets[via] = sn, tuples(sn)
		}
		out, err := exec.Command(ssPath, "-Htulnp").Output()
		if err != nil {
			t.Fatalf("ss: %v", err)
		}
		sets["ss"] = parseSS(t, string(out))
		diffs = nil
		for _, pair := range [][2]string{{"bpf", "procfs"}, {"bpf", "ss"}} {
			if a, b := diffSets(sets[pair[0]], sets[pair[1]]); len(a)+len(b) > 0 {
				diffs = append(diffs, fmt.Sprintf("only %s: %q; only %s: %q", pair[0], a, pair[1], b))
			}
		}
		if len(diffs) == 0 {
			break
		}
	}
	for _, d := range diffs {
		t.Errorf("owner sets disagree: %s", d)
	}
	for _, via := range []string{"bpf", "procfs"} {
		listed := map[string][]int{}
		for _, l := range snaps[via].Listeners {
			listed[l.Proto+" "+netip.AddrPortFrom(l.Addr, l.Port).String()] = l.PIDs()
		}
		for key, want := range manifest {
			if got, ok := listed[key]; !ok || !slices.Equal(got, want) {
				t.Errorf("%s: loadgen's %s held by %v (listed %v), want %v", via, key, got, ok, want)
			}
		}
	}
}
