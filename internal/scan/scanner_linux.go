package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/sanitize"
)

// New returns the Linux scanner: netlink sock_diag for the socket table
// (the ProcRoot/net text tables where netlink is refused or ProcRoot is not
// /proc) and a cached /proc walk for the owners.
func New(opts Options) (Scanner, error) {
	s, err := newLinux(opts)
	if err != nil {
		return nil, err
	}
	return newSerial(s.snapshot, s.close), nil
}

type linuxScanner struct {
	root     string
	src      tableSource
	sticky   []string // warnings repeated in every snapshot
	owners   *ownerCache
	users    userNames
	ifaces   ifaceNames
	seeAll   bool
	v6only   bool // net.ipv6.bindv6only, for text tables
	now      func() time.Time
	fallback func() tableSource
}

func newLinux(opts Options) (*linuxScanner, error) {
	root := filepath.Clean(opts.procRoot())
	s := &linuxScanner{
		root:   root,
		owners: newOwnerCache(root),
		seeAll: canSeeAll(),
		v6only: bindV6OnlyDefault(root),
		now:    time.Now,
	}
	s.fallback = func() tableSource { return &procNetSource{root: root} }
	switch opts.Source {
	case "":
		if root != "/proc" {
			s.src = s.fallback()
			break
		}
		src, err := newNetlinkSource()
		if err != nil {
			s.sticky = append(s.sticky, fmt.Sprintf("netlink refused: %v; using %s/net", err, root))
			s.src = s.fallback()
			break
		}
		s.src = src
	case "netlink":
		src, err := newNetlinkSource()
		if err != nil {
			return nil, fmt.Errorf("scan: netlink sock_diag refused: %w", err)
		}
		s.src = src
	case "procfs":
		s.src = s.fallback()
	default:
		return nil, fmt.Errorf("scan: unknown source %q (want netlink or procfs)", opts.Source)
	}
	return s, nil
}

func (s *linuxScanner) close() error { return s.src.close() }

// refused reports errors that mean netlink will not work here at all
// (seccomp, LSM, old or sandboxed kernel), as opposed to one failed dump.
func refused(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) ||
		errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.EAFNOSUPPORT) || errors.Is(err, unix.ENOSYS) ||
		errors.Is(err, unix.EINVAL)
}

func (s *linuxScanner) snapshot(ctx context.Context, f Filter) (Snapshot, error) {
	snap := Snapshot{Taken: s.now(), Source: s.src.name()}
	socks, warns, err := s.src.listeners(ctx, f)
	if err != nil && s.src.name() == "netlink" && refused(err) {
		_ = s.src.close()
		s.src = s.fallback()
		s.sticky = append(s.sticky, fmt.Sprintf("netlink refused: %v; using %s/net", err, s.root))
		snap.Source = s.src.name()
		socks, warns, err = s.src.listeners(ctx, f)
	}
	if err != nil {
		return Snapshot{}, err
	}
	all := func() ([]sockEntry, error) {
		es, _, err := s.src.listeners(ctx, Filter{})
		return es, err
	}
	res, err := s.owners.resolve(ctx, socks, f, all)
	if err != nil {
		if ctx.Err() != nil {
			return Snapshot{}, ctx.Err()
		}
		// Owners are a bonus; the sockets themselves are still worth showing.
		warns = append(warns, fmt.Sprintf("process owners unknown: %v", err))
		res = make([]resolved, len(socks))
		for i := range res {
			res[i].why = hideNoProc
		}
	}
	snap.Warnings = append(slices.Clone(s.sticky), warns...)
	var notProc *notProcError
	if perr := s.owners.procErr; errors.As(perr, &notProc) {
		snap.Warnings = append(snap.Warnings, fmt.Sprintf("process owners unknown: %v (mounted over it?): no process can be seen", perr))
	} else if perr != nil {
		snap.Warnings = append(snap.Warnings, fmt.Sprintf("process owners unknown: %s is not readable (%v)", s.root, unwrapPath(perr)))
	}
	guessed := false
	snap.Listeners = make([]Listener, len(socks))
	nb := s.newNamer(len(socks))
	// Listeners are built in their final order, rather than built in the
	// dump's order and sorted: sorting indexes moves 4 bytes, not a
	// Listener, per swap.
	for j, i := range listingOrder(socks) {
		e := &socks[i]
		l := &snap.Listeners[j]
		*l = Listener{
			Proto: e.Proto,
			Addr:  e.Addr,
			Port:  e.Port,
			Scope: ScopeOf(e.Addr),
			UID:   e.UID,
			User:  nb.user(e.UID),
			Inode: e.Inode,
		}
		if ifc := s.ifaces.lookup(e.IfIndex); ifc.name != "" {
			// A socket bound to the loopback device accepts nothing
			// from outside, whatever its address says.
			l.Iface = ifc.name
			switch {
			case ifc.loopback:
				l.Scope = ScopeLoopback
			case l.Scope == ScopeAll:
				l.Scope = ScopeInterface
			}
		}
		if e.V6 && e.Addr.IsUnspecified() {
			if e.V6Known {
				l.DualStack = !e.V6Only
			} else {
				l.DualStack, guessed = !s.v6only, true
			}
		}
		l.Procs = nb.procs(res[i].owners)
		if len(l.Procs) == 0 {
			l.Hidden = nb.hidden(l, res[i])
		}
	}
	if guessed {
		snap.Warnings = append(snap.Warnings, fmt.Sprintf("dual-stack [::] listeners inferred from net.ipv6.bindv6only=%d (text tables do not carry IPV6_V6ONLY)", b2i(s.v6only)))
	}
	// Warnings quote errors, paths and table lines: outside text too.
	sanitize.Lines(snap.Warnings)
	return snap, nil
}

