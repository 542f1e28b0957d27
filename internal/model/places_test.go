package model

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// Namespaces of the container fixture.
var (
	hostNS  = scan.NetNS{Inode: 4026531840, Host: true}
	web1NS  = scan.NetNS{Inode: 4026532501, Path: "/run/netns/netns-5f3c", PID: 7001}
	apiNS   = scan.NetNS{Inode: 4026532601, Path: "/run/docker/netns/3b1f0e2a", PID: 7101}
	cacheNS = scan.NetNS{Inode: 4026532701, PID: 7201}
	pdemoNS = scan.NetNS{Inode: 4026532801, Path: "/run/netns/pdemo", PID: 7301}
	emptyNS = scan.NetNS{Inode: 4026532901, Path: "/run/netns/empty"}
	anonNS  = scan.NetNS{Inode: 4026531999} // no path names it
)

func web1() *scan.Container {
	return &scan.Container{Runtime: "podman", ID: strings.Repeat("a1", 32), Name: "web1", Pod: "p1"}
}
func api() *scan.Container {
	return &scan.Container{Runtime: "docker", ID: strings.Repeat("b2", 32), Name: "api"}
}

// cache has no readable name: it shows by short id.
func cache() *scan.Container {
	return &scan.Container{Runtime: "docker", ID: "0123456789ab" + strings.Repeat("c", 52)}
}

