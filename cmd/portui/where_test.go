package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/scan"
)

// containerHost is a snapshot of a host running what
// /work/shared/docs/containers.md describes, as the scanner and package
// container report it: sshd under systemd, a socket-activated port, a
// rootful Podman container web1 published on 127.0.0.1:8088 (conmon
// holds a placeholder, DNAT forwards) with an unpublished UDP listener,
// a pod "demo" of two sharing one netns, a Docker container api behind
// docker-proxy on 0.0.0.0:8188, a --network host container, a plain
// `ip netns add pdemo` namespace, and a DNAT rule whose container is gone.
func containerHost() scan.Snapshot {
	hostNS := scan.NetNS{Inode: 4026531840, Host: true}
	nsWeb := scan.NetNS{Inode: 4026532301, Path: "/run/netns/netns-5b1e7c2a", PID: 4242}
	nsPod := scan.NetNS{Inode: 4026532302, Path: "/run/netns/netns-9d0c0b1e", PID: 4400}
	nsAPI := scan.NetNS{Inode: 4026532303, Path: "/run/docker/netns/1f2e3d4c5b6a", PID: 5100}
	nsDemo := scan.NetNS{Inode: 4026532304, Path: "/run/netns/pdemo", PID: 6000}
	web1 := &scan.Container{Runtime: "podman", ID: "a1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "web1"}
	webA := &scan.Container{Runtime: "podman", ID: "b1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "web-a", Pod: "demo"}
	cache := &scan.Container{Runtime: "podman", ID: "b2b2c3d4e5f6" + strings.Repeat("0", 52), Name: "cache", Pod: "demo"}
	api := &scan.Container{Runtime: "docker", ID: "c1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "api"}
	hostweb := &scan.Container{Runtime: "podman", ID: "e1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "hostweb"}
	old := &scan.Container{Runtime: "podman", ID: "f1b2c3d4e5f6" + strings.Repeat("0", 52), Name: "old"}

	ap := netip.MustParseAddrPort
	webMap := scan.PortMap{Proto: "tcp", Host: ap("127.0.0.1:8088"), Target: ap("10.88.0.5:80"), Via: "nat", Container: web1, TargetNetNS: nsWeb.Inode}
	podMap := scan.PortMap{Proto: "tcp", Host: ap("0.0.0.0:8081"), Target: ap("10.88.0.7:80"), Via: "nat", Container: webA, TargetNetNS: nsPod.Inode}
	apiMap := scan.PortMap{Proto: "tcp", Host: ap("0.0.0.0:8188"), Target: ap("172.17.0.2:80"), Via: "docker-proxy", Container: api, TargetNetNS: nsAPI.Inode}
	goneMap := scan.PortMap{Proto: "tcp", Host: ap("0.0.0.0:8090"), Target: ap("10.88.0.9:80"), Via: "nat", Container: old}

	l := func(proto, addr string, port uint16, pid int, name string, ns scan.NetNS, c *scan.Container) scan.Listener {
		out := fakeListener(proto, addr, port, pid, name)
		out.NetNS, out.Container = ns, c
		out.Inode = uint64(pid)*100 + uint64(port)
		return out
	}
	sshd := l("tcp", "0.0.0.0", 22, 812, "sshd", hostNS, nil)
	sshd.Unit = "ssh.service"
	activated := l("tcp", "127.0.0.1", 631, 1, "systemd", hostNS, nil)
	activated.Activation = &scan.Activation{Socket: "cups.socket", Service: "cups.service"}
	webTCP := l("tcp", "0.0.0.0", 80, 4242, "httpd", nsWeb, web1)
	webTCP.Published = []scan.PortMap{webMap}
	webUDP := l("udp", "0.0.0.0", 5353, 4243, "mdnsd", nsWeb, web1)
	conmon := l("tcp", "127.0.0.1", 8088, 4240, "conmon", hostNS, nil)
	conmonFwd := webMap
	conmonFwd.Via = "conmon"
	conmon.Forward = &conmonFwd
	podWeb := l("tcp", "0.0.0.0", 80, 4401, "httpd", nsPod, webA)
	podWeb.Published = []scan.PortMap{podMap}
	podCache := l("tcp", "127.0.0.1", 6379, 4402, "redis-server", nsPod, cache)
	podConmon := l("tcp", "0.0.0.0", 8081, 4399, "conmon", hostNS, nil)
	podFwd := podMap
	podFwd.Via = "conmon"
	podConmon.Forward = &podFwd
	apiL := l("tcp", "0.0.0.0", 80, 5100, "nginx", nsAPI, api)
	apiL.Published = []scan.PortMap{apiMap}
	proxy := l("tcp", "0.0.0.0", 8188, 5000, "docker-proxy", hostNS, nil)
	proxy.Forward = &apiMap
	hostL := l("tcp", "::", 8000, 7000, "python3", hostNS, hostweb)
	hostL.DualStack = true
	demo := l("tcp", "0.0.0.0", 9000, 6000, "python3", nsDemo, nil)

	return scan.Snapshot{
		Taken: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Source: "netlink",
		Listeners: []scan.Listener{sshd, activated, webTCP, webUDP, conmon, podWeb, podCache, podConmon, apiL, proxy, hostL, demo},
		NetNS:     []scan.NetNS{hostNS, nsWeb, nsPod, nsAPI, nsDemo},
		PortMaps:  []scan.PortMap{webMap, podMap, apiMap, goneMap},
	}
}

// listenersGolden is `portui listeners` of containerHost: every line
// within 100 columns.
const listenersGolden = `PROTO  LOCAL ADDRESS   SERVICE        STATUS      PID/PROCESS        USER  WHERE
tcp    0.0.0.0:22      ssh            assigned    812/sshd           root  ssh.service
tcp    0.0.0.0:80      http           assigned    4242/httpd         root  web1 (podman)
       ↳ published 127.0.0.1:8088 (nat)
tcp    0.0.0.0:80      http           assigned    4401/httpd         root  web-a (podman, pod demo)
       ↳ published 0.0.0.0:8081 (nat)
tcp    0.0.0.0:80      http           assigned    5100/nginx         root  api (docker)
       ↳ published 0.0.0.0:8188 (docker-proxy)
tcp    127.0.0.1:631   ipp            assigned    1/systemd          root  cups.socket
       ↳ cups.socket → cups.service (not running, starts on connect)
udp    0.0.0.0:5353    mdns           assigned    4243/mdnsd         root  web1 (podman)
tcp    127.0.0.1:6379  redis          assigned    4402/redis-server  root  cache (podman, pod demo)
tcp    *:8000          irdmi          assigned    7000/python3       root  hostweb (podman)
       ↳ in the host's network namespace
tcp    0.0.0.0:8081    sunproxyadmin  assigned    4399/conmon        root  host
       ↳ published → web-a (podman, pod demo) 10.88.0.7:80 (conmon)
tcp    127.0.0.1:8088  radan-http     assigned    4240/conmon        root  host
       ↳ published → web1 (podman) 10.88.0.5:80 (conmon)
tcp    0.0.0.0:8188    -              unassigned  5000/docker-proxy  root  host
       ↳ published → api (docker) 172.17.0.2:80 (docker-proxy)
tcp    0.0.0.0:9000    cslistener     assigned    6000/python3       root  netns pdemo

1 listener(s) on ports IANA has not assigned for their transport: private use
`

func TestListenersWhereGolden(t *testing.T) {
	withStaticScanner(t, containerHost())
	out, errOut, code := runCLI(t, "listeners")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if os.Getenv("PORTUI_GOLDEN") != "" {
		t.Logf("\n%s", out)
	}
	if out != listenersGolden {
		t.Errorf("listeners text:\n%s\nwant:\n%s", out, listenersGolden)
	}
	for i, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > 100 {
			t.Errorf("line %d is %d columns: %q", i+1, w, line)
		}
	}
}

// TestListenersWhereFilters: --netns and --container select by where a
// listener lives; a bad value is one line on stderr and exit 2.
func TestListenersWhereFilters(t *testing.T) {
	withStaticScanner(t, containerHost())
	keys := func(args ...string) string {
		t.Helper()
		res := listenersJSON(t, args...)
		var out []string
		for _, l := range res.Listeners {
			out = append(out, fmt.Sprintf("%s/%s:%d", l.Proto, l.Address, l.Port))
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "tcp/0.0.0.0:22 tcp/0.0.0.0:80 tcp/0.0.0.0:80 tcp/0.0.0.0:80 tcp/127.0.0.1:631 udp/0.0.0.0:5353 tcp/127.0.0.1:6379 tcp/:::8000 tcp/0.0.0.0:8081 tcp/127.0.0.1:8088 tcp/0.0.0.0:8188 tcp/0.0.0.0:9000"},
		{[]string{"--netns", "all"}, "tcp/0.0.0.0:22 tcp/0.0.0.0:80 tcp/0.0.0.0:80 tcp/0.0.0.0:80 tcp/127.0.0.1:631 udp/0.0.0.0:5353 tcp/127.0.0.1:6379 tcp/:::8000 tcp/0.0.0.0:8081 tcp/127.0.0.1:8088 tcp/0.0.0.0:8188 tcp/0.0.0.0:9000"},
		{[]string{"--netns", "host"}, "tcp/0.0.0.0:22 tcp/127.0.0.1:631 tcp/:::8000 tcp/0.0.0.0:8081 tcp/127.0.0.1:8088 tcp/0.0.0.0:8188"},
		{[]string{"--netns", "HOST", "--port", "8000-8100"}, "tcp/:::8000 tcp/0.0.0.0:8081 tcp/127.0.0.1:8088"},
		{[]string{"--netns", "pdemo"}, "tcp/0.0.0.0:9000"},
		{[]string{"--netns", "/run/netns/pdemo"}, "tcp/0.0.0.0:9000"},
		{[]string{"--netns", "4026532302"}, "tcp/0.0.0.0:80 tcp/127.0.0.1:6379"},                // the pod's netns: both members
		{[]string{"--netns", "/run/docker/netns/1f2e3d4c5b6a"}, "tcp/0.0.0.0:80"},               // docker's, not in `ip netns list`
		{[]string{"--container", "web1"}, "tcp/0.0.0.0:80 udp/0.0.0.0:5353 tcp/127.0.0.1:8088"}, // and conmon's socket for it
		{[]string{"--container", "c1b2c3"}, "tcp/0.0.0.0:80 tcp/0.0.0.0:8188"},                  // id prefix: api and its docker-proxy
		{[]string{"--container", "web1", "--netns", "host"}, "tcp/127.0.0.1:8088"},
		{[]string{"--container", "cache", "--proto", "udp"}, ""},
		{[]string{"--container", "nosuch"}, ""},
	} {
		if got := keys(tc.args...); got != tc.want {
			t.Errorf("listeners %v:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
	out, _, code := runCLI(t, "listeners", "--container", "nosuch")
	if code != 0 || out != "No listeners in container nosuch.\n" {
		t.Errorf("unknown container: exit %d %q", code, out)
	}
	out, _, code = runCLI(t, "listeners", "--netns", "pdemo", "--port", "22")
	if code != 0 || out != "No listeners on port 22 in netns pdemo.\n" {
		t.Errorf("empty netns selection: exit %d %q", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--netns", ""}, `portui: bad --netns "": empty (want host, all, a namespace inode, or a /run/netns name or path)`},
		{[]string{"--netns", "run/netns/x"}, `portui: bad --netns "run/netns/x": a path must be absolute`},
		{[]string{"--netns", "0"}, `portui: bad --netns "0": not an inode`},
		{[]string{"--netns", "a\x1bb"}, `portui: bad --netns "a\\x1bb": not a name`},
		{[]string{"--netns", "nosuch"}, `portui: bad --netns "nosuch": no such network namespace (inspected: host, netns netns-5b1e7c2a (4026532301), netns netns-9d0c0b1e (4026532302), netns 1f2e3d4c5b6a (4026532303), netns pdemo (4026532304))`},
		{[]string{"--netns", "4026539999"}, `portui: bad --netns "4026539999": no such network namespace`},
		{[]string{"--container", " "}, `portui: bad --container " ": want a container name or the start of its id`},
		{[]string{"--container", "b"}, `portui: bad --container "b": it names 2 containers (web-a (podman, pod demo) b1b2c3d4e5f6, cache (podman, pod demo) b2b2c3d4e5f6); give more of the id`},
	} {
		out, errOut, code := runCLI(t, append([]string{"listeners"}, tc.args...)...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("listeners %q: exit %d, stdout %q, stderr %q, want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

// TestListenersWhereJSON: the v2 fields of every kind of listener, and
// every key the document holds is in docs/json.md's field reference.
func TestListenersWhereJSON(t *testing.T) {
	withStaticScanner(t, containerHost())
	out, _, code := runCLI(t, "listeners", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Schema     string
		Namespaces []map[string]any
		PortMaps   []map[string]any `json:"port_maps"`
		Listeners  []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "portui.listeners/v2" || len(doc.Namespaces) != 5 || len(doc.PortMaps) != 4 || len(doc.Listeners) != 12 {
		t.Fatalf("schema %s, %d namespaces, %d port maps, %d listeners", doc.Schema, len(doc.Namespaces), len(doc.PortMaps), len(doc.Listeners))
	}
	find := func(port float64, pid float64) map[string]any {
		for _, l := range doc.Listeners {
			if l["port"] == port && l["processes"].([]any)[0].(map[string]any)["pid"] == pid {
				return l
			}
		}
		t.Fatalf("no listener %v pid %v", port, pid)
		return nil
	}
	compact := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	for _, tc := range []struct {
		port, pid float64
		key, want string
	}{
		{80, 4242, "netns", `{"host":false,"inode":4026532301,"path":"/run/netns/netns-5b1e7c2a","pid":4242}`},
		{80, 4242, "container", `{"id":"a1b2c3d4e5f60000000000000000000000000000000000000000000000000000","name":"web1","runtime":"podman"}`},
		{80, 4242, "published", `[{"host_address":"127.0.0.1","host_port":8088,"proto":"tcp","via":"nat"}]`},
		{80, 4401, "container", `{"id":"b1b2c3d4e5f60000000000000000000000000000000000000000000000000000","name":"web-a","pod":"demo","runtime":"podman"}`},
		{8088, 4240, "forwards_to", `{"address":"10.88.0.5","container":{"id":"a1b2c3d4e5f60000000000000000000000000000000000000000000000000000","name":"web1","runtime":"podman"},"netns":4026532301,"port":80,"proto":"tcp","via":"conmon"}`},
		{8088, 4240, "netns", `{"host":true,"inode":4026531840}`},
		{22, 812, "unit", `"ssh.service"`},
		{631, 1, "activation", `{"running":false,"service":"cups.service","socket":"cups.socket"}`},
		{9000, 6000, "container", `null`},
	} {
		if got := compact(find(tc.port, tc.pid)[tc.key]); got != tc.want {
			t.Errorf("%v (pid %v) %s = %s, want %s", tc.port, tc.pid, tc.key, got, tc.want)
		}
	}
	if got := compact(doc.PortMaps[3]); got != `{"container":{"id":"f1b2c3d4e5f60000000000000000000000000000000000000000000000000000","name":"old","runtime":"podman"},"host_address":"0.0.0.0","host_port":8090,"proto":"tcp","target_address":"10.88.0.9","target_port":80,"via":"nat"}` {
		t.Errorf("dangling port map: %s", got)
	}
	checkKeysDocumented(t, out)
}

// checkKeysDocumented fails for a key of the JSON document out that the
// field reference of docs/json.md does not list.
func checkKeysDocumented(t *testing.T, out string) {
	t.Helper()
	raw, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	ref := string(raw)
	ref = ref[strings.Index(ref, "<!-- fields:"):]
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(k) + ` `).MatchString(ref) {
					t.Errorf("key %q is not in the field reference of docs/json.md", k)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

// TestWhereTextFromDecodedJSON: a document decoded from its JSON renders
// the same text as the one built from the snapshot (the text's fallback
// words what the fields say the way audit does).
func TestWhereTextFromDecodedJSON(t *testing.T) {
	withStaticScanner(t, containerHost())
	out, _, _ := runCLI(t, "listeners", "--json")
	var doc report.ListenersDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := doc.WriteText(&b, report.Styles{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != listenersGolden {
		t.Errorf("decoded document renders:\n%s\nwant:\n%s", b.String(), listenersGolden)
	}
}

// TestAuditWhere: the audit of the container host, text and JSON: the
// container listeners judged through what publishes them, the proxies
// and pid 1 explained, the dangling NAT rule a finding without a
// listener.
func TestAuditWhere(t *testing.T) {
	withStaticScanner(t, containerHost())
	out, errOut, code := runCLI(t, "audit", "--range", "all")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d %q\n%s", code, errOut, out)
	}
	want := `Private use: listeners on ports IANA has not assigned (1)
  8188/tcp on 0.0.0.0:8188: the port is unassigned in the IANA registry, so docker-proxy (pid 5000) for api (docker) 172.17.0.2:80 listening there is private use

System ports bound to all addresses (3)
  22/tcp on 0.0.0.0:22: a system port bound to all addresses by sshd (pid 812)
  80/tcp in web-a (podman, pod demo) is published on 0.0.0.0:8081 (nat): a system port reachable on all addresses, held by httpd (pid 4401) on 0.0.0.0:80
  80/tcp in api (docker) is published on 0.0.0.0:8188 (docker-proxy): a system port reachable on all addresses, held by nginx (pid 5100) on 0.0.0.0:80

Published ports that reach no listener (1)
  8090/tcp on 0.0.0.0:8090: a NAT rule publishes it to old (podman) 10.88.0.9:80, where nothing listens on 80/tcp

5 findings: 1 private use, 3 exposed system ports, 1 dangling published port
`
	if out != want {
		t.Errorf("audit:\n%s\nwant:\n%s", out, want)
	}
	out, _, code = runCLI(t, "audit", "--json")
	var doc struct {
		Schema string
		Groups []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 {
		t.Fatalf("%v exit %d", err, code)
	}
	if doc.Schema != "portui.audit/v3" || len(doc.Groups) != 3 {
		t.Fatalf("%s: %d groups (0-1023: 22, the pod's 80, api's 80)\n%s", doc.Schema, len(doc.Groups), out)
	}
	checkKeysDocumented(t, out)
	out, _, _ = runCLI(t, "audit", "--range", "8090-8090", "--json")
	doc.Groups = nil // Unmarshal would merge into the old maps
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Groups) != 1 {
		t.Fatalf("%v %s", err, out)
	}
	f := doc.Groups[0]
	if f["kind"] != "published-dangling" || len(f["listeners"].([]any)) != 0 || len(f["port_maps"].([]any)) != 1 ||
		fmt.Sprint(f["addresses"]) != "[0.0.0.0]" || f["port"] != 8090.0 || f["owner"] != nil {
		t.Errorf("dangling group: %v", f)
	}
	checkKeysDocumented(t, out)
}

// TestAuditLooksBehindItsRange: a published port in the audited range
// whose listener is on a port outside it (host 80 → container 8080) is
// not dangling: the audit takes a whole snapshot before it says so.
func TestAuditLooksBehindItsRange(t *testing.T) {
	full := containerHost()
	calls := 0
	old := newScanner
	newScanner = func(scan.Options) (scan.Scanner, error) {
		return scan.Func(func(_ context.Context, f scan.Filter) (scan.Snapshot, error) {
			calls++
			s := full
			s.Listeners = nil
			for _, l := range full.Listeners {
				if f.Match(l.Proto, l.Port) {
					if l.Forward != nil && !f.All() {
						// what a wrapper that sees only the filtered listeners knows
						fwd := *l.Forward
						fwd.TargetNetNS = 0
						l.Forward = &fwd
					}
					s.Listeners = append(s.Listeners, l)
				}
			}
			return s, nil
		}), nil
	}
	t.Cleanup(func() { newScanner = old })
	out, _, code := runCLI(t, "audit", "--range", "8088-8088")
	if code != 0 || calls != 2 || !strings.Contains(out, "nothing found in 8088–8088 (1 listener)") {
		t.Errorf("exit %d after %d snapshots:\n%s", code, calls, out)
	}
	calls = 0
	if _, _, code := runCLI(t, "audit", "--range", "22-22"); code != 1 || calls != 2 {
		// the dangling NAT rule of 8090 makes it look again; 22 is exposed
		t.Errorf("exit %d after %d snapshots", code, calls)
	}
}
