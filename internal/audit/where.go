package audit

import (
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/scan"
)

// This file is the wording of where a listener lives (issue 8), shared by
// `portui listeners`, `portui audit` and the explorer so that they say
// the same: "host", "web1 (podman)", "netns pdemo", "nginx.service",
// "→ web1 (podman) 10.88.0.5:80", "published 127.0.0.1:8088 (nat)",
// "ssh.socket → ssh.service (not running, starts on connect)".

// ContainerLabel names a container with its runtime and pod:
// "web1 (podman)", "web1 (podman, pod demo)"; "" for nil.
func ContainerLabel(c *scan.Container) string { return containerLabel(c) }

func containerLabel(c *scan.Container, more ...string) string {
	if c == nil {
		return ""
	}
	var inner []string
	if c.Runtime != "" {
		inner = append(inner, c.Runtime)
	}
	if c.Pod != "" {
		inner = append(inner, "pod "+c.Pod)
	}
	inner = append(inner, more...)
	if len(inner) == 0 {
		return c.Label()
	}
	return c.Label() + " (" + strings.Join(inner, ", ") + ")"
}

// NetNSLabel names a network namespace: "host", "netns pdemo" (the name
// of the bind mount that names it), else "netns 4026532301" (its inode).
func NetNSLabel(n scan.NetNS) string {
	switch {
	case n.IsHost():
		return "host"
	case n.Path != "":
		return "netns " + path.Base(n.Path)
	}
	return "netns " + strconv.FormatUint(n.Inode, 10)
}

// Location says where l lives, in a few words: its container
// ("web1 (podman)"; "web1 (podman, host netns)" for a container run in
// the host's network namespace), else the namespace it is in
// ("netns pdemo", "netns 4026532301"), else "host".
func Location(l scan.Listener) string {
	if l.Container != nil {
		if l.NetNS.IsHost() {
			return containerLabel(l.Container, "host netns")
		}
		return ContainerLabel(l.Container)
	}
	return NetNSLabel(l.NetNS)
}

// Place is where l lives in a few words, for a column headed WHERE: its
// container ("web1 (podman)"; Details says when that is in the host's
// network namespace), else for a host listener its .socket unit when pid
// 1 holds it for socket activation, else its unit ("nginx.service"),
// else Location ("netns pdemo", "host").
func Place(l scan.Listener) string {
	if l.Container != nil {
		return ContainerLabel(l.Container)
	}
	if l.Container == nil && l.NetNS.IsHost() {
		if a := l.Activation; a != nil && a.Socket != "" {
			return a.Socket
		}
		if l.Unit != "" {
			return l.Unit
		}
	}
	return Location(l)
}

// ForwardText says where a host-side proxy or placeholder socket sends
// its traffic: "→ web1 (podman) 10.88.0.5:80 (conmon)", "→ 172.17.0.2:80
// (nat)" when no container has that address.
func ForwardText(m scan.PortMap) string {
	return "→ " + targetText(m) + viaText(m.Via)
}

// targetText is "web1 (podman) 10.88.0.5:80", or the bare address when
// no container is known.
func targetText(m scan.PortMap) string {
	t := addrPortText(m.Target)
	if m.Container != nil {
		return ContainerLabel(m.Container) + " " + t
	}
	return t
}

func viaText(via string) string {
	if via == "" {
		return ""
	}
	return " (" + via + ")"
}

// addrPortText is an address and port as people write them: "0.0.0.0:80",
// "[::]:80"; "?" for an invalid one.
func addrPortText(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "?"
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
}

// PublishedText lists the host ports that reach a container listener,
// grouped by how: "published 127.0.0.1:8088 (nat)", "published
// 0.0.0.0:8080, [::]:8080 (docker-proxy)"; "" when ms is empty.
func PublishedText(ms []scan.PortMap) string {
	if len(ms) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("published ")
	for i, m := range ms {
		if i > 0 {
			if ms[i-1].Via != m.Via {
				b.WriteString(viaText(ms[i-1].Via))
			}
			b.WriteString(", ")
		}
		b.WriteString(addrPortText(m.Host))
	}
	b.WriteString(viaText(ms[len(ms)-1].Via))
	return b.String()
}

// ActivationText is systemd socket activation in words: "ssh.socket →
// ssh.service (not running, starts on connect)", "… (running)".
func ActivationText(a scan.Activation) string {
	state := "running"
	if !a.Running {
		state = "not running, starts on connect"
	}
	return activationUnits(a) + " (" + state + ")"
}

// activationUnits is "ssh.socket → ssh.service".
func activationUnits(a scan.Activation) string {
	sock, svc := a.Socket, a.Service
	if sock == "" {
		sock = "a .socket unit"
	}
	if svc == "" {
		svc = "its service"
	}
	return sock + " → " + svc
}

// Details are the lines that say more than Place: that a container
// listener is in the host's network namespace, and what links l to the
// other side of a published port or to what it activates, in the words
// above. The text table prints them under l's row, the explorer's pane
// can under its entry.
func Details(l scan.Listener) []string {
	var out []string
	if l.Container != nil && l.NetNS.IsHost() && l.NetNS.Inode != 0 {
		out = append(out, "in the host's network namespace")
	}
	if l.Forward != nil {
		out = append(out, "published "+ForwardText(*l.Forward))
	}
	if s := PublishedText(l.Published); s != "" {
		out = append(out, s)
	}
	if a := l.Activation; a != nil {
		out = append(out, ActivationText(*a))
	}
	return out
}

// isPID1Alone: the socket is held by pid 1 and nothing else, socket
// activation whether or not its unit could be named.
func isPID1Alone(l scan.Listener) bool {
	return len(l.Procs) == 1 && l.Procs[0].PID == 1
}

// Holder names who holds l for a message, with why when that is not the
// program that serves the port: "docker-proxy (pid 5000) for web1
// (docker) 172.17.0.2:80", "systemd (pid 1) for ssh.socket →
// ssh.service", "httpd (pid 4242) in web1 (podman)"; else Owner.
func Holder(l scan.Listener) string {
	s := Owner(l)
	switch {
	case l.Forward != nil:
		return s + " for " + targetText(*l.Forward)
	case l.Activation != nil:
		return s + " for " + activationUnits(*l.Activation)
	case isPID1Alone(l):
		return s + ", socket activation"
	case l.Container != nil:
		return s + " in " + ContainerLabel(l.Container)
	}
	return s
}
