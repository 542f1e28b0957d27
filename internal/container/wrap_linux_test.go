package container

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// fakeNAT is a natSource with rules the test sets.
type fakeNAT struct {
	g     uint32
	rs    []natRule
	reads int
	err   error
}

func (f *fakeNAT) gen() (uint32, error) { return f.g, f.err }
func (f *fakeNAT) close()               {}
func (f *fakeNAT) rules() ([]natRule, error) {
	f.reads++
	return f.rs, nil
}

type fakeSystemd struct {
	units []SocketUnit
	calls int
}

func (f *fakeSystemd) Sockets(context.Context) ([]SocketUnit, error) {
	f.calls++
	return f.units, nil
}

var (
	hostNS    = scan.NetNS{Inode: 1, Host: true}
	podmanNS  = scan.NetNS{Inode: 100, PID: 4242, Path: "/run/netns/netns-1"}
	dockerNS  = scan.NetNS{Inode: 200, PID: 4100, Path: "/run/docker/netns/abcdef123456"}
	kubeNS    = scan.NetNS{Inode: 300, PID: 5100}
	podmanCg  = "/libpod_parent/" + fxInfra + "/libpod-" + fxPodman
	dockerCg  = "/docker/" + fxDocker
	kubeCg    = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + strings.ReplaceAll(uid, "-", "_") + ".slice/cri-containerd-" + fxContainerd + ".scope"
	conmonArg = strings.Fields("/usr/bin/conmon --api-version 1 -c " + fxPodman + " -u " + fxPodman + " -n db1")
	proxyArg  = strings.Fields("/usr/bin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8188 -container-ip 172.17.0.2 -container-port 80")
)

func ln(proto, addr string, port uint16, ns scan.NetNS, procs ...scan.Process) scan.Listener {
	l := scan.Listener{Proto: proto, Addr: netip.MustParseAddr(addr), Port: port, NetNS: ns, Procs: procs, UID: 0, Inode: uint64(port)*10 + ns.Inode}
	if len(procs) == 0 {
		l.Hidden = "owner not visible"
	}
	return l
}

// fixtureSnapshot is a host with a Podman pod member publishing 8088 (a
// conmon placeholder on the host, DNAT to it), a Docker container behind
// docker-proxy, a Kubernetes pod, an nginx.service, ssh.socket held by
// pid 1, and a DNAT rule whose container is gone.
func fixtureSnapshot() scan.Snapshot {
	return scan.Snapshot{
		Source: "netlink",
		NetNS:  []scan.NetNS{hostNS, podmanNS, dockerNS, kubeNS},
		Listeners: []scan.Listener{
			ln("tcp", "0.0.0.0", 22, hostNS, scan.Process{PID: 1, Name: "systemd", Cgroup: "/init.scope"}),
			ln("tcp", "0.0.0.0", 80, podmanNS, scan.Process{PID: 4243, Name: "httpd", Cgroup: podmanCg}),
			ln("tcp", "::", 80, dockerNS, scan.Process{PID: 4101, Name: "nginx", Cgroup: dockerCg}),
			ln("tcp", "0.0.0.0", 443, hostNS, scan.Process{PID: 900, Name: "nginx", Cgroup: "/system.slice/nginx.service"}),
			ln("tcp", "0.0.0.0", 8080, kubeNS, scan.Process{PID: 5101, Name: "nginx", Cgroup: kubeCg}),
			ln("tcp", "127.0.0.1", 8088, hostNS, scan.Process{PID: 3000, Name: "conmon", Args: conmonArg, Cgroup: "/"}),
			ln("tcp", "127.0.0.1", 8188, hostNS, scan.Process{PID: 3100, Name: "docker-proxy", Args: proxyArg, Cgroup: "/"}),
			ln("tcp", "0.0.0.0", 9000, podmanNS),
		},
	}
}

