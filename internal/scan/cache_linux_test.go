package scan

import (
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"
)

// memSource is a socket table kept in memory, so that thousands of polls
// of a changing table cost no file writes.
type memSource struct{ socks []sockEntry }

func (m *memSource) name() string { return "memory" }
func (m *memSource) close() error { return nil }
func (m *memSource) listeners(_ context.Context, f Filter) ([]sockEntry, []string, error) {
	var out []sockEntry
	for _, s := range m.socks {
		if f.Match(s.Proto, s.Port) {
			out = append(out, s)
		}
	}
	return out, nil, nil
}

// TestCacheBounded runs 10,000 polls against a host whose listeners and
// processes keep changing: every poll one listener closes and another opens,
// every 50 polls a process exits and another starts, filters alternate
// between everything and a narrow port range. The cache must not grow.
func TestCacheBounded(t *testing.T) {
	const (
		polls  = 10000
		window = 16 // listeners open at any time
	)
	f := newFakeProc(t, "")
	f.proc(1, 0, "init", 0, 1, "/sbin/init")
	holders := []int{10, 11, 12}
	for _, p := range holders {
		f.proc(p, 1, "server", 0, 5, "server")
	}
	nextPID := 100
	f.setLastPID(nextPID)
	src := &memSource{}
	s := fixtureScanner(t, f.root)
	s.src = src

	type live struct {
		ino uint64
		pid int
		fd  int
	}
	var open []live
	maxEntries, maxYoung, maxMeta := 0, 0, 0
	for i := range polls {
		// Replace the oldest listener with a new one.
		if len(open) == window {
			old := open[0]
			open = open[1:]
			f.closeFD(old.pid, old.fd)
			src.socks = slices.DeleteFunc(src.socks, func(e sockEntry) bool { return e.Inode == old.ino })
		}
		n := live{ino: uint64(100000 + i), pid: holders[i%len(holders)], fd: 10 + i%(2*window)}
		f.fd(n.pid, n.fd, n.ino)
		port := uint16(20000 + i%500)
		src.socks = append(src.socks, sockEntry{Proto: "tcp", Addr: netip.MustParseAddr("127.0.0.1"), Port: port, Inode: n.ino})
		open = append(open, n)
		// Process churn: a short-lived young process comes and goes.
		if i%50 == 0 {
			f.kill(nextPID)
			nextPID++
			f.proc(nextPID, 10, "child", 0, uint64(1000+i), "child")
			f.setLastPID(nextPID)
		}
		filter := Filter{}
		if i%3 != 0 {
			filter = Filter{Proto: "tcp", Lo: port - 5, Hi: port}
		}
		sn := snap(t, s, filter)
		if l := find(sn, "tcp", port); l == nil || !slices.Contains(l.PIDs(), n.pid) {
			t.Fatalf("poll %d: new listener %d not resolved: %+v", i, n.ino, l)
		}
		e, y, m := s.owners.size()
		maxEntries, maxYoung, maxMeta = max(maxEntries, e), max(maxYoung, y), max(maxMeta, m)
		if i == polls/10 {
			// Everything after the first thousand polls must stay within
			// the same bounds: no slow growth.
			t.Logf("after %d polls: entries %d young %d meta %d", i, maxEntries, maxYoung, maxMeta)
		}
	}
	e, y, m := s.owners.size()
	t.Logf("after %d polls: entries %d (max %d) young %d (max %d) meta %d (max %d); %+v", polls, e, maxEntries, y, maxYoung, m, maxMeta, s.owners.stats)
	// Stale entries for ports outside a narrow filter live until a covering
	// poll (at most 3 polls away) or the sweep drops them.
	if maxEntries > 3*window {
		t.Errorf("cache grew to %d entries with %d listeners open", maxEntries, window)
	}
	if maxYoung > 70 || maxMeta > 4*maxEntries+256 {
		t.Errorf("young processes %d, process metadata %d", maxYoung, maxMeta)
	}
}

// TestLiveCacheBounded does the same with real sockets and netlink, for
// fewer polls.
func TestLiveCacheBounded(t *testing.T) {
	s, err := newLinux(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	var open []net.Listener
	defer func() {
		for _, l := range open {
			l.Close()
		}
	}()
	maxEntries := 0
	snap(t, s, Filter{})
	base, _, _ := s.owners.size()
	for i := range 150 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, ln)
		if len(open) > 8 {
			open[0].Close()
			open = open[1:]
		}
		port := uint16(ln.Addr().(*net.TCPAddr).Port)
		f := Filter{Proto: "tcp"}
		if i%2 == 1 {
			f = Filter{Lo: port, Hi: port}
		}
		sn := snap(t, s, f)
		if l := find(sn, "tcp", port); l == nil || !slices.Contains(l.PIDs(), os.Getpid()) {
			t.Fatalf("poll %d: listener %d: %+v", i, port, l)
		}
		e, _, _ := s.owners.size()
		maxEntries = max(maxEntries, e)
	}
	// base counts the host's other listeners; they may come and go a little.
	if maxEntries > base+2*8+16 {
		t.Errorf("cache grew to %d entries (host had %d listeners, test keeps 8 open)", maxEntries, base)
	}
}