// listingOrder returns the indexes of socks in SortListeners' order.
func listingOrder(socks []sockEntry) []int32 {
	idx := make([]int32, len(socks))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		x, y := &socks[a], &socks[b]
		return compareListener(x.Port, y.Port, x.Proto, y.Proto, x.Addr, y.Addr, x.Inode, y.Inode)
	})
	return idx
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// namer builds the strings of one snapshot once per user, process and
// reason rather than once per listener: sixty thousand listeners of one
// process share one Process (its Args included) and one user lookup.
type namer struct {
	s      *linuxScanner
	users  map[int]string
	procsM map[int]*Process // nil: exited
	hides  map[hideKey]string
	buf    []Process // backing store of every Listener.Procs
}

type hideKey struct {
	uid int
	why hideReason
}

func (s *linuxScanner) newNamer(n int) *namer {
	return &namer{
		s:      s,
		users:  make(map[int]string),
		procsM: make(map[int]*Process),
		hides:  make(map[hideKey]string),
		buf:    make([]Process, 0, n),
	}
}

func (nb *namer) user(uid int) string {
	n, ok := nb.users[uid]
	if !ok {
		n = nb.s.users.name(uid)
		nb.users[uid] = n
	}
	return n
}

// procs turns owners (sorted by PID: the cache keeps them so) into
// processes, one per PID, skipping any that exited since their fd was
// checked.
func (nb *namer) procs(owners []owner) []Process {
	start := len(nb.buf)
	for i, o := range owners {
		if i > 0 && owners[i-1].pid == o.pid {
			continue // same process, another fd
		}
		p, seen := nb.procsM[o.pid]
		if !seen {
			if m, ok := nb.s.owners.identify(o.pid); ok {
				p = &Process{
					PID:     o.pid,
					Name:    m.comm,
					Args:    slices.Clone(m.args),
					Cmdline: m.cmdline,
					UID:     m.uid,
					User:    nb.user(m.uid),
					Cgroup:  m.cgroup,
				}
			}
			nb.procsM[o.pid] = p
		}
		if p != nil {
			nb.buf = append(nb.buf, *p)
		}
	}
	if len(nb.buf) == start {
		return nil
	}
	return nb.buf[start:len(nb.buf):len(nb.buf)]
}

func (nb *namer) hidden(l *Listener, r resolved) string {
	k := hideKey{l.UID, r.why}
	h, ok := nb.hides[k]
	if !ok {
		h = nb.s.hiddenReason(*l, r)
		nb.hides[k] = h
	}
	return h
}

// hiddenReason explains an empty Procs in one line, starting with the
// socket owner, which anyone may see.
func (s *linuxScanner) hiddenReason(l Listener, r resolved) string {
	who := "owner " + ownerLabel(l.UID, l.User) + " · "
	const grant = "run as root or grant CAP_SYS_PTRACE"
	switch r.why {
	case hideDenied:
		return who + "process hidden: " + grant
	case hideNotFound:
		if h := s.owners.p.hidepid; h != "" && !s.seeAll {
			return who + "process hidden (" + s.root + " mounted with hidepid=" + h + "): " + grant
		}
		return who + "no process here holds it: kernel socket or another PID namespace"
	case hideNoProc:
		var notProc *notProcError
		if errors.As(s.owners.procErr, &notProc) {
			return who + "process unknown: " + notProc.Error()
		}
		return who + "process unknown: " + s.root + " is not readable"
	case hideClosing:
		return who + "socket is closing"
	}
	return who + "process exited while scanning"
}
