package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// containersEnv names the facts file scripts/containers.sh up writes
// (/run/portui-t/facts.json). Unset, TestRealContainers skips; set, it
// fails unless the facts are there and true.
const containersEnv = "PORTUI_CONTAINERS"

// facts is what scripts/containers.sh recorded from the runtimes themselves
// (podman/docker inspect) and the kernel (netns inodes): schema
// portui-t.facts/v1.
type facts struct {
	Schema     string      `json:"schema"`
	Created    string      `json:"created"`
	HostInode  uint64      `json:"host_netns_inode"`
	Namespaces []factsNS   `json:"namespaces"`
	Dockerd    []factsDock `json:"dockerd"`
}

type factsDock struct {
	PID           int    `json:"pid"`
	Socket        string `json:"socket"`
	UserlandProxy bool   `json:"userland_proxy"`
}

// factsNS is one network namespace the script made: kind podman,
// podman-pod, docker, netns (ip netns add) or host (the --network host
// container's listener in the host's own namespace).
type factsNS struct {
	Kind       string       `json:"kind"`
	Name       string       `json:"name"`
	PID        int          `json:"pid"`
	Path       string       `json:"netns_path"`
	Inode      uint64       `json:"netns_inode"`
	Containers []factsCtr   `json:"containers"`
	Published  []factsPub   `json:"published"`
	Expect     []factsListn `json:"expect"`
}

type factsCtr struct {
	Runtime string `json:"runtime"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Pod     string `json:"pod"`
	PID     int    `json:"pid"`
	Infra   bool   `json:"infra"`
	IP      string `json:"ip"`
	Sandbox string `json:"sandbox"`
}

type factsPub struct {
	Proto         string `json:"proto"`
	HostAddress   string `json:"host_address"`
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	Container     string `json:"container"`
	Via           string `json:"via"`    // conmon, docker-proxy or nat
	Holder        string `json:"holder"` // the program ss shows on the host-side socket
}

type factsListn struct {
	Proto     string `json:"proto"`
	Address   string `json:"address"`
	Port      int    `json:"port"`
	Container string `json:"container"` // "" in a plain ip netns
}

// ssSock is one line of `ss -Htulnp`.
type ssSock struct {
	proto, addr string
	port        int
	pids        []int
	names       []string
	line        string
}

// v2 listener JSON, as the issue specifies it (portui.listeners/v2).
type jsonListener struct {
	Proto     string         `json:"proto"`
	Address   string         `json:"address"`
	Port      int            `json:"port"`
	DualStack bool           `json:"dual_stack"`
	Processes []jsonProcess  `json:"processes"`
	NetNS     *jsonNetNS     `json:"netns"`
	Container *jsonContainer `json:"container"`
	Unit      string         `json:"unit"`
	Published []jsonPub      `json:"published"`
	Forwards  map[string]any `json:"forwards_to"`
}

type jsonProcess struct {
	PID  int    `json:"pid"`
	Name string `json:"name"`
}

type jsonNetNS struct {
	Inode uint64 `json:"inode"`
	Host  bool   `json:"host"`
	Path  string `json:"path"`
}

type jsonContainer struct {
	Runtime string `json:"runtime"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Pod     string `json:"pod"`
}

type jsonPub struct {
	HostAddress string `json:"host_address"`
	HostPort    int    `json:"host_port"`
	Proto       string `json:"proto"`
	Via         string `json:"via"`
}

func (l jsonListener) String() string {
	b, _ := json.Marshal(l)
	return string(b)
}

