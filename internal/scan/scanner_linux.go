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
// /proc) and a cached /proc walk for the owners. It is also a Prober.
func New(opts Options) (Scanner, error) {
	s, err := newLinux(opts)
	if err != nil {
		return nil, err
	}
	return &serialProber{serial: newSerial(s.snapshot, s.close), clients: s.clients, counters: s.counters}, nil
}

type linuxScanner struct {
	root       string
	src        tableSource
	sticky     []string // warnings repeated in every snapshot
	owners     *ownerCache
	users      userNames
	ifaces     ifaceNames
	seeAll     bool
	v6only     bool // net.ipv6.bindv6only, for text tables
	now        func() time.Time
	fallback   func() tableSource
	hostNS     uint64
	ns         *nsTracker   // nil: the scanner's own namespace only
	udp        *hostUDP     // the host's UDP listeners between dumps; nil: dump every poll
	cgroups    *cgroupPaths // socket cgroup ids → paths; nil for fixture trees
	passWarned bool         // the sticky line for owners.passErr was added
	// lastClients is the last Prober.Clients dump (health_linux.go).
	lastClients clientsMemo
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
	if root == "/proc" {
		s.hostNS = hostNetNS()
	}
	pass, why, err := openOwnerPass(root, opts.Owners, s.hostNS)
	if err != nil {
		return nil, err
	}
	s.owners.pass = pass
	s.owners.needPass = opts.Owners == "bpf"
	if why != "" {
		s.sticky = append(s.sticky, ownerWarning(why))
	}
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
			s.owners.close()
			return nil, fmt.Errorf("scan: netlink sock_diag refused: %w", err)
		}
		s.src = src
	case "procfs":
		s.src = s.fallback()
	default:
		s.owners.close()
		return nil, fmt.Errorf("scan: unknown source %q (want netlink or procfs)", opts.Source)
	}
	if root == "/proc" {
		if _, ok := s.src.(*netlinkSource); ok {
			s.udp = newHostUDP(s.owners.p)
		}
		s.cgroups = newCgroupPaths()
		if !opts.HostOnly && s.hostNS != 0 {
			s.ns = newNSTracker(s.owners.p, s.hostNS, s.src.name() == "procfs", s.seeAll)
			s.ns.pass = pass
		}
	}
	return s, nil
}

func (s *linuxScanner) close() error {
	s.owners.close()
	if s.ns != nil {
		s.ns.close()
	}
	if s.udp != nil {
		s.udp.close()
	}
	return s.src.close()
}

// beforeNSDump is a test hook between finding the namespaces and dumping
// them.
var beforeNSDump func()

// listAll dumps the host's table and every other namespace's. A namespace
// that vanished since it was found is skipped silently.
func (s *linuxScanner) listAll(ctx context.Context, f Filter, inspected *[]*netnsInfo) ([]sockEntry, []string, error) {
	var socks []sockEntry
	var warns []string
	var err error
	if ss, ok := s.src.(slotSource); ok && s.udp != nil {
		socks, warns, err = s.udp.list(ctx, ss, f)
	} else {
		socks, warns, err = s.src.listeners(ctx, f)
	}
	if err != nil {
		return nil, nil, err
	}
	for i := range socks {
		socks[i].NetNS = s.hostNS
	}
	if s.ns == nil {
		return socks, warns, nil
	}
	if beforeNSDump != nil {
		beforeNSDump()
	}
	for _, sp := range s.ns.sorted() {
		src := s.ns.source(sp)
		if src == nil {
			continue
		}
		es, w, err := s.ns.listing(ctx, sp, src, f)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH) || errors.Is(err, unix.EINVAL) {
				continue // its holder exited while we read
			}
			warns = append(warns, fmt.Sprintf("network namespace %d: %v", sp.ino, err))
			continue
		}
		socks = append(socks, es...)
		warns = append(warns, w...)
		if inspected != nil {
			*inspected = append(*inspected, sp)
		}
	}
	return socks, warns, nil
}

