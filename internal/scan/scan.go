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
	"sort"
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
	Taken     time.Time
	Source    string     // "netlink", "procfs" or "netstat"
	Listeners []Listener // sorted by port, proto, addr
	Warnings  []string   // non-fatal problems, one line each
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
}

func (o Options) procRoot() string {
	if o.ProcRoot == "" {
		return "/proc"
	}
	return o.ProcRoot
}

// SortListeners orders listeners by port, proto, address, then inode: the
// order of every Snapshot, so that snapshots print, merge and diff
// deterministically.
//
// Input that is already sorted costs one pass, and input made of a few
// sorted runs (a snapshot's listeners with the ones of another snapshot
// appended) is merged in linear time: sixty thousand Listeners are never
// swapped about one by one.
func SortListeners(ls []Listener) {
	less := func(a, b *Listener) bool {
		return compareListener(a.Port, b.Port, a.Proto, b.Proto, a.Addr, b.Addr, a.Inode, b.Inode) < 0
	}
	// Find the sorted runs; give up counting past maxRuns.
	const maxRuns = 16
	runs := []int{0}
	for i := 1; i < len(ls); i++ {
		if less(&ls[i], &ls[i-1]) {
			if runs = append(runs, i); len(runs) > maxRuns {
				break
			}
		}
	}
	switch {
	case len(runs) == 1:
		return
	case len(runs) > maxRuns:
		slices.SortFunc(ls, func(a, b Listener) int {
			return compareListener(a.Port, b.Port, a.Proto, b.Proto, a.Addr, b.Addr, a.Inode, b.Inode)
		})
		return
	}
	if len(runs) == 2 {
		mergeTwo(ls, runs[1], less)
		return
	}
	// Merge neighbouring runs pairwise until one is left.
	buf := make([]Listener, len(ls))
	src, dst := ls, buf
	runs = append(runs, len(ls))
	for len(runs) > 2 {
		next := []int{0}
		for r := 0; r+1 < len(runs); r += 2 {
			lo, mid := runs[r], runs[r+1]
			hi := mid
			if r+2 < len(runs) {
				hi = runs[r+2]
			}
			i, j, k := lo, mid, lo
			for i < mid && j < hi {
				if less(&src[j], &src[i]) {
					dst[k] = src[j]
					j++
				} else {
					dst[k] = src[i]
					i++
				}
				k++
			}
			k += copy(dst[k:], src[i:mid])
			copy(dst[k:], src[j:hi])
			next = append(next, hi)
		}
		runs = next
		src, dst = dst, src
	}
	if &src[0] != &ls[0] {
		copy(ls, src)
	}
}

// mergeTwo merges the sorted runs ls[:mid] and ls[mid:] in place with a
// buffer the size of the shorter one, moving only the listeners that are
// out of place (the usual case: a block's listeners appended to the rest).
func mergeTwo(ls []Listener, mid int, less func(a, b *Listener) bool) {
	// Skip what is in place: the head of the first run below the second's
	// first listener, the tail of the second above the first's last.
	lo := sort.Search(mid, func(i int) bool { return less(&ls[mid], &ls[i]) })
	hi := mid + sort.Search(len(ls)-mid, func(i int) bool { return !less(&ls[mid+i], &ls[mid-1]) })
	a, b := ls[lo:mid], ls[mid:hi]
	if len(b) <= len(a) {
		// Copy out b; fill from the back.
		buf := slices.Clone(b)
		i, j, k := len(a)-1, len(buf)-1, hi-1
		for j >= 0 {
			if i >= 0 && less(&buf[j], &a[i]) {
				ls[k] = a[i]
				i--
			} else {
				ls[k] = buf[j]
				j--
			}
			k--
		}
		return
	}
	// Copy out a; fill from the front.
	buf := slices.Clone(a)
	i, j, k := 0, mid, lo
	for i < len(buf) {
		if j < hi && less(&ls[j], &buf[i]) {
			ls[k] = ls[j]
			j++
		} else {
			ls[k] = buf[i]
			i++
		}
		k++
	}
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