// TestRealContainers checks `portui listeners --json` and `portui audit
// --json` against real Podman and Docker containers, a pod, --network none,
// --network host and a plain ip netns, started by scripts/containers.sh up
// (`PORTUI_CONTAINERS=/run/portui-t/facts.json`). The harness subtests
// check the facts themselves against `nsenter --net=… ss -Htulnp`.
func TestRealContainers(t *testing.T) {
	path := os.Getenv(containersEnv)
	if path == "" {
		t.Skipf("%s is not set: run `scripts/containers.sh install && scripts/containers.sh up` as root and set %s=/run/portui-t/facts.json", containersEnv, containersEnv)
	}
	f := readFacts(t, path)
	for _, tool := range []string{"nsenter", "ss"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s set but %s is missing: %v", containersEnv, tool, err)
		}
	}

	// What the kernel says, per namespace (the reference).
	ss := map[string][]ssSock{}
	for _, ns := range f.Namespaces {
		ss[ns.Name] = ssIn(t, ns)
	}
	t.Run("harness", func(t *testing.T) { checkHarness(t, f, ss) })
	if t.Failed() {
		t.Fatalf("the facts in %s do not match the kernel: rerun scripts/containers.sh up", path)
	}

	bin := builtBinary(t)
	var doc struct {
		Schema    string         `json:"schema"`
		Listeners []jsonListener `json:"listeners"`
		Warnings  []string       `json:"warnings"`
	}
	out := runPortui(t, bin, 0, "listeners", "--json")
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("portui listeners --json: %v\n%s", err, out)
	}
	if doc.Schema != "portui.listeners/v2" {
		t.Errorf("schema = %q, want portui.listeners/v2", doc.Schema)
	}
	for _, w := range doc.Warnings {
		t.Logf("warning: %s", w)
	}

	t.Run("listeners", func(t *testing.T) {
		for _, ns := range f.Namespaces {
			t.Run(ns.Name, func(t *testing.T) { checkNamespace(t, f, ns, ss[ns.Name], doc.Listeners) })
		}
	})
	t.Run("published", func(t *testing.T) {
		for _, ns := range f.Namespaces {
			for _, p := range ns.Published {
				t.Run(fmt.Sprintf("%s/%d-%s", p.Container, p.HostPort, p.Proto), func(t *testing.T) {
					checkPublished(t, f, ns, p, doc.Listeners)
				})
			}
		}
	})
	t.Run("audit", func(t *testing.T) { checkAudit(t, f, bin) })
	// A port range that leaves out the second dockerd (which holds only
	// published host ports) still names its containers: the names do not
	// depend on which listeners the selection kept.
	t.Run("names in a port range", func(t *testing.T) {
		var narrow struct {
			Listeners []jsonListener `json:"listeners"`
		}
		out := runPortui(t, bin, 0, "listeners", "--json", "--port", "0-1023")
		if err := json.Unmarshal(out, &narrow); err != nil {
			t.Fatalf("portui listeners --json --port 0-1023: %v\n%s", err, out)
		}
		named := 0
		for _, l := range narrow.Listeners {
			if c := l.Container; c != nil {
				if c.Name == "" {
					t.Errorf("%s: container %s (%s) has no name in a port range", l, c.ID, c.Runtime)
				}
				named++
			}
		}
		if named == 0 {
			t.Fatalf("no container listener on 0-1023: %s", out)
		}
	})
}

func readFacts(t *testing.T, path string) facts {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s=%s: %v (run scripts/containers.sh up)", containersEnv, path, err)
	}
	var f facts
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if f.Schema != "portui-t.facts/v1" || len(f.Namespaces) == 0 || f.HostInode == 0 {
		t.Fatalf("%s: not a portui-t.facts/v1 document with namespaces (schema %q, %d namespaces)", path, f.Schema, len(f.Namespaces))
	}
	kinds := map[string]bool{}
	for _, ns := range f.Namespaces {
		kinds[ns.Kind] = true
		if ns.Inode == 0 || ns.Path == "" || len(ns.Expect) == 0 {
			t.Fatalf("%s: namespace %q lacks its inode, path or expected listeners", path, ns.Name)
		}
	}
	for _, k := range []string{"podman", "podman-pod", "docker", "netns", "host"} {
		if !kinds[k] {
			t.Fatalf("%s: no namespace of kind %q", path, k)
		}
	}
	return f
}

// ssIn runs ss in the namespace: the host's own for kind host.
func ssIn(t *testing.T, ns factsNS) []ssSock {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	if ns.Kind == "host" {
		cmd = exec.CommandContext(ctx, "ss", "-Htulnp")
	} else {
		cmd = exec.CommandContext(ctx, "nsenter", "--net="+ns.Path, "ss", "-Htulnp")
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	socks, err := parseSS(out)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return socks
}

// parseSS reads `ss -Htulnp`: "tcp LISTEN 0 4096 127.0.0.1:80 0.0.0.0:*
// users:(("ctrlisten",pid=12,fd=3))". Addresses come out as portui writes
// them: "*" and "[::]" are "::", brackets go, a "%dev" suffix goes.
func parseSS(out []byte) ([]ssSock, error) {
	var socks []ssSock
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 {
			return nil, fmt.Errorf("short ss line %q", line)
		}
		i := strings.LastIndexByte(f[4], ':')
		if i < 0 {
			return nil, fmt.Errorf("no port in %q", line)
		}
		port, err := strconv.Atoi(f[4][i+1:])
		if err != nil {
			return nil, fmt.Errorf("port in %q: %w", line, err)
		}
		addr := f[4][:i]
		if j := strings.IndexByte(addr, '%'); j >= 0 {
			addr = addr[:j]
		}
		addr = strings.Trim(addr, "[]")
		if addr == "*" {
			addr = "::"
		}
		s := ssSock{proto: f[0], addr: addr, port: port, line: line}
		if len(f) > 6 {
			users := strings.Join(f[6:], " ")
			for _, part := range strings.Split(users, "(\"")[1:] {
				name, rest, _ := strings.Cut(part, "\"")
				if _, p, ok := strings.Cut(rest, "pid="); ok {
					p, _, _ = strings.Cut(p, ",")
					if pid, err := strconv.Atoi(p); err == nil {
						s.pids = append(s.pids, pid)
						s.names = append(s.names, name)
					}
				}
			}
		}
		socks = append(socks, s)
	}
	return socks, nil
}

