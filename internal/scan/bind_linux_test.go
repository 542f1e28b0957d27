package scan

// Sockets bound to a device (SO_BINDTODEVICE, issue 7 #13), in a network
// namespace the test makes: a veth pair v0/v1 (this kernel has no dummy
// module), sockets bound to v0 and to lo, and a scan inside it compared
// with `ss -Htulnp` run there.
//
// The scan runs in a helper process started with `ip netns exec`, not on a
// thread of this process that entered the namespace: interface indexes
// are per namespace, so the interface names must be looked up there too
// (net.InterfaceByIndex opens its own netlink socket, on whatever thread
// it runs), and a whole process in the namespace is what the CLI sees when
// run the same way.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// boundSock is one socket the "bind" helper opens.
type boundSock struct {
	network, addr, dev string
	// what the scanner must say
	proto    string
	ip       string
	port     uint16
	iface    string
	scope    Scope
	dual     bool
	endpoint string
}

var boundSocks = []boundSock{
	{"tcp4", "0.0.0.0:444", "v0", "tcp", "0.0.0.0", 444, "v0", ScopeInterface, false, "0.0.0.0%v0:444"},
	{"udp4", "0.0.0.0:445", "v0", "udp", "0.0.0.0", 445, "v0", ScopeInterface, false, "0.0.0.0%v0:445"},
	{"tcp6", "[::]:446", "v0", "tcp", "::", 446, "v0", ScopeInterface, false, "[::]%v0:446"},
	{"udp", "[::]:447", "v0", "udp", "::", 447, "v0", ScopeInterface, true, "[::]%v0:447"},
	{"tcp4", "0.0.0.0:448", "lo", "tcp", "0.0.0.0", 448, "lo", ScopeLoopback, false, "0.0.0.0%lo:448"},
	{"tcp4", "10.77.0.1:449", "v0", "tcp", "10.77.0.1", 449, "v0", ScopeSpecific, false, "10.77.0.1%v0:449"},
	{"tcp6", "[fd77::1]:450", "v0", "tcp", "fd77::1", 450, "v0", ScopeSpecific, false, "[fd77::1]%v0:450"},
	{"udp4", "0.0.0.0:451", "", "udp", "0.0.0.0", 451, "", ScopeAll, false, "0.0.0.0:451"},
}

// bindHelper opens boundSocks, scans, prints a helperReport and holds the
// sockets until stdin closes.
func bindHelper() int {
	rep := helperReport{PID: os.Getpid()}
	fail := func(err error) int {
		rep.Err = err.Error()
		_ = json.NewEncoder(os.Stdout).Encode(rep)
		return 1
	}
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	for _, b := range boundSocks {
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			if b.dev == "" {
				return nil
			}
			var serr error
			if err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, b.dev)
			}); err != nil {
				return err
			}
			return serr
		}}
		if strings.HasPrefix(b.network, "tcp") {
			ln, err := lc.Listen(context.Background(), b.network, b.addr)
			if err != nil {
				return fail(fmt.Errorf("listen %s %s dev %q: %w", b.network, b.addr, b.dev, err))
			}
			closers = append(closers, ln.Close)
		} else {
			pc, err := lc.ListenPacket(context.Background(), b.network, b.addr)
			if err != nil {
				return fail(fmt.Errorf("listen %s %s dev %q: %w", b.network, b.addr, b.dev, err))
			}
			closers = append(closers, pc.Close)
		}
	}
	// The namespace's own listeners only: the host's is another one here.
	s, err := New(Options{HostOnly: true})
	if err != nil {
		return fail(err)
	}
	rep.Snap, err = s.Snapshot(context.Background(), Filter{})
	s.Close()
	if err != nil {
		return fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// testNetNS makes a named network namespace with a veth pair v0/v1 (v0
// with 10.77.0.1/24 and fd77::1/64), deleted when the test ends. It skips
// when that is not possible here.
func testNetNS(t *testing.T) (name, ipPath string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("ip (iproute2) is not installed; apt-get install iproute2 to run this test")
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name = fmt.Sprintf("portui-scan-%d-%s", os.Getpid(), hex.EncodeToString(rnd[:]))
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ipPath, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command(ipPath, "netns", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns delete %s: %v\n%s", name, err, out)
		}
	})
	run("-n", name, "link", "set", "lo", "up")
	run("-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	run("-n", name, "addr", "add", "10.77.0.1/24", "dev", "v0")
	run("-n", name, "addr", "add", "fd77::1/64", "dev", "v0", "nodad")
	run("-n", name, "link", "set", "v0", "up")
	run("-n", name, "link", "set", "v1", "up")
	return name, ipPath
}

