// Package scan takes snapshots of the listening sockets of this machine
// (TCP LISTEN, unconnected UDP; IPv4 and IPv6) together with the processes
// that hold them.
//
// On Linux the fast path asks the kernel through NETLINK_SOCK_DIAG for
// listening sockets only and maps socket inodes to processes through a cache
// that is revalidated with one readlink per owner; see README.md for the
// design and the measured costs. Elsewhere the go-netstat package is used.
package scan

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Process is one process that holds a listening socket.
//
// Every string here comes from the process itself or the name service and
// is neutralised where the scanner reads it (sanitize.Line): control bytes
// are shown as escapes ("\x1b]0;PWN\x07"), so no output path needs to.
// The listeners of one process in a snapshot share one Args array: treat
// it as read-only (Command copies before it edits).
type Process struct {
	PID     int
	Name    string   // comm, as ps shows it
	Args    []string // argv, bounded (see maxArgs); nil for kernel threads
	Cmdline string   // Args joined by spaces, trimmed to a readable length
	UID     int      // effective UID of the process, -1 if unknown
	User    string   // user name of UID, "" if unknown

	// Cgroup is the process's cgroup path as /proc/PID/cgroup gives it
	// (the cgroup2 "0::" path when it is not "/", else the name=systemd
	// path, else the first controller's): "/docker/<id>",
	// "/system.slice/nginx.service", "" if unknown. Container and Unit
	// are derived from it (package container).
	Cgroup    string
	Unit      string     // systemd unit ("nginx.service", "session-3.scope"), "" if none
	Container *Container // the container it runs in, nil if none
}

// Command is the command line as a person wants to read it: argv[0]'s base
// name and the arguments ("python3 /srv/app/server.py --port 326" rather
// than the interpreter's full path). It is Cmdline when Args is unknown.
func (p Process) Command() string {
	if len(p.Args) == 0 {
		return p.Cmdline
	}
	args := slices.Clone(p.Args)
	if i := strings.LastIndexByte(args[0], '/'); i >= 0 && i < len(args[0])-1 && !strings.Contains(args[0], " ") {
		args[0] = args[0][i+1:]
	}
	return strings.Join(args, " ")
}

// Listener is one listening socket.
type Listener struct {
	Proto     string     // "tcp" or "udp"
	Addr      netip.Addr // local address, unmapped; 0.0.0.0 or :: for a wildcard bind
	Port      uint16
	Scope     Scope
	DualStack bool   // bound to :: without IPV6_V6ONLY, so it also accepts IPv4
	Iface     string // SO_BINDTODEVICE interface (neutralised), "" if none (or unknown: text tables)
	UID       int    // socket owner, -1 if unknown
	User      string // user name of UID ("" if unknown: show the uid)
	Inode     uint64 // socket inode, 0 if the backend cannot tell
	Procs     []Process
	Hidden    string // why Procs is empty; never "" when Procs is empty

	// Live state from the socket table (issue 10; sock_diag only, zero
	// from text tables and go-netstat). TCP LISTEN: Queue is the accept
	// queue's length now (idiag_rqueue) and QueueMax its maximum, the
	// backlog (idiag_wqueue). UDP: Queue is the bytes waiting in the
	// receive queue and Drops the datagrams dropped (SK_MEMINFO_DROPS),
	// QueueMax the receive buffer's size (SK_MEMINFO_RCVBUF).
	Queue    uint32
	QueueMax uint32
	Drops    uint32

	// Where it lives (issue 8). NetNS and Cgroup are set by the Linux
	// scanner (Cgroup from INET_DIAG_CGROUP_ID: the cgroup the socket was
	// created in, "" for the root cgroup); the rest by package container,
	// which enriches snapshots.
	NetNS      NetNS
	Cgroup     string      // the socket's cgroup2 path as the kernel reports it ("" if unknown)
	Container  *Container  // container of its owners (or of its netns), nil if on the host
	Unit       string      // systemd unit of its owners, "" if none
	Published  []PortMap   // host ports that reach this listener (inside a container)
	Forward    *PortMap    // for a host-side proxy or placeholder socket: where it forwards
	Activation *Activation // for a socket held by pid 1 alone: what it activates
}

