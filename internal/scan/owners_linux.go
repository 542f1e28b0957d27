package scan

// The inode -> process cache.
//
// Finding which process holds a socket means reading fd links under
// /proc/*/fd: one readlink per open fd on the whole host, about 4 µs each,
// so 0.8 s on a host with 200k fds. The cache makes a steady poll cost one
// readlink per (listener, owner) instead, and keeps owner sets complete for
// shared (pre-fork) sockets with these rules:
//
//   - Census: the first poll reads every fd of every process once and
//     records all holders of every listener (not only the filtered ones).
//   - Every poll: /proc/loadavg tells the last PID allocated. If it moved,
//     the processes in the new PID range are read in full ("young"
//     processes); a forked worker that inherited a known listener is found
//     here. Readdir offsets of the proc root are PIDs, so this is a seek, not
//     a listing.
//   - Known listener: each owning process's /proc/PID/stat is read once per
//     poll (start time and name: exit, PID reuse and exec show at once). The
//     owners of a listener whose process changed since they were checked,
//     and of every listener a port-range poll reports, are re-checked with
//     one readlink of /proc/PID/fd/FD each; a whole-machine poll re-checks
//     the others in turn, each once in recheckEvery whole polls, so that it
//     costs a dump and one stat per process, not a readlink per listener.
//     A failed readlink rereads that process only (the fd may have moved
//     with dup2).
//   - New listener (inode not in the cache): it was created after the
//     census, so its holders are its creator plus processes forked from a
//     holder afterwards, which are young. Read all young processes and the
//     first non-young ancestor of each young holder; only if none holds it,
//     walk the older processes, likeliest first (see creatorOrder), and stop
//     at the first holder: the creator.
//   - Nobody visible holds it: remembered as unresolvable with the reason
//     until the inode goes away, so hidden owners do not cost a walk per poll.
//
// The trade-off: a socket handed to an unrelated, already running process
// over a unix socket (SCM_RIGHTS, pidfd_getfd) after the census is not seen
// as a second owner; neither is the creator when a young holder's chain to
// it was broken by reparenting. Both are rare for listeners, which are
// inherited by fork. Too many young processes (a host that replaced most of
// its processes) trigger a new census instead.

import (
	"context"
	"errors"
	"slices"
)

type owner struct{ pid, fd int }

// hideReason says why a listener has no owners.
type hideReason uint8

const (
	hideNone     hideReason = iota
	hideDenied              // some processes' fds could not be read
	hideNotFound            // every visible process was read; none holds it
	hideNoProc              // the proc root cannot be read
	hideClosing             // inode 0: the socket is being torn down
)

type entry struct {
	proto   string
	port    uint16
	owners  []owner
	why     hideReason
	seen    uint64 // generation of the last dump that listed it
	checked uint64 // generation at which owners were last read or re-checked
}

// add inserts o into e's owners, which are kept sorted by PID, then fd;
// false if it was there.
func (e *entry) add(o owner) bool {
	i, found := slices.BinarySearchFunc(e.owners, o, compareOwner)
	if !found {
		e.owners = slices.Insert(e.owners, i, o)
	}
	return !found
}

// procMeta is what a snapshot shows of an owning process; it is reloaded
// when the start time or name in /proc/PID/stat changes (PID reuse, exec).
type procMeta struct {
	start   uint64
	comm    string
	args    []string
	cmdline string
	uid     int
	cgroup  string // ParseCgroupFile of /proc/PID/cgroup
	checked uint64 // generation of the last look at /proc/PID/stat
	since   uint64 // generation this process was first seen under this PID
	gone    bool   // no /proc/PID/stat at the last look
}

// cacheStats counts the work done, for tests and benchmarks.
type cacheStats struct {
	Censuses  int // full walks of every process
	FDWalks   int // processes whose fd directory was read
	Readlinks int // single fd revalidations
	NewProcs  int // processes first seen after the census
	Stats     int // reads of an owner's /proc/PID/stat
	Passes    int // BPF iterator passes
}

