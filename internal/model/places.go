package model

import (
	"cmp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// Where listeners live (issue 8). Every listener has one place: the
// container of its owners when it has one, else its network namespace
// when that is not the host's, else the host. A container on the host's
// network (--network host) is its own place, but its listeners count as
// on the host for the grid's marks: they are reachable there.

// placeKind says what a place is.
type placeKind uint8

const (
	placeHost placeKind = iota
	placeContainer
	placeNetNS
)

// place identifies where a listener lives.
type place struct {
	kind    placeKind
	runtime string // placeContainer: the container's runtime and full id
	id      string
	inode   uint64 // placeNetNS: the namespace's inode
}

// placeOf is where l lives.
func placeOf(l *scan.Listener) place {
	switch {
	case l.Container != nil:
		return place{kind: placeContainer, runtime: l.Container.Runtime, id: l.Container.ID}
	case !l.NetNS.IsHost():
		return place{kind: placeNetNS, inode: l.NetNS.Inode}
	}
	return place{}
}

// scope is a place the explorer can be narrowed to, with its label.
type scope struct {
	all   bool // every place (the zero scope is the host)
	place place
	label string // "host", "web1 (podman) · pod p1", "netns pdemo"
	name  string // the label without the pod: the header's
	named bool   // a netns with a path that names it
}

// allScope is the default: every namespace.
var allScope = scope{all: true}

// has reports whether l is in scope s.
func (s *scope) has(l *scan.Listener) bool { return s.all || placeOf(l) == s.place }

// containerLabel is "web1 (podman)", with " · pod p1" when full and the
// container is in a pod.
func containerLabel(c *scan.Container, full bool, g *views.Glyphs) string {
	s := c.Label()
	if c.Runtime != "" {
		s += " (" + c.Runtime + ")"
	}
	if full && c.Pod != "" {
		s += g.Sep + "pod " + c.Pod
	}
	return s
}

// netnsLabel is "netns pdemo" (the base of the path that names it), else
// "netns 4026532xxx" (its inode).
func netnsLabel(n scan.NetNS, paths map[uint64]string) string {
	if n.Path == "" {
		n.Path = paths[n.Inode]
	}
	return audit.NetNSLabel(n)
}

// placeLabel is the heading of l's place in the pane ("" for the host).
func placeLabel(l *scan.Listener, paths map[uint64]string, g *views.Glyphs) string {
	switch {
	case l.Container != nil:
		s := containerLabel(l.Container, true, g)
		if l.NetNS.IsHost() {
			s += g.Sep + "host network"
		}
		return s
	case !l.NetNS.IsHost():
		return netnsLabel(l.NetNS, paths)
	}
	return ""
}

// scopesOf lists the scopes of a whole-machine snapshot in the order the
// scope key cycles them: every namespace, the host, each container (by
// label, then runtime and id), then each other namespace the snapshot
// inspected that holds no container seen (by label, then inode).
func scopesOf(s *scan.Snapshot, paths map[uint64]string, g *views.Glyphs) []scope {
	out := []scope{allScope, {label: "host", name: "host"}}
	var conts, nets []scope
	seen := map[place]bool{}
	contNS := map[uint64]bool{}
	for i := range s.Listeners {
		l := &s.Listeners[i]
		p := placeOf(l)
		if p.kind == placeContainer && !l.NetNS.IsHost() {
			contNS[l.NetNS.Inode] = true
		}
		if p.kind == placeHost || seen[p] {
			continue
		}
		seen[p] = true
		if p.kind == placeContainer {
			conts = append(conts, scope{place: p, label: containerLabel(l.Container, true, g), name: containerLabel(l.Container, false, g)})
		} else {
			lb := netnsLabel(l.NetNS, paths)
			nets = append(nets, scope{place: p, label: lb, name: lb, named: l.NetNS.Path != "" || paths[l.NetNS.Inode] != ""})
		}
	}
	for _, n := range s.NetNS {
		p := place{kind: placeNetNS, inode: n.Inode}
		if n.IsHost() || seen[p] || contNS[n.Inode] {
			continue
		}
		seen[p] = true
		lb := netnsLabel(n, paths)
		nets = append(nets, scope{place: p, label: lb, name: lb, named: n.Path != ""})
	}
	sortScopes(conts)
	sortScopes(nets)
	out = append(out, conts...)
	return append(out, nets...)
}

// sortScopes orders the scopes of one kind: by label, then runtime, id
// and inode; named namespaces (ip netns, /run/docker/netns) before those
// known by inode only.
func sortScopes(ss []scope) {
	slices.SortFunc(ss, func(a, b scope) int {
		if a.named != b.named {
			if a.named {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.label, b.label), strings.Compare(a.place.runtime, b.place.runtime),
			strings.Compare(a.place.id, b.place.id), cmp.Compare(a.place.inode, b.place.inode))
	})
}

// addScopes merges the scopes of a block scan into list (a whole-machine
// scan's): a container or namespace that appeared since can be chosen at
// once; only a whole-machine scan removes one.
func addScopes(list, found []scope) []scope {
	var add []scope
	for _, f := range found {
		if !f.all && f.place.kind != placeHost && !slices.ContainsFunc(list, f.same) {
			add = append(add, f)
		}
	}
	if len(add) == 0 {
		return list
	}
	out := slices.Clone(list)
	for _, f := range add {
		// After the last scope of its kind (containers before netns),
		// then the kind re-sorted.
		i := len(out)
		for i > 0 && out[i-1].place.kind > f.place.kind {
			i--
		}
		out = slices.Insert(out, i, f)
	}
	lo := 0
	for lo < len(out) && (out[lo].all || out[lo].place.kind == placeHost) {
		lo++
	}
	mid := lo
	for mid < len(out) && out[mid].place.kind == placeContainer {
		mid++
	}
	sortScopes(out[lo:mid])
	sortScopes(out[mid:])
	return out
}

// netnsPaths maps the inode of each namespace a snapshot inspected to the
// path that names it, for listeners whose own NetNS.Path is empty.
func netnsPaths(s *scan.Snapshot) map[uint64]string {
	var m map[uint64]string
	for _, n := range s.NetNS {
		if n.Path != "" && n.Inode != 0 {
			if m == nil {
				m = map[uint64]string{}
			}
			m[n.Inode] = n.Path
		}
	}
	return m
}

// scopedMark is a cell's mark counting only the listeners in scope s:
// the grid of a narrowed scope marks its listeners as the host's are
// marked (t/u/b, ! for needs a look), since the header says where they
// are. vs are the listeners' verdicts (nil: no file).
func scopedMark(ls []audit.Listener, vs []expect.Match, s *scope) views.Mark {
	var mk views.Mark
	for i := range ls {
		if l := &ls[i]; s.has(&l.Listener) {
			mk = addMark(mk, l, verdict(vs, i))
		}
	}
	return mk
}

// addMark adds listener l, with verdict v, to mark mk (needs a look wins
// over TCP/UDP).
func addMark(mk views.Mark, l *audit.Listener, v expect.Match) views.Mark {
	switch {
	case mk == views.MarkLook || needsLook(l, v):
		return views.MarkLook
	case l.Proto == "tcp":
		return mk | views.MarkTCP
	case l.Proto == "udp":
		return mk | views.MarkUDP
	}
	return mk
}

// portMapTarget is "web1 (podman) 10.88.0.5:80", or the address alone
// with "(no container)" when none is running behind it.
func portMapTarget(pm *scan.PortMap, g *views.Glyphs) string {
	t := pm.Target.String()
	if pm.Container == nil {
		return t + " (no container)"
	}
	return containerLabel(pm.Container, false, g) + " " + t
}

// headerName is the scope as the header names it ("" for all).
func (s *scope) headerName() string {
	if s.all {
		return ""
	}
	return s.name
}

// cycleScope narrows the explorer to the next (dir > 0) or previous
// scope: all → host → each container → each other netns → all, in the
// order of the last whole-machine scan.
func (m *Model) cycleScope(dir int) {
	list := m.scopes
	if len(list) == 0 {
		list = []scope{allScope, {label: "host", name: "host"}}
	}
	i := slices.IndexFunc(list, m.scope.same) // -1 (gone): from all
	if i < 0 {
		i = 0
	}
	m.setScope(list[((i+dir)%len(list)+len(list))%len(list)])
}

// same reports whether t is the same scope as s (labels aside).
func (s *scope) same(t scope) bool { return s.all == t.all && (s.all || s.place == t.place) }

// setScope switches the scope: marks, counts and the pane follow.
func (m *Model) setScope(s scope) {
	m.scope = s
	m.paneScroll = 0
	m.refreshCells()
}

// checkScope keeps the scope after a whole-machine scan: its label is
// refreshed; a scope the scan no longer has (the container stopped, the
// namespace was deleted) falls back to all, and the status bar says so.
func (m *Model) checkScope() tea.Cmd {
	if m.scope.all {
		return nil
	}
	i := slices.IndexFunc(m.scopes, m.scope.same)
	if i >= 0 {
		m.scope = m.scopes[i]
		return nil
	}
	gone := m.scope.name
	m.setScope(allScope)
	return m.flashMsg("scope "+gone+" is gone: showing all namespaces", false)
}