func fixtureWrap(t *testing.T, snap scan.Snapshot) (*wrapped, *fakeNAT, *fakeSystemd) {
	t.Helper()
	nat := &fakeNAT{g: 7, rs: []natRule{
		{Proto: "tcp", Host: netip.MustParseAddrPort("127.0.0.1:8088"), Target: netip.MustParseAddrPort("10.88.0.5:80"), ID: fxPodman},
		{Proto: "tcp", Host: netip.MustParseAddrPort("0.0.0.0:8099"), Target: netip.MustParseAddrPort("10.88.0.99:80"), ID: fxUnknown},
	}}
	sys := &fakeSystemd{units: []SocketUnit{
		{Name: "cups.socket", Listen: []Listen{{"Stream", "/run/cups/cups.sock"}}, Service: "cups.service"},
		{Name: "ssh.socket", Listen: []Listen{{"Stream", "[::]:22"}, {"Stream", "0.0.0.0:22"}}, Service: "ssh.service"},
	}}
	w := wrap(scan.Static(snap), Options{Root: "testdata/root", ProcRoot: "testdata/root/proc", Systemd: sys}, nat)
	// Addresses inside the fixture namespaces (rtnetlink needs the real
	// namespaces: TestLinkRealNamespace does that part for real).
	w.nsAddr[holderKey{podmanNS.PID, podmanNS.Inode}] = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("10.88.0.5")}
	w.nsAddr[holderKey{dockerNS.PID, dockerNS.Inode}] = nil // unknown: linked by Docker's own state (config.v2.json IPs)
	w.nsAddr[holderKey{kubeNS.PID, kubeNS.Inode}] = []netip.Addr{netip.MustParseAddr("10.244.0.7")}
	return w, nat, sys
}

func find(t *testing.T, s scan.Snapshot, proto string, port uint16, inode uint64) scan.Listener {
	t.Helper()
	for _, l := range s.Listeners {
		if l.Proto == proto && l.Port == port && l.NetNS.Inode == inode {
			return l
		}
	}
	t.Fatalf("no listener %s %d in netns %d", proto, port, inode)
	return scan.Listener{}
}