func in(l scan.Listener, ns scan.NetNS, c *scan.Container) scan.Listener {
	l.NetNS, l.Container = ns, c
	for i := range l.Procs {
		l.Procs[i].Container = c
	}
	return l
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// containerSnap is the machine of baseSnap with containers and network
// namespaces, as scanner and package container fill it:
//
//   - 8088/tcp on the host: conmon's placeholder, forwarding to web1's 80;
//   - 80/tcp in web1 (podman, pod p1), published on 127.0.0.1:8088, and
//     in api (docker), published only by a NAT rule on 8080;
//   - 443/tcp: nginx on the host (unit nginx.service) and in api too;
//   - 873/tcp: held by pid 1 for rsync.socket (socket activation);
//   - 9000/tcp in cache (docker, name unknown), bound to all addresses
//     and not published;
//   - 5353/udp in the ip netns pdemo, not published;
//   - the netns "empty", where nothing listens, and one no path names.
func containerSnap(at time.Time) scan.Snapshot {
	s := baseSnap(at)
	for i := range s.Listeners {
		s.Listeners[i].NetNS = hostNS
	}
	pm8088 := scan.PortMap{Proto: "tcp", Host: ap("127.0.0.1:8088"), Target: ap("10.88.0.5:80"), Via: "conmon", Container: web1(), TargetNetNS: web1NS.Inode}
	pm8080 := scan.PortMap{Proto: "tcp", Host: ap("0.0.0.0:8080"), Target: ap("172.17.0.2:80"), Via: "nat", Container: api(), TargetNetNS: apiNS.Inode}
	conmon := in(lst("tcp", "127.0.0.1", 8088, proc(6990, "conmon", "root", "/usr/bin/conmon --api-version 1 -c a1a1 -n web1")), hostNS, nil)
	conmon.Forward = &pm8088
	conmon.Unit = "libpod-conmon-a1a1.scope"
	httpd := in(lst("tcp", "0.0.0.0", 80, proc(7001, "httpd", "root", "httpd -f -p 80")), web1NS, web1())
	httpd.Published = []scan.PortMap{pm8088}
	apiHTTP := in(lst("tcp", "0.0.0.0", 80, proc(7101, "node", "root", "node /srv/api/server.js")), apiNS, api())
	apiHTTP.Published = []scan.PortMap{pm8080}
	nginx := in(lst("tcp", "0.0.0.0", 443, proc(1200, "nginx", "root", "nginx: master process /usr/sbin/nginx")), hostNS, nil)
	nginx.Unit = "nginx.service"
	apiTLS := in(lst("tcp", "0.0.0.0", 443, proc(7101, "node", "root", "node /srv/api/server.js")), apiNS, api())
	rsync := in(lst("tcp", "0.0.0.0", 873, proc(1, "systemd", "root", "/sbin/init splash")), hostNS, nil)
	rsync.Activation = &scan.Activation{Socket: "rsync.socket", Service: "rsync.service"}
	rsync.Unit = "init.scope"
	memc := in(lst("tcp", "0.0.0.0", 9000, proc(7201, "php-fpm", "root", "php-fpm: master process")), cacheNS, cache())
	mdns := in(lst("udp", "0.0.0.0", 5353, proc(7301, "python3", "root", "python3 /tmp/mdns.py")), pdemoNS, nil)
	mdns.NetNS.Path = "" // named by the snapshot's NetNS list only
	s.Listeners = append(s.Listeners, conmon, httpd, apiHTTP, nginx, apiTLS, rsync, memc, mdns)
	s.NetNS = []scan.NetNS{hostNS, web1NS, apiNS, cacheNS, pdemoNS, anonNS, emptyNS}
	s.PortMaps = []scan.PortMap{pm8080, pm8088}
	return s
}

// paneText is the pane as a person reads it: the screen's right part.
func paneOf(m Model) string {
	var b strings.Builder
	for _, l := range strings.Split(screen(m), "\n") {
		if _, r, ok := strings.Cut(l, "│ "); ok {
			b.WriteString(strings.TrimRight(r, " ") + "\n")
		}
	}
	return b.String()
}

func selectPort(t *testing.T, m Model, p int) Model {
	t.Helper()
	m = update(t, m, typeKeys(strconv.Itoa(p))...)
	return update(t, m, digitTimeoutMsg{seq: m.digitSeq})
}

// The grid marks ports whose listeners all live in containers or other
// namespaces "c"; a listener on the host wins; the legend counts them.
func TestContainerMarks(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, -1, containerSnap(t0)))
	for _, c := range []struct {
		port int
		want views.Mark
	}{
		{80, views.MarkAway},  // web1 and api only
		{443, views.MarkLook}, // nginx on the host, on all addresses (exposed), api too: host wins
		{873, views.MarkLook}, // pid 1, on the host, on all addresses
		{22, views.MarkLook},  // sshd on all addresses
		{68, views.MarkLook},  // dhclient on all addresses
		{631, views.MarkTCP},  // cupsd
		{326, views.MarkNone}, // nothing
	} {
		if got := m.cells[c.port].Mark(); got != c.want {
			t.Errorf("port %d: mark %v, want %v", c.port, got, c.want)
		}
	}
	if m.away != 1 || m.listening != 6 {
		t.Errorf("block 0: %d away of %d listening, want 1 of 6", m.away, m.listening)
	}
	if s := screen(m); !strings.Contains(s, "  80c ") || !strings.Contains(s, "t/u/b listening 6  ! needs a look 4  c container/netns 1") {
		t.Errorf("grid or legend:\n%s", s)
	}
	m = selectPort(t, m, 9000)
	if m.cells[9000-m.block].Mark() != views.MarkAway || !strings.Contains(screen(m), "c container/netns 1") {
		t.Errorf("9000: mark %v\n%s", m.cells[9000-m.block].Mark(), screen(m))
	}
	// A snapshot without namespaces (a scanner that does not tell) is
	// all host: no c, no headings.
	plain := poll(t, newTest(t, 120, 40, 80, baseSnap(t0)))
	if strings.Contains(screen(plain), "container/netns") {
		t.Error("legend entry without any container")
	}
}

// inOrder reports whether s holds each of parts, in this order.
func inOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// The pane groups a port's listeners by where they live and says what
// publishes them, where a proxy forwards, units and socket activation.
func TestPanePlaces(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, -1, containerSnap(t0)))
	for _, c := range []struct {
		port int
		want []string
	}{
		{80, []string{"Listening now", "api (docker)", "  tcp 0.0.0.0:80 all", "published on 0.0.0.0:8080 (nat)", "    node pid 7101 · root",
			"web1 (podman) · pod p1", "  tcp 0.0.0.0:80 all", "published on 127.0.0.1:8088 (conmon)", "    httpd pid 7001 · root"}},
		{8080, []string{"Listening now", "tcp 0.0.0.0:8080 published (nat) → api (docker) 172.17.0.2:80"}},
		{8088, []string{"Listening now", "tcp 127.0.0.1:8088 loopback", "published → web1 (podman) 10.88.0.5:80",
			"unit libpod-conmon-a1a1.scope", "conmon pid 6990 · root"}},
		{443, []string{"host", "  tcp 0.0.0.0:443 all", "unit nginx.service", "nginx pid 1200", "api (docker)", "  tcp 0.0.0.0:443 all",
			"not published: reachable only inside its network namespace"}},
		{873, []string{"tcp 0.0.0.0:873 all", "rsync.socket → rsync.service (not running, starts on connect)", "unit init.scope", "systemd pid 1 · root"}},
		{9000, []string{"0123456789ab (docker)", "  tcp 0.0.0.0:9000 all", "not published: reachable only inside its network namespace", "php-fpm pid 7201"}},
		{5353, []string{"netns pdemo", "  udp 0.0.0.0:5353 all", "not published", "python3 pid 7301"}},
	} {
		m = selectPort(t, m, c.port)
		if p := paneOf(m); !inOrder(p, c.want...) {
			t.Errorf("port %d: pane lacks, in order, %q:\n%s", c.port, c.want, p)
		}
	}
	// Headings only where a listener lives elsewhere: 8088 and 8080 are
	// all host, 80 has no host group at all.
	for _, p := range []int{8088, 8080, 80} {
		m = selectPort(t, m, p)
		if p := paneOf(m); strings.Contains(p, "\nhost\n") {
			t.Errorf("a host heading:\n%s", p)
		}
	}
}

