package scan

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
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
// path, from a thread that enters it and comes back (inNetNSThread: the
// test helper inNetNS leaves its thread in the namespace, and when that
// thread is the main one, /proc/self/net of every later test is the
// namespace's).
func listenIn(t *testing.T, path string) net.Listener {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ln net.Listener
	var lerr error
	if err := inNetNSThread(int(f.Fd()), func() { ln, lerr = net.Listen("tcp4", "127.0.0.1:0") }); err != nil || lerr != nil {
		t.Fatalf("listen in %s: %v %v", path, err, lerr)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