type ownerCache struct {
	p *procDir
	// pass, when set, finds holders in one BPF iterator pass (census and
	// new listeners); nil: the /proc walk. passErr is why a pass failed
	// after it was opened (the cache then walks /proc for good).
	pass    holderPass
	passErr error
	// needPass: Owners "bpf" was asked for: a pass that fails is an
	// error, not a fallback.
	needPass bool
	entries  map[uint64]*entry
	byPort   map[uint16][]uint64 // inodes of entries by port, for narrow polls
	young    map[int]struct{}
	known    map[int]struct{} // every PID seen; only used without /proc/loadavg
	meta     map[int]*procMeta
	census   bool
	haveLP   bool
	lastPID  int
	gen      uint64
	allGen   uint64 // whole-machine polls, for re-checking in turn
	sweeps   uint64
	stats    cacheStats
	procErr  error // why the proc root cannot be read, if it cannot
	// censusSize is the number of processes at the last census; young
	// processes beyond a quarter of it make a new census cheaper than
	// reading them all for every new listener.
	censusSize int
}

// sweepEvery is how often entries not listed by recent (filtered) dumps are
// checked for a live owner; see sweep.
const sweepEvery = 64

// recheckEvery is the number of whole-machine polls over which each
// listener's owners are re-checked once (a readlink of each fd) when
// nothing else calls for it: a process that closes its copy of a socket
// other processes still hold, and lives on, is dropped from it within that
// many whole polls (a port-range poll re-checks at once).
const recheckEvery = 8

func newOwnerCache(root string) *ownerCache {
	c := &ownerCache{
		p:       newProcDir(root),
		entries: make(map[uint64]*entry),
		byPort:  make(map[uint16][]uint64),
		young:   make(map[int]struct{}),
		meta:    make(map[int]*procMeta),
	}
	return c
}

// resolved is the outcome for one socket. owners belongs to the cache: it
// is valid until the next resolve.
type resolved struct {
	owners []owner
	why    hideReason
}

// resolve finds the owners of socks, the result of a dump with filter f.
// all returns every listener; it is called for the census when f does not
// already cover everything.
func (c *ownerCache) resolve(ctx context.Context, socks []sockEntry, f Filter, all func() ([]sockEntry, error)) ([]resolved, error) {
	c.gen++
	whole := f.All() && f.Proto == ""
	if whole {
		c.allGen++
	}
	out := make([]resolved, len(socks))
	changed, err := c.p.available()
	if changed {
		// Another mount on the proc root (perhaps another PID namespace's
		// procfs): what the census read from the old one does not apply.
		c.census = false
	}
	if c.procErr = err; err != nil {
		for i := range out {
			out[i].why = hideNoProc
		}
		return out, nil
	}
	if !c.census {
		pop := socks
		if !whole {
			var err error
			if pop, err = all(); err != nil {
				return nil, err
			}
		}
		// No socket to find an owner for (an empty namespace, a host
		// with no listener yet): the walk of every fd would find nothing.
		// The census waits for the first poll that has a socket.
		if slices.ContainsFunc(pop, func(s sockEntry) bool { return s.Inode != 0 }) {
			if err := c.takeCensus(ctx, pop); err != nil {
				return nil, err
			}
		}
	} else if err := c.discoverNew(ctx); err != nil {
		return nil, err
	}

	var unknown []sockEntry
	ents := make([]*entry, len(socks))
	for i, s := range socks {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s.Inode == 0 {
			continue
		}
		e := c.entries[s.Inode]
		if e == nil {
			unknown = append(unknown, s)
			continue
		}
		e.seen = c.gen
		if len(e.owners) > 0 && c.needsCheck(s.Inode, e, whole) {
			c.revalidate(s.Inode, e)
			if len(e.owners) == 0 {
				// Every holder we knew let go, yet the socket is still
				// there: someone we never saw holds it. Look again.
				c.drop(s.Inode)
				unknown = append(unknown, s)
				continue
			}
		}
		ents[i] = e
	}
	if len(unknown) > 0 {
		recensus, err := c.resolveNew(ctx, unknown, all)
		if err != nil {
			return nil, err
		}
		if recensus {
			clear(ents) // a new census replaced every entry
		}
	}
	c.dropUnlisted(f)
	if c.gen%sweepEvery == 0 {
		c.sweep()
	}

	for i, s := range socks {
		if s.Inode == 0 {
			out[i].why = hideClosing
			continue
		}
		e := ents[i]
		if e == nil {
			e = c.entries[s.Inode] // resolved just now, or not at all
		}
		if e == nil {
			out[i].why = hideNotFound
			continue
		}
		out[i] = resolved{owners: e.owners, why: e.why}
	}
	return out, nil
}