// headerOf is the screen's first line.
func headerOf(m Model) string { return strings.SplitN(screen(m), "\n", 2)[0] }

// s cycles the namespace scope: all → host → each container (by label)
// → each other namespace → all; the header names it, and the grid's
// marks, the legend's counts, tab and the pane follow it.
func TestScopeKey(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 80, containerSnap(t0)))
	var got []string
	for range 9 {
		m = update(t, m, press("s"))
		h := headerOf(m)
		_, sc, ok := strings.Cut(h, "scope ")
		sc, _, _ = strings.Cut(sc, " · ")
		if !ok {
			sc = "all"
		}
		got = append(got, sc)
	}
	want := []string{"host", "0123456789ab (docker)", "api (docker)", "web1 (podman)", "netns empty", "netns pdemo", "netns 4026531999", "all", "host"}
	if !slices.Equal(got, want) {
		t.Fatalf("scopes %q, want %q", got, want)
	}
	// S goes back: host → all → the last.
	m = update(t, m, press("S"))
	if strings.Contains(headerOf(m), "scope") {
		t.Fatalf("S from host: %q", headerOf(m))
	}
	if m = update(t, m, press("S")); !strings.Contains(headerOf(m), "scope netns 4026531999") {
		t.Fatalf("S from all: %q", headerOf(m))
	}
	m = update(t, m, press("s"), press("s"))
	// host: the host's listeners, marked as ever; 80 has none.
	if m.cells[80].Mark() != views.MarkNone || m.cells[443].Mark() != views.MarkLook || m.away != 0 || m.listening != 5 {
		t.Errorf("host: 80 %v 443 %v, %d listening, %d away", m.cells[80].Mark(), m.cells[443].Mark(), m.listening, m.away)
	}
	if p := paneOf(m); !strings.Contains(p, "nothing listens on 80") {
		t.Errorf("host scope, port 80:\n%s", p)
	}
	m = selectPort(t, m, 443)
	if p := paneOf(m); strings.Contains(p, "api") || strings.Contains(p, "\nhost\n") || !strings.Contains(p, "nginx pid 1200") {
		t.Errorf("host scope, port 443:\n%s", p)
	}
	// api: its own listeners, marked as the host's are (the header says
	// where they are): 80 is published on 0.0.0.0:8080, a system port
	// reachable on all addresses, so it needs a look; the legend has no
	// c; tab visits 80 and 443 only.
	m = update(t, m, press("s"), press("s"))
	if !strings.Contains(headerOf(m), "scope api (docker)") {
		t.Fatalf("header %q", headerOf(m))
	}
	if m.cells[80].Mark() != views.MarkLook || m.cells[443].Mark() != views.MarkTCP || m.cells[22].Mark() != views.MarkNone || m.listening != 2 {
		t.Errorf("api: 80 %v 443 %v 22 %v, %d listening", m.cells[80].Mark(), m.cells[443].Mark(), m.cells[22].Mark(), m.listening)
	}
	if s := screen(m); !strings.Contains(s, "t/u/b listening 2  ! needs a look 1\n") && !strings.Contains(s, "t/u/b listening 2  ! needs a look 1 ") {
		t.Errorf("legend:\n%s", s)
	}
	var tabs []int
	for range 3 {
		m = update(t, m, press("tab"))
		tabs = append(tabs, m.Selected())
	}
	if !slices.Equal(tabs, []int{80, 443, 80}) {
		t.Errorf("tab in scope api: %v", tabs)
	}
	p := paneOf(m)
	if !strings.Contains(p, "api (docker)") || strings.Contains(p, "web1") || !strings.Contains(p, "node pid 7101") {
		t.Errorf("api scope, port 80:\n%s", p)
	}
	// netns pdemo: 5353 marked u in block 5120.
	m = update(t, m, press("s"), press("s"), press("s"))
	m = selectPort(t, m, 5353)
	if !strings.Contains(headerOf(m), "scope netns pdemo") || m.cells[5353-m.block].Mark() != views.MarkUDP {
		t.Errorf("pdemo: %q, mark %v", headerOf(m), m.cells[5353-m.block].Mark())
	}
	// Back to all.
	m = update(t, m, press("s"), press("s"))
	if strings.Contains(headerOf(m), "scope") || m.cells[5353-m.block].Mark() != views.MarkAway {
		t.Errorf("all: %q, mark %v", headerOf(m), m.cells[5353-m.block].Mark())
	}
}

