package model

import (
	"slices"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// The listeners the explorer knows, merged from whole-machine and block
// scans, annotated (audit.AnnotateOne) and indexed by block and port, so
// that a poll costs what it changed and what is on screen, not what the
// machine holds (S9: 60,000 listeners):
//
//   - a poll compares what it scanned with what is stored, port by port,
//     with no reflection and no allocation when nothing changed;
//   - a changed port gets a new slice; its annotations are reused for the
//     listeners that did not change, so the registry is asked only about
//     new ones;
//   - each block keeps its cell marks and findings count, updated for the
//     ports that changed; the grid reads the marks of the block on screen;
//   - tab reads the marks, block after block, without building a list.
//
// A listenerSet and its blocks are never modified once built: a poll
// builds a new set that shares every block (and every port's slice) it did
// not change. Bubble Tea copies the model on every update, and an older
// copy must keep seeing what it saw.

// numBlocks is how many blocks the port space has.
const numBlocks = (registry.MaxPort + 1) / views.BlockSize

// listenerSet is every known listener, by block.
type listenerSet struct {
	blocks [numBlocks]*blockListeners // nil: nothing listens in that block
	count  int
}

// blockListeners are the listeners of one block, by port.
type blockListeners struct {
	ports [views.BlockSize][]audit.Listener // each in scan order
	// verdicts are the ports' listeners' verdicts against the
	// expectations file, index for index; nil for a port (all NoFile)
	// without a file.
	verdicts [views.BlockSize][]expect.Match
	marks    [views.BlockSize]views.Mark
	count    int
	findings int // audit findings of the block's listeners (lookCount)
}

// block returns block b's listeners (nil if none).
func (s *listenerSet) block(b int) *blockListeners {
	if s == nil || b < 0 || b >= numBlocks {
		return nil
	}
	return s.blocks[b]
}

// at returns the listeners on port.
func (s *listenerSet) at(port int) []audit.Listener {
	if b := s.block(port / views.BlockSize); b != nil {
		return b.ports[port%views.BlockSize]
	}
	return nil
}

// verdictsAt returns the verdicts of the listeners on port, index for
// index with at(port); nil when there is no file.
func (s *listenerSet) verdictsAt(port int) []expect.Match {
	if b := s.block(port / views.BlockSize); b != nil {
		return b.verdicts[port%views.BlockSize]
	}
	return nil
}

// verdict is entry i of vs (NoFile past its end: no file).
func verdict(vs []expect.Match, i int) expect.Match {
	if i < len(vs) {
		return vs[i]
	}
	return expect.Match{}
}

// len is how many listeners the set holds.
func (s *listenerSet) len() int {
	if s == nil {
		return 0
	}
	return s.count
}

// merge returns s with the ports lo..hi (all of them for a full scan)
// replaced by the listeners of scanned, which must be in scan order
// (scan.SortListeners). changed lists the blocks whose listeners changed;
// when it is empty, the result is s itself.
func (s *listenerSet) merge(jd *judging, scanned []scan.Listener, req pollReq) (out *listenerSet, changed []int) {
	lo, hi := req.lo, req.hi
	if req.full {
		lo, hi = 0, registry.MaxPort
	}
	if !slices.IsSortedFunc(scanned, func(a, b scan.Listener) int { return int(a.Port) - int(b.Port) }) {
		scanned = slices.Clone(scanned)
		scan.SortListeners(scanned)
	}
	next := listenerSet{}
	if s != nil {
		next = *s
	}
	i := 0 // into scanned
	for b := lo / views.BlockSize; b <= hi/views.BlockSize; b++ {
		first := b * views.BlockSize
		j := i
		for j < len(scanned) && int(scanned[j].Port) < first+views.BlockSize {
			j++
		}
		nb, ok := next.blocks[b].merge(jd, first, scanned[i:j], max(lo, first), min(hi, first+views.BlockSize-1))
		i = j
		if !ok {
			continue
		}
		next.count += nb.len() - next.blocks[b].len()
		next.blocks[b] = nb
		changed = append(changed, b)
	}
	if len(changed) == 0 {
		return s, nil
	}
	return &next, changed
}

func (b *blockListeners) len() int {
	if b == nil {
		return 0
	}
	return b.count
}

// merge replaces the ports lo..hi of block b (first port first) by
// scanned, all of which lie in the block. ok is false when nothing
// changed; out is nil when the block ends up empty.
func (b *blockListeners) merge(jd *judging, first int, scanned []scan.Listener, lo, hi int) (out *blockListeners, ok bool) {
	var next *blockListeners
	i := 0
	for p := lo; p <= hi; p++ {
		j := i
		for j < len(scanned) && int(scanned[j].Port) == p {
			j++
		}
		now := scanned[i:j]
		i = j
		var was []audit.Listener
		var wasV []expect.Match
		if b != nil {
			was, wasV = b.ports[p-first], b.verdicts[p-first]
		}
		if samePort(was, now) {
			continue
		}
		if next == nil {
			next = &blockListeners{}
			if b != nil {
				*next = *b
			}
		}
		ann, vs := annotatePort(jd, was, wasV, now)
		next.count += len(ann) - len(was)
		next.findings += findingsOf(ann, vs) - findingsOf(was, wasV)
		next.ports[p-first], next.verdicts[p-first] = ann, vs
		next.marks[p-first] = markOf(ann, vs)
	}
	if next == nil {
		return b, false
	}
	if next.count == 0 {
		return nil, true
	}
	return next, true
}

// annotatePort judges the listeners now on one port, reusing the
// annotation and verdict of each that was there before and has not
// changed. vs is nil without an expectations file.
func annotatePort(j *judging, was []audit.Listener, wasV []expect.Match, now []scan.Listener) (out []audit.Listener, vs []expect.Match) {
	if len(now) == 0 {
		return nil, nil
	}
	out = make([]audit.Listener, len(now))
	if j.exp != nil {
		vs = make([]expect.Match, len(now))
	}
	for i := range now {
		reused := false
		for k := range was {
			if sameListener(&was[k].Listener, &now[i]) {
				out[i], reused = was[k], true
				if vs != nil {
					vs[i] = verdict(wasV, k)
				}
				break
			}
		}
		if !reused {
			a, v := j.one(now[i])
			out[i] = a
			if vs != nil {
				vs[i] = v
			}
		}
	}
	return out, vs
}

func findingsOf(ls []audit.Listener, vs []expect.Match) int {
	n := 0
	for i := range ls {
		n += lookCount(&ls[i], verdict(vs, i))
	}
	return n
}

// markOf is a cell's listener mark over every namespace: the host's
// listeners decide it (needs a look wins over TCP/UDP); a port whose
// listeners all live elsewhere (containers, other network namespaces) is
// MarkAway.
func markOf(ls []audit.Listener, vs []expect.Match) views.Mark {
	var mk views.Mark
	for i := range ls {
		if l := &ls[i]; l.Listener.NetNS.IsHost() {
			mk = addMark(mk, l, verdict(vs, i))
		}
	}
	if mk == views.MarkNone && len(ls) > 0 {
		return views.MarkAway
	}
	return mk
}

// samePort reports whether a port's listeners are unchanged.
func samePort(was []audit.Listener, now []scan.Listener) bool {
	if len(was) != len(now) {
		return false
	}
	for i := range now {
		if !sameListener(&was[i].Listener, &now[i]) {
			return false
		}
	}
	return true
}

// sameListener reports whether a and b are the same socket seen the same
// way, field by field (TestSameListenerCoversEveryField keeps this in step
// with scan.Listener and scan.Process).
func sameListener(a, b *scan.Listener) bool {
	if a.Proto != b.Proto || a.Addr != b.Addr || a.Port != b.Port || a.Scope != b.Scope ||
		a.DualStack != b.DualStack || a.Iface != b.Iface || a.UID != b.UID || a.User != b.User ||
		a.Inode != b.Inode || a.Hidden != b.Hidden || len(a.Procs) != len(b.Procs) ||
		a.NetNS != b.NetNS || !sameContainer(a.Container, b.Container) || a.Unit != b.Unit ||
		!slices.EqualFunc(a.Published, b.Published, samePortMap) || !samePortMapPtr(a.Forward, b.Forward) ||
		!sameActivation(a.Activation, b.Activation) || a.Cgroup != b.Cgroup ||
		a.Queue != b.Queue || a.QueueMax != b.QueueMax || a.Drops != b.Drops {
		return false
	}
	for i := range a.Procs {
		p, q := &a.Procs[i], &b.Procs[i]
		if p.PID != q.PID || p.Name != q.Name || p.Cmdline != q.Cmdline || p.UID != q.UID ||
			p.User != q.User || !slices.Equal(p.Args, q.Args) || p.Cgroup != q.Cgroup || p.Unit != q.Unit ||
			!sameContainer(p.Container, q.Container) {
			return false
		}
	}
	return true
}

func sameContainer(a, b *scan.Container) bool { return a == b || (a != nil && b != nil && *a == *b) }

func samePortMap(a, b scan.PortMap) bool {
	return a.Proto == b.Proto && a.Host == b.Host && a.Target == b.Target && a.Via == b.Via &&
		sameContainer(a.Container, b.Container) && a.TargetNetNS == b.TargetNetNS
}

func samePortMapPtr(a, b *scan.PortMap) bool {
	return a == b || (a != nil && b != nil && samePortMap(*a, *b))
}

func sameActivation(a, b *scan.Activation) bool { return a == b || (a != nil && b != nil && *a == *b) }

// nextPort finds the next (dir > 0) or previous port after from whose mark
// ok accepts (given the port and its mark), wrapping around the port
// space; false if there is none. It reads the blocks' marks: no list of
// ports is built.
func (s *listenerSet) nextPort(from, dir int, ok func(p int, mk views.Mark) bool) (int, bool) {
	if s.len() == 0 {
		return 0, false
	}
	n := registry.MaxPort + 1
	for k := 1; k <= n; k++ {
		p := ((from+dir*k)%n + n) % n
		b := s.blocks[p/views.BlockSize]
		if b == nil {
			// Skip the empty block in one step.
			if dir > 0 {
				k += views.BlockSize - 1 - p%views.BlockSize
			} else {
				k += p % views.BlockSize
			}
			continue
		}
		if mk := b.marks[p%views.BlockSize]; mk != views.MarkNone && ok(p, mk) {
			return p, true
		}
	}
	return 0, false
}
