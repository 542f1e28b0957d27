package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// baseHost is a small host: init, sshd on 22, a pre-fork nginx (master 200,
// workers 201 and 202) on [::]:80, a resolver on 127.0.0.1:53/udp owned by
// uid 101, and a listener on 631 that no process holds (kernel-like).
func baseHost(t testing.TB, root string) *fakeProc {
	f := newFakeProc(t, root)
	f.proc(1, 0, "init", 0, 1, "/sbin/init")
	f.proc(100, 1, "sshd", 0, 50, "/usr/sbin/sshd", "-D")
	f.fd(100, 3, 1001)
	f.proc(200, 1, "nginx", 0, 60, "nginx: master process /usr/sbin/nginx")
	f.proc(201, 200, "nginx", 33, 61, "nginx: worker process")
	f.proc(202, 200, "nginx", 33, 62, "nginx: worker process")
	for _, p := range []int{200, 201, 202} {
		f.fd(p, 6, 1002)
	}
	f.proc(300, 1, "dnsd", 101, 70, "dnsd", "--listen", "127.0.0.1")
	f.fd(300, 7, 1003)
	f.fd(300, 8, 1005) // a connected socket: not a listener
	f.listen("tcp", "0.0.0.0", 22, 0, 1001)
	f.listen("tcp", "::", 80, 0, 1002)
	f.listen("udp", "127.0.0.1", 53, 101, 1003)
	f.listen("tcp", "127.0.0.1", 631, 0, 1004)
	f.connected("udp", "127.0.0.1", 40000, 1005)
	f.connected("tcp", "0.0.0.0", 22, 1006) // an accepted connection on port 22
	f.setLastPID(300)
	return f
}

func fixtureScanner(t testing.TB, root string) *linuxScanner {
	t.Helper()
	s, err := newLinux(Options{ProcRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.close() })
	return s
}

func snap(t testing.TB, s *linuxScanner, f Filter) Snapshot {
	t.Helper()
	sn, err := s.snapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

func find(sn Snapshot, proto string, port uint16) *Listener {
	for i, l := range sn.Listeners {
		if l.Proto == proto && l.Port == port {
			return &sn.Listeners[i]
		}
	}
	return nil
}

func pidsOf(l *Listener) []int {
	if l == nil {
		return nil
	}
	return l.PIDs()
}

// unresolved counts the listeners remembered as having no visible owner.
func (c *ownerCache) unresolved() int {
	n := 0
	for _, e := range c.entries {
		if len(e.owners) == 0 {
			n++
		}
	}
	return n
}

func TestFixtureSnapshot(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	sn := snap(t, s, Filter{})
	if sn.Source != "procfs" {
		t.Errorf("source %q", sn.Source)
	}
	var got []string
	for _, l := range sn.Listeners {
		got = append(got, fmt.Sprintf("%s %v:%d %v", l.Proto, l.Addr, l.Port, l.PIDs()))
	}
	want := []string{"tcp 0.0.0.0:22 [100]", "udp 127.0.0.1:53 [300]", "tcp :::80 [200 201 202]", "tcp 127.0.0.1:631 []"}
	if !slices.Equal(got, want) {
		t.Fatalf("listeners\n got %v\nwant %v", got, want)
	}
	ssh := find(sn, "tcp", 22)
	if p := ssh.Procs[0]; p.Name != "sshd" || p.Cmdline != "/usr/sbin/sshd -D" || p.UID != 0 || p.User != "root" {
		t.Errorf("sshd process %+v", p)
	}
	if ssh.Scope != ScopeAll || ssh.UID != 0 || ssh.User != "root" || ssh.Inode != 1001 || ssh.DualStack {
		t.Errorf("sshd listener %+v", ssh)
	}
	web := find(sn, "tcp", 80)
	if !web.DualStack || web.Procs[1].UID != 33 || web.Procs[1].Cmdline != "nginx: worker process" {
		t.Errorf("nginx %+v", web)
	}
	if dns := find(sn, "udp", 53); dns.UID != 101 || dns.Scope != ScopeLoopback || dns.Procs[0].Cmdline != "dnsd --listen 127.0.0.1" {
		t.Errorf("dns %+v", dns)
	}
	cups := find(sn, "tcp", 631)
	if cups.Hidden != "owner root (uid 0) · no process here holds it: kernel socket or another PID namespace" {
		t.Errorf("hidden reason %q", cups.Hidden)
	}
	if len(sn.Warnings) != 1 || !strings.Contains(sn.Warnings[0], "bindv6only=0") {
		t.Errorf("warnings %q", sn.Warnings)
	}
	if st := s.owners.stats; st.Censuses != 1 || s.owners.unresolved() != 1 {
		t.Errorf("stats %+v, %d unresolved", st, s.owners.unresolved())
	}
}

// TestFixtureSteadyState: once the census is taken, an unchanged host costs
// one readlink per owner and no directory walk, and an unresolvable listener
// is not searched for again.
func TestFixtureSteadyState(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{Lo: 80, Hi: 80})
	before := s.owners.stats
	for range 5 {
		sn := snap(t, s, Filter{Lo: 80, Hi: 80})
		if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{200, 201, 202}) {
			t.Fatalf("owners %v", got)
		}
		snap(t, s, Filter{Lo: 631, Hi: 631})
	}
	after := s.owners.stats
	if after.FDWalks != before.FDWalks || after.Censuses != 1 {
		t.Errorf("steady polls walked fds: %+v -> %+v", before, after)
	}
	if n := after.Readlinks - before.Readlinks; n != 5*3 {
		t.Errorf("%d readlinks for 5 polls of a 3-owner listener", n)
	}
}