// A scope the next whole-machine scan no longer has falls back to all,
// and the status bar says so; a block scan does not decide it.
func TestScopeFallsBack(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 80, containerSnap(t0)))
	for !strings.Contains(headerOf(m), "scope web1") {
		m = update(t, m, press("s"))
	}
	if m.cells[80].Mark() != views.MarkTCP {
		t.Fatalf("web1: 80 %v", m.cells[80].Mark())
	}
	gone := containerSnap(t0.Add(time.Second))
	gone.Listeners = slices.DeleteFunc(gone.Listeners, func(l scan.Listener) bool { return l.Container != nil && l.Container.Name == "web1" })
	gone.NetNS = slices.DeleteFunc(gone.NetNS, func(n scan.NetNS) bool { return n == web1NS })
	// A block scan without web1: the scope stands.
	if m.phase == pollWaiting {
		m = update(t, m, pollTickMsg{id: m.poller.id})
	}
	m = update(t, m, pollMsg{id: m.poller.id, req: pollReq{lo: 0, hi: 1023}, snap: gone})
	if !strings.Contains(headerOf(m), "scope web1") || m.cells[80].Mark() != views.MarkNone {
		t.Fatalf("after a block scan: %q, 80 %v", headerOf(m), m.cells[80].Mark())
	}
	m = pollSnap(t, m, gone)
	s := screen(m)
	if strings.Contains(headerOf(m), "scope") || !strings.Contains(s, "scope web1 (podman) is gone: showing all namespaces") {
		t.Fatalf("after a whole scan without web1:\n%s", s)
	}
	if m.cells[80].Mark() != views.MarkAway || !strings.Contains(paneOf(m), "api (docker)") {
		t.Errorf("all again: 80 %v\n%s", m.cells[80].Mark(), paneOf(m))
	}
	// The cycle now skips it.
	var got []string
	for range 7 {
		m = update(t, m, press("s"))
		_, sc, _ := strings.Cut(headerOf(m), "scope ")
		sc, _, _ = strings.Cut(sc, " · ")
		got = append(got, sc)
	}
	if slices.Contains(got, "web1 (podman)") || got[len(got)-1] != "" {
		t.Errorf("cycle after web1 went: %q", got)
	}
}

// The help lists the scope key, and the key table has it once.
func TestHelpListsScope(t *testing.T) {
	m := newTest(t, 120, 40, -1, baseSnap(t0))
	found := false
	for _, g := range m.keys.Groups() {
		for _, b := range g.Bindings {
			if b.Help().Key == "s" && b.Help().Desc == "namespace scope" && b.Enabled() {
				found = true
			}
		}
	}
	if !found {
		t.Fatal("help lacks s namespace scope")
	}
	if s := screen(update(t, m, press("?"))); !strings.Contains(s, "s namespace scope") {
		t.Errorf("help overlay:\n%s", s)
	}
	// Before any scan: all ↔ host.
	m = update(t, m, press("s"))
	if !strings.Contains(headerOf(m), "scope host") {
		t.Errorf("before a scan: %q", headerOf(m))
	}
	if m = update(t, m, press("s")); strings.Contains(headerOf(m), "scope") {
		t.Errorf("before a scan, twice: %q", headerOf(m))
	}
}

