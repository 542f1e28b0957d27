package scan

// Network namespaces other than the scanner's own (issue 8).
//
// The namespaces are the distinct inodes of /proc/PID/ns/net plus the nsfs
// bind mounts under /run/netns and /run/docker/netns (ip netns, Docker).
// Reading every process's link each poll would be a walk of /proc, so the
// tracker keeps pid -> namespace for the processes that are not in the
// host's, learnt by one walk at the first poll and then only from
// processes created since (the PID range that /proc/loadavg's last PID
// moved over, a seek in the proc root, as the owner cache does). Each poll
// revalidates each namespace with one readlink of its holder's
// /proc/PID/ns/net, or one stat of its bind mount; a holder that exited is
// replaced by another known process in that namespace, and a namespace
// with neither a process nor a bind mount is forgotten (its socket
// closed). The bind-mount directories are re-read only when their mtime
// changes.
//
// Each namespace is dumped through a NETLINK_SOCK_DIAG socket dialed
// inside it (mdlayher/netlink's Config.NetNS) and kept while it lives.
// Where entering is refused (not root), a namespace that has a known
// process is read from that process's /proc/PID/net text tables instead,
// which needs no privilege; the rest are counted in a warning.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/sanitize"
)

// netnsDirs hold the bind mounts that name namespaces.
var netnsDirs = []string{"/run/netns", "/run/docker/netns"}

// maxNetNS bounds the namespaces inspected (each costs a socket).
const maxNetNS = 1024

// netnsInfo is one network namespace other than the host's.
type netnsInfo struct {
	ino    uint64
	path   string // a bind mount naming it, "" if none
	holder int    // a process in it, 0 if none is known
	src    tableSource
	via    string // "netlink" or "procfs" once entered
	denied bool   // could not be entered or read: not retried until its holder changes
	ifaces map[int]ifaceInfo
	// last is the namespace's last listing of each table (slotOf), taken
	// when its socket counters were counts; valid only if haveLast.
	last     [4][]sockEntry
	counts   sockCounts
	haveLast bool
	dirty    bool // a process joined it since its last listing
	// statFDs are sockstat and sockstat6 of the namespace, kept open (they
	// stay bound to it whoever holds it since): 0 not opened yet, -1 absent.
	statFDs [2]int
	dumps   int // tables dumped, for tests
}

// nsTracker discovers the namespaces and keeps a source for each.
type nsTracker struct {
	p       *procDir
	host    uint64
	procfs  bool // the host is read from text tables: read the others so too
	pidNS   map[int]uint64
	spaces  map[uint64]*netnsInfo
	mounts  map[string]mountDir
	primed  bool
	lastPID int
	haveLP  bool
	polls   uint64
	pruneAt int
	seeAll  bool // CAP_SYS_PTRACE: a denied ns link is a process exiting, not a limit
	walking bool
	unseen  int // processes whose ns link could not be read, at the last walk
	over    int // namespaces beyond maxNetNS, at the last walk
	link    []byte
	stats   nsStats
	// pass, when set, lists the processes outside the host's namespace in
	// one BPF pass instead of a readlink per process (walk).
	pass holderPass
}

type mountDir struct {
	mtime unix.Timespec
	ino   uint64
	names map[string]uint64 // path -> namespace inode
}

// nsStats counts the tracker's work, for tests.
type nsStats struct {
	Walks     int // full walks of /proc
	Readlinks int // ns links read
	Dials     int // sockets dialed in a namespace
	Dumps     int // tables of a namespace dumped
	Served    int // tables served from their last dump (counter unchanged)
}

// hostNetNS is the inode of the calling thread's network namespace (the
// one the scanner's own netlink socket is dialed in), 0 if unknown.
func hostNetNS() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/thread-self/ns/net", &st) != nil {
		return 0
	}
	return st.Ino
}

func newNSTracker(p *procDir, host uint64, procfs, seeAll bool) *nsTracker {
	return &nsTracker{
		p:      p,
		seeAll: seeAll,
		host:   host,
		procfs: procfs,
		pidNS:  make(map[int]uint64),
		spaces: make(map[uint64]*netnsInfo),
		mounts: make(map[string]mountDir),
		link:   make([]byte, 64),
	}
}