func findSS(socks []ssSock, proto, addr string, port int) (ssSock, bool) {
	for _, s := range socks {
		if s.proto == proto && s.addr == addr && s.port == port {
			return s, true
		}
	}
	return ssSock{}, false
}

// checkHarness: the facts agree with the kernel, so that a failure below is
// portui's and not the script's.
func checkHarness(t *testing.T, f facts, ss map[string][]ssSock) {
	for _, ns := range f.Namespaces {
		inode, err := netnsInode(ns)
		if err != nil {
			t.Errorf("%s: %v", ns.Name, err)
		} else if inode != ns.Inode {
			t.Errorf("%s: %s is netns %d, the facts say %d", ns.Name, ns.Path, inode, ns.Inode)
		}
		if (ns.Kind == "host") != (ns.Inode == f.HostInode) {
			t.Errorf("%s (%s): inode %d vs host %d", ns.Name, ns.Kind, ns.Inode, f.HostInode)
		}
		for _, c := range ns.Containers {
			if i, err := pidInode(c.PID); err != nil || i != ns.Inode {
				t.Errorf("%s: container %s (pid %d) is in netns %d (%v), want %d", ns.Name, c.Name, c.PID, i, err, ns.Inode)
			}
			if len(c.ID) != 64 {
				t.Errorf("%s: container %s has id %q", ns.Name, c.Name, c.ID)
			}
		}
		for _, e := range ns.Expect {
			s, ok := findSS(ss[ns.Name], e.Proto, e.Address, e.Port)
			if !ok {
				t.Errorf("%s: ss does not show %s %s:%d", ns.Name, e.Proto, e.Address, e.Port)
				continue
			}
			if e.Container != "" {
				c, ok := containerNamed(ns, e.Container)
				if !ok || !slices.Contains(s.pids, c.PID) {
					t.Errorf("%s: %s is held by pids %v, not by %s (pid %d)", ns.Name, s.line, s.pids, e.Container, c.PID)
				}
			}
		}
		if ns.Kind != "host" {
			// Nothing else listens in the namespaces the script made.
			if len(ss[ns.Name]) != len(ns.Expect) {
				t.Errorf("%s: ss shows %d sockets, the facts expect %d", ns.Name, len(ss[ns.Name]), len(ns.Expect))
			}
		}
		for _, p := range ns.Published {
			s, ok := findSS(ss["host"], p.Proto, p.HostAddress, p.HostPort)
			if !ok || !slices.Contains(s.names, p.Holder) {
				t.Errorf("%s: host-side %s %s:%d is %q, want held by %s", ns.Name, p.Proto, p.HostAddress, p.HostPort, s.line, p.Holder)
			}
		}
	}
}

func netnsInode(ns factsNS) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(ns.Path, &st); err != nil {
		return 0, fmt.Errorf("stat %s: %w", ns.Path, err)
	}
	return st.Ino, nil
}

func pidInode(pid int) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st); err != nil {
		return 0, fmt.Errorf("pid %d: %w", pid, err)
	}
	return st.Ino, nil
}

func containerNamed(ns factsNS, name string) (factsCtr, bool) {
	for _, c := range ns.Containers {
		if c.Name == name {
			return c, true
		}
	}
	return factsCtr{}, false
}

func containerOfPID(ns factsNS, pids []int) (factsCtr, bool) {
	for _, c := range ns.Containers {
		if slices.Contains(pids, c.PID) {
			return c, true
		}
	}
	return factsCtr{}, false
}

func findJSON(ls []jsonListener, inode uint64, proto, addr string, port int) []jsonListener {
	var out []jsonListener
	for _, l := range ls {
		if l.Proto == proto && l.Address == addr && l.Port == port && l.NetNS != nil && l.NetNS.Inode == inode {
			out = append(out, l)
		}
	}
	return out
}