// A container listener whose own Published the enrichment left empty is
// still published when a port map of the snapshot reaches it (seen on a
// real Docker host: docker-proxy's map linked one way only); it is not
// called "not published".
func TestPublishedFromPortMaps(t *testing.T) {
	s := containerSnap(t0)
	for i := range s.Listeners {
		if c := s.Listeners[i].Container; c != nil && c.Name == "web1" {
			s.Listeners[i].Published = nil
		}
	}
	m := poll(t, newTest(t, 120, 40, 80, s))
	p := paneOf(m)
	if !inOrder(p, "web1 (podman) · pod p1", "published on 127.0.0.1:8088 (conmon)") || strings.Count(p, "not published") != 0 {
		t.Errorf("pane:\n%s", p)
	}
}

// The pane's groups come in the scope key's order: the host, containers,
// then other namespaces (not by label alone: "netns 4026…" sorts before
// "web1").
func TestPaneGroupOrder(t *testing.T) {
	s := containerSnap(t0)
	ns := in(lst("tcp", "0.0.0.0", 80, proc(7401, "busybox", "root", "busybox httpd -f")), anonNS, nil)
	host := in(lst("tcp", "127.0.0.1", 80, proc(1300, "caddy", "root", "caddy run")), hostNS, nil)
	s.Listeners = append(s.Listeners, ns, host)
	m := poll(t, newTest(t, 120, 40, 80, s))
	if p := paneOf(m); !inOrder(p, "\nhost\n", "caddy pid 1300", "\napi (docker)\n", "\nweb1 (podman) · pod p1\n", "\nnetns 4026531999\n", "busybox pid 7401") {
		t.Errorf("pane:\n%s", p)
	}
}

// y's summary says where each listener lives, what publishes it, and
// how to check it inside its namespace.
func TestSummaryPlaces(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 80, containerSnap(t0)))
	s := m.summary()
	for _, want := range []string{
		"listening: tcp 0.0.0.0:80 all pid 7001 httpd in web1 (podman) · pod p1 published on 127.0.0.1:8088 (conmon)\n",
		"check in netns netns-5f3c: nsenter --net=/run/netns/netns-5f3c ss -tulnp 'sport = :80'\n",
		"check in netns 3b1f0e2a: nsenter --net=/run/docker/netns/3b1f0e2a ss -tulnp 'sport = :80'\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	m = selectPort(t, m, 8088)
	if s := m.summary(); !strings.Contains(s, "pid 6990 conmon published -> web1 (podman) 10.88.0.5:80\n") || strings.Contains(s, "check in") {
		t.Errorf("8088:\n%s", s)
	}
	m = selectPort(t, m, 9000) // cache: no path, its holder's pid
	if s := m.summary(); !strings.Contains(s, "nsenter --net=/proc/7201/ns/net ss -tulnp 'sport = :9000'") {
		t.Errorf("9000:\n%s", s)
	}
}

// A container that appears in a block scan can be scoped at once, in its
// place in the order; only a whole-machine scan removes one.
func TestScopeFromBlockScan(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 80, containerSnap(t0)))
	s := containerSnap(t0.Add(time.Second))
	bNS := scan.NetNS{Inode: 4026533001, Path: "/run/netns/netns-b"}
	s.Listeners = append(s.Listeners, in(lst("tcp", "0.0.0.0", 81, proc(7501, "httpd", "root", "httpd")), bNS,
		&scan.Container{Runtime: "podman", ID: strings.Repeat("d4", 32), Name: "b-new"}))
	if m.phase == pollWaiting {
		m = update(t, m, pollTickMsg{id: m.poller.id})
	}
	m = update(t, m, pollMsg{id: m.poller.id, req: pollReq{lo: 0, hi: 1023}, snap: s})
	var got []string
	for range 4 {
		m = update(t, m, press("s"))
		_, sc, _ := strings.Cut(headerOf(m), "scope ")
		sc, _, _ = strings.Cut(sc, " · ")
		got = append(got, sc)
	}
	if want := []string{"host", "0123456789ab (docker)", "api (docker)", "b-new (podman)"}; !slices.Equal(got, want) {
		t.Errorf("after a block scan: %q, want %q", got, want)
	}
	if m.cells[81].Mark() == views.MarkNone || m.cells[80].Mark() != views.MarkNone {
		t.Errorf("scope b-new: 81 %v, 80 %v", m.cells[81].Mark(), m.cells[80].Mark())
	}
}