// nsOf reads the network namespace of pid.
func (t *nsTracker) nsOf(pid int) (uint64, error) {
	t.stats.Readlinks++
	n, err := unix.Readlink(t.p.pidPath(pid, "/ns/net"), t.link)
	if err != nil {
		return 0, classify(err)
	}
	ino, ok := parseNSLink(t.link[:n])
	if !ok {
		return 0, fmt.Errorf("/proc/%d/ns/net: unexpected link %q", pid, sanitize.Line(string(t.link[:n])))
	}
	return ino, nil
}

// refresh brings the set of namespaces up to date: cheap when no process
// was created and no holder went.
func (t *nsTracker) refresh(ctx context.Context) error {
	t.polls++
	lp, ok := t.p.lastPID()
	switch {
	case !t.primed, !ok && t.polls%sweepEvery == 0:
		if err := t.walk(ctx); err != nil {
			return err
		}
		t.lastPID, t.haveLP = lp, ok
	case ok && t.haveLP && lp != t.lastPID:
		pids, err := t.p.listPIDsIn(t.lastPID, lp)
		if err != nil {
			return err
		}
		for _, pid := range pids {
			t.learn(pid)
		}
		t.lastPID = lp
	}
	t.scanMounts()
	t.revalidate()
	if len(t.pidNS) > t.pruneAt {
		t.prune()
	}
	return nil
}

// walk reads the ns link of every process.
func (t *nsTracker) walk(ctx context.Context) error {
	t.stats.Walks++
	t.unseen, t.over = 0, 0
	clear(t.pidNS)
	t.walking = true
	defer func() { t.walking = false }()
	if t.pass != nil {
		// The BPF pass reports only processes outside the host's
		// namespace, and sees them all: no readlink, nothing unseen.
		err := t.pass.netns(ctx, t.record)
		if err == nil {
			t.primed = true
			t.pruneAt = 2*len(t.pidNS) + 64
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		clear(t.pidNS)
		t.pass = nil // the owner cache says why when its own pass fails
	}
	pids, err := t.p.listPIDs()
	if err != nil {
		return err
	}
	for i, pid := range pids {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		t.learn(pid)
	}
	t.primed = true
	t.pruneAt = 2*len(t.pidNS) + 64
	return nil
}

// learn records the namespace of pid if it is not the host's.
func (t *nsTracker) learn(pid int) {
	ino, err := t.nsOf(pid)
	if err != nil {
		if t.walking && !t.seeAll && errors.Is(err, errProcDenied) {
			t.unseen++
		}
		return
	}
	t.record(pid, ino)
}

// record notes that pid is in namespace ino.
func (t *nsTracker) record(pid int, ino uint64) {
	if ino == t.host {
		delete(t.pidNS, pid)
		return
	}
	t.pidNS[pid] = ino
	sp := t.spaces[ino]
	if sp != nil && t.primed {
		sp.dirty = true // a new process: perhaps new sockets
	}
	if sp == nil {
		if len(t.spaces) >= maxNetNS {
			t.over++
			return
		}
		sp = &netnsInfo{ino: ino}
		t.spaces[ino] = sp
	}
	if sp.holder == 0 {
		t.setHolder(sp, pid)
	}
}

func (t *nsTracker) setHolder(sp *netnsInfo, pid int) {
	if sp.holder == pid {
		return
	}
	sp.holder = pid
	if sp.via == "procfs" || sp.denied {
		// Text tables are read through the holder; and a new holder may
		// be one we are allowed to read.
		sp.src, sp.via, sp.denied = nil, "", false
	}
}

// scanMounts re-reads a bind-mount directory when its mtime changed.
func (t *nsTracker) scanMounts() {
	for _, dir := range netnsDirs {
		var st unix.Stat_t
		if unix.Stat(dir, &st) != nil {
			delete(t.mounts, dir)
			continue
		}
		old, ok := t.mounts[dir]
		if ok && old.mtime == st.Mtim && old.ino == st.Ino {
			continue
		}
		md := mountDir{mtime: st.Mtim, ino: st.Ino, names: make(map[string]uint64)}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if len(md.names) >= maxNetNS {
				break
			}
			p := dir + "/" + e.Name()
			if ino, ok := nsfsInode(p); ok {
				md.names[p] = ino
			}
		}
		t.mounts[dir] = md
		for p, ino := range md.names {
			if ino == t.host {
				continue
			}
			sp := t.spaces[ino]
			if sp == nil {
				if len(t.spaces) >= maxNetNS {
					t.over++
					continue
				}
				sp = &netnsInfo{ino: ino}
				t.spaces[ino] = sp
			}
			if sp.path == "" || sp.path > p {
				sp.path = sanitize.Line(p)
			}
		}
	}
}

