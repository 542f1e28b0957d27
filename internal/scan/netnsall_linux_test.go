package scan

// The scanner in the host's namespace sees listeners in every other
// network namespace: a named one (ip netns add: a bind mount under
// /run/netns) and an anonymous one held only by a process
// (unshare(CLONE_NEWNET) at exec), each with TCP and UDP listeners on the
// same wildcard port, compared with ss run inside each.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// nsPort is the port every namespace helper listens on: the same in each,
// as two containers' web servers would be.
const nsPort = 80

// nsListenHelper listens on nsPort over TCP and UDP, IPv4 and IPv6 (V6ONLY,
// so both bind), prints its PID and holds them until stdin closes.
func nsListenHelper() int {
	var closers []io.Closer
	for _, n := range []string{"tcp4", "tcp6"} {
		ln, err := net.Listen(n, net.JoinHostPort(map[string]string{"tcp4": "0.0.0.0", "tcp6": "::"}[n], strconv.Itoa(nsPort)))
		if err != nil {
			fmt.Println("ERR", err)
			return 1
		}
		closers = append(closers, ln)
	}
	for _, n := range []string{"udp4", "udp6"} {
		pc, err := net.ListenPacket(n, net.JoinHostPort(map[string]string{"udp4": "0.0.0.0", "udp6": "::"}[n], strconv.Itoa(nsPort)))
		if err != nil {
			fmt.Println("ERR", err)
			return 1
		}
		closers = append(closers, pc)
	}
	fmt.Println(os.Getpid())
	// "more" opens TCP 0.0.0.0:81; "swap" closes the last one opened and
	// opens TCP 0.0.0.0 on the next port.
	in := bufio.NewScanner(os.Stdin)
	next := nsPort + 1
	for in.Scan() {
		if in.Text() == "swap" {
			_ = closers[len(closers)-1].Close()
			closers = closers[:len(closers)-1]
		}
		ln, err := net.Listen("tcp4", "0.0.0.0:"+strconv.Itoa(next))
		if err != nil {
			fmt.Println("ERR", err)
			continue
		}
		closers = append(closers, ln)
		fmt.Println(next)
		next++
	}
	for _, c := range closers {
		_ = c.Close()
	}
	return 0
}

// wantNSListeners are what nsListenHelper opens, as "proto endpoint".
var wantNSListeners = []string{"tcp 0.0.0.0:80", "tcp [::]:80", "udp 0.0.0.0:80", "udp [::]:80"}

func needNetNSRoot(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("ip (iproute2) is not installed")
	}
	return ipPath
}

// namedNetNS makes `ip netns add portui-a-...`, deleted when the test ends.
func namedNetNS(t *testing.T) string {
	t.Helper()
	ipPath := needNetNSRoot(t)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name := fmt.Sprintf("portui-a-%d-%s", os.Getpid(), hex.EncodeToString(rnd[:]))
	if out, err := exec.Command(ipPath, "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(ipPath, "netns", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns delete %s: %v\n%s", name, err, out)
		}
	})
	return name
}