// TestFixtureForkedWorker: a worker forked after the census inherits the
// listener and must show up; one that exits must go. Both with loadavg's
// last PID and, for a proc tree of another PID namespace, without.
func TestFixtureForkedWorker(t *testing.T) {
	for _, foreign := range []bool{false, true} {
		t.Run(fmt.Sprintf("foreign=%v", foreign), func(t *testing.T) { testForkedWorker(t, foreign) })
	}
}

func testForkedWorker(t *testing.T, foreign bool) {
	f := baseHost(t, "")
	if foreign {
		f.foreignNS()
	}
	s := fixtureScanner(t, f.root)
	if s.owners.p.ownNS == foreign {
		t.Fatalf("ownNS = %v", s.owners.p.ownNS)
	}
	snap(t, s, Filter{Lo: 80, Hi: 80})
	f.proc(350, 200, "nginx", 33, 90, "nginx: worker process")
	f.fd(350, 6, 1002)
	f.setLastPID(350)
	f.kill(201)
	sn := snap(t, s, Filter{Lo: 80, Hi: 80})
	if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{200, 202, 350}) {
		t.Errorf("owners after fork+exit %v", got)
	}
	// A worker that moved the socket to another fd (dup2 + close) is kept.
	f.closeFD(202, 6)
	f.fd(202, 9, 1002)
	sn = snap(t, s, Filter{Lo: 80, Hi: 80})
	if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{200, 202, 350}) {
		t.Errorf("owners after dup2 %v", got)
	}
}

// TestFixtureManyYoung: with more young processes than a search for a new
// listener should read (64, or a quarter of the census), a new listener
// takes a second census instead, and the snapshot shows what that census
// found, for the new listener and for the known ones (here an old process
// that got port 22's socket after the first census, which only a census
// sees).
func TestFixtureManyYoung(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{})
	if n := s.owners.stats.Censuses; n != 1 {
		t.Fatalf("%d censuses after the first poll", n)
	}
	for p := 1000; p < 1070; p++ {
		f.proc(p, 1, "job", 1000, uint64(p), "job")
	}
	f.fd(1042, 5, 2001)
	f.fd(200, 12, 2001)
	f.listen("tcp", "127.0.0.1", 9000, 0, 2001)
	f.fd(300, 9, 1001) // passed over a unix socket: not seen without a census
	f.setLastPID(1069)
	sn := snap(t, s, Filter{})
	if n := s.owners.stats.Censuses; n != 2 {
		t.Errorf("%d censuses, want a second one for 70 young processes", n)
	}
	for _, c := range []struct {
		port uint16
		want []int
	}{{9000, []int{200, 1042}}, {22, []int{100, 300}}, {80, []int{200, 201, 202}}} {
		if got := pidsOf(find(sn, "tcp", c.port)); !slices.Equal(got, c.want) {
			t.Errorf("owners of %d: %v, want %v", c.port, got, c.want)
		}
	}
}