// checkNamespace: every listener ss shows in the namespace is in portui's
// JSON with that namespace, its container (from the runtime's own
// inspect) and its owning process; container listeners list their
// published host ports.
func checkNamespace(t *testing.T, f facts, ns factsNS, socks []ssSock, ls []jsonListener) {
	var check []ssSock
	if ns.Kind == "host" {
		// The host is crowded: only the --network host container's own.
		for _, e := range ns.Expect {
			if s, ok := findSS(socks, e.Proto, e.Address, e.Port); ok {
				check = append(check, s)
			}
		}
	} else {
		check = socks
	}
	for _, s := range check {
		got := findJSON(ls, ns.Inode, s.proto, s.addr, s.port)
		if len(got) != 1 {
			t.Errorf("ss: %s\nportui has %d listeners %s %s:%d in netns %d, want 1", s.line, len(got), s.proto, s.addr, s.port, ns.Inode)
			continue
		}
		l := got[0]
		if l.NetNS.Host != (ns.Kind == "host") {
			t.Errorf("%s: netns.host = %v", l, l.NetNS.Host)
		}
		if want := wantNetNSPath(ns); want != "" && l.NetNS.Path != want {
			t.Errorf("%s: netns.path = %q, want %q", l, l.NetNS.Path, want)
		}
		for _, pid := range s.pids {
			if !slices.ContainsFunc(l.Processes, func(p jsonProcess) bool { return p.PID == pid }) {
				t.Errorf("%s: processes lack pid %d (ss: %s)", l, pid, s.line)
			}
		}
		c, inCtr := containerOfPID(ns, s.pids)
		switch {
		case !inCtr && l.Container != nil:
			t.Errorf("%s: container %+v, want none (a plain network namespace)", l, *l.Container)
		case inCtr && l.Container == nil:
			t.Errorf("%s: no container, want %s (%s %s)", l, c.Name, c.Runtime, c.ID)
		case inCtr:
			want := jsonContainer{Runtime: c.Runtime, ID: c.ID, Name: c.Name, Pod: c.Pod}
			if *l.Container != want {
				t.Errorf("%s: container %+v, want %+v", l, *l.Container, want)
			}
		}
		// The published ports that reach this listener.
		var want []factsPub
		for _, p := range ns.Published {
			if p.Proto == s.proto && p.ContainerPort == s.port && inCtr && p.Container == c.Name && s.addr != "127.0.0.1" {
				want = append(want, p)
			}
		}
		for _, p := range want {
			if !slices.ContainsFunc(l.Published, func(j jsonPub) bool { return pubMatches(j, p) }) {
				t.Errorf("%s: published lacks %s %s:%d via %s", l, p.Proto, p.HostAddress, p.HostPort, viaWant(p))
			}
		}
		if len(l.Published) != len(want) {
			t.Errorf("%s: %d published entries, want %d (%v)", l, len(l.Published), len(want), want)
		}
	}
}

// wantNetNSPath: the bind mount portui should name, where the issue says it
// looks (/run/netns, /run/docker/netns); "" where it need not name one.
func wantNetNSPath(ns factsNS) string {
	if strings.HasPrefix(ns.Path, "/run/netns/") || strings.HasPrefix(ns.Path, "/run/docker/netns/") {
		return ns.Path
	}
	return ""
}

// viaWant: podman's published ports are both a conmon placeholder and a
// DNAT rule; either names the path truthfully.
func viaWant(p factsPub) []string {
	if p.Via == "conmon" {
		return []string{"conmon", "nat"}
	}
	return []string{p.Via}
}

func pubMatches(j jsonPub, p factsPub) bool {
	return j.Proto == p.Proto && j.HostAddress == p.HostAddress && j.HostPort == p.HostPort && slices.Contains(viaWant(p), j.Via)
}