// nsHelperIn starts nsListenHelper under `ip netns exec name`.
func nsHelperIn(t *testing.T, name string) *helper {
	t.Helper()
	ipPath := needNetNSRoot(t)
	cmd := exec.Command(ipPath, "netns", "exec", name, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=nslisten", quickExit())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	h := startCmd(t, cmd)
	h.ready(t)
	return h
}

// nsHelperAnon starts nsListenHelper in a network namespace of its own
// (clone with CLONE_NEWNET): no bind mount names it.
func nsHelperAnon(t *testing.T) *helper {
	t.Helper()
	needNetNSRoot(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=nslisten", quickExit())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Cloneflags: syscall.CLONE_NEWNET}
	h := startCmd(t, cmd)
	h.ready(t)
	return h
}

func (h *helper) ready(t *testing.T) {
	t.Helper()
	if line := h.line(t); line != strconv.Itoa(h.pid()) {
		t.Fatalf("namespace helper %d: %s", h.pid(), line)
	}
}

// netnsInode is the inode of pid's network namespace.
func netnsInode(t *testing.T, pid int) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func inNS(sn Snapshot, ino uint64) []Listener {
	var out []Listener
	for _, l := range sn.Listeners {
		if l.NetNS.Inode == ino {
			out = append(out, l)
		}
	}
	return out
}

func endpoints(ls []Listener, pids bool) []string {
	var out []string
	for _, l := range ls {
		s := l.Proto + " " + l.Endpoint()
		if pids {
			s += fmt.Sprint(" ", l.PIDs())
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// checkNS asserts that sn lists exactly the helper's listeners in its
// namespace, with the namespace and the owner.
func checkNS(t *testing.T, sn Snapshot, h *helper, path string) uint64 {
	t.Helper()
	ino := netnsInode(t, h.pid())
	want := NetNS{Inode: ino, Path: path, PID: h.pid()}
	ls := inNS(sn, ino)
	if got := endpoints(ls, false); !slices.Equal(got, wantNSListeners) {
		t.Errorf("namespace %d (helper %d): listeners %q, want %q", ino, h.pid(), got, wantNSListeners)
	}
	for _, l := range ls {
		if l.NetNS != want || !slices.Equal(l.PIDs(), []int{h.pid()}) || l.Hidden != "" {
			t.Errorf("%s %s: netns %+v pids %v hidden %q; want %+v [%d]", l.Proto, l.Endpoint(), l.NetNS, l.PIDs(), l.Hidden, want, h.pid())
		}
	}
	if !slices.Contains(sn.NetNS, want) {
		t.Errorf("snapshot namespaces %+v lack %+v", sn.NetNS, want)
	}
	return ino
}

func newTestScanner(t *testing.T, opts Options) Scanner {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestNetNSEvery(t *testing.T) {
	name := namedNetNS(t)
	named := nsHelperIn(t, name)
	anon := nsHelperAnon(t)
	for _, src := range []string{"netlink", "procfs"} {
		t.Run(src, func(t *testing.T) { testNetNSEvery(t, src, name, named, anon) })
	}
}

// testNetNSEvery checks a scanner on source src (procfs: every namespace
// through its holder's /proc/PID/net tables).
func testNetNSEvery(t *testing.T, src, name string, named, anon *helper) {
	s := newTestScanner(t, Options{Source: src})
	ctx := context.Background()
	for _, f := range []Filter{{}, {Lo: nsPort, Hi: nsPort}, {Proto: "udp", Lo: nsPort, Hi: nsPort}, {}} {
		sn, err := s.Snapshot(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(sn.NetNS) == 0 || !sn.NetNS[0].Host || sn.NetNS[0].Inode != netnsInode(t, os.Getpid()) {
			t.Fatalf("first namespace %+v is not the host's", sn.NetNS)
		}
		for _, n := range sn.NetNS[1:] {
			if n.Host || n.Inode == 0 {
				t.Errorf("namespace %+v", n)
			}
		}
		if f.Proto == "udp" {
			for _, l := range sn.Listeners {
				if l.Proto != "udp" {
					t.Errorf("udp filter listed %s %s", l.Proto, l.Endpoint())
				}
			}
			continue
		}
		a := checkNS(t, sn, named, "/run/netns/"+name)
		b := checkNS(t, sn, anon, "")
		if a == b {
			t.Fatalf("both helpers in namespace %d", a)
		}
		// Two 0.0.0.0:80 TCP listeners: distinct sockets, both listed.
		var v4 []uint64
		for _, l := range sn.Listeners {
			if l.Proto == "tcp" && l.Port == nsPort && l.Addr.String() == "0.0.0.0" && (l.NetNS.Inode == a || l.NetNS.Inode == b) {
				v4 = append(v4, l.Inode)
			}
		}
		if len(v4) != 2 || v4[0] == v4[1] {
			t.Errorf("tcp 0.0.0.0:80 sockets %v, want two", v4)
		}
		for _, l := range sn.Listeners {
			if l.NetNS.Host && l.NetNS != (NetNS{Inode: sn.NetNS[0].Inode, Host: true}) {
				t.Errorf("host listener %s with netns %+v", l.Endpoint(), l.NetNS)
			}
		}
	}

	// ss, run inside each namespace, agrees.
	sn, err := s.Snapshot(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("nsenter is not installed")
	}
	for _, h := range []*helper{named, anon} {
		out, err := exec.Command(nsenter, "--net=/proc/"+strconv.Itoa(h.pid())+"/ns/net", "ss", "-Htulnp").Output()
		if err != nil {
			t.Fatalf("nsenter ss: %v", err)
		}
		theirs := ssEndpoints(t, string(out))
		ours := map[string]bool{}
		for _, e := range endpoints(inNS(sn, netnsInode(t, h.pid())), true) {
			ours[e] = true
		}
		if a, b := diffSets(ours, theirs); len(a)+len(b) > 0 {
			t.Errorf("scanner and ss disagree in the namespace of %d\nonly scanner: %q\nonly ss: %q", h.pid(), a, b)
		}
	}
}

// TestNetNSHostOnly: Options.HostOnly keeps the old behaviour.
func TestNetNSHostOnly(t *testing.T) {
	anon := nsHelperAnon(t)
	s := newTestScanner(t, Options{HostOnly: true})
	sn, err := s.Snapshot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sn.NetNS) != 1 || !sn.NetNS[0].Host {
		t.Errorf("namespaces %+v, want the host's only", sn.NetNS)
	}
	if ls := inNS(sn, netnsInode(t, anon.pid())); len(ls) != 0 {
		t.Errorf("host-only scan lists %q", endpoints(ls, true))
	}
	for _, l := range sn.Listeners {
		if !l.NetNS.Host {
			t.Errorf("%s %s not on the host: %+v", l.Proto, l.Endpoint(), l.NetNS)
		}
	}
}

// TestNetNSVanish: a namespace whose only process exits between discovery
// and the dump is skipped silently, before and after it was entered.
func TestNetNSVanish(t *testing.T) {
	for _, entered := range []bool{false, true} {
		t.Run(fmt.Sprint("entered=", entered), func(t *testing.T) {
			h := nsHelperAnon(t)
			ino := netnsInode(t, h.pid())
			ls, err := newLinux(Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := newSerial(ls.snapshot, ls.close)
			t.Cleanup(func() { _ = s.Close() })
			ctx := context.Background()
			if entered {
				sn, err := s.Snapshot(ctx, Filter{})
				if err != nil || len(inNS(sn, ino)) != len(wantNSListeners) {
					t.Fatalf("before: %v %q", err, endpoints(inNS(sn, ino), true))
				}
			}
			killed := false
			beforeNSDump = func() {
				if !killed {
					killed = true
					_ = h.cmd.Process.Kill()
					_ = h.cmd.Wait()
					h.stdin = nil
				}
			}
			t.Cleanup(func() { beforeNSDump = nil })
			sn, err := s.Snapshot(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if !killed {
				t.Fatal("hook not called")
			}
			if got := inNS(sn, ino); len(got) != 0 {
				t.Errorf("listeners of a vanished namespace: %q", endpoints(got, true))
			}
			for _, w := range sn.Warnings {
				if strings.Contains(w, "namespace") {
					t.Errorf("warning %q", w)
				}
			}
			// The next poll forgets it, and its socket.
			if _, err := s.Snapshot(ctx, Filter{}); err != nil {
				t.Fatal(err)
			}
			if sp := ls.ns.spaces[ino]; sp != nil {
				t.Errorf("namespace %d still tracked: %+v", ino, sp)
			}
		})
	}
}

// TestNetNSChurn: namespaces that come and go leave the tracker bounded,
// and each new one is listed by the next poll without a walk of /proc.
func TestNetNSChurn(t *testing.T) {
	needNetNSRoot(t)
	ls, err := newLinux(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSerial(ls.snapshot, ls.close)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	sn, err := s.Snapshot(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !sn.NetNS[0].Host {
		t.Fatalf("namespaces %+v", sn.NetNS)
	}
	base := len(ls.ns.spaces)
	basePIDs := len(ls.ns.pidNS)
	for i := range 15 {
		h := nsHelperAnon(t)
		ino := netnsInode(t, h.pid())
		if sn, err = s.Snapshot(ctx, Filter{Lo: nsPort, Hi: nsPort}); err != nil {
			t.Fatal(err)
		}
		if got := endpoints(inNS(sn, ino), false); !slices.Equal(got, wantNSListeners) {
			t.Fatalf("round %d: new namespace lists %q", i, got)
		}
		h.stop()
		if sn, err = s.Snapshot(ctx, Filter{}); err != nil {
			t.Fatal(err)
		}
		if got := inNS(sn, ino); len(got) != 0 {
			t.Fatalf("round %d: gone namespace lists %q", i, endpoints(got, true))
		}
		if n := len(ls.ns.spaces); n > base+2 {
			t.Errorf("round %d: %d namespaces tracked, %d at start", i, n, base)
		}
		if n := len(ls.ns.pidNS); n > basePIDs+8 {
			t.Errorf("round %d: %d processes tracked, %d at start", i, n, basePIDs)
		}
	}
	if w := ls.ns.stats.Walks; w != 1 {
		t.Errorf("%d walks of /proc for namespaces, want 1", w)
	}
}

// TestNetNSNobody: an unprivileged scan says how many namespaces it could
// not enter (the named one here: its only process is root's).
func TestNetNSNobody(t *testing.T) {
	name := namedNetNS(t)
	nsHelperIn(t, name)
	rep := runAsNobody(t)
	found := false
	for _, w := range rep.Snap.Warnings {
		var n int
		if _, err := fmt.Sscanf(w, "%d network", &n); err == nil && strings.Contains(w, "not inspected: entering") && strings.Contains(w, "needs root (CAP_SYS_ADMIN)") {
			found = n >= 1
		}
	}
	if !found {
		t.Errorf("no count of namespaces not inspected in %q", rep.Snap.Warnings)
	}
	for _, l := range rep.Snap.Listeners {
		if !l.NetNS.Host {
			t.Errorf("unprivileged scan lists %s %s in %+v", l.Proto, l.Endpoint(), l.NetNS)
		}
	}
}

// TestNetNSNobodyTextTables: an unprivileged user's own network namespace
// (unshare -Urn, as rootless containers make) cannot be entered by an
// unprivileged scanner (setns needs CAP_SYS_ADMIN in the scanner's user
// namespace too), but its process's /proc/PID/net tables can be read:
// the scan lists its listeners from there and says so.
func TestNetNSNobodyTextTables(t *testing.T) {
	needNetNSRoot(t)
	setpriv, err1 := exec.LookPath("setpriv")
	unshare, err2 := exec.LookPath("unshare")
	if err1 != nil || err2 != nil {
		t.Skip("setpriv and unshare (util-linux) are needed")
	}
	dir := worldDir(t)
	bin := dir + "/ns.test"
	src, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", unshare, "-Urn", bin, "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), helperEnv+"=nslisten", "HOME="+dir, quickExit())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	h := startCmd(t, cmd)
	if line := h.line(t); line != strconv.Itoa(h.pid()) {
		t.Skipf("no unprivileged user namespace here: %s", line)
	}
	ino := netnsInode(t, h.pid())
	rep := runAsNobody(t)
	got := inNS(rep.Snap, ino)
	if e := endpoints(got, false); !slices.Equal(e, wantNSListeners) {
		t.Errorf("nobody's namespace lists %q, want %q (warnings %q)", e, wantNSListeners, rep.Snap.Warnings)
	}
	for _, l := range got {
		if !slices.Equal(l.PIDs(), []int{h.pid()}) || l.NetNS.PID != h.pid() {
			t.Errorf("%s %s: pids %v netns %+v", l.Proto, l.Endpoint(), l.PIDs(), l.NetNS)
		}
	}
	said := false
	for _, w := range rep.Snap.Warnings {
		said = said || strings.Contains(w, "read from /proc/PID/net text tables: entering")
	}
	if !said {
		t.Errorf("no word of the text tables in %q", rep.Snap.Warnings)
	}
	t.Logf("warnings as nobody: %q", rep.Snap.Warnings)
}

// TestNetNSQuiet: narrow polls serve a quiet namespace from its last dump
// (its socket counters did not move), dumping it again once in
// nsRedumpEvery; a new listener there shows at the next poll, and one
// that replaced another (counters unchanged) within nsRedumpEvery polls.
func TestNetNSQuiet(t *testing.T) {
	h := nsHelperAnon(t)
	ino := netnsInode(t, h.pid())
	ls, err := newLinux(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSerial(ls.snapshot, ls.close)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	block := Filter{Lo: 0, Hi: 1023}
	poll := func(f Filter) []string {
		t.Helper()
		sn, err := s.Snapshot(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return endpoints(inNS(sn, ino), false)
	}
	poll(Filter{})
	sp := ls.ns.spaces[ino]
	if sp == nil {
		t.Fatal("namespace not tracked")
	}
	before := sp.dumps
	for i := range 2 * nsRedumpEvery {
		if got := poll(block); !slices.Equal(got, wantNSListeners) {
			t.Fatalf("poll %d: %q", i, got)
		}
	}
	// Each of its two TCP tables once per nsRedumpEvery polls, its UDP
	// ones once in nsRedumpEveryUDP.
	if n := sp.dumps - before; n < 4 || n > 6 {
		t.Errorf("%d table dumps of a quiet namespace in %d polls, want 4 or 5", n, 2*nsRedumpEvery)
	}

	if _, err := io.WriteString(h.stdin, "more\n"); err != nil {
		t.Fatal(err)
	}
	if got := h.line(t); got != "81" {
		t.Fatalf("helper: %s", got)
	}
	want := append(slices.Clone(wantNSListeners), "tcp 0.0.0.0:81")
	slices.Sort(want)
	if got := poll(block); !slices.Equal(got, want) {
		t.Errorf("after a new listener: %q, want %q", got, want)
	}

	if _, err := io.WriteString(h.stdin, "swap\n"); err != nil {
		t.Fatal(err)
	}
	if got := h.line(t); got != "82" {
		t.Fatalf("helper: %s", got)
	}
	want = append(slices.Clone(wantNSListeners), "tcp 0.0.0.0:82")
	slices.Sort(want)
	for i := range nsRedumpEvery + 1 {
		if got := poll(block); slices.Equal(got, want) {
			t.Logf("replaced listener seen at poll %d", i+1)
			return
		}
	}
	t.Errorf("replaced listener not seen within %d polls", nsRedumpEvery)
}