// needsCheck decides whether a known listener's owners are re-checked with
// a readlink each in this poll: not if they were just read (census, new
// listener); yes if an owning process exited or is another process than
// when they were checked; yes in a port-range poll; and in a whole-machine
// poll for one listener in recheckEvery, in turn.
func (c *ownerCache) needsCheck(ino uint64, e *entry, whole bool) bool {
	if e.checked == c.gen {
		return false
	}
	return c.ownerChanged(e) || !whole || (ino+c.allGen)%recheckEvery == 0
}

// ownerChanged reports whether a process holding e exited or is another
// process than when e's owners were checked (PID reuse, exec).
func (c *ownerCache) ownerChanged(e *entry) bool {
	for _, o := range e.owners {
		if m, ok := c.identify(o.pid); !ok || m.since > e.checked {
			return true
		}
	}
	return false
}

// put and drop keep entries and byPort together.
func (c *ownerCache) put(ino uint64, e *entry) {
	if old := c.entries[ino]; old != nil {
		if old.port == e.port {
			c.entries[ino] = e
			return
		}
		c.drop(ino)
	}
	c.entries[ino] = e
	c.byPort[e.port] = append(c.byPort[e.port], ino)
}

func (c *ownerCache) drop(ino uint64) {
	e := c.entries[ino]
	if e == nil {
		return
	}
	delete(c.entries, ino)
	inos := c.byPort[e.port]
	if i := slices.Index(inos, ino); i >= 0 {
		inos = slices.Delete(inos, i, i+1)
	}
	if len(inos) == 0 {
		delete(c.byPort, e.port)
	} else {
		c.byPort[e.port] = inos
	}
}

// dropUnlisted forgets the entries this poll's dump covered but did not
// list: those sockets are gone. A port-range poll looks at its ports only.
func (c *ownerCache) dropUnlisted(f Filter) {
	var gone []uint64
	visit := func(ino uint64, e *entry) {
		if e.seen != c.gen && f.Match(e.proto, e.port) {
			gone = append(gone, ino)
		}
	}
	if n := int(f.Hi) - int(f.Lo) + 1; !f.All() && n < len(c.entries) {
		for p := int(f.Lo); p <= int(f.Hi); p++ {
			for _, ino := range c.byPort[uint16(p)] {
				visit(ino, c.entries[ino])
			}
		}
	} else {
		for ino, e := range c.entries {
			visit(ino, e)
		}
	}
	for _, ino := range gone {
		c.drop(ino)
	}
}

// takeCensus reads every process's fds and records the holders of every
// listener in pop.
func (c *ownerCache) takeCensus(ctx context.Context, pop []sockEntry) error {
	// Read the last PID before listing, so a process created during the walk
	// falls in the next poll's new range.
	lp, haveLP := c.p.lastPID()
	var pids []int
	if c.pass == nil || !haveLP {
		var err error
		if pids, err = c.p.listPIDs(); err != nil {
			return err
		}
	}
	entries := make(map[uint64]*entry, len(pop))
	byPort := make(map[uint16][]uint64, distinctPorts(pop))
	// One allocation for the lot, and room for each entry's first owner
	// (most have one): capped at one, so a second owner moves out.
	slab := make([]entry, len(pop))
	first := make([]owner, len(pop))
	for i, s := range pop {
		if s.Inode != 0 && entries[s.Inode] == nil {
			e := &slab[i]
			*e = entry{proto: s.Proto, port: s.Port, owners: first[i : i : i+1], seen: c.gen, checked: c.gen}
			entries[s.Inode] = e
			byPort[s.Port] = append(byPort[s.Port], s.Inode)
		}
	}
	denied := 0
	if ok, err := c.passFind(ctx, entries); err != nil {
		return err
	} else if !ok {
		if pids == nil {
			var err error
			if pids, err = c.p.listPIDs(); err != nil {
				return err
			}
		}
		for i, pid := range pids {
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			c.stats.FDWalks++
			err := c.p.walkFDs(pid, func(fd int, ino uint64) {
				if e := entries[ino]; e != nil {
					e.add(owner{pid, fd})
				}
			})
			if errors.Is(err, errProcDenied) {
				denied++
			}
		}
	}
	for _, e := range entries {
		if len(e.owners) == 0 {
			e.why = notFoundReason(denied)
		}
	}
	c.entries, c.byPort = entries, byPort
	c.young = make(map[int]struct{})
	c.census = true
	c.censusSize = max(len(pids), 1)
	c.lastPID, c.haveLP = lp, haveLP
	c.known = nil
	if !haveLP {
		c.known = make(map[int]struct{}, len(pids))
		for _, p := range pids {
			c.known[p] = struct{}{}
		}
	}
	c.stats.Censuses++
	return nil
}

