package audit_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// The namespaces and containers of the fixtures, as the scanner and
// package container describe them (internal/scan/scan.go).
var (
	hostNS = scan.NetNS{Inode: 4026531840, Host: true}
	nsWeb  = scan.NetNS{Inode: 4026532301, Path: "/run/netns/netns-5b1e7c2a", PID: 4242}
	nsPod  = scan.NetNS{Inode: 4026532302, Path: "/run/netns/netns-9d0c0b1e", PID: 4400}
	nsAPI  = scan.NetNS{Inode: 4026532303, Path: "/run/docker/netns/1f2e3d4c5b6a", PID: 5100}
	nsDemo = scan.NetNS{Inode: 4026532304, Path: "/run/netns/pdemo"}
	nsAnon = scan.NetNS{Inode: 4026532305, PID: 6000}

	web1  = &scan.Container{Runtime: "podman", ID: strings.Repeat("a1", 32), Name: "web1"}
	dns1  = &scan.Container{Runtime: "podman", ID: strings.Repeat("d1", 32), Name: "dns1"}
	webA  = &scan.Container{Runtime: "podman", ID: strings.Repeat("b1", 32), Name: "web-a", Pod: "demo"}
	cache = &scan.Container{Runtime: "podman", ID: strings.Repeat("b2", 32), Name: "cache", Pod: "demo"}
	api   = &scan.Container{Runtime: "docker", ID: strings.Repeat("c1", 32), Name: "api"}
	hostC = &scan.Container{Runtime: "podman", ID: strings.Repeat("e1", 32), Name: "hostweb"}
	gone  = &scan.Container{Runtime: "podman", ID: strings.Repeat("f1", 32)}
)

func at(l scan.Listener, ns scan.NetNS, c *scan.Container) scan.Listener {
	l.NetNS, l.Container = ns, c
	return l
}

func pmap(proto, host, target, via string, c *scan.Container, ns uint64) scan.PortMap {
	return scan.PortMap{Proto: proto, Host: netip.MustParseAddrPort(host), Target: netip.MustParseAddrPort(target), Via: via, Container: c, TargetNetNS: ns}
}

func published(l scan.Listener, ms ...scan.PortMap) scan.Listener {
	l.Published = ms
	return l
}

func forwarding(l scan.Listener, m scan.PortMap) scan.Listener {
	l.Forward = &m
	return l
}

func proc(l scan.Listener, pid int) scan.Listener {
	l.Procs[0].PID = pid
	return l
}

type wantFinding struct {
	kind audit.Kind
	msg  string
}