// TestFixtureNewListener covers listeners created after the census: by a
// young process (and inherited by its child), by an old one, and by an old
// master that forked a young worker. None needs a walk of the whole host.
func TestFixtureNewListener(t *testing.T) {
	f := baseHost(t, "")
	for p := 400; p < 440; p++ { // old bystanders with fds to read
		f.proc(p, 1, "idle", 1000, 80, "idle")
		f.fd(p, 3, uint64(9000+p))
	}
	f.setLastPID(439)
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{})

	// A young server and its young child share a new listener.
	f.proc(500, 100, "app", 1000, 200, "app", "serve")
	f.proc(501, 500, "app", 1000, 201, "app", "worker")
	f.fd(500, 4, 2001)
	f.fd(501, 4, 2001)
	// The old master opens a new port and forks a young worker with it.
	f.fd(200, 11, 2002)
	f.proc(502, 200, "nginx", 33, 202, "nginx: worker process")
	f.fd(502, 11, 2002)
	f.setLastPID(502)
	f.listen("tcp", "127.0.0.1", 3000, 1000, 2001)
	f.listen("tcp", "::", 8080, 0, 2002)
	before := s.owners.stats.FDWalks
	sn := snap(t, s, Filter{Lo: 3000, Hi: 8080})
	if got := pidsOf(find(sn, "tcp", 3000)); !slices.Equal(got, []int{500, 501}) {
		t.Errorf("young listener owners %v", got)
	}
	if got := pidsOf(find(sn, "tcp", 8080)); !slices.Equal(got, []int{200, 502}) {
		t.Errorf("master's new listener owners %v", got)
	}
	// 3 young processes read when discovered and again to match, plus the
	// old parents 100 and 200: far from the 47 processes of a full walk.
	if n := s.owners.stats.FDWalks - before; n > 8 {
		t.Errorf("%d fd walks for listeners of young processes", n)
	}

	// An old process opens a listener and nobody young holds it: the walk
	// stops at the creator (PID 300), before the 40 processes above it.
	f.fd(300, 12, 2003)
	f.listen("udp", "0.0.0.0", 5353, 101, 2003)
	before = s.owners.stats.FDWalks
	sn = snap(t, s, Filter{Proto: "udp"})
	if got := pidsOf(find(sn, "udp", 5353)); !slices.Equal(got, []int{300}) {
		t.Errorf("old creator %v", got)
	}
	if n := s.owners.stats.FDWalks - before; n > 10 {
		t.Errorf("%d fd walks to find an old creator; the walk should stop at it", n)
	}
}

// ownersSorted checks the cache's invariant: every owner list is sorted by
// PID, then fd, without repeats (the snapshot's Procs rely on it).
func ownersSorted(t *testing.T, c *ownerCache) {
	t.Helper()
	for ino, e := range c.entries {
		if !slices.IsSortedFunc(e.owners, compareOwner) || len(slices.Compact(slices.Clone(e.owners))) != len(e.owners) {
			t.Errorf("owners of %d not sorted: %v", ino, e.owners)
		}
	}
}