// distinctPorts counts the ports of pop.
func distinctPorts(pop []sockEntry) int {
	var seen [65536 / 64]uint64
	n := 0
	for _, s := range pop {
		w, bit := s.Port/64, uint64(1)<<(s.Port%64)
		if seen[w]&bit == 0 {
			seen[w] |= bit
			n++
		}
	}
	return n
}

func notFoundReason(denied int) hideReason {
	if denied > 0 {
		return hideDenied
	}
	return hideNotFound
}

// discoverNew reads the fds of processes created since the last poll and
// adds them as owners of listeners already in the cache.
func (c *ownerCache) discoverNew(ctx context.Context) error {
	lp, ok := c.p.lastPID()
	var cands []int
	var known map[int]struct{}
	switch {
	case ok && c.haveLP:
		if lp == c.lastPID {
			return nil
		}
		var err error
		if cands, err = c.p.listPIDsIn(c.lastPID, lp); err != nil {
			return err
		}
	default:
		// No /proc/loadavg: compare full listings. A reused PID goes
		// unnoticed here, but the readlink revalidation still holds.
		all, err := c.p.listPIDs()
		if err != nil {
			return err
		}
		known = make(map[int]struct{}, len(all))
		for _, p := range all {
			known[p] = struct{}{}
			if _, old := c.known[p]; !old {
				cands = append(cands, p)
			}
		}
	}
	for i, pid := range cands {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err // the same range is read again next time
			}
		}
		if c.pass == nil {
			// Only the /proc search for a new listener's holders
			// needs to know which processes are young.
			c.young[pid] = struct{}{}
		}
		c.stats.NewProcs++
		c.stats.FDWalks++
		err := c.p.walkFDs(pid, func(fd int, ino uint64) {
			if e := c.entries[ino]; e != nil && e.add(owner{pid, fd}) {
				e.why = hideNone
			}
		})
		if errors.Is(err, errProcGone) {
			delete(c.young, pid)
		}
	}
	c.lastPID, c.haveLP = lp, ok
	if known != nil {
		c.known = known
	}
	return nil
}

// revalidate keeps the owners whose fd still links to ino, rereading the fds
// of a process whose link changed (the fd may have been moved or closed).
func (c *ownerCache) revalidate(ino uint64, e *entry) {
	keep := e.owners[:0]
	var recheck []int
	for _, o := range e.owners {
		c.stats.Readlinks++
		got, err := c.p.fdInode(o.pid, o.fd)
		if err == nil && got == ino {
			keep = append(keep, o)
		} else if !slices.Contains(recheck, o.pid) {
			// Exited, closed, or moved the fd: rereading its fds tells
			// (an exited process costs one failed open).
			recheck = append(recheck, o.pid)
		}
	}
	e.owners = keep
	e.checked = c.gen
	for _, pid := range recheck {
		c.stats.FDWalks++
		_ = c.p.walkFDs(pid, func(fd int, got uint64) {
			if got == ino {
				e.add(owner{pid, fd})
			}
		})
	}
}

func compareOwner(a, b owner) int {
	if a.pid != b.pid {
		return a.pid - b.pid
	}
	return a.fd - b.fd
}