// NetNS identifies a network namespace.
type NetNS struct {
	Inode uint64 // the namespace's inode (ls -L /proc/PID/ns/net); 0 if the backend cannot tell
	Host  bool   // the scanner's own (the host's) network namespace
	Path  string // a bind mount that names it (/run/netns/NAME, /run/docker/netns/ID), "" if none
	PID   int    // a process in it (for namespaces other than the host's), 0 if none is known
}

// IsHost reports whether n is the host's namespace; a backend that cannot
// tell (Inode 0: go-netstat, text tables of the host) sees only the host's.
func (n NetNS) IsHost() bool { return n.Host || n.Inode == 0 }

// Container is the container a process runs in. Strings come from the
// runtime's state files (neutralised where they are read).
type Container struct {
	Runtime string // "docker", "podman", "containerd", "cri-o", "lxc"
	ID      string // full id (64 hex for Docker and Podman; the name for LXC)
	Name    string // "" if the runtime's state could not be read: show Label()
	Pod     string // pod name (Podman pod, Kubernetes pod), "" if none
}

// Label is the name, or the short (12-character) id when the name is unknown.
func (c *Container) Label() string {
	if c == nil {
		return ""
	}
	if c.Name != "" {
		return c.Name
	}
	if len(c.ID) > 12 {
		return c.ID[:12]
	}
	return c.ID
}

// PortMap is one published port: traffic to Host reaches Target in a
// container, through a NAT rule or a userland proxy.
type PortMap struct {
	Proto       string
	Host        netip.AddrPort // host address (unspecified: every address) and port
	Target      netip.AddrPort // the container's address and port
	Via         string         // "nat" (a DNAT rule), "docker-proxy", "rootlessport", "conmon"
	Container   *Container     // the container that has Target, nil if none is running
	TargetNetNS uint64         // netns inode of the listener at Target, 0 if none listens
}

// Activation is systemd socket activation: pid 1 holds the socket and
// starts Service on the first connection.
type Activation struct {
	Socket  string // "ssh.socket"
	Service string // "ssh.service"
	Running bool   // the service is running now
}

// Key is a stable identity for a listener across snapshots: a socket closed
// and reopened on the same port is a different listener.
func (l Listener) Key() string {
	return l.Proto + " " + netip.AddrPortFrom(l.Addr, l.Port).String() + " #" + strconv.FormatUint(l.Inode, 10)
}

// Endpoint is the local address as ss shows it: "0.0.0.0:22",
// "[::1]:631", and with a bound device "0.0.0.0%v0:444" or "[::]%v0:446".
func (l Listener) Endpoint() string {
	if l.Iface == "" {
		return netip.AddrPortFrom(l.Addr, l.Port).String()
	}
	a := l.Addr.String()
	if l.Addr.Is6() {
		a = "[" + a + "]"
	}
	return a + "%" + l.Iface + ":" + strconv.Itoa(int(l.Port))
}

// PIDs returns the PIDs of l's processes in ascending order.
func (l Listener) PIDs() []int {
	out := make([]int, len(l.Procs))
	for i, p := range l.Procs {
		out[i] = p.PID
	}
	slices.Sort(out)
	return out
}

// Snapshot is the set of listeners seen at one moment.
type Snapshot struct {
	Taken  time.Time
	Source string // "netlink", "procfs" or "netstat"
	// Owners says how the processes were found: "bpf" (one BPF iterator
	// pass), "procfs" (the /proc fd walk), "lsof" or "netstat".
	Owners    string
	Listeners []Listener // sorted by port, proto, addr
	Warnings  []string   // non-fatal problems, one line each

	// NetNS lists the network namespaces inspected (host first); PortMaps
	// every published port found (NAT rules and proxies), whether or not
	// a listener is behind it.
	NetNS    []NetNS
	PortMaps []PortMap
}

