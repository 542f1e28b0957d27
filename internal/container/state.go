package container

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/portui/portui/internal/sanitize"
)

// Size caps for the runtimes' state files: far above what a real one
// holds, low enough that a hostile one costs nothing.
const (
	maxConfigFile = 4 << 20  // config.v2.json, config.json
	maxListFile   = 32 << 20 // podman's containers.json (every container)
)

// info is what a runtime's state says about one container.
type info struct {
	Name  string
	Pod   string
	Addrs []netip.Addr // the container's addresses (Docker networks)
	// SandboxID is the pod's infra container (Podman members, CRI).
	SandboxID string
	Hostname  string
	Infra     bool // the pod's infra (sandbox) container
}

// parseDockerConfig reads Docker's /var/lib/docker/containers/<id>/config.v2.json.
func parseDockerConfig(data []byte) (info, error) {
	var c struct {
		Name            string
		NetworkSettings struct {
			IPAddress         string
			GlobalIPv6Address string
			Networks          map[string]struct {
				IPAddress         string
				GlobalIPv6Address string
			}
		}
		Config struct {
			Hostname string
		}
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return info{}, fmt.Errorf("docker config.v2.json: %w", err)
	}
	in := info{Name: sanitize.Line(strings.TrimPrefix(c.Name, "/")), Hostname: sanitize.Line(c.Config.Hostname)}
	add := func(s string) {
		if a, err := netip.ParseAddr(s); err == nil && len(in.Addrs) < 64 {
			in.Addrs = append(in.Addrs, a.Unmap())
		}
	}
	add(c.NetworkSettings.IPAddress)
	add(c.NetworkSettings.GlobalIPv6Address)
	for _, n := range c.NetworkSettings.Networks {
		add(n.IPAddress)
		add(n.GlobalIPv6Address)
	}
	return in, nil
}

// parsePodmanList reads Podman's overlay-containers/containers.json: an
// array of {"id", "names"}; it returns id → first name.
func parsePodmanList(data []byte) (map[string]string, error) {
	var list []struct {
		ID    string   `json:"id"`
		Names []string `json:"names"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("podman containers.json: %w", err)
	}
	out := make(map[string]string, len(list))
	for _, c := range list {
		if isHexID(c.ID) && len(c.Names) > 0 {
			out[c.ID] = sanitize.Line(c.Names[0])
		}
	}
	return out, nil
}

// OCI annotations the runtimes write into a container's config.json.
const (
	annCRIContainerName = "io.kubernetes.cri.container-name" // containerd
	annCRISandboxName   = "io.kubernetes.cri.sandbox-name"
	annCRISandboxID     = "io.kubernetes.cri.sandbox-id"
	annCRIType          = "io.kubernetes.cri.container-type"
	annCRIOName         = "io.kubernetes.container.name" // CRI-O
	annCRIOPod          = "io.kubernetes.pod.name"
	annCRIOSandboxID    = "io.kubernetes.cri-o.SandboxID" // CRI-O and Podman pod members
	annCRIOType         = "io.kubernetes.cri-o.ContainerType"
	annCRIOSandboxName  = "io.kubernetes.cri-o.SandboxName"
)

// parseOCIConfig reads an OCI runtime config.json (Podman and CRI-O
// userdata/config.json, containerd's task bundle config.json): hostname
// and the annotations that name the container and its pod.
func parseOCIConfig(data []byte) (info, error) {
	var c struct {
		Hostname    string            `json:"hostname"`
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return info{}, fmt.Errorf("config.json: %w", err)
	}
	a := c.Annotations
	in := info{Hostname: sanitize.Line(c.Hostname)}
	in.Name = sanitize.Line(first(a[annCRIContainerName], a[annCRIOName]))
	in.Pod = sanitize.Line(first(a[annCRISandboxName], a[annCRIOPod], a[annCRIOSandboxName]))
	in.SandboxID = first(a[annCRISandboxID], a[annCRIOSandboxID])
	if !isHexID(in.SandboxID) {
		in.SandboxID = ""
	}
	in.Infra = a[annCRIType] == "sandbox" || a[annCRIOType] == "sandbox"
	return in, nil
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// conmonArgs reads conmon's argv: the container id (-c, --cid) and name
// (-n, --name). ok is false when argv names no container.
func conmonArgs(args []string) (id, name string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() string {
			if k, v, found := strings.Cut(a, "="); found && strings.HasPrefix(k, "--") {
				return v
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "-c" || a == "--cid" || strings.HasPrefix(a, "--cid="):
			id = val()
		case a == "-n" || a == "--name" || strings.HasPrefix(a, "--name="):
			name = val()
		}
	}
	if !isHexID(id) {
		return "", "", false
	}
	return id, sanitize.Line(name), true
}

// proxyArgs reads docker-proxy's argv: -proto tcp -host-ip 127.0.0.1
// -host-port 8188 -container-ip 172.17.0.2 -container-port 80 (single or
// double dashes, "-k v" or "-k=v").
func proxyArgs(args []string) (proto string, host, target netip.AddrPort, ok bool) {
	var hip, cip netip.Addr
	var hport, cport uint16
	proto = "tcp"
	for i := 0; i < len(args); i++ {
		k := strings.TrimLeft(args[i], "-")
		v, found := "", false
		if kk, vv, eq := strings.Cut(k, "="); eq {
			k, v, found = kk, vv, true
		} else if i+1 < len(args) {
			v, found = args[i+1], true
		}
		if !found {
			continue
		}
		switch k {
		case "proto":
			proto = v
		case "host-ip":
			hip, _ = netip.ParseAddr(v)
		case "container-ip":
			cip, _ = netip.ParseAddr(v)
		case "host-port":
			hport = parsePort(v)
		case "container-port":
			cport = parsePort(v)
		default:
			continue
		}
		if !strings.Contains(args[i], "=") {
			i++
		}
	}
	switch proto {
	case "tcp", "udp":
	case "tcp4", "tcp6":
		proto = "tcp"
	case "udp4", "udp6":
		proto = "udp"
	default:
		return "", host, target, false
	}
	if !cip.IsValid() || hport == 0 || cport == 0 {
		return "", host, target, false
	}
	if !hip.IsValid() {
		hip = netip.IPv4Unspecified()
	}
	return proto, netip.AddrPortFrom(hip.Unmap(), hport), netip.AddrPortFrom(cip.Unmap(), cport), true
}

func parsePort(s string) uint16 {
	n := 0
	if s == "" || len(s) > 5 {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > 65535 {
		return 0
	}
	return uint16(n)
}

// netavarkID reads netavark's rule comment "dnat name: podman id: <id>".
func netavarkID(comment string) string {
	_, rest, ok := strings.Cut(comment, " id: ")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if !isHexID(id) {
		return ""
	}
	return sanitize.Line(id)
}

// dockerdRoot reads dockerd's --data-root (or -g, --graph) from its argv:
// "" when it uses the default. Only absolute, clean paths count.
func dockerdRoot(args []string) string {
	for i, a := range args {
		v := ""
		switch {
		case strings.HasPrefix(a, "--data-root="):
			v = a[len("--data-root="):]
		case (a == "--data-root" || a == "-g" || a == "--graph") && i+1 < len(args):
			v = args[i+1]
		default:
			continue
		}
		if strings.HasPrefix(v, "/") && !strings.Contains(v, "/../") && !strings.HasSuffix(v, "/..") {
			return sanitize.Line(strings.TrimRight(v, "/"))
		}
	}
	return ""
}