// nsWarnings says what of the other namespaces could not be seen, or was
// seen through the weaker text tables.
func (s *linuxScanner) nsWarnings(inspected []*netnsInfo) []string {
	if s.ns == nil {
		return nil
	}
	var out []string
	denied, text := 0, 0
	for _, sp := range s.ns.spaces {
		if sp.denied {
			denied++
		}
	}
	for _, sp := range inspected {
		if sp.via == "procfs" {
			text++
		}
	}
	switch {
	case denied > 0 && s.ns.procfs:
		out = append(out, fmt.Sprintf("%d network %s not inspected: no process in %s to read /proc/PID/net of (netlink refused)", denied, plural(denied, "namespace", "namespaces"), plural(denied, "it", "them")))
	case denied > 0:
		out = append(out, fmt.Sprintf("%d network %s not inspected: entering %s needs root (CAP_SYS_ADMIN)", denied, plural(denied, "namespace", "namespaces"), plural(denied, "it", "them")))
	}
	if text > 0 && !s.ns.procfs {
		out = append(out, fmt.Sprintf("%d network %s read from /proc/PID/net text tables: entering %s needs root (CAP_SYS_ADMIN); bound devices not shown there", text, plural(text, "namespace", "namespaces"), plural(text, "it", "them")))
	}
	if n := s.ns.unseen; n > 0 {
		out = append(out, fmt.Sprintf("network namespace of %d %s unknown (/proc/PID/ns/net needs root to read): listeners in namespaces that only they are in are not shown", n, plural(n, "process", "processes")))
	}
	if n := s.ns.over; n > 0 {
		out = append(out, fmt.Sprintf("more than %d network namespaces: %d not inspected", maxNetNS, n))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

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
	var nsErr error
	if s.ns != nil {
		nsErr = s.ns.refresh(ctx)
		if ctx.Err() != nil {
			return Snapshot{}, ctx.Err()
		}
	}
	var inspected []*netnsInfo
	socks, warns, err := s.listAll(ctx, f, &inspected)
	if err != nil && s.src.name() == "netlink" && refused(err) {
		_ = s.src.close()
		s.src = s.fallback()
		if s.udp != nil {
			s.udp.close()
			s.udp = nil
		}
		s.sticky = append(s.sticky, fmt.Sprintf("netlink refused: %v; using %s/net", err, s.root))
		snap.Source = s.src.name()
		if s.ns != nil {
			s.ns.close()
			s.ns = newNSTracker(s.owners.p, s.hostNS, true, s.seeAll)
			nsErr = s.ns.refresh(ctx)
		}
		inspected = nil
		socks, warns, err = s.listAll(ctx, f, &inspected)
	}
	if err != nil {
		return Snapshot{}, err
	}
	if nsErr != nil {
		warns = append(warns, fmt.Sprintf("network namespaces not discovered: %v", nsErr))
	}
	warns = append(warns, s.nsWarnings(inspected)...)
	nsOf := make(map[uint64]*netnsInfo, len(inspected))
	snap.NetNS = make([]NetNS, 0, 1+len(inspected))
	snap.NetNS = append(snap.NetNS, NetNS{Inode: s.hostNS, Host: true})
	for _, sp := range inspected {
		nsOf[sp.ino] = sp
		snap.NetNS = append(snap.NetNS, sp.netNS())
	}
	all := func() ([]sockEntry, error) {
		es, _, err := s.listAll(ctx, Filter{}, nil)
		return es, err
	}
	res, err := s.owners.resolve(ctx, socks, f, all)
	if err != nil {
		if ctx.Err() != nil {
			return Snapshot{}, ctx.Err()
		}
		var pf *passFailedError
		if errors.As(err, &pf) {
			return Snapshot{}, err
		}
		// Owners are a bonus; the sockets themselves are still worth showing.
		warns = append(warns, fmt.Sprintf("process owners unknown: %v", err))
		res = make([]resolved, len(socks))
		for i := range res {
			res[i].why = hideNoProc
		}
	}
	snap.Owners = s.owners.via()
	if perr := s.owners.passErr; perr != nil && !s.passWarned {
		// Said once, in the snapshot after the pass failed; from then on
		// the sticky line says where owners come from.
		s.passWarned = true
		s.sticky = append(s.sticky, ownerWarning("the pass failed: "+perr.Error()))
	}
	snap.Warnings = append(slices.Clone(s.sticky), warns...)
	var notProc *notProcError
	if perr := s.owners.procErr; errors.As(perr, &notProc) {
		snap.Warnings = append(snap.Warnings, fmt.Sprintf("process owners unknown: %v (mounted over it?): no process can be seen", perr))
	} else if perr != nil {
		snap.Warnings = append(snap.Warnings, fmt.Sprintf("process owners unknown: %s is not readable (%v)", s.root, unwrapPath(perr)))
	}
	guessed := false
	var cgMissed []int32 // listeners whose socket cgroup id is not mapped yet
	snap.Listeners = make([]Listener, len(socks))
	nb := s.newNamer(len(socks))
	// Listeners are built in their final order, rather than built in the
	// dump's order and sorted: sorting indexes moves 4 bytes, not a
	// Listener, per swap.
	order := listingOrder(socks)
	for j, i := range order {
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
			NetNS: NetNS{Inode: s.hostNS, Host: true},

			Queue:    e.Queue,
			QueueMax: e.QueueMax,
			Drops:    e.Drops,
		}
		var ifc ifaceInfo
		if sp := nsOf[e.NetNS]; sp != nil && e.NetNS != s.hostNS {
			l.NetNS = sp.netNS()
			ifc = s.ns.iface(sp, e.IfIndex)
		} else {
			ifc = s.ifaces.lookup(e.IfIndex)
		}
		if ifc.name != "" {
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
		if e.CgroupID != 0 && s.cgroups != nil {
			var known bool
			if l.Cgroup, known = s.cgroups.path(e.CgroupID); !known {
				cgMissed = append(cgMissed, int32(j))
			}
		}
		l.Procs = nb.procs(res[i].owners)
		if len(l.Procs) == 0 {
			l.Hidden = nb.hidden(l, res[i])
		}
	}
	if len(cgMissed) > 0 && s.cgroups.rewalk(ctx) {
		for _, j := range cgMissed {
			snap.Listeners[j].Cgroup = s.cgroups.after(socks[order[j]].CgroupID)
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
		if s.owners.pass != nil {
			// The iterator sees every process of every PID namespace.
			return who + "no process holds it: kernel socket, or one in flight in a unix socket message"
		}
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