// Filter selects listeners by transport and port range.
//
// On Linux a poll's work follows its filter: the owners of every listener
// a port range (or one transport) reports are re-checked fd by fd, while a
// whole-machine poll (the zero Filter) re-checks those whose process
// exited or changed and one in eight of the rest, in turn. Either way an
// exited process, a reused PID and an exec show at once; a live process
// that closes its copy of a socket others still hold is dropped from it by
// the next port-range poll that covers it, or within eight whole polls.
type Filter struct {
	Proto  string // "", "tcp" or "udp"
	Lo, Hi uint16 // inclusive port range; 0,0 means all ports
}

// All reports whether f selects every port.
func (f Filter) All() bool { return f.Lo == 0 && f.Hi == 0 }

// Validate reports a filter that cannot match anything sensible.
func (f Filter) Validate() error {
	switch f.Proto {
	case "", "tcp", "udp":
	default:
		return fmt.Errorf("scan: unknown protocol %q (want tcp or udp)", f.Proto)
	}
	if f.Lo > f.Hi {
		return fmt.Errorf("scan: port range %d-%d is reversed", f.Lo, f.Hi)
	}
	return nil
}

// Match reports whether a listener with this transport and port is selected.
func (f Filter) Match(proto string, port uint16) bool {
	if f.Proto != "" && f.Proto != proto {
		return false
	}
	return f.All() || (port >= f.Lo && port <= f.Hi)
}

func (f Filter) wants(proto string) bool { return f.Proto == "" || f.Proto == proto }

// Scanner takes snapshots. Implementations are safe for concurrent use and
// never run two scans at the same time.
type Scanner interface {
	Snapshot(ctx context.Context, f Filter) (Snapshot, error)
	Close() error
}

// Options configure a scanner.
type Options struct {
	// ProcRoot is where procfs is mounted; default "/proc". Tests point it
	// at fixture trees.
	ProcRoot string
	// Source picks the socket table on Linux: "" chooses netlink when
	// ProcRoot is "/proc" (falling back to ProcRoot/net when netlink is
	// refused) and the ProcRoot/net text tables otherwise; "netlink" and
	// "procfs" force one. Ignored by the go-netstat backend.
	Source string
	// HostOnly limits a Linux scan to the scanner's own network namespace
	// (the host's). By default every network namespace on the host is
	// inspected when ProcRoot is /proc: those of processes and those
	// bind-mounted under /run/netns and /run/docker/netns.
	HostOnly bool
	// Owners picks how a Linux scanner finds the processes that hold each
	// socket: "" uses a BPF task-file iterator where the kernel allows it
	// (root or CAP_BPF and CAP_PERFMON, kernel BTF, the host's PID
	// namespace) on a host with 16,384 open files or more, and the /proc
	// fd walk otherwise (cheaper on a smaller host), with a warning saying
	// why when BPF was refused; "bpf" and "procfs" force one ("bpf" fails
	// New where it cannot be had, and a snapshot whose pass fails).
	// Ignored elsewhere.
	Owners string
}

func (o Options) procRoot() string {
	if o.ProcRoot == "" {
		return "/proc"
	}
	return o.ProcRoot
}

// SortListeners orders listeners by port, proto, address, then inode: the
// order of every Snapshot, so that snapshots print, merge and diff
// deterministically. Input that is already sorted (the Linux scanner builds
// its listeners in this order) costs one pass.
func SortListeners(ls []Listener) {
	if slices.IsSortedFunc(ls, cmpListener) {
		return
	}
	slices.SortFunc(ls, cmpListener)
}

func cmpListener(a, b Listener) int {
	return compareListener(a.Port, b.Port, a.Proto, b.Proto, a.Addr, b.Addr, a.Inode, b.Inode)
}

// compareListener is SortListeners' order. It compares a field only when
// the ones before are equal (cmp.Or would evaluate every comparison): with
// thousands of listeners nearly every comparison ends at the port.
func compareListener(pa, pb uint16, ta, tb string, aa, ab netip.Addr, ia, ib uint64) int {
	if pa != pb {
		return cmp.Compare(pa, pb)
	}
	if ta != tb {
		return strings.Compare(ta, tb)
	}
	if c := aa.Compare(ab); c != 0 {
		return c
	}
	return cmp.Compare(ia, ib)
}
