// Package container says where each listener of a snapshot lives: the
// container (Docker, Podman, containerd or CRI-O for Kubernetes, LXC) and
// the systemd unit of its owners, the host ports published to it (NAT
// rules and userland proxies, linked both ways), and what pid 1 activates
// through a socket it holds (issue 8).
//
// It reads only the kernel's and the runtimes' own state: /proc/PID/cgroup
// (through scan.Process.Cgroup), the runtimes' state files, nftables rules
// (read-only, through netlink), rtnetlink addresses inside container
// namespaces and systemd's D-Bus API; it never runs a runtime's CLI.
// Every string it reads is neutralised where it is read. What it could
// not read is said once, in the snapshot's Warnings.
package container

import (
	"github.com/portui/portui/internal/scan"
)

// Options configure Wrap.
type Options struct {
	// Root prefixes every state path (/var/lib/docker, /var/lib/containers,
	// /run/...): "" is "/". Tests point it at fixture trees.
	Root string
	// ProcRoot is where procfs is mounted, as for scan.Options.
	ProcRoot string
	// Systemd lists pid 1's socket units for socket activation; nil uses
	// systemd's D-Bus API, and only when pid 1 is systemd
	// (ProcRoot/1/comm). Tests give a fake.
	Systemd Systemd
}

// Wrap returns a Scanner whose snapshots say where each listener lives.
// It adds no scan of its own to a poll beyond cached lookups: names are
// read once per container id, NAT rules when their generation changes.
func Wrap(s scan.Scanner, o Options) scan.Scanner {
	return wrapOS(s, o)
}
