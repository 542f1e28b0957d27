package report

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// mixedHost is a snapshot with a listener of every shape the listing
// tells apart: system and private-use ports, a hidden owner, several
// owners, a device-bound and a dual-stack socket, IPv6, UDP, a wide
// process name, containers with published ports and the host sockets
// forwarding to them, socket activation, a systemd unit, a place too
// long for its column, and another netns.
func mixedHost() scan.Snapshot {
	hostNS := scan.NetNS{Inode: 4026531840, Host: true}
	nsWeb := scan.NetNS{Inode: 4026532301, Path: "/run/netns/netns-5b1e7c2a", PID: 4242}
	nsDemo := scan.NetNS{Inode: 4026532304, Path: "/run/netns/pdemo", PID: 6000}
	web1 := &scan.Container{Runtime: "podman", ID: "a1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "web1"}
	long := &scan.Container{Runtime: "docker", ID: "c1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "a-container-name-much-too-long-for-the-where-column", Pod: "pod-with-a-long-name"}
	ap := netip.MustParseAddrPort
	webMap := scan.PortMap{Proto: "tcp", Host: ap("127.0.0.1:8088"), Target: ap("10.88.0.5:80"), Via: "nat", Container: web1, TargetNetNS: nsWeb.Inode}

	l := func(proto, addr string, port uint16, ns scan.NetNS, procs ...string) scan.Listener {
		a := netip.MustParseAddr(addr)
		out := scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 0, User: "root", NetNS: ns, Inode: uint64(port)*10 + uint64(len(procs))}
		for i, name := range procs {
			out.Procs = append(out.Procs, scan.Process{PID: 100*int(port) + i, Name: name, Cmdline: "/usr/bin/" + name + " --flag", UID: 0, User: "root", Cgroup: "/system.slice/x.service"})
		}
		if len(procs) == 0 {
			out.Hidden = "owner root (uid 0) · process hidden"
		}
		return out
	}
	sshd := l("tcp", "0.0.0.0", 22, hostNS, "sshd")
	sshd.Unit = "ssh.service"
	sshd6 := l("tcp", "::", 22, hostNS, "sshd")
	sshd6.DualStack, sshd6.Unit = true, "ssh.service"
	hidden := l("tcp", "127.0.0.1", 326, hostNS)
	hidden.UID, hidden.User = 1000, ""
	nginx := l("tcp", "10.0.0.1", 80, hostNS, "nginx", "nginx", "nginx", "nginx")
	dev := l("tcp", "0.0.0.0", 444, hostNS, "devd")
	dev.Iface, dev.Scope = "v0", scan.ScopeInterface
	lo6 := l("tcp", "::1", 631, hostNS, "systemd")
	lo6.Activation = &scan.Activation{Socket: "cups.socket", Service: "cups.service", Running: true}
	udp := l("udp", "0.0.0.0", 323, hostNS, "chronyd")
	wide := l("udp", "fe80::1", 5353, hostNS, "名前サーバ")
	wide.UID, wide.User = -1, ""
	web := l("tcp", "0.0.0.0", 80, nsWeb, "httpd")
	web.Container, web.Published = web1, []scan.PortMap{webMap}
	conmon := l("tcp", "127.0.0.1", 8088, hostNS, "conmon")
	fwd := webMap
	fwd.Via = "conmon"
	conmon.Forward = &fwd
	far := l("tcp", "0.0.0.0", 50000, nsDemo, "java")
	far.Container = long
	demo := l("tcp", "127.0.0.1", 9000, nsDemo, "python3")
	return scan.Snapshot{
		Taken: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Source: "netlink", Owners: "procfs",
		Listeners: []scan.Listener{sshd, sshd6, nginx, web, udp, hidden, dev, lo6, wide, conmon, demo, far},
		NetNS:     []scan.NetNS{hostNS, nsWeb, nsDemo},
		PortMaps:  []scan.PortMap{webMap},
		Warnings:  []string{"a warning"},
	}
}

func listenersDoc(t *testing.T, snap scan.Snapshot, annotate func(*registry.Registry, scan.Snapshot) []audit.Listener) ListenersDoc {
	t.Helper()
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	return NewListeners(snap, annotate(reg, snap), Registry{Kind: "embedded", Updated: reg.Updated}, "")
}

func render(t *testing.T, doc ListenersDoc, format string, st Styles) string {
	t.Helper()
	f, err := LookupFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b, st, doc); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestListenersGolden pins the listing's bytes (text plain and styled,
// JSON) for mixedHost: the renderers are tuned for speed, their output
// must not move. go test ./internal/report -run ListenersGolden -update
// rewrites testdata/TestListenersGolden/*.golden (and docs/json.md's
// field list, which TestSchemaDoc keeps equal to the types anyway).
func TestListenersGolden(t *testing.T) {
	doc := listenersDoc(t, mixedHost(), audit.Describe)
	for _, tc := range []struct {
		name, format string
		st           Styles
	}{
		{"text", "text", PlainStyles()},
		{"styled", "text", DefaultStyles()},
		{"json", "json", PlainStyles()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireGolden(t, render(t, doc, tc.format, tc.st))
		})
	}
}

// TestListingReadsNoFinding: the listing of a snapshot is the same from
// Annotate's annotation (with findings) as from Describe's (none), so
// `portui listeners` may skip the rules.
func TestListingReadsNoFinding(t *testing.T) {
	snap := mixedHost()
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range audit.Annotate(reg, snap) {
		n += len(a.Findings)
	}
	if n == 0 {
		t.Fatal("mixedHost has no finding: the test would prove nothing")
	}
	withRules, without := listenersDoc(t, snap, audit.Annotate), listenersDoc(t, snap, audit.Describe)
	for _, f := range []string{"text", "json"} {
		for _, st := range []Styles{PlainStyles(), DefaultStyles()} {
			if a, b := render(t, withRules, f, st), render(t, without, f, st); a != b {
				t.Errorf("%s from Annotate:\n%s\nfrom Describe:\n%s", f, a, b)
			}
		}
	}
}

// requireGolden compares out with testdata/<test name>.golden, byte for
// byte; -update writes the file.
func requireGolden(t *testing.T, out string) {
	t.Helper()
	path := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s:\n%q\nwant:\n%q", path, out, want)
	}
}

// TestEndpointAndAddress: one string serves both, and they are what
// Endpoint and Addr.String say, for every kind of address.
func TestEndpointAndAddress(t *testing.T) {
	for _, a := range []string{"0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1", "fe80::1%eth0",
		"fe80::1%a-zone-name-longer-than-the-sixty-four-byte-buffer-of-endpointAndAddress-itself", "::ffff:10.0.0.1", "2001:db8::8a2e:370:7334"} {
		for _, iface := range []string{"", "v0"} {
			for _, port := range []uint16{0, 22, 65535} {
				l := scan.Listener{Addr: netip.MustParseAddr(a), Port: port, Iface: iface}
				ep, addr := endpointAndAddress(&l)
				if ep != l.Endpoint() || addr != l.Addr.String() {
					t.Errorf("%s %q %d: %q, %q; want %q, %q", a, iface, port, ep, addr, l.Endpoint(), l.Addr.String())
				}
			}
		}
	}
	var zero scan.Listener
	if ep, addr := endpointAndAddress(&zero); ep != zero.Endpoint() || addr != zero.Addr.String() {
		t.Errorf("zero address: %q, %q", ep, addr)
	}
}