// nsfsInode returns the namespace inode of a bind mount of an nsfs file.
func nsfsInode(p string) (uint64, bool) {
	var fs unix.Statfs_t
	if unix.Statfs(p, &fs) != nil || fs.Type != unix.NSFS_MAGIC {
		return 0, false
	}
	var st unix.Stat_t
	if unix.Stat(p, &st) != nil {
		return 0, false
	}
	return st.Ino, true
}

// revalidate checks each namespace with one readlink (its holder) or one
// stat (its bind mount) and forgets those that are gone.
func (t *nsTracker) revalidate() {
	for ino, sp := range t.spaces {
		if sp.holder != 0 {
			if got, err := t.nsOf(sp.holder); err == nil && got == ino {
				continue
			}
			delete(t.pidNS, sp.holder)
			sp.holder = 0
			if pid := t.findHolder(ino); pid != 0 {
				t.setHolder(sp, pid)
				continue
			}
			if sp.via == "procfs" {
				sp.src, sp.via = nil, ""
			}
		}
		if sp.path != "" {
			if got, ok := nsfsInode(sp.path); ok && got == ino {
				continue
			}
			sp.path = ""
		}
		t.forget(ino)
	}
}

// findHolder returns a live known process in namespace ino, dropping the
// stale ones it meets.
func (t *nsTracker) findHolder(ino uint64) int {
	for pid, in := range t.pidNS {
		if in != ino {
			continue
		}
		if got, err := t.nsOf(pid); err == nil && got == ino {
			return pid
		}
		delete(t.pidNS, pid)
	}
	return 0
}

func (t *nsTracker) forget(ino uint64) {
	if sp := t.spaces[ino]; sp != nil {
		sp.closeFiles()
	}
	delete(t.spaces, ino)
}

// prune drops exited processes from pidNS.
func (t *nsTracker) prune() {
	for pid, ino := range t.pidNS {
		if got, err := t.nsOf(pid); err != nil || got != ino {
			delete(t.pidNS, pid)
		}
	}
	t.pruneAt = 2*len(t.pidNS) + 64
}

func (t *nsTracker) close() {
	for ino := range t.spaces {
		t.forget(ino)
	}
}

// sorted returns the namespaces by inode.
func (t *nsTracker) sorted() []*netnsInfo {
	out := make([]*netnsInfo, 0, len(t.spaces))
	for _, sp := range t.spaces {
		out = append(out, sp)
	}
	slices.SortFunc(out, func(a, b *netnsInfo) int {
		if a.ino < b.ino {
			return -1
		}
		if a.ino > b.ino {
			return 1
		}
		return 0
	})
	return out
}

// openNS opens a handle on the namespace: its bind mount, else its
// holder's link.
func (t *nsTracker) openNS(sp *netnsInfo) (int, error) {
	p := sp.path
	if p == "" {
		if sp.holder == 0 {
			return -1, errProcGone
		}
		p = t.p.pidPath(sp.holder, "/ns/net")
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, classify(err)
	}
	return fd, nil
}

// source returns the table source for sp, entering it on first use; nil
// if it vanished or cannot be inspected (sp.denied).
func (t *nsTracker) source(sp *netnsInfo) tableSource {
	if sp.src != nil || sp.denied {
		return sp.src
	}
	if !t.procfs {
		fd, err := t.openNS(sp)
		if err == nil {
			t.stats.Dials++
			c, derr := dialNetlinkNS(fd)
			_ = unix.Close(fd)
			if derr == nil {
				sp.src, sp.via = &netlinkSource{c: c, dial: func() (*netlink.Conn, error) {
					fd, err := t.openNS(sp)
					if err != nil {
						return nil, err
					}
					defer unix.Close(fd)
					return dialNetlinkNS(fd)
				}}, "netlink"
				return sp.src
			}
			err = derr
		}
		if errors.Is(err, errProcGone) {
			return nil // vanished: skipped silently
		}
	}
	if sp.holder != 0 {
		sp.src, sp.via = &procNetSource{root: t.p.pidPath(sp.holder, "")}, "procfs"
		return sp.src
	}
	sp.denied = true
	return nil
}