func TestLiveBoundToDevice(t *testing.T) {
	ns, ipPath := testNetNS(t)
	cmd := exec.Command(ipPath, "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=bind", quickExit())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	h := startCmd(t, cmd)
	var rep helperReport
	if line := h.line(t); json.Unmarshal([]byte(line), &rep) != nil || rep.Err != "" {
		t.Fatalf("bind helper: %s", line)
	}
	if rep.PID != h.pid() {
		t.Errorf("helper reports PID %d, started as %d", rep.PID, h.pid())
	}
	sn := rep.Snap
	if sn.Source != "netlink" {
		t.Errorf("source %q, warnings %q", sn.Source, sn.Warnings)
	}
	for _, b := range boundSocks {
		l := findAddr(sn, b.proto, b.ip, b.port)
		if l == nil {
			t.Errorf("%s %s dev %q: not listed", b.network, b.addr, b.dev)
			continue
		}
		if l.Iface != b.iface || l.Scope != b.scope || l.Endpoint() != b.endpoint || !slices.Equal(l.PIDs(), []int{rep.PID}) {
			t.Errorf("%s %s dev %q: iface %q scope %v endpoint %q pids %v; want %q %v %q [%d]",
				b.network, b.addr, b.dev, l.Iface, l.Scope, l.Endpoint(), l.PIDs(), b.iface, b.scope, b.endpoint, rep.PID)
		}
		if l.Addr.Is6() && l.Addr.IsUnspecified() && l.DualStack != b.dual {
			t.Errorf("%s: dual-stack %v, want %v", b.endpoint, l.DualStack, b.dual)
		}
	}
	if len(sn.Listeners) != len(boundSocks) {
		t.Errorf("%d listeners in the namespace, want %d: %+v", len(sn.Listeners), len(boundSocks), sn.Listeners)
	}

	// The scanner in the test's own namespace sees the same sockets in
	// that one, with its interface names (indexes are per namespace).
	host := newTestScanner(t, Options{})
	hsn, err := host.Snapshot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := endpoints(inNS(hsn, netnsInode(t, rep.PID)), true), endpoints(sn.Listeners, true); !slices.Equal(got, want) {
		t.Errorf("seen from the host: %q\nseen inside: %q", got, want)
	}

	// ss, run in the namespace, shows the same endpoints and PIDs.
	ssPath, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) is not installed; apt-get install iproute2 to compare with it")
	}
	out, err := exec.Command(ipPath, "netns", "exec", ns, ssPath, "-Htulnp").Output()
	if err != nil {
		t.Fatalf("ss in %s: %v", ns, err)
	}
	theirs := ssEndpoints(t, string(out))
	ours := map[string]bool{}
	for _, l := range sn.Listeners {
		ours[fmt.Sprintf("%s %s %v", l.Proto, l.Endpoint(), l.PIDs())] = true
	}
	if a, b := diffSets(ours, theirs); len(a)+len(b) > 0 {
		t.Errorf("scanner and ss disagree in %s\nonly scanner: %q\nonly ss: %q\nss said:\n%s", ns, a, b, out)
	}
}

// ssEndpoints reads `ss -Htulnp` lines as "proto endpoint [pids]", with
// ss's "*" for a dual-stack wildcard written as the scanner writes it.
func ssEndpoints(t *testing.T, out string) map[string]bool {
	t.Helper()
	res := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		proto, local, pids, ok := parseSSLine(line)
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(local, "*"); ok {
			local = "[::]" + rest
		}
		if _, err := netip.ParseAddrPort(withoutDevice(local)); err != nil {
			t.Errorf("ss endpoint %q: %v", local, err)
		}
		res[fmt.Sprintf("%s %s %v", proto, local, pids)] = true
	}
	return res
}

// withoutDevice turns "addr%dev:port" into "addr:port".
func withoutDevice(ep string) string {
	i, j := strings.IndexByte(ep, '%'), strings.LastIndexByte(ep, ':')
	if i < 0 || j < i {
		return ep
	}
	return ep[:i] + ep[j:]
}