// TestFixtureOwnersSorted: owner lists stay sorted in the cache when a
// process holds a socket on several fds (read in directory order, which in
// a fixture tree is not fd order), when PIDs wrap (a young holder with a
// lower PID than the old ones) and when a new listener is found.
func TestFixtureOwnersSorted(t *testing.T) {
	f := baseHost(t, "")
	for fd := 20; fd > 8; fd-- {
		f.fd(200, fd, 1002)
		f.fd(201, fd, 1002)
	}
	s := fixtureScanner(t, f.root)
	sn := snap(t, s, Filter{})
	ownersSorted(t, s.owners)
	if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{200, 201, 202}) {
		t.Errorf("owners of 80 after the census: %v", got)
	}

	// PIDs wrapped (last PID 300 -> 150): a young worker of the master
	// inherits port 80 and opens a new listener with it.
	f.proc(150, 200, "nginx", 33, 90, "nginx: worker process")
	f.fd(150, 6, 1002)
	f.fd(150, 8, 2001)
	f.fd(200, 8, 2001)
	f.listen("tcp", "127.0.0.1", 8080, 0, 2001)
	f.setLastPID(150)
	sn = snap(t, s, Filter{})
	ownersSorted(t, s.owners)
	if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{150, 200, 201, 202}) {
		t.Errorf("owners of 80 after the wrap: %v", got)
	}
	if got := pidsOf(find(sn, "tcp", 8080)); !slices.Equal(got, []int{150, 200}) {
		t.Errorf("owners of the new listener: %v", got)
	}
}

// TestFixturePIDReuse: a PID that exits and comes back as another process
// must not be reported for a socket it does not hold, and a reused PID that
// does hold the socket must show the new process, not the old name.
func TestFixturePIDReuse(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{})

	// Worker 201 exits; its PID goes to an unrelated process whose fd 6 is
	// another socket. PIDs wrapped around (last PID went 300 -> 250).
	f.proc(201, 1, "cron", 0, 500, "/usr/sbin/cron")
	f.fd(201, 6, 7777)
	// sshd re-executed itself in place (same PID, new start? no: same start,
	// new name), keeping its listening fd.
	f.proc(100, 1, "sshd-new", 0, 50, "/usr/sbin/sshd-new", "-D")
	f.fd(100, 3, 1001)
	f.setLastPID(250)
	sn := snap(t, s, Filter{})
	if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{200, 202}) {
		t.Errorf("reused PID kept as owner: %v", got)
	}
	if p := find(sn, "tcp", 22).Procs; len(p) != 1 || p[0].Name != "sshd-new" || p[0].Cmdline != "/usr/sbin/sshd-new -D" {
		t.Errorf("stale metadata after exec: %+v", p)
	}

	// Worker 202 exits and its PID is reused by a new worker that inherited
	// the socket: same PID, same fd, different process (start time).
	f.proc(202, 200, "nginx-w2", 33, 600, "nginx: new worker")
	f.fd(202, 6, 1002)
	f.setLastPID(202)
	sn = snap(t, s, Filter{})
	web := find(sn, "tcp", 80)
	if got := pidsOf(web); !slices.Equal(got, []int{200, 202}) {
		t.Fatalf("owners %v", got)
	}
	if web.Procs[1].Name != "nginx-w2" {
		t.Errorf("reused PID shows the old process: %+v", web.Procs[1])
	}
}

// TestFixtureExitMidWalk: processes listed but gone by the time their fds,
// links or stat are read are skipped without an error.
func TestFixtureExitMidWalk(t *testing.T) {
	f := baseHost(t, "")
	f.proc(600, 1, "ghost", 0, 80)
	_ = os.RemoveAll(filepath.Join(f.root, "600", "fd")) // exited after readdir
	f.proc(601, 1, "dangling", 0, 81)
	f.link(601, 5, "socket:[") // torn link
	f.proc(602, 1, "zombie", 0, 82)
	f.fd(602, 3, 1001)
	_ = os.Remove(filepath.Join(f.root, "602", "stat")) // exited after readlink
	s := fixtureScanner(t, f.root)
	sn := snap(t, s, Filter{})
	if got := pidsOf(find(sn, "tcp", 22)); !slices.Equal(got, []int{100}) {
		t.Errorf("owners %v", got)
	}
	// All owners gone between the fd check and the metadata read.
	f.kill(100)
	f.proc(100, 1, "sshd", 0, 50)
	_ = os.Remove(filepath.Join(f.root, "100", "stat"))
	f.fd(100, 3, 1001)
	sn = snap(t, s, Filter{Lo: 22, Hi: 22})
	if l := find(sn, "tcp", 22); len(l.Procs) != 0 || !strings.Contains(l.Hidden, "exited while scanning") {
		t.Errorf("listener %+v", l)
	}
}

