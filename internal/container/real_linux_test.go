package container

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// realFacts is what scripts/containers.sh (helper E's) says it started:
// the runtimes' own account of names, pods, addresses and published ports.
type realFacts struct {
	HostInode  uint64 `json:"host_netns_inode"`
	Namespaces []struct {
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		PID        int    `json:"pid"`
		Inode      uint64 `json:"netns_inode"`
		Path       string `json:"netns_path"`
		Containers []struct {
			Runtime, ID, Name, Pod, IP string
			PID                        int
			Infra                      bool
		} `json:"containers"`
		Published []struct {
			Proto     string `json:"proto"`
			HostAddr  string `json:"host_address"`
			HostPort  uint16 `json:"host_port"`
			CtrPort   uint16 `json:"container_port"`
			Container string `json:"container"`
			Via       string `json:"via"`
		} `json:"published"`
		Expect []struct {
			Proto, Address, Container string
			Port                      uint16
		} `json:"expect"`
	} `json:"namespaces"`
}

const factsFile = "/run/portui-t/facts.json"

// TestRealContainers reads the real state of the containers that
// scripts/containers.sh started (read-only: state files, /proc, nftables)
// and checks names, pods and published links against what the runtimes
// themselves reported. The snapshot is built from the facts and the real
// processes (the Linux scanner's own test covers the sockets); Wrap reads
// the real runtime state and the real NAT rules.
func TestRealContainers(t *testing.T) {
	data, err := os.ReadFile(factsFile)
	if err != nil || os.Geteuid() != 0 {
		t.Skipf("no real containers (%s from scripts/containers.sh, as root): %v", factsFile, err)
	}
	var facts realFacts
	if err := json.Unmarshal(data, &facts); err != nil {
		t.Fatal(err)
	}
	proc := func(pid int) (scan.Process, bool) {
		p := scan.Process{PID: pid}
		cg, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
		if err != nil {
			return p, false
		}
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		argv, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		p.Name = strings.TrimSpace(string(comm))
		p.Args = strings.Split(strings.TrimRight(string(argv), "\x00"), "\x00")
		p.Cgroup = scan.ParseCgroupFile(cg)
		return p, true
	}
	// Host-side holders of published ports: conmon (by -c), docker-proxy
	// (by -host-port), dockerd (by pid file).
	holders := map[string]scan.Process{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, ok := proc(pid)
		if !ok {
			continue
		}
		switch p.Name {
		case "conmon":
			if id, _, ok := conmonArgs(p.Args); ok {
				holders["conmon "+id] = p
			}
		case "docker-proxy":
			if proto, host, _, ok := proxyArgs(p.Args); ok {
				holders["docker-proxy "+proto+" "+strconv.Itoa(int(host.Port()))] = p
			}
		case "dockerd":
			if dockerdRoot(p.Args) != "" {
				holders["dockerd-nat"] = p
			}
		}
	}

	host := scan.NetNS{Inode: facts.HostInode, Host: true}
	snap := scan.Snapshot{Source: "test", NetNS: []scan.NetNS{host}}
	type want struct {
		ns        uint64
		proto     string
		port      uint16
		container string
		pod       string
	}
	var wants []want
	type pub struct {
		proto     string
		host      netip.AddrPort
		ns        uint64
		container string
		via       string
	}
	var pubs []pub
	for _, n := range facts.Namespaces {
		ns := scan.NetNS{Inode: n.Inode, PID: n.PID, Path: n.Path}
		if n.Kind == "host" {
			ns = host
		} else {
			snap.NetNS = append(snap.NetNS, ns)
		}
		byName := map[string]int{}
		pods := map[string]string{}
		ids := map[string]string{}
		for _, c := range n.Containers {
			byName[c.Name], pods[c.Name], ids[c.Name] = c.PID, c.Pod, c.ID
		}
		for _, x := range n.Expect {
			l := scan.Listener{Proto: x.Proto, Addr: netip.MustParseAddr(x.Address), Port: x.Port, NetNS: ns, Hidden: "test"}
			if pid, ok := byName[x.Container]; ok && pid > 0 {
				if p, ok := proc(pid); ok {
					l.Procs, l.Hidden = []scan.Process{p}, ""
				}
			}
			snap.Listeners = append(snap.Listeners, l)
			if x.Container != "" {
				wants = append(wants, want{ns.Inode, x.Proto, x.Port, x.Container, pods[x.Container]})
			}
		}
		for _, p := range n.Published {
			hp := netip.AddrPortFrom(netip.MustParseAddr(p.HostAddr), p.HostPort)
			pubs = append(pubs, pub{p.Proto, hp, n.Inode, p.Container, p.Via})
			var h scan.Process
			var ok bool
			switch p.Via {
			case "conmon":
				for _, c := range n.Containers {
					if hh, found := holders["conmon "+c.ID]; found && (c.Infra || len(n.Containers) == 1) {
						h, ok = hh, true
					}
				}
			case "docker-proxy":
				h, ok = holders["docker-proxy "+p.Proto+" "+strconv.Itoa(int(p.HostPort))]
			case "nat":
				h, ok = holders["dockerd-nat"]
			}
			if ok {
				snap.Listeners = append(snap.Listeners, scan.Listener{Proto: p.Proto, Addr: hp.Addr(), Port: hp.Port(), NetNS: host, Procs: []scan.Process{h}})
			} else {
				t.Logf("no host holder found for %s %v via %s", p.Proto, hp, p.Via)
			}
		}
	}

	w := Wrap(scan.Static(snap), Options{})
	s, err := w.Snapshot(context.Background(), scan.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("warnings: %q; %d container listeners and %d published ports to check", s.Warnings, len(wants), len(pubs))
	if len(wants) == 0 || len(pubs) == 0 {
		t.Fatalf("the facts name nothing to check: %s", data)
	}
	for _, pm := range s.PortMaps {
		t.Logf("port map %s", pmString(&pm))
	}
	for _, x := range wants {
		found := false
		for _, l := range s.Listeners {
			if l.NetNS.Inode != x.ns || l.Proto != x.proto || l.Port != x.port {
				continue
			}
			found = true
			if l.Container == nil || l.Container.Name != x.container || l.Container.Pod != x.pod {
				t.Errorf("%s %d in netns %d: container %+v, want %q pod %q", x.proto, x.port, x.ns, l.Container, x.container, x.pod)
			}
		}
		if !found {
			t.Errorf("listener %+v lost", x)
		}
	}
	for _, p := range pubs {
		var pm *scan.PortMap
		for i := range s.PortMaps {
			if s.PortMaps[i].Proto == p.proto && s.PortMaps[i].Host == p.host {
				pm = &s.PortMaps[i]
			}
		}
		if pm == nil {
			t.Errorf("published %s %v (%s via %s): no port map in %v", p.proto, p.host, p.container, p.via, s.PortMaps)
			continue
		}
		if pm.Container == nil || pm.TargetNetNS != p.ns {
			t.Errorf("published %s %v: %s, want %s in netns %d", p.proto, p.host, pmString(pm), p.container, p.ns)
		}
		// and the host side says where it forwards
		for _, l := range s.Listeners {
			if l.NetNS.Host && l.Proto == p.proto && l.Port == p.host.Port() && (l.Forward == nil || l.Forward.TargetNetNS != p.ns) {
				t.Errorf("host side of %s %v: forward %s", p.proto, p.host, pmString(l.Forward))
			}
		}
	}
}

// TestRealStateFiles runs the readers over every real state file there
// is (read-only), whatever started the containers.
func TestRealStateFiles(t *testing.T) {
	n := 0
	for _, pat := range []string{"/var/lib/docker/containers/*/config.v2.json", "/var/lib/*/docker*/containers/*/config.v2.json"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			data, _, err := readState(f, maxConfigFile)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			in, err := parseDockerConfig(data)
			if err != nil || in.Name == "" || len(in.Addrs) == 0 && !bytes.Contains(data, []byte(`"none"`)) && !bytes.Contains(data, []byte(`"host"`)) {
				t.Errorf("%s: %+v %v", f, in, err)
			}
			n++
		}
	}
	if data, _, err := readState(podmanList, maxListFile); err == nil {
		m, err := parsePodmanList(data)
		// An empty list ("[]" once every container is removed) is a
		// valid state: only a list that does not parse is wrong.
		if err != nil {
			t.Errorf("containers.json: %v %v", m, err)
		}
		for id := range m {
			if _, err := newResolver("").ociConfig(id); err != nil {
				t.Errorf("podman %s config.json: %v", id[:12], err)
			}
		}
		n++
	}
	if n == 0 {
		t.Skip("no real Docker or Podman state on this machine")
	}
}