// nsRedumpEvery bounds how long a table of a namespace whose counter did
// not move is served from its last dump: it is dumped again once in
// nsRedumpEvery polls, the tables of all namespaces in turn.
const nsRedumpEvery = 32

// nsRedumpEveryUDP is nsRedumpEvery for the UDP tables: a UDP dump in
// any namespace walks every UDP socket of the host (44,000 connected ones
// on the busy benchmark host: ~7 ms), a TCP LISTEN dump only the
// listening hash.
const nsRedumpEveryUDP = 256

// counters reads sp's socket counters (a pread each of its sockstat and
// sockstat6, opened once through its holder); ok is false where they
// cannot be read.
func (t *nsTracker) counters(sp *netnsInfo) (c sockCounts, ok bool) {
	if sp.holder == 0 && (sp.statFDs[0] == 0 || sp.statFDs[1] == 0) {
		// No process to open them through: a bind mount alone (`ip
		// netns add`, a CNI namespace before its container starts).
		// Without counters every poll dumped its four tables, and a
		// UDP dump walks every UDP socket of the host: two such
		// namespaces on the 2,100-process host took a one-port poll
		// from 1 to 16 ms. Open them from inside once instead.
		if sp.path == "" || t.procfs || !openSockstatsIn(sp.path, &sp.statFDs) {
			return c, false
		}
	}
	return readSockstats(&sp.statFDs, t.p.pidPath(sp.holder, ""), t.p.file)
}

// openSockstatsIn opens sockstat and sockstat6 of the network namespace
// bind-mounted at path into fds, from a thread that enters it for the
// two opens (inNetNSThread; a procfs net file stays bound to the
// namespace it was opened in). It reports whether both are open
// (sockstat6 may be absent: -1). Entering needs CAP_SYS_ADMIN; without it
// nothing changes.
func openSockstatsIn(path string, fds *[2]int) bool {
	target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer unix.Close(target)
	var st unix.Stat_t
	if unix.Fstat(target, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return false // a namespace bind mount is a regular (nsfs) file
	}
	var got [2]int
	// Whether the thread got back is inNetNSThread's concern: the files
	// opened inside are good either way.
	_ = inNetNSThread(target, func() {
		for i, name := range [...]string{"/proc/thread-self/net/sockstat", "/proc/thread-self/net/sockstat6"} {
			fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			switch {
			case err == nil:
				got[i] = fd
			case i == 1 && errors.Is(err, unix.ENOENT) && got[0] > 0:
				got[i] = -1 // no IPv6 in it
			}
		}
	})
	if got[0] <= 0 || got[1] == 0 {
		for _, fd := range got {
			if fd > 0 {
				unix.Close(fd)
			}
		}
		return false
	}
	*fds = got
	return true
}