// TestFixtureUnresolvableForgotten: an unresolvable listener is remembered
// (no walk per poll) until its inode goes away, then dropped.
func TestFixtureUnresolvableForgotten(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{})
	f.unlisten(1004)
	f.listen("tcp", "127.0.0.1", 631, 0, 1044) // reopened: a new inode
	f.fd(300, 9, 1044)
	sn := snap(t, s, Filter{})
	if got := pidsOf(find(sn, "tcp", 631)); !slices.Equal(got, []int{300}) {
		t.Errorf("new inode on the same port: %v", got)
	}
	if _, ok := s.owners.entries[1004]; ok {
		t.Error("vanished unresolvable inode still cached")
	}
}

func TestFixtureHidePID(t *testing.T) {
	f := baseHost(t, "")
	f.hidePIDMount("2")
	f.kill(100) // hidden: not even listed
	s := fixtureScanner(t, f.root)
	s.seeAll = false
	sn := snap(t, s, Filter{Lo: 22, Hi: 22})
	want := "owner root (uid 0) · process hidden (" + f.root + " mounted with hidepid=2): run as root or grant CAP_SYS_PTRACE"
	if l := find(sn, "tcp", 22); l == nil || len(l.Procs) != 0 || l.Hidden != want {
		t.Errorf("listener %+v\nwant hidden %q", l, want)
	}
}

// TestFixtureNoStatx: where statx is missing (ENOSYS) or refused (EPERM,
// seccomp) or knows no mount IDs, the mount ID is unknown, not the proc
// root unreadable: owners are found, hidepid= comes from the last mount at
// the root, and a root that is not there is still an error.
func TestFixtureNoStatx(t *testing.T) {
	orig := statx
	t.Cleanup(func() { statx = orig })
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM, unix.EINVAL, unix.EOPNOTSUPP} {
		statx = func(int, string, int, int, *unix.Statx_t) error { return errno }
		f := baseHost(t, "")
		f.hidePIDMount("2")
		s := fixtureScanner(t, f.root)
		sn := snap(t, s, Filter{})
		if got := pidsOf(find(sn, "tcp", 80)); !slices.Equal(got, []int{200, 201, 202}) {
			t.Errorf("%v: owners of 80 %v, want [200 201 202]", errno, got)
		}
		if got := pidsOf(find(sn, "tcp", 22)); !slices.Equal(got, []int{100}) {
			t.Errorf("%v: owners of 22 %v, want [100]", errno, got)
		}
		if slices.ContainsFunc(sn.Warnings, func(w string) bool { return strings.Contains(w, "process owners unknown") }) || s.owners.procErr != nil {
			t.Errorf("%v: warnings %q, proc error %v", errno, sn.Warnings, s.owners.procErr)
		}
		if s.owners.p.hidepid != "2" {
			t.Errorf("%v: hidepid %q, want 2 (the last mount at the root)", errno, s.owners.p.hidepid)
		}
		if _, err := mountID(filepath.Join(f.root, "gone")); !errors.Is(err, unix.ENOENT) {
			t.Errorf("%v: a missing root: %v", errno, err)
		}
	}
}