// resolveNew finds the holders of listeners the cache has not seen; see the
// file comment for why this may stop at the first older holder. With too
// many young processes it takes a new census instead, which replaces every
// entry, and says so.
func (c *ownerCache) resolveNew(ctx context.Context, socks []sockEntry, all func() ([]sockEntry, error)) (recensus bool, err error) {
	if c.pass != nil {
		found := make(map[uint64]*entry, len(socks))
		for _, s := range socks {
			found[s.Inode] = &entry{proto: s.Proto, port: s.Port, seen: c.gen, checked: c.gen}
		}
		if ok, err := c.passFind(ctx, found); err != nil {
			return false, err
		} else if ok {
			for ino, e := range found {
				if len(e.owners) == 0 {
					e.why = hideNotFound
				}
				c.put(ino, e)
			}
			return false, nil
		}
		// The pass failed: the /proc search below, which needs young
		// processes the pass did not keep. A census is the safe start.
		pop, err := all()
		if err != nil {
			return false, err
		}
		return true, c.takeCensus(ctx, pop)
	}
	if len(c.young) > max(64, c.censusSize/4) {
		pop, err := all()
		if err != nil {
			return false, err
		}
		return true, c.takeCensus(ctx, pop)
	}
	found := make(map[uint64]*entry, len(socks))
	for _, s := range socks {
		found[s.Inode] = &entry{proto: s.Proto, port: s.Port, seen: c.gen, checked: c.gen}
	}
	missing := len(found)
	denied := 0
	walked := make(map[int]struct{})
	match := func(pid int) {
		walked[pid] = struct{}{}
		c.stats.FDWalks++
		err := c.p.walkFDs(pid, func(fd int, ino uint64) {
			if e := found[ino]; e != nil && e.add(owner{pid, fd}) && len(e.owners) == 1 {
				missing--
			}
		})
		switch {
		case errors.Is(err, errProcDenied):
			denied++
		case errors.Is(err, errProcGone):
			delete(c.young, pid)
		}
	}

	young := make([]int, 0, len(c.young))
	for pid := range c.young {
		young = append(young, pid)
	}
	slices.Sort(young)
	for _, pid := range young {
		match(pid)
	}
	for _, e := range found {
		for _, o := range slices.Clone(e.owners) {
			if a := c.oldAncestor(o.pid); a > 0 {
				if _, done := walked[a]; !done {
					match(a)
				}
			}
		}
	}
	if missing > 0 {
		pids, err := c.p.listPIDs()
		if err != nil {
			return false, err
		}
		uids := make(map[int]bool)
		for _, s := range socks {
			if e := found[s.Inode]; e != nil && len(e.owners) == 0 {
				uids[s.UID] = true
			}
		}
		for i, pid := range c.creatorOrder(pids, uids) {
			if missing == 0 {
				break
			}
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
			}
			if _, done := walked[pid]; done {
				continue
			}
			match(pid)
		}
	}
	for ino, e := range found {
		if len(e.owners) == 0 {
			e.why = notFoundReason(denied)
		}
		c.put(ino, e)
	}
	return false, nil
}

