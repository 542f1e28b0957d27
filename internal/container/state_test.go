package container

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/portui/portui/internal/sanitize"
)

func TestParseDockerConfig(t *testing.T) {
	in, err := parseDockerConfig([]byte(`{"Name":"/web\u001b]0;x\u0007","NetworkSettings":{"IPAddress":"172.17.0.2",
		"Networks":{"a":{"IPAddress":"172.18.0.3","GlobalIPv6Address":"fd00::3"},"b":{"IPAddress":"not-an-ip"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != `web\x1b]0;x\x07` {
		t.Errorf("name %q: not neutralised or '/' kept", in.Name)
	}
	slices.SortFunc(in.Addrs, netip.Addr.Compare)
	want := []netip.Addr{netip.MustParseAddr("172.17.0.2"), netip.MustParseAddr("172.18.0.3"), netip.MustParseAddr("fd00::3")}
	if !slices.Equal(in.Addrs, want) {
		t.Errorf("addrs %v, want %v", in.Addrs, want)
	}
	if _, err := parseDockerConfig([]byte(`{"Name":`)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func TestParsePodmanList(t *testing.T) {
	m, err := parsePodmanList([]byte(`[{"id":"` + id1 + `","names":["web1","alias"]},{"id":"short","names":["x"]},{"id":"` + id2 + `","names":[]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m[id1] != "web1" {
		t.Errorf("got %v", m)
	}
	if _, err := parsePodmanList([]byte(`{"id":1}`)); err == nil {
		t.Error("an object accepted for the array")
	}
}

func TestParseOCIConfig(t *testing.T) {
	for _, c := range []struct {
		json string
		want info
	}{
		{`{"hostname":"web-7d9f","annotations":{"io.kubernetes.cri.container-name":"nginx","io.kubernetes.cri.sandbox-name":"web-7d9f","io.kubernetes.cri.sandbox-id":"` + id2 + `"}}`,
			info{Name: "nginx", Pod: "web-7d9f", Hostname: "web-7d9f", SandboxID: id2}},
		{`{"hostname":"c","annotations":{"io.kubernetes.container.name":"redis","io.kubernetes.pod.name":"cache-0","io.kubernetes.cri-o.ContainerType":"container"}}`,
			info{Name: "redis", Pod: "cache-0", Hostname: "c"}},
		{`{"hostname":"mypod","annotations":{"io.kubernetes.cri-o.ContainerType":"sandbox"}}`,
			info{Hostname: "mypod", Infra: true}},
		{`{"hostname":"p","annotations":{"io.kubernetes.cri-o.SandboxID":"not-hex"}}`, info{Hostname: "p"}},
	} {
		got, err := parseOCIConfig([]byte(c.json))
		if err != nil {
			t.Fatal(err)
		}
		if !equalInfo(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.json, got, c.want)
		}
	}
}

func equalInfo(a, b info) bool {
	return a.Name == b.Name && a.Pod == b.Pod && a.SandboxID == b.SandboxID && a.Hostname == b.Hostname &&
		a.Infra == b.Infra && slices.Equal(a.Addrs, b.Addrs)
}

func TestConmonArgs(t *testing.T) {
	argv := strings.Fields("/usr/bin/conmon --api-version 1 -c " + id1 + " -u " + id1 + " -r /usr/bin/runc -b /x/userdata -p /x/pidfile -n web1 --exit-dir /run/exits")
	if id, name, ok := conmonArgs(argv); !ok || id != id1 || name != "web1" {
		t.Errorf("got %q %q %v", id, name, ok)
	}
	if id, name, ok := conmonArgs([]string{"conmon", "--cid=" + id2, "--name=db\x1b"}); !ok || id != id2 || name != `db\x1b` {
		t.Errorf("long form: %q %q %v", id, name, ok)
	}
	if _, _, ok := conmonArgs([]string{"conmon", "-c"}); ok {
		t.Error("no id accepted")
	}
}

func TestProxyArgs(t *testing.T) {
	argv := strings.Fields("/usr/bin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8188 -container-ip 172.17.0.2 -container-port 80 -use-listen-fd")
	proto, host, target, ok := proxyArgs(argv)
	if !ok || proto != "tcp" || host != netip.MustParseAddrPort("127.0.0.1:8188") || target != netip.MustParseAddrPort("172.17.0.2:80") {
		t.Errorf("got %s %v %v %v", proto, host, target, ok)
	}
	proto, host, target, ok = proxyArgs(strings.Fields("docker-proxy --proto=udp --host-port=53 --container-ip=fd00::2 --container-port=5353"))
	if !ok || proto != "udp" || host != netip.MustParseAddrPort("0.0.0.0:53") || target != netip.MustParseAddrPort("[fd00::2]:5353") {
		t.Errorf("udp, no host ip: %s %v %v %v", proto, host, target, ok)
	}
	for _, bad := range []string{"docker-proxy -proto sctp -host-port 1 -container-ip 1.2.3.4 -container-port 2",
		"docker-proxy -host-port 99999 -container-ip 1.2.3.4 -container-port 2", "docker-proxy -container-ip x"} {
		if _, _, _, ok := proxyArgs(strings.Fields(bad)); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// The state readers, fuzzed: never a panic, every string neutralised.
func FuzzParseDockerConfig(f *testing.F) {
	f.Add([]byte(`{"Name":"/web1","NetworkSettings":{"IPAddress":"172.17.0.2","Networks":{"b":{"IPAddress":"172.18.0.2"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := parseDockerConfig(data)
		if err == nil && (!sanitize.IsClean(in.Name) || len(in.Addrs) > 64) {
			t.Fatalf("%+v", in)
		}
	})
}

func FuzzParsePodmanList(f *testing.F) {
	f.Add([]byte(`[{"id":"` + id1 + `","names":["web1"]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parsePodmanList(data)
		for id, n := range m {
			if err != nil || !isHexID(id) || !sanitize.IsClean(n) {
				t.Fatalf("%q %q %v", id, n, err)
			}
		}
	})
}

func FuzzParseOCIConfig(f *testing.F) {
	f.Add([]byte(`{"hostname":"h","annotations":{"io.kubernetes.cri.container-name":"nginx","io.kubernetes.cri-o.SandboxID":"` + id1 + `"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := parseOCIConfig(data)
		if err == nil && (!sanitize.IsClean(in.Name) || !sanitize.IsClean(in.Pod) || !sanitize.IsClean(in.Hostname) ||
			(in.SandboxID != "" && !isHexID(in.SandboxID))) {
			t.Fatalf("%+v", in)
		}
	})
}

func FuzzArgv(f *testing.F) {
	f.Add("-proto tcp -host-ip 127.0.0.1 -host-port 8188 -container-ip 172.17.0.2 -container-port 80")
	f.Add("--api-version 1 -c " + id1 + " -n web1")
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, " ")
		if proto, host, target, ok := proxyArgs(args); ok && (proto != "tcp" && proto != "udp" || host.Port() == 0 || !target.IsValid()) {
			t.Fatalf("%s %v %v", proto, host, target)
		}
		if id, name, ok := conmonArgs(args); ok && (!isHexID(id) || !sanitize.IsClean(name)) {
			t.Fatalf("%q %q", id, name)
		}
		if id := netavarkID(s); id != "" && !isHexID(id) {
			t.Fatalf("netavark id %q", id)
		}
		if r := dockerdRoot(args); r != "" && (!strings.HasPrefix(r, "/") || !sanitize.IsClean(r)) {
			t.Fatalf("data root %q", r)
		}
	})
}