func TestWrapFixtureHost(t *testing.T) {
	w, _, _ := fixtureWrap(t, fixtureSnapshot())
	s, err := w.Snapshot(context.Background(), scan.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	db1 := scan.Container{Runtime: "podman", ID: fxPodman, Name: "db1", Pod: "mypod"}
	web1 := scan.Container{Runtime: "docker", ID: fxDocker, Name: `web1\x1b[31m`}
	nginx := scan.Container{Runtime: "containerd", ID: fxContainerd, Name: "nginx", Pod: "web-7d9f"}

	// Containers and units.
	if l := find(t, s, "tcp", 80, podmanNS.Inode); l.Container == nil || *l.Container != db1 || l.Procs[0].Container == nil || *l.Procs[0].Container != db1 {
		t.Errorf("podman listener: %+v", l.Container)
	}
	if l := find(t, s, "tcp", 9000, podmanNS.Inode); l.Container == nil || *l.Container != db1 {
		t.Errorf("owner-less listener in the pod's netns: %+v", l.Container)
	}
	if l := find(t, s, "tcp", 8080, kubeNS.Inode); l.Container == nil || *l.Container != nginx {
		t.Errorf("kubernetes listener: %+v", l.Container)
	}
	if l := find(t, s, "tcp", 443, hostNS.Inode); l.Container != nil || l.Unit != "nginx.service" || l.Procs[0].Unit != "nginx.service" {
		t.Errorf("nginx.service: %+v %q", l.Container, l.Unit)
	}

	// Published, both ways: host placeholder → container listener.
	conmon := find(t, s, "tcp", 8088, hostNS.Inode)
	wantFwd := scan.PortMap{Proto: "tcp", Host: netip.MustParseAddrPort("127.0.0.1:8088"), Target: netip.MustParseAddrPort("10.88.0.5:80"),
		Via: "conmon", Container: &db1, TargetNetNS: podmanNS.Inode}
	if conmon.Container != nil || !equalPM(conmon.Forward, &wantFwd) {
		t.Errorf("conmon placeholder forward:\n got %s\nwant %s", pmString(conmon.Forward), pmString(&wantFwd))
	}
	in := find(t, s, "tcp", 80, podmanNS.Inode)
	wantPub := wantFwd
	wantPub.Via = "nat"
	if len(in.Published) != 1 || !equalPM(&in.Published[0], &wantPub) {
		t.Errorf("published to the podman listener: %v", in.Published)
	}
	proxy := find(t, s, "tcp", 8188, hostNS.Inode)
	wantProxy := scan.PortMap{Proto: "tcp", Host: netip.MustParseAddrPort("127.0.0.1:8188"), Target: netip.MustParseAddrPort("172.17.0.2:80"),
		Via: "docker-proxy", Container: &web1, TargetNetNS: dockerNS.Inode}
	if !equalPM(proxy.Forward, &wantProxy) {
		t.Errorf("docker-proxy forward:\n got %s\nwant %s", pmString(proxy.Forward), pmString(&wantProxy))
	}
	if d := find(t, s, "tcp", 80, dockerNS.Inode); len(d.Published) != 1 || !equalPM(&d.Published[0], &wantProxy) {
		t.Errorf("published to the docker listener: %v", d.Published)
	}

	// The snapshot's port maps: the gone container's rule has no container.
	if len(s.PortMaps) != 3 {
		t.Fatalf("port maps: %v", s.PortMaps)
	}
	for _, pm := range s.PortMaps {
		if pm.Host.Port() == 8099 && (pm.Container != nil || pm.TargetNetNS != 0) {
			t.Errorf("gone container kept: %s", pmString(&pm))
		}
	}

	// Socket activation.
	ssh := find(t, s, "tcp", 22, hostNS.Inode)
	if ssh.Activation == nil || *ssh.Activation != (scan.Activation{Socket: "ssh.socket", Service: "ssh.service"}) || ssh.Unit != "init.scope" {
		t.Errorf("ssh activation: %+v unit %q", ssh.Activation, ssh.Unit)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %q", s.Warnings)
	}
}

func equalPM(a, b *scan.PortMap) bool {
	if a == nil || b == nil {
		return a == b
	}
	ca, cb := a.Container, b.Container
	if (ca == nil) != (cb == nil) || (ca != nil && *ca != *cb) {
		return false
	}
	x, y := *a, *b
	x.Container, y.Container = nil, nil
	return x == y
}

func pmString(p *scan.PortMap) string {
	if p == nil {
		return "<nil>"
	}
	return p.Proto + " " + p.Host.String() + " → " + p.Target.String() + " via " + p.Via + " (" + p.Container.Label() + ") ns " + strconv.FormatUint(p.TargetNetNS, 10)
}

// TestWrapCosts: a block poll re-reads nothing (names cached by id, NAT
// rules by generation, socket units by age), and a changed generation
// re-reads the rules once.
func TestWrapCosts(t *testing.T) {
	w, nat, sys := fixtureWrap(t, fixtureSnapshot())
	ctx := context.Background()
	if _, err := w.Snapshot(ctx, scan.Filter{}); err != nil {
		t.Fatal(err)
	}
	// The first block poll may read the cgroup of a namespace holder whose
	// listeners the whole poll had named (once per pid and netns).
	if _, err := w.Snapshot(ctx, scan.Filter{Lo: 1, Hi: 1024}); err != nil {
		t.Fatal(err)
	}
	reads, holders := w.names.reads, w.stats.holderReads
	for range 5 {
		if _, err := w.Snapshot(ctx, scan.Filter{Lo: 1, Hi: 1024}); err != nil {
			t.Fatal(err)
		}
	}
	if w.names.reads != reads || nat.reads != 1 || sys.calls != 1 || w.stats.holderReads != holders {
		t.Errorf("block polls read: names %d→%d, nat %d, systemd %d, holders %d→%d", reads, w.names.reads, nat.reads, sys.calls, holders, w.stats.holderReads)
	}
	nat.g++
	s, _ := w.Snapshot(ctx, scan.Filter{Lo: 8000, Hi: 8100})
	if nat.reads != 2 {
		t.Errorf("new generation: %d reads", nat.reads)
	}
	// A block poll's port maps are those of its ports.
	for _, pm := range s.PortMaps {
		if p := pm.Host.Port(); p < 8000 || p > 8100 {
			t.Errorf("port map outside the block: %s", pmString(&pm))
		}
	}
}

// TestWrapWarnings: unreadable runtime state and unreadable NAT rules
// say so once per snapshot, not once per container.
func TestWrapWarnings(t *testing.T) {
	snap := fixtureSnapshot()
	other := "7777777777777777777777777777777777777777777777777777777777777777"
	snap.Listeners = append(snap.Listeners,
		ln("tcp", "0.0.0.0", 81, dockerNS, scan.Process{PID: 4102, Name: "x", Cgroup: "/docker/" + fxUnknown}),
		ln("tcp", "0.0.0.0", 82, dockerNS, scan.Process{PID: 4103, Name: "y", Cgroup: "/docker/" + other}))
	w, nat, _ := fixtureWrap(t, snap)
	nat.err = errString("netlink receive: operation not permitted")
	s, _ := w.Snapshot(context.Background(), scan.Filter{})
	var docker, natw int
	for _, m := range s.Warnings {
		docker += strings.Count(m, "docker container names unknown")
		natw += strings.Count(m, "NAT rules could not be read: netlink receive: operation not permitted")
	}
	if docker != 1 || natw != 1 {
		t.Errorf("warnings %q", s.Warnings)
	}
	if l := find(t, s, "tcp", 81, dockerNS.Inode); l.Container.Label() != fxUnknown[:12] {
		t.Errorf("unnamed container label %q", l.Container.Label())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestWrapNoSystemd: pid 1 is not systemd (this machine's case): no
// D-Bus call, no activation.
func TestWrapNoSystemd(t *testing.T) {
	dir := t.TempDir()
	sys := &fakeSystemd{units: []SocketUnit{{Name: "ssh.socket", Listen: []Listen{{"Stream", "22"}}, Service: "ssh.service"}}}
	w := wrap(scan.Static(fixtureSnapshot()), Options{Root: "testdata/root", ProcRoot: dir, Systemd: sys}, &fakeNAT{})
	s, _ := w.Snapshot(context.Background(), scan.Filter{})
	if l := find(t, s, "tcp", 22, hostNS.Inode); l.Activation != nil || sys.calls != 0 {
		t.Errorf("activation without systemd: %+v, %d calls", l.Activation, sys.calls)
	}
}

func TestListenMatches(t *testing.T) {
	any4, lo := netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("127.0.0.1")
	for _, c := range []struct {
		l     Listen
		proto string
		addr  netip.Addr
		want  bool
	}{
		{Listen{"Stream", "22"}, "tcp", any4, true},
		{Listen{"Stream", "0.0.0.0:22"}, "tcp", any4, true},
		{Listen{"Stream", "127.0.0.1:22"}, "tcp", any4, false},
		{Listen{"Stream", "127.0.0.1:22"}, "tcp", lo, true},
		{Listen{"Datagram", "22"}, "tcp", any4, false},
		{Listen{"Datagram", "[::]:22"}, "udp", netip.IPv6Unspecified(), true},
		{Listen{"Stream", "/run/x.sock"}, "tcp", any4, false},
	} {
		if got := listenMatches(c.l, c.proto, c.addr, 22); got != c.want {
			t.Errorf("%+v %s %v: %v", c.l, c.proto, c.addr, got)
		}
	}
}

// TestWrapLegacyIptables: rules in legacy iptables (a nat table in
// /proc/net/ip_tables_names) are said to be unreadable, never shelled out for.
func TestWrapLegacyIptables(t *testing.T) {
	proc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(proc, "net"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proc, "net/ip_tables_names"), []byte("filter\nnat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := wrap(scan.Static(fixtureSnapshot()), Options{Root: "testdata/root", ProcRoot: proc}, &fakeNAT{g: 1})
	s, _ := w.Snapshot(context.Background(), scan.Filter{})
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "legacy iptables") {
		t.Errorf("warnings %q", s.Warnings)
	}
	if err := os.WriteFile(filepath.Join(proc, "net/ip_tables_names"), []byte("filter\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w = wrap(scan.Static(fixtureSnapshot()), Options{Root: "testdata/root", ProcRoot: proc}, &fakeNAT{g: 1})
	if s, _ := w.Snapshot(context.Background(), scan.Filter{}); len(s.Warnings) != 0 {
		t.Errorf("filter table only: %q", s.Warnings)
	}
}