// passFind fills the owners of entries with one pass of c.pass; false
// without a pass, or when the pass failed, which turns it off for good
// (passErr says why) and leaves the /proc walk to the caller. Only a
// cancelled ctx is an error.
func (c *ownerCache) passFind(ctx context.Context, entries map[uint64]*entry) (bool, error) {
	if c.pass == nil {
		return false, nil
	}
	want := make([]uint64, 0, len(entries))
	for ino := range entries {
		want = append(want, ino)
	}
	c.stats.Passes++
	err := c.pass.holders(ctx, want, func(ino uint64, pid, fd int) {
		if e := entries[ino]; e != nil {
			e.add(owner{pid, fd})
		}
	})
	if err == nil {
		return true, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	for _, e := range entries {
		e.owners = e.owners[:0]
	}
	c.pass.close()
	c.pass, c.passErr = nil, err
	if c.needPass {
		return false, &passFailedError{err}
	}
	return false, nil
}

// passFailedError is a failed BPF pass where owners by BPF were required
// (Options.Owners "bpf"): the snapshot fails instead of walking /proc.
type passFailedError struct{ err error }

func (e *passFailedError) Error() string {
	return "scan: owners by BPF: the pass failed: " + e.err.Error()
}

func (e *passFailedError) Unwrap() error { return e.err }

func (c *ownerCache) close() {
	if c.pass != nil {
		c.pass.close()
		c.pass = nil
	}
}

// via says where owners come from: "bpf" or "procfs".
func (c *ownerCache) via() string {
	if c.pass != nil {
		return "bpf"
	}
	return "procfs"
}

// creatorOrder sorts the processes to search for the creator of a new
// listener, most likely first, since the search stops there: processes that
// already hold a listener (servers that open another port), then those
// running as a new socket's owner UID (the creator's fsuid), newest first;
// then the rest, newest first, as daemons started at boot tend to hold their
// ports already.
func (c *ownerCache) creatorOrder(pids []int, uids map[int]bool) []int {
	servers := c.ownerPIDs()
	rank := make(map[int]int, len(pids))
	for _, pid := range pids {
		switch {
		case servers[pid]:
			rank[pid] = 0
		case uids[c.p.ownerUID(pid)]:
			rank[pid] = 1
		default:
			rank[pid] = 2
		}
	}
	out := slices.Clone(pids)
	slices.SortStableFunc(out, func(a, b int) int {
		if rank[a] != rank[b] {
			return rank[a] - rank[b]
		}
		return b - a
	})
	return out
}

// ownerPIDs is the set of processes that hold a listener in the cache.
func (c *ownerCache) ownerPIDs() map[int]bool {
	pids := make(map[int]bool)
	for _, e := range c.entries {
		for _, o := range e.owners {
			pids[o.pid] = true
		}
	}
	return pids
}

// oldAncestor returns the nearest ancestor of a young process that is not
// young itself, or 0.
func (c *ownerCache) oldAncestor(pid int) int {
	for range 64 {
		st, err := c.p.stat(pid)
		if err != nil || st.PPID <= 0 {
			return 0
		}
		if _, y := c.young[st.PPID]; !y {
			return st.PPID
		}
		pid = st.PPID
	}
	return 0
}

// sweep drops entries that no recent dump listed and whose every owner let
// go: with a narrow filter, listeners on other ports are never seen closing.
// Like a whole-machine poll, it re-checks the fds of entries whose owning
// processes changed, and of the others one in recheckEvery, in turn: one
// stat per process rather than a readlink per listener. Unresolvable
// entries stay: they cost no I/O and a covering dump clears them.
func (c *ownerCache) sweep() {
	c.sweeps++
	var gone []uint64
	for ino, e := range c.entries {
		if c.gen-e.seen < sweepEvery || len(e.owners) == 0 {
			continue
		}
		if !c.ownerChanged(e) && (ino+c.sweeps)%recheckEvery != 0 {
			continue // its turn comes in a later sweep
		}
		c.revalidate(ino, e)
		if len(e.owners) == 0 {
			gone = append(gone, ino)
		}
	}
	for _, ino := range gone {
		c.drop(ino)
	}
	owners := c.ownerPIDs()
	for pid := range c.meta {
		if !owners[pid] {
			delete(c.meta, pid)
		}
	}
	// Young processes are otherwise forgotten only when a new listener makes
	// us read them; a host that forks a lot but opens no listeners would
	// grow the set with dead PIDs.
	for pid := range c.young {
		if _, err := c.p.stat(pid); errors.Is(err, errProcGone) {
			delete(c.young, pid)
		}
	}
}

// identify looks at /proc/PID/stat once per poll and returns what to show
// for pid, reloaded when the stat says it is another process than last
// time (start time or name changed: PID reuse, exec); ok is false if pid
// exited.
func (c *ownerCache) identify(pid int) (*procMeta, bool) {
	m := c.meta[pid]
	if m != nil && m.checked == c.gen {
		return m, !m.gone
	}
	if len(c.meta) > 4*len(c.entries)+256 {
		// Bound: only owners need metadata. Forgetting is safe: a process
		// seen anew counts as changed, so its listeners are re-checked.
		c.meta = make(map[int]*procMeta)
		m = nil
	}
	c.stats.Stats++
	st, err := c.p.stat(pid)
	if err != nil {
		c.meta[pid] = &procMeta{checked: c.gen, since: c.gen, gone: true, uid: -1}
		return nil, false
	}
	if m != nil && !m.gone && m.start == st.Start && m.comm == st.Comm {
		m.checked = c.gen
		return m, true
	}
	m = &procMeta{start: st.Start, comm: st.Comm, uid: -1, checked: c.gen, since: c.gen}
	var args []string
	if b, err := c.p.readFile(c.p.pidPath(pid, "/cmdline")); err == nil {
		args = parseCmdline(b) // the first 4 KiB: readFile's buffer
	}
	// Only the Uid line is wanted; procfs's NewStatus parses all fifty.
	if b, err := c.p.readFile(c.p.pidPath(pid, "/status")); err == nil {
		if uid, ok := parseStatusUID(b); ok {
			m.uid = uid
		}
	}
	m.args = args
	m.cmdline = trimCmdline(args, st.Comm)
	m.cgroup = c.p.cgroup(pid)
	c.meta[pid] = m
	return m, true
}

// size is the number of cached listeners, for the boundedness test.
func (c *ownerCache) size() (entries, young, meta int) {
	return len(c.entries), len(c.young), len(c.meta)
}