// checkPublished: the host-side socket of a published port (conmon's
// placeholder, docker-proxy, dockerd's placeholder) is in the JSON, in the
// host's netns, and forwards_to names the container listener it reaches.
func checkPublished(t *testing.T, f facts, ns factsNS, p factsPub, ls []jsonListener) {
	got := findJSON(ls, f.HostInode, p.Proto, p.HostAddress, p.HostPort)
	if len(got) != 1 {
		t.Fatalf("portui has %d listeners %s %s:%d in the host netns, want 1 (held by %s)", len(got), p.Proto, p.HostAddress, p.HostPort, p.Holder)
	}
	l := got[0]
	if !l.NetNS.Host {
		t.Errorf("%s: netns.host = false", l)
	}
	if !slices.ContainsFunc(l.Processes, func(j jsonProcess) bool { return j.Name == p.Holder }) {
		t.Errorf("%s: not held by %s", l, p.Holder)
	}
	if l.Forwards == nil {
		t.Fatalf("%s: no forwards_to, want %s port %d in netns %d", l, p.Container, p.ContainerPort, ns.Inode)
	}
	if !mentionsInt(l.Forwards, float64(p.ContainerPort)) {
		t.Errorf("%s: forwards_to does not name port %d", l, p.ContainerPort)
	}
	if !mentionsString(l.Forwards, p.Container) && !mentionsInt(l.Forwards, float64(ns.Inode)) {
		t.Errorf("%s: forwards_to names neither container %s nor netns %d", l, p.Container, ns.Inode)
	}
	if v, ok := l.Forwards["via"].(string); ok && !slices.Contains(viaWant(p), v) {
		t.Errorf("%s: forwards_to.via = %q, want %v", l, v, viaWant(p))
	}
}

// mentionsInt / mentionsString look through forwards_to's object: the
// issue names what it points at (the container listener) but not its
// field names.
func mentionsInt(v any, n float64) bool {
	switch v := v.(type) {
	case float64:
		return v == n
	case map[string]any:
		for _, x := range v {
			if mentionsInt(x, n) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, func(x any) bool { return mentionsInt(x, n) })
	}
	return false
}

func mentionsString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return v == s
	case map[string]any:
		for _, x := range v {
			if mentionsString(x, s) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, func(x any) bool { return mentionsString(x, s) })
	}
	return false
}

type auditFinding struct {
	Kind     string       `json:"kind"`
	Port     int          `json:"port"`
	Proto    string       `json:"proto"`
	Address  string       `json:"address"`
	Message  string       `json:"message"`
	Listener jsonListener `json:"listener"`
}

// checkAudit: `portui audit --range all --json` judges container listeners
// through what publishes them (all of ours on 127.0.0.1 only, so none is
// exposed), and explains the host-side sockets of published ports instead
// of flagging conmon, docker-proxy or dockerd as "another program".
func checkAudit(t *testing.T, f facts, bin string) {
	out := runPortui(t, bin, -1, "audit", "--range", "all", "--json")
	var doc struct {
		Schema   string         `json:"schema"`
		Findings []auditFinding `json:"findings"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("portui audit --json: %v\n%s", err, out)
	}
	ours := map[uint64]factsNS{}
	hostPorts := map[string]factsPub{}
	for _, ns := range f.Namespaces {
		if ns.Kind != "host" {
			ours[ns.Inode] = ns
		}
		for _, p := range ns.Published {
			hostPorts[fmt.Sprintf("%s/%d", p.Proto, p.HostPort)] = p
		}
	}
	for _, fd := range doc.Findings {
		l := fd.Listener
		if l.NetNS != nil {
			if ns, ok := ours[l.NetNS.Inode]; ok && fd.Kind == "exposed-system-port" {
				t.Errorf("%s is reported exposed, but it is published on 127.0.0.1 only, if at all: %s", ns.Name, fd.Message)
			}
			if _, ok := ours[l.NetNS.Inode]; ok && fd.Kind == "unexpected-service" {
				t.Errorf("a listener inside a test namespace is judged as if on the host: %s", fd.Message)
			}
		}
		p, ok := hostPorts[fmt.Sprintf("%s/%d", fd.Proto, fd.Port)]
		if !ok || fd.Address != p.HostAddress {
			continue
		}
		switch fd.Kind {
		case "unexpected-service":
			t.Errorf("%s holding a published port is flagged as another program: %s", p.Holder, fd.Message)
		case "published-dangling":
			t.Errorf("published port %d of %s (running) reported dangling: %s", p.HostPort, p.Container, fd.Message)
		default:
			if !strings.Contains(fd.Message, p.Container) {
				t.Errorf("finding on published port %d does not say it reaches %s: %s", p.HostPort, p.Container, fd.Message)
			}
		}
	}
}

// runPortui runs the real binary; wantCode -1 accepts 0 and 1 (audit's
// "findings" status).
func runPortui(t *testing.T, bin string, wantCode int, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("portui %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	if code != wantCode && (wantCode != -1 || code > 1) {
		t.Fatalf("portui %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), code, wantCode, stderr.String())
	}
	return out
}
