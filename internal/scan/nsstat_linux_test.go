package scan

import (
	"context"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestProcesslessNamespaceCounted: a namespace that is a bind mount
// alone (`ip netns add`, no process in it) has its socket counters read
// from inside it, so a poll serves its tables from the last dump instead
// of dumping all four every time (found by use: two such namespaces took
// the one-port poll on the busy host from 1 to 16 ms), and a listener
// opened in it still shows at the next poll.
func TestProcesslessNamespaceCounted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: ip netns add, setns")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("ip (iproute2) not installed")
	}
	name := "portui-t-nsstat-" + strconv.Itoa(os.Getpid())
	if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(ip, "netns", "delete", name).Run() })
	path := "/run/netns/" + name
	if out, err := exec.Command(ip, "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v: %s", err, out)
	}

	ls, err := newLinux(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSerial(ls.snapshot, ls.close)
	defer s.Close()
	snap := func(f Filter) Snapshot {
		t.Helper()
		sn, err := s.Snapshot(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return sn
	}
	snap(Filter{})
	var sp *netnsInfo
	for _, x := range ls.ns.spaces {
		if x.path == path {
			sp = x
		}
	}
	if sp == nil {
		t.Fatalf("the scanner did not find %s", path)
	}
	if sp.holder != 0 {
		t.Fatalf("%s has a process (%d): the test needs one without", path, sp.holder)
	}
	before := sp.dumps
	for range 10 {
		snap(Filter{Lo: 1, Hi: 1})
	}
	if n := sp.dumps - before; n > 0 {
		t.Fatalf("a namespace with no process and no change: %d tables dumped in 10 polls, want 0", n)
	}

	// A listener opened inside it (by this process, from a thread that
	// enters it) moves its TCP counter: the next poll has it.
	ln := listenIn(t, path)
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	got := snap(Filter{Lo: port, Hi: port})
	found := false
	for _, l := range got.Listeners {
		if l.Port == port && l.NetNS.Path == path {
			found = true
		}
	}
	if !found {
		t.Fatalf("the listener on %d in %s is not in the next poll: %+v", port, path, got.Listeners)
	}
}

// listenIn opens a TCP listener on 127.0.0.1:0 inside the namespace at
// path, from a thread that enters it and comes back.
func listenIn(t *testing.T, path string) net.Listener {
	t.Helper()
	type res struct {
		ln  net.Listener
		err error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer unix.Close(self)
		target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			ch <- res{err: err}
			return
		}
		ln, lerr := net.Listen("tcp4", "127.0.0.1:0")
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- res{ln, lerr}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("listen in %s: %v", path, r.err)
	}
	t.Cleanup(func() { r.ln.Close() })
	return r.ln
}
