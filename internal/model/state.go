package model

import (
	"slices"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// filter selects which cells stay bright; the rest are dimmed.
type filter int

const (
	filterAll filter = iota
	filterAssigned
	filterUnassigned
	filterReserved
	filterOther
	filterListening
	filterLook
	numFilters
)

// String is the filter's name as the header and legend show it.
func (f filter) String() string {
	return [...]string{"all", "assigned", "unassigned", "reserved", "other", "listening", "needs a look"}[f]
}

// match reports whether a cell of status st and listener mark mk passes.
func (f filter) match(st registry.Status, mk views.Mark) bool {
	switch f {
	case filterAssigned:
		return st == registry.Assigned
	case filterUnassigned:
		return st == registry.Unassigned
	case filterReserved:
		return st == registry.Reserved
	case filterOther:
		return st == registry.Other
	case filterListening:
		return mk != views.MarkNone
	case filterLook:
		return mk == views.MarkLook
	}
	return true
}

// statusOK is the filter as a test on a run's status, for [ and ]; nil
// when the filter is not about statuses.
func (f filter) statusOK() func(registry.Status) bool {
	switch f {
	case filterAssigned, filterUnassigned, filterReserved, filterOther:
		return func(st registry.Status) bool { return f.match(st, views.MarkNone) }
	}
	return nil
}

// views cycled by t.
var tViews = []registry.View{registry.Combined, registry.TCPOnly, registry.UDPOnly}

// refreshCells recomputes the block's cells and counts. It runs when what
// they show changes (block, view, filter, a poll that changed the block,
// search), never per frame, and reads only the block's own listener marks.
func (m *Model) refreshCells() {
	var marks *[views.BlockSize]views.Mark
	if b := m.set.block(m.block / views.BlockSize); b != nil {
		marks = &b.marks
	}
	var match [views.BlockSize]bool
	for _, mt := range m.search.visible(m.mode) {
		if j := mt.Port - m.block; j >= 0 && j < views.BlockSize {
			match[j] = true
		}
	}
	if marks != nil && !m.scope.all {
		// A narrowed scope marks its own listeners only: the block's
		// marks are those of every namespace.
		b := m.set.block(m.block / views.BlockSize)
		var scoped [views.BlockSize]views.Mark
		for i := range scoped {
			if marks[i] != views.MarkNone {
				scoped[i] = scopedMark(b.ports[i], b.verdicts[i], &m.scope)
			}
		}
		marks = &scoped
	}
	m.counts = [4]int{}
	m.listening, m.look, m.away = 0, 0, 0
	for i := range m.cells {
		st := m.reg.Status(m.block+i, m.view)
		m.counts[st]++
		mk := views.MarkNone
		if marks != nil {
			mk = marks[i]
		}
		if mk != views.MarkNone {
			m.listening++
			switch mk {
			case views.MarkLook:
				m.look++
			case views.MarkAway:
				m.away++
			}
		}
		m.cells[i] = views.MakeCell(st, mk, match[i], !m.filter.match(st, mk))
	}
}

// refreshFindings counts what `portui audit --range <this block>` reports:
// the block keeps its count, updated for the ports a poll changed.
func (m *Model) refreshFindings() {
	m.findings = m.blockFindings(m.block / views.BlockSize)
}

// blockFindings is what `portui audit --range` of block bi reports: the
// block's own count of findings, and with an expectations file the
// required entries in it that nothing holds (missing-listener).
func (m *Model) blockFindings(bi int) int {
	n := 0
	b := m.set.block(bi)
	if b != nil {
		n = b.findings
	}
	if m.judging.exp != nil && m.polled {
		var ls []scan.Listener
		if b != nil {
			ls = make([]scan.Listener, 0, b.count)
			for i := range b.ports {
				ls = append(ls, plain(b.ports[i])...)
			}
		}
		lo := bi * views.BlockSize
		n += len(m.judging.exp.Missing(ls, lo, lo+views.BlockSize-1))
	}
	return n
}

// missingAt is the pane's "expected here, not listening" lines for the
// selected port ("nginx · expected.toml:4"): the file's required entries
// for it that no listener on it matches.
func (m *Model) missingAt() []string {
	if m.judging.exp == nil || !m.polled {
		return nil
	}
	var out []string
	for _, e := range m.judging.exp.Missing(m.listenersAt(m.sel), m.sel, m.sel) {
		out = append(out, missingText(m.judging.name, e))
	}
	return out
}

// mergeSnapshot stores a poll result: a whole-machine scan replaces
// everything, a block scan the listeners of its ports. It returns the
// blocks whose listeners changed (an unchanged poll repaints nothing but,
// once a minute, the poll time).
func (m *Model) mergeSnapshot(s scan.Snapshot, req pollReq) []int {
	var changed []int
	m.set, changed = m.set.merge(m.judging, s.Listeners, req)
	m.snap = scan.Snapshot{Taken: s.Taken, Source: s.Source, Owners: s.Owners, Warnings: s.Warnings}
	if req.full {
		// Where listeners live, and what is published, as the whole
		// machine was last seen.
		m.paths = netnsPaths(&s)
		m.scopes = scopesOf(&s, m.paths, m.sty.G)
		m.portMaps = s.PortMaps
	} else if m.scopes != nil {
		m.scopes = addScopes(m.scopes, scopesOf(&s, m.paths, m.sty.G))
	}
	return changed
}

// listenerCount is how many listeners the machine has (as last scanned).
func (m *Model) listenerCount() int { return m.set.len() }

// annAt returns the annotated listeners on port, in scan order.
func (m *Model) annAt(port int) []audit.Listener { return m.set.at(port) }

// listenersAt returns the listeners on port, in scan order (a copy).
func (m *Model) listenersAt(port int) []scan.Listener { return plain(m.set.at(port)) }

// plain is the listeners of annotations as, in order (a copy).
func plain(as []audit.Listener) []scan.Listener {
	if len(as) == 0 {
		return nil
	}
	out := make([]scan.Listener, len(as))
	for i := range as {
		out[i] = as[i].Listener
	}
	return out
}

// annotationsOf returns the annotations of ls, which are listeners of as
// in the same order (as scan.Diff returns them), matched by Key.
func annotationsOf(as []audit.Listener, ls []scan.Listener) []audit.Listener {
	out := make([]audit.Listener, 0, len(ls))
	j := 0
	for i := range ls {
		k := ls[i].Key()
		for j < len(as) && as[j].Key() != k {
			j++
		}
		if j == len(as) {
			break
		}
		out = append(out, as[j])
		j++
	}
	return out
}

// nextListener finds the next (dir > 0) or previous listening port after
// from that passes the filter (with the private-use filter, private-use
// listeners only), wrapping around; false if none.
func (m *Model) nextListener(from, dir int) (int, bool) {
	ok := func(_ int, mk views.Mark) bool {
		return m.filter != filterLook || mk == views.MarkLook
	}
	if !m.scope.all {
		ok = func(p int, _ views.Mark) bool {
			mk := scopedMark(m.set.at(p), m.set.verdictsAt(p), &m.scope)
			return mk != views.MarkNone && (m.filter != filterLook || mk == views.MarkLook)
		}
	}
	return m.set.nextPort(from, dir, ok)
}

// detail is the registry data of the selected port, loaded on selection
// (and on a view change), so that View does no lookups beyond the cheap
// per-port tables.
type detail struct {
	records []registry.Record
	people  map[string]registry.Person
	run     registry.Run // under the current view; O(run length) to find
	err     error
}

// loadDetail reads the selected port's records from the (in-memory)
// registry and resolves their people.
func (m *Model) loadDetail() {
	recs, err := m.reg.RecordsAt(m.sel)
	d := detail{records: recs, err: err, people: map[string]registry.Person{}, run: m.reg.RunAt(m.sel, m.view)}
	for _, r := range recs {
		for _, id := range append(slices.Clone(r.Assignee), r.Contact...) {
			if p, ok := m.reg.Person(id); ok {
				d.people[id] = p
			}
		}
	}
	m.detail = d
}

// hasRecordFor reports whether a record of the selected port names
// transport proto explicitly (SCTP and DCCP are shown only then: a range
// row covering every transport says nothing about them in particular).
func (m *Model) hasRecordFor(proto string) bool {
	for _, r := range m.detail.records {
		if r.Proto == proto {
			return true
		}
	}
	return false
}

// detailState assembles what the pane shows.
func (m *Model) detailState() views.DetailState {
	d := views.DetailState{
		Port:    m.sel,
		Status:  m.reg.Status(m.sel, m.view),
		Run:     m.detail.run,
		Class:   registry.ClassOf(m.sel),
		Records: m.detail.records,
		People:  m.detail.people,
		Scroll:  m.paneScroll,
		Links:   m.cfg.Links,
	}
	if m.view != registry.Combined {
		d.ViewName = m.view.String()
	}
	for _, r := range m.detail.records {
		if r.Name != "" && !slices.Contains(d.Names, r.Name) {
			d.Names = append(d.Names, r.Name)
		}
	}
	for _, v := range []registry.View{registry.TCPOnly, registry.UDPOnly, registry.SCTPOnly, registry.DCCPOnly} {
		if v <= registry.UDPOnly || m.hasRecordFor(v.Proto()) {
			d.Protos = append(d.Protos, views.ProtoStatus{Proto: v.Proto(), Status: m.reg.Status(m.sel, v)})
		}
	}
	d.Listen = m.listenState()
	d.Practice = practiceAt(m.sel, d.Protos)
	return d
}

// listenState assembles the "Listening now" section.
func (m *Model) listenState() views.ListenState {
	var ls views.ListenState
	ls.Paused = m.paused
	if m.cfg.Scanner == nil {
		ls.Unavailable = m.unavailable()
		return ls
	}
	if !m.polled {
		return ls
	}
	// While live, the poll time is shown to the minute: with seconds it
	// changes on every poll and repaints ~31 bytes/s on an idle screen
	// (budget: 20). Frozen states show the exact time.
	layout := "15:04"
	if m.paused || m.pollErr != nil {
		layout = "15:04:05"
	}
	ls.Polled = m.snap.Taken.In(m.loc).Format(layout)
	cur := m.annAt(m.sel)
	vs := m.set.verdictsAt(m.sel)
	hidden := false
	type placed struct {
		kind placeKind
		row  views.ListenerRow
	}
	var rows []placed
	reuse := reuseGroups(cur)
	for i := range cur {
		if l := &cur[i]; m.scope.has(&l.Listener) {
			r := m.listenerRow(l)
			r.Live.Reuse = reuse[reuseKeyOf(&l.Listener)]
			v := verdict(vs, i)
			r.Expect, r.ExpectOK = expectText(m.judging.name, v), v.Verdict == expect.Matched
			r.Looks = looks(l, v)
			rows = append(rows, placed{placeOf(&l.Listener).kind, r})
			hidden = hidden || len(l.Procs) == 0
		}
	}
	// Grouped by place: the host first, then containers, then other
	// namespaces, each by label (stable: scan order within a place), as
	// the scope key cycles them.
	slices.SortStableFunc(rows, func(a, b placed) int {
		if a.kind != b.kind {
			return int(a.kind) - int(b.kind)
		}
		return strings.Compare(a.row.Place, b.row.Place)
	})
	for _, r := range rows {
		ls.Rows = append(ls.Rows, r.row)
	}
	if m.scope.all || m.scope.place.kind == placeHost {
		ls.Forwards = m.natForwards(cur)
	}
	ls.Missing = m.missingAt()
	ls.Health = m.healthView()
	if m.open.set {
		ls.Since = m.open.since.In(m.loc).Format("15:04:05")
		for i := range m.open.events {
			e := &m.open.events[i]
			if !m.scope.has(&e.l.Listener) {
				continue
			}
			ls.Changes = append(ls.Changes, views.ListenChange{
				At: e.at.In(m.loc).Format("15:04:05"), Appeared: e.appeared, Row: m.listenerRow(&e.l),
			})
		}
	}
	if hidden && !m.cfg.IsRoot {
		ls.Hint = "not root: other users' processes are hidden (sudo portui shows them)"
	}
	return ls
}

// natForwards are the published ports of the selected port that a NAT
// rule forwards with no host socket behind them (a proxy's socket is a
// listener of its own, whose row says where it forwards).
func (m *Model) natForwards(cur []audit.Listener) []views.ForwardRow {
	var out []views.ForwardRow
next:
	for i := range m.portMaps {
		pm := &m.portMaps[i]
		if int(pm.Host.Port()) != m.sel || pm.Via != "nat" {
			continue
		}
		for j := range cur {
			if f := cur[j].Forward; f != nil && f.Proto == pm.Proto && f.Host == pm.Host {
				continue next
			}
		}
		out = append(out, views.ForwardRow{Proto: pm.Proto, Host: pm.Host.String(), To: portMapTarget(pm, m.sty.G), Via: pm.Via})
	}
	return out
}

// listenerRow is how the pane shows an annotated listener: where it
// lives, what publishes it or what it forwards to, its unit.
func (m *Model) listenerRow(l *audit.Listener) views.ListenerRow {
	r := plainRow(l)
	r.Place = placeLabel(&l.Listener, m.paths, m.sty.G)
	r.Unit = l.Unit
	if a := l.Activation; a != nil {
		r.Activation = &views.ActivationRow{Socket: a.Socket, Service: a.Service, Running: a.Running}
	}
	if f := l.Forward; f != nil {
		r.ForwardTo = portMapTarget(f, m.sty.G)
	}
	pub := l.Published
	if len(pub) == 0 && !l.Listener.NetNS.IsHost() {
		pub = m.publishedTo(&l.Listener)
	}
	for i := range pub {
		pm := &pub[i]
		r.Published = append(r.Published, pm.Host.String()+" ("+pm.Via+")")
	}
	r.Unpublished = !l.Listener.NetNS.IsHost() && l.Scope == scan.ScopeAll && len(pub) == 0
	return r
}

// publishedTo finds the published ports of the last whole-machine scan
// that reach l (its namespace and port), for a listener whose own
// Published the enrichment left empty: the host side's link is then the
// only one, and the pane must not call the listener unpublished.
func (m *Model) publishedTo(l *scan.Listener) []scan.PortMap {
	var out []scan.PortMap
	for i := range m.portMaps {
		pm := &m.portMaps[i]
		if pm.TargetNetNS == l.NetNS.Inode && pm.TargetNetNS != 0 && pm.Target.Port() == l.Port && pm.Proto == l.Proto {
			out = append(out, *pm)
		}
	}
	return out
}

// plainRow is the socket and its processes, as the pane shows them.
func plainRow(l *audit.Listener) views.ListenerRow {
	r := views.ListenerRow{
		Proto:     l.Proto,
		Addr:      l.Endpoint(),
		Scope:     l.Scope.String(),
		DualStack: l.DualStack,
		Private:   l.PrivateUse,
		Owner:     l.User,
		Hidden:    l.Hidden,
		Live: views.LiveFacts{
			Queue: l.Queue, QueueMax: l.QueueMax, Drops: l.Drops,
			V6Only: l.Addr.Is6() && l.Addr.IsUnspecified() && !l.DualStack,
		},
	}
	if r.Owner == "" && l.UID >= 0 {
		r.Owner = "uid " + strconv.Itoa(l.UID)
	}
	for _, p := range l.Procs {
		r.Procs = append(r.Procs, views.ProcRow{PID: p.PID, Name: p.Name, User: p.User, Command: p.Command()})
	}
	return r
}

// gridState is what the grid shows.
func (m *Model) gridState() views.GridState {
	return views.GridState{
		Block: m.block,
		Cells: &m.cells,
		Cols:  m.geo.Cols,
		Top:   m.top,
		Rows:  m.geo.Rows(),
		CellW: m.geo.CellW,
		Pitch: m.geo.Pitch,
		Sel:   m.sel - m.block,
		Plain: m.sty.NoSGR(),
		Span:  m.geo.Grid.Dx(),
	}
}