// readSockstats preads the sockstat and sockstat6 under dir (DIR/net/…),
// opening them on first use into fds (0 not opened yet, -1 absent: no
// IPv6); ok is false when they cannot be read. buf is the read buffer.
func readSockstats(fds *[2]int, dir string, buf []byte) (c sockCounts, ok bool) {
	for i, name := range [...]string{"/net/sockstat", "/net/sockstat6"} {
		if fds[i] == 0 {
			fd, err := unix.Open(dir+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			switch {
			case err == nil:
				fds[i] = fd
			case i == 1 && errors.Is(err, unix.ENOENT) && fds[0] > 0:
				fds[i] = -1 // no IPv6 here
			default:
				return c, false
			}
		}
		fd := fds[i]
		if fd < 0 {
			continue
		}
		n, err := unix.Pread(fd, buf, 0)
		if err != nil {
			return c, false
		}
		ok = parseSockstat(buf[:n], &c) || ok
	}
	return c, ok
}

func (sp *netnsInfo) closeFiles() {
	for i, fd := range sp.statFDs {
		if fd > 0 {
			_ = unix.Close(fd)
		}
		sp.statFDs[i] = 0
	}
	if sp.src != nil {
		_ = sp.src.close()
		sp.src = nil
	}
}

// listing returns sp's listeners that f selects. Each of its four tables
// (TCP, UDP, TCP6, UDP6) is dumped when its socket counter (sockstat's
// inuse) moved since the last dump, when a process joined the namespace
// since, and otherwise once in nsRedumpEvery polls, in turn; else it is
// served from its last dump. A dump in any namespace walks the kernel's
// host-wide hash table (for UDP, every UDP socket of the host), so a
// quiet namespace costs two small reads instead of four such walks. A
// listener replaced by another in the same table by a process already
// there, between two polls, shows within nsRedumpEvery polls (TCP) or
// nsRedumpEveryUDP polls (UDP).
func (t *nsTracker) listing(ctx context.Context, sp *netnsInfo, src tableSource, f Filter) ([]sockEntry, []string, error) {
	c, counted := t.counters(sp)
	need := uint8(allSlots)
	if counted && sp.haveLast && !sp.dirty {
		need = 0
		for i := range c {
			every := uint64(nsRedumpEvery)
			if i%2 == 1 {
				every = nsRedumpEveryUDP
			}
			// A table that was empty and still is cannot hold a listener
			// that appeared unnoticed: no forced redump.
			if c[i] != sp.counts[i] || (c[i] != 0 && (sp.ino+uint64(i)+t.polls)%every == 0) {
				need |= 1 << i
			}
		}
	}
	var warns []string
	if need != 0 {
		var es []sockEntry
		var err error
		if ss, ok := src.(slotSource); ok {
			es, warns, err = ss.listSlots(ctx, Filter{}, need)
		} else {
			need = allSlots
			es, warns, err = src.listeners(ctx, Filter{})
		}
		if err != nil {
			sp.haveLast = false
			return nil, nil, err
		}
		for i := range 4 {
			if need&(1<<i) != 0 {
				sp.last[i] = sp.last[i][:0:0]
				t.stats.Dumps++
				sp.dumps++
			} else {
				t.stats.Served++
			}
		}
		for _, e := range es {
			e.NetNS = sp.ino
			i := slotOf(e.Proto, e.V6)
			sp.last[i] = append(sp.last[i], e)
		}
		sp.counts, sp.haveLast, sp.dirty = c, counted, false
	} else {
		t.stats.Served += 4
	}
	n := 0
	for i := range sp.last {
		n += len(sp.last[i])
	}
	out := make([]sockEntry, 0, n)
	for i := range sp.last {
		out = appendMatching(out, sp.last[i], f)
	}
	return out, warns, nil
}

func appendMatching(out, es []sockEntry, f Filter) []sockEntry {
	for _, e := range es {
		if f.Match(e.Proto, e.Port) {
			out = append(out, e)
		}
	}
	return out
}

// netNS is what a listener in sp shows.
func (sp *netnsInfo) netNS() NetNS {
	return NetNS{Inode: sp.ino, Path: sp.path, PID: sp.holder}
}

// iface names a device of sp (interface indexes are per namespace),
// looked up inside it; "ifN" where it cannot be entered.
func (t *nsTracker) iface(sp *netnsInfo, index int) ifaceInfo {
	if index <= 0 {
		return ifaceInfo{}
	}
	if i, ok := sp.ifaces[index]; ok {
		return i
	}
	info := ifaceInfo{name: "if" + strconv.Itoa(index)}
	if sp.via == "netlink" {
		if fd, err := t.openNS(sp); err == nil {
			_ = inNetNSThread(fd, func() {
				if ifc, err := net.InterfaceByIndex(index); err == nil {
					info = ifaceInfo{name: sanitize.Line(ifc.Name), loopback: ifc.Flags&net.FlagLoopback != 0}
				}
			})
			_ = unix.Close(fd)
		}
	}
	if sp.ifaces == nil || len(sp.ifaces) > 256 {
		sp.ifaces = make(map[int]ifaceInfo)
	}
	sp.ifaces[index] = info
	return info
}

// inNetNSThread runs fn on a locked OS thread inside the namespace nsfd
// and waits. The thread goes back to its own namespace after; if it
// cannot, it is never unlocked, so it exits with its goroutine.
func inNetNSThread(nsfd int, fn func()) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer unix.Close(self)
		if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		fn()
		if err := unix.Setns(self, unix.CLONE_NEWNET); err != nil {
			errc <- err // stays locked: the thread dies
			return
		}
		runtime.UnlockOSThread()
		errc <- nil
	}()
	return <-errc
}