// TestFixtureNotRoot runs the scanner as uid 65534 over a tree whose root
// processes' fd directories are root-only, as on a real host.
func TestFixtureNotRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to build root-only fd directories and switch users")
	}
	root := filepath.Join(worldDir(t), "proc")
	f := baseHost(t, root)
	f.proc(700, 1, "mine", 65534, 99, "mine", "--port", "9000")
	f.fd(700, 3, 3001)
	f.listen("tcp", "127.0.0.1", 9000, 65534, 3001)
	for _, pid := range []int{1, 100, 200, 201, 202, 300} {
		if err := os.Chmod(filepath.Join(root, strconv.Itoa(pid), "fd"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(root, "700", "fd"), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	rep := runAsNobody(t, "PORTUI_SCAN_PROCROOT="+root)
	const hidden = "owner root (uid 0) · process hidden: run as root or grant CAP_SYS_PTRACE"
	for _, port := range []uint16{22, 80, 631} {
		l := find(rep.Snap, "tcp", port)
		if l == nil || len(l.Procs) != 0 || l.Hidden != hidden {
			t.Errorf("port %d: %+v", port, l)
		}
	}
	if l := find(rep.Snap, "udp", 53); l == nil || l.Hidden != "owner uid 101 · process hidden: run as root or grant CAP_SYS_PTRACE" && !strings.HasPrefix(l.Hidden, "owner ") {
		t.Errorf("udp 53: %+v", l)
	}
	if got := pidsOf(find(rep.Snap, "tcp", 9000)); !slices.Equal(got, []int{700}) {
		t.Errorf("own process not resolved: %v", got)
	}
}

// TestMissingProc: no proc tree at all gives a clear error with text tables
// and, with netlink, listeners whose owners are explained as unknown.
func TestMissingProc(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-proc")
	s, err := New(Options{ProcRoot: missing})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Snapshot(context.Background(), Filter{})
	if err == nil || !strings.Contains(err.Error(), "cannot read socket table") || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %v", err)
	}

	nl, err := New(Options{ProcRoot: missing, Source: "netlink"})
	if err != nil {
		t.Skipf("netlink unavailable: %v", err)
	}
	defer nl.Close()
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")
	sn, err := nl.Snapshot(context.Background(), Filter{Proto: "tcp", Lo: ln.port, Hi: ln.port})
	if err != nil {
		t.Fatal(err)
	}
	l := find(sn, "tcp", ln.port)
	if l == nil || !strings.Contains(l.Hidden, "process unknown: "+missing+" is not readable") {
		t.Errorf("listener %+v", l)
	}
	if len(sn.Warnings) == 0 || !strings.Contains(sn.Warnings[0], "no such file or directory") {
		t.Errorf("warnings %q", sn.Warnings)
	}
}

func TestFixtureMalformedTable(t *testing.T) {
	f := baseHost(t, "")
	f.extra["tcp"] = []string{"   9: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1"}
	f.writeNet()
	s := fixtureScanner(t, f.root)
	sn := snap(t, s, Filter{})
	if len(sn.Listeners) != 4 {
		t.Errorf("%d listeners, want the 4 good ones", len(sn.Listeners))
	}
	if !slices.ContainsFunc(sn.Warnings, func(w string) bool { return strings.Contains(w, "skipped 1 malformed line") }) {
		t.Errorf("warnings %q", sn.Warnings)
	}
}

func TestFixtureCancel(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.snapshot(ctx, Filter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := New(Options{Source: "carrier-pigeon"}); err == nil {
		t.Error("unknown source accepted")
	}
}

// failingSource stands in for a netlink socket whose dumps are refused.
type failingSource struct{ err error }

func (failingSource) name() string { return "netlink" }
func (failingSource) close() error { return nil }
func (s failingSource) listeners(context.Context, Filter) ([]sockEntry, []string, error) {
	return nil, nil, s.err
}

// TestNetlinkRefused: a kernel or sandbox that refuses NETLINK_SOCK_DIAG,
// at dial time or on a dump, falls back to /proc/net with a warning, and
// the result is the same for our own sockets.
func TestNetlinkRefused(t *testing.T) {
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")
	orig := dialNetlink
	dialNetlink = func() (*netlink.Conn, error) { return nil, fmt.Errorf("netlink dial: %w", unix.EPERM) }
	s, err := New(Options{})
	dialNetlink = orig
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sn, err := s.Snapshot(context.Background(), Filter{Lo: ln.port, Hi: ln.port})
	if err != nil {
		t.Fatal(err)
	}
	if sn.Source != "procfs" || len(sn.Warnings) == 0 || !strings.HasPrefix(sn.Warnings[0], "netlink refused: netlink dial: operation not permitted; using /proc/net") {
		t.Errorf("source %q warnings %q", sn.Source, sn.Warnings)
	}
	if got := pidsOf(find(sn, "tcp", ln.port)); !slices.Equal(got, []int{os.Getpid()}) {
		t.Errorf("owners %v", got)
	}

	ls, err := newLinux(Options{})
	if err != nil {
		t.Skipf("netlink unavailable: %v", err)
	}
	defer ls.close()
	_ = ls.src.close()
	ls.src = failingSource{fmt.Errorf("netlink tcp dump: %w", unix.EACCES)}
	sn = snap(t, ls, Filter{Lo: ln.port, Hi: ln.port})
	if sn.Source != "procfs" || !strings.Contains(strings.Join(sn.Warnings, "\n"), "netlink refused") {
		t.Errorf("mid-run refusal: source %q warnings %q", sn.Source, sn.Warnings)
	}
	if got := pidsOf(find(sn, "tcp", ln.port)); !slices.Equal(got, []int{os.Getpid()}) {
		t.Errorf("owners after fallback %v", got)
	}
}

// TestFixtureManyListenersOneProcess: a process holding many listeners
// costs one /proc/PID/stat per poll, not one per listener; a whole-machine
// poll re-checks the fds of one listener in recheckEvery, each in turn,
// and a port-range poll every fd it reports.
func TestFixtureManyListenersOneProcess(t *testing.T) {
	f := newFakeProc(t, "")
	f.proc(1, 0, "init", 0, 1, "/sbin/init")
	f.proc(50, 1, "many", 0, 10, "many", "--listen")
	const n = 64
	for i := range n {
		ino := uint64(5000 + i)
		f.fd(50, 10+i, ino)
		f.listen("tcp", "127.0.0.1", uint16(20000+i), 0, ino)
	}
	f.setLastPID(50)
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{})
	before := s.owners.stats
	for i := range recheckEvery {
		sn := snap(t, s, Filter{})
		if len(sn.Listeners) != n {
			t.Fatalf("poll %d: %d listeners", i, len(sn.Listeners))
		}
		for _, l := range sn.Listeners {
			if !slices.Equal(l.PIDs(), []int{50}) || l.Procs[0].Cmdline != "many --listen" {
				t.Fatalf("poll %d: %s: %+v", i, l.Key(), l.Procs)
			}
		}
	}
	after := s.owners.stats
	if got := after.Stats - before.Stats; got != recheckEvery {
		t.Errorf("%d stat reads in %d whole polls of one process with %d listeners, want one per poll", got, recheckEvery, n)
	}
	if got := after.Readlinks - before.Readlinks; got != n {
		t.Errorf("%d readlinks in %d whole polls of %d listeners, want each re-checked once", got, recheckEvery, n)
	}
	if after.FDWalks != before.FDWalks {
		t.Errorf("steady whole polls walked fds: %+v -> %+v", before, after)
	}
	before = s.owners.stats
	snap(t, s, Filter{Lo: 20000, Hi: 20039})
	if got := s.owners.stats.Readlinks - before.Readlinks; got != 40 {
		t.Errorf("%d readlinks for a port-range poll of 40 listeners", got)
	}
}

// TestFixtureWholePollCloses: in whole-machine polls, an owner that exits
// or whose PID now names another process is dropped at once; one that
// closes its copy of a shared socket and lives on is dropped within
// recheckEvery whole polls, and at once by a poll of its port.
func TestFixtureWholePollCloses(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	snap(t, s, Filter{})
	f.kill(202)
	if got := pidsOf(find(snap(t, s, Filter{}), "tcp", 80)); !slices.Equal(got, []int{200, 201}) {
		t.Errorf("after worker 202 exited: %v", got)
	}
	f.closeFD(201, 6) // worker 201 lets go of port 80 but keeps running
	polls := 0
	for ; polls < recheckEvery; polls++ {
		if got := pidsOf(find(snap(t, s, Filter{}), "tcp", 80)); slices.Equal(got, []int{200}) {
			break
		}
	}
	if polls == recheckEvery {
		t.Errorf("worker 201 still listed after %d whole polls", polls)
	}
	// The same on a port-range poll: at once.
	f.proc(203, 200, "nginx", 33, 63, "nginx: worker process")
	f.fd(203, 6, 1002)
	f.setLastPID(203)
	if got := pidsOf(find(snap(t, s, Filter{Lo: 80, Hi: 80}), "tcp", 80)); !slices.Equal(got, []int{200, 203}) {
		t.Errorf("owners %v, want [200 203]", got)
	}
	f.closeFD(203, 6)
	if got := pidsOf(find(snap(t, s, Filter{Lo: 80, Hi: 80}), "tcp", 80)); !slices.Equal(got, []int{200}) {
		t.Errorf("after worker 203 closed port 80: %v", got)
	}
}

// TestFixtureSnapshotsIndependent: what a caller does to a snapshot's
// processes does not reach the cache or the next snapshot.
func TestFixtureSnapshotsIndependent(t *testing.T) {
	f := baseHost(t, "")
	s := fixtureScanner(t, f.root)
	sn := snap(t, s, Filter{})
	ssh := find(sn, "tcp", 22)
	ssh.Procs[0].Args[0] = "mangled"
	ssh.Procs[0].Name = "mangled"
	if p := find(snap(t, s, Filter{}), "tcp", 22).Procs[0]; p.Args[0] != "/usr/sbin/sshd" || p.Name != "sshd" {
		t.Errorf("next snapshot: %+v", p)
	}
}

// TestBPFMinFiles: mode "" loads the BPF pass only on a host with
// bpfMinFiles open files or more (below, the /proc walk costs less CPU
// than the load), and says nothing when it does not; "bpf" loads it on
// any host.
func TestBPFMinFiles(t *testing.T) {
	n, ok := hostFiles("/proc")
	if !ok || n <= 0 {
		t.Fatalf("hostFiles = %d, %v: /proc/sys/fs/file-nr unreadable", n, ok)
	}
	defer func(v int) { bpfMinFiles = v }(bpfMinFiles)
	bpfMinFiles = n + 1<<20 // a host far smaller than the threshold
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(context.Background(), Filter{})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Owners != "procfs" {
		t.Errorf("below the threshold: owners %q, want procfs", snap.Owners)
	}
	for _, w := range snap.Warnings {
		if strings.Contains(w, "BPF") {
			t.Errorf("below the threshold, a warning about BPF: %q", w)
		}
	}
	if os.Geteuid() != 0 {
		return
	}
	for _, tc := range []struct {
		min  int
		mode string
	}{{0, ""}, {n + 1<<20, "bpf"}} {
		bpfMinFiles = tc.min
		s, err := New(Options{Owners: tc.mode})
		if err != nil {
			if strings.Contains(err.Error(), "owners by BPF") {
				t.Skipf("BPF unavailable: %v", err)
			}
			t.Fatalf("threshold %d, mode %q: %v", tc.min, tc.mode, err)
		}
		snap, err := s.Snapshot(context.Background(), Filter{})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if snap.Owners != "bpf" {
			t.Errorf("threshold %d, mode %q: owners %q (warnings %q), want bpf", tc.min, tc.mode, snap.Owners, snap.Warnings)
		}
	}
}