// TestWhereListenersLive is the audit of every case of issue 8 on fake
// snapshots shaped as /work/shared/docs/containers.md says the real ones
// are: each case's findings, kind and exact message, in report order.
func TestWhereListenersLive(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	web1Map := pmap("tcp", "0.0.0.0:8080", "10.88.0.5:80", "nat", web1, nsWeb.Inode)
	dnsMap := pmap("udp", "0.0.0.0:5353", "10.88.0.6:53", "nat", dns1, nsWeb.Inode+10)
	podMap := pmap("tcp", "0.0.0.0:8081", "10.88.0.7:80", "nat", webA, nsPod.Inode)
	apiMap := pmap("tcp", "0.0.0.0:80", "172.17.0.2:80", "docker-proxy", api, nsAPI.Inode)
	natMap := pmap("tcp", "0.0.0.0:443", "172.17.0.2:443", "nat", api, nsAPI.Inode)
	tests := []struct {
		name string
		snap scan.Snapshot
		want []wantFinding
	}{
		{"published TCP", scan.Snapshot{
			Listeners: []scan.Listener{
				at(published(listener("tcp", "0.0.0.0", 80, "httpd"), web1Map), nsWeb, web1),
				at(forwarding(proc(listener("tcp", "0.0.0.0", 8080, "conmon"), 3000), scan.PortMap{
					Proto: "tcp", Host: web1Map.Host, Target: web1Map.Target, Via: "conmon", Container: web1, TargetNetNS: nsWeb.Inode,
				}), hostNS, nil),
			},
			PortMaps: []scan.PortMap{web1Map},
		}, []wantFinding{
			{audit.ExposedSystemPort, "80/tcp in web1 (podman) is published on 0.0.0.0:8080 (nat): a system port reachable on all addresses, held by httpd (pid 100) on 0.0.0.0:80"},
		}},
		{"published on loopback only", scan.Snapshot{
			Listeners: []scan.Listener{
				at(published(listener("tcp", "0.0.0.0", 80, "httpd"), pmap("tcp", "127.0.0.1:8088", "10.88.0.5:80", "nat", web1, nsWeb.Inode)), nsWeb, web1),
			},
		}, nil},
		{"published UDP", scan.Snapshot{
			Listeners: []scan.Listener{at(published(listener("udp", "0.0.0.0", 53, "dnsmasq"), dnsMap), scan.NetNS{Inode: nsWeb.Inode + 10}, dns1)},
			PortMaps:  []scan.PortMap{dnsMap},
		}, []wantFinding{
			{audit.ExposedSystemPort, "53/udp in dns1 (podman) is published on 0.0.0.0:5353 (nat): a system port reachable on all addresses, held by dnsmasq (pid 100) on 0.0.0.0:53"},
		}},
		{"unpublished 0.0.0.0 in a container", scan.Snapshot{Listeners: []scan.Listener{
			at(listener("tcp", "0.0.0.0", 80, "python3"), nsWeb, web1),    // would be exposed and unexpected on the host
			at(listener("tcp", "0.0.0.0", 50000, "java"), nsWeb, web1),    // would be private use on the host
			at(listener("tcp", "127.0.0.1", 326, "python3"), nsWeb, web1), // idem
		}}, nil},
		{"--network host container: host rules", scan.Snapshot{Listeners: []scan.Listener{
			at(listener("tcp", "0.0.0.0", 80, "python3"), hostNS, hostC),
		}}, []wantFinding{
			{audit.ExposedSystemPort, "80/tcp on 0.0.0.0:80: a system port bound to all addresses by python3 (pid 100) in hostweb (podman)"},
			{audit.UnexpectedService, "80/tcp on 0.0.0.0:80: registered for http (nginx, apache2, httpd, caddy, lighttpd, haproxy, envoy, traefik) but python3 (pid 100) in hostweb (podman) holds it"},
		}},
		{"pod of two sharing a netns", scan.Snapshot{
			Listeners: []scan.Listener{
				at(published(listener("tcp", "0.0.0.0", 80, "httpd"), podMap), nsPod, webA),
				at(listener("tcp", "0.0.0.0", 6379, "redis-server"), nsPod, cache),
				at(forwarding(proc(listener("tcp", "0.0.0.0", 8081, "conmon"), 4401), podMap), hostNS, nil),
			},
			PortMaps: []scan.PortMap{podMap},
		}, []wantFinding{
			{audit.ExposedSystemPort, "80/tcp in web-a (podman, pod demo) is published on 0.0.0.0:8081 (nat): a system port reachable on all addresses, held by httpd (pid 100) on 0.0.0.0:80"},
		}},
		{"plain ip netns namespace", scan.Snapshot{Listeners: []scan.Listener{
			at(listener("tcp", "0.0.0.0", 22, "python3"), nsDemo, nil),
			at(listener("udp", "0.0.0.0", 50001, "nc"), nsAnon, nil),
		}}, nil},
		{"docker-proxy", scan.Snapshot{
			Listeners: []scan.Listener{
				at(forwarding(proc(listener("tcp", "0.0.0.0", 80, "docker-proxy"), 5000), apiMap), hostNS, nil),
				at(published(listener("tcp", "0.0.0.0", 80, "python3"), apiMap), nsAPI, api),
			},
			PortMaps: []scan.PortMap{apiMap},
		}, []wantFinding{
			{audit.ExposedSystemPort, "80/tcp on 0.0.0.0:80: a system port bound to all addresses by docker-proxy (pid 5000) for api (docker) 172.17.0.2:80"},
			{audit.ExposedSystemPort, "80/tcp in api (docker) is published on 0.0.0.0:80 (docker-proxy): a system port reachable on all addresses, held by python3 (pid 100) on 0.0.0.0:80"},
		}},
		{"userland-proxy=false: dockerd placeholder", scan.Snapshot{
			Listeners: []scan.Listener{
				at(forwarding(proc(listener("tcp", "0.0.0.0", 443, "dockerd"), 900), natMap), hostNS, nil),
				at(published(listener("tcp", "0.0.0.0", 443, "caddy"), natMap), nsAPI, api),
			},
			PortMaps: []scan.PortMap{natMap},
		}, []wantFinding{
			{audit.ExposedSystemPort, "443/tcp on 0.0.0.0:443: a system port bound to all addresses by dockerd (pid 900) for api (docker) 172.17.0.2:443"},
			{audit.ExposedSystemPort, "443/tcp in api (docker) is published on 0.0.0.0:443 (nat): a system port reachable on all addresses, held by caddy (pid 100) on 0.0.0.0:443"},
		}},
		{"NAT rule alone, target listening", scan.Snapshot{
			Listeners: []scan.Listener{at(published(listener("tcp", "0.0.0.0", 443, "caddy"), natMap), nsAPI, api)},
			PortMaps:  []scan.PortMap{natMap},
		}, []wantFinding{
			{audit.ExposedSystemPort, "443/tcp in api (docker) is published on 0.0.0.0:443 (nat): a system port reachable on all addresses, held by caddy (pid 100) on 0.0.0.0:443"},
		}},
		{"dangling published ports", scan.Snapshot{
			Listeners: []scan.Listener{
				at(forwarding(proc(listener("tcp", "0.0.0.0", 8080, "docker-proxy"), 5001), pmap("tcp", "0.0.0.0:8080", "172.17.0.9:80", "docker-proxy", nil, 0)), hostNS, nil),
				at(forwarding(proc(listener("tcp", "127.0.0.1", 8089, "conmon"), 3001), pmap("tcp", "127.0.0.1:8089", "10.88.0.8:80", "conmon", web1, 0)), hostNS, nil),
			},
			PortMaps: []scan.PortMap{
				pmap("tcp", "127.0.0.1:8089", "10.88.0.8:80", "nat", web1, 0), // held by conmon: one finding, its socket's
				pmap("udp", "0.0.0.0:9090", "10.88.0.9:90", "nat", gone, 0),
				pmap("tcp", "[::]:9091", "[fd00::9]:91", "nat", nil, 0),
			},
		}, []wantFinding{
			// A host port published on an unassigned port is private use, as any host socket.
			{audit.PrivateUse, "8089/tcp on 127.0.0.1:8089: the port is unassigned in the IANA registry, so conmon (pid 3001) for web1 (podman) 10.88.0.8:80 listening there is private use"},
			{audit.PublishedDangling, "8080/tcp on 0.0.0.0:8080: docker-proxy (pid 5001) holds it for 172.17.0.9:80, an address no running container has"},
			{audit.PublishedDangling, "8089/tcp on 127.0.0.1:8089: conmon (pid 3001) holds it for web1 (podman) 10.88.0.8:80, where nothing listens on 80/tcp"},
			{audit.PublishedDangling, "9090/udp on 0.0.0.0:9090: a NAT rule publishes it to f1f1f1f1f1f1 (podman) 10.88.0.9:90, where nothing listens on 90/udp"},
			{audit.PublishedDangling, "9091/tcp on [::]:9091: a NAT rule publishes it to [fd00::9]:91, an address no running container has"},
		}},
		{"socket activation", scan.Snapshot{Listeners: []scan.Listener{
			func() scan.Listener {
				l := proc(listener("tcp", "0.0.0.0", 22, "systemd"), 1)
				l.Activation = &scan.Activation{Socket: "ssh.socket", Service: "ssh.service"}
				return l
			}(),
			func() scan.Listener {
				l := proc(listener("tcp", "127.0.0.1", 23, "systemd"), 1)
				l.Activation = &scan.Activation{Socket: "tn.socket", Service: "backdoor.service", Running: true}
				return l
			}(),
			proc(listener("tcp", "127.0.0.1", 21, "systemd"), 1), // activation whose units could not be read
		}}, []wantFinding{
			{audit.ExposedSystemPort, "22/tcp on 0.0.0.0:22: a system port bound to all addresses by systemd (pid 1) for ssh.socket → ssh.service"},
			{audit.UnexpectedService, "23/tcp on 127.0.0.1:23: registered for telnet (telnetd, in.telnetd) but systemd (pid 1) activates backdoor.service for it"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := scanned(t, tt.snap)
			var got []wantFinding
			for _, f := range audit.Check(reg, snap, 0, registry.MaxPort) {
				got = append(got, wantFinding{f.Kind, f.Message})
				if !strings.Contains(f.Message, f.Address) && !strings.Contains(f.Message, "["+f.Address+"]") {
					t.Errorf("message %q does not name its address %s", f.Message, f.Address)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", lines(got), lines(tt.want))
			}
		})
	}
}

// scanned is s as a Scanner reports it (neutralised, sorted).
func scanned(t *testing.T, s scan.Snapshot) scan.Snapshot {
	t.Helper()
	sc := scan.Static(s)
	defer sc.Close()
	out, err := sc.Snapshot(t.Context(), scan.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func lines(fs []wantFinding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s: %s\n", f.kind, f.msg)
	}
	return b.String()
}

func TestWording(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), nsWeb, web1)), "web1 (podman)"},
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), hostNS, hostC)), "hostweb (podman, host netns)"},
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), nsPod, webA)), "web-a (podman, pod demo)"},
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), nsPod, gone)), "f1f1f1f1f1f1 (podman)"},
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), nsDemo, nil)), "netns pdemo"},
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), nsAnon, nil)), "netns 4026532305"},
		{audit.Location(listener("tcp", "0.0.0.0", 80)), "host"}, // a backend that cannot tell
		{audit.Location(at(listener("tcp", "0.0.0.0", 80), hostNS, nil)), "host"},
		{audit.Place(func() scan.Listener {
			l := at(listener("tcp", "0.0.0.0", 80), hostNS, nil)
			l.Unit = "nginx.service"
			return l
		}()), "nginx.service"},
		{audit.Place(func() scan.Listener {
			l := at(listener("tcp", "0.0.0.0", 80), nsWeb, web1)
			l.Unit = "libpod-x.scope"
			return l
		}()), "web1 (podman)"},
		{audit.ForwardText(pmap("tcp", "127.0.0.1:8088", "10.88.0.5:80", "conmon", web1, 1)), "→ web1 (podman) 10.88.0.5:80 (conmon)"},
		{audit.ForwardText(pmap("tcp", "127.0.0.1:8088", "10.88.0.5:80", "", nil, 1)), "→ 10.88.0.5:80"},
		{audit.PublishedText([]scan.PortMap{pmap("tcp", "127.0.0.1:8088", "10.88.0.5:80", "nat", web1, 1)}), "published 127.0.0.1:8088 (nat)"},
		{audit.PublishedText([]scan.PortMap{
			pmap("tcp", "0.0.0.0:8080", "172.17.0.2:80", "docker-proxy", api, 1), pmap("tcp", "[::]:8080", "172.17.0.2:80", "docker-proxy", api, 1),
			pmap("tcp", "127.0.0.1:9", "172.17.0.2:80", "nat", api, 1),
		}), "published 0.0.0.0:8080, [::]:8080 (docker-proxy), 127.0.0.1:9 (nat)"},
		{audit.ActivationText(scan.Activation{Socket: "ssh.socket", Service: "ssh.service"}), "ssh.socket → ssh.service (not running, starts on connect)"},
		{audit.ActivationText(scan.Activation{Socket: "ssh.socket", Service: "ssh.service", Running: true}), "ssh.socket → ssh.service (running)"},
		{strings.Join(audit.Details(at(listener("tcp", "0.0.0.0", 80), hostNS, hostC)), "|"), "in the host's network namespace"},
		{strings.Join(audit.Details(at(listener("tcp", "0.0.0.0", 80), nsWeb, web1)), "|"), ""},
		{strings.Join(audit.Details(forwarding(listener("tcp", "0.0.0.0", 80), pmap("tcp", "0.0.0.0:80", "172.17.0.2:80", "docker-proxy", api, 1))), "|"),
			"published → api (docker) 172.17.0.2:80 (docker-proxy)"},
		{audit.Holder(proc(listener("tcp", "0.0.0.0", 22, "systemd"), 1)), "systemd (pid 1), socket activation"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
