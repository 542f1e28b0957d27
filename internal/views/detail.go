package views

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// DetailState is what the detail pane shows about the selected port. The
// model fills it from the registry and the latest poll; times are already
// formatted so that rendering never looks at a clock or a time zone.
type DetailState struct {
	Port     int
	Status   registry.Status // under the current view
	ViewName string          // "" for combined, else e.g. "tcp only"
	Protos   []ProtoStatus   // per transport
	Run      string          // "325–332: unassigned run, 8 ports"
	Class    registry.Class
	Records  []registry.Record
	Names    []string                   // distinct service names of the records
	People   map[string]registry.Person // the records' assignees and contacts
	Listen   ListenState
	Scroll   int // first line shown of the scrollable part
}

// ProtoStatus is one transport's status of the port.
type ProtoStatus struct {
	Proto  string
	Status registry.Status
}

// ListenState is the "Listening now" section.
type ListenState struct {
	Polled  string // time of the last poll ("15:04:05"); "" before the first
	Paused  bool
	Rows    []ListenerRow  // listeners on the port in the last poll
	Since   string         // when the pane opened on this port
	Changes []ListenChange // since then, oldest first
	Hint    string         // why processes are hidden, when they are
	// Unavailable is why there is no live data at all (no scanner could
	// start); it replaces the poll state and the listeners.
	Unavailable string
}

// ListenChange is a listener that appeared or vanished between two polls.
type ListenChange struct {
	At       string // "15:04:05"
	Appeared bool
	Row      ListenerRow
}

// ListenerRow is one listening socket, formatted for display.
type ListenerRow struct {
	Proto     string // "tcp", "udp"
	Addr      string // "0.0.0.0:326", "[::]:22"
	Scope     string // "loopback", "address", "all"
	DualStack bool
	Private   bool   // the port is not assigned for this transport
	Owner     string // socket owner (user name or uid)
	Procs     []ProcRow
	Hidden    string // why Procs is empty
}

// ProcRow is a process holding a listener.
type ProcRow struct {
	PID                 int
	Name, User, Cmdline string
}

// minTwoCol is the pane width from which the registry records get a column
// of their own.
const minTwoCol = 2*44 + 3

// Detail renders the pane as exactly h lines of width w.
//
// The layout keeps lines in place as the selection moves, because the
// renderer rewrites everything between the first and last changed cell of a
// screen row: the port, its statuses and its run come first at fixed rows,
// the range class is anchored to the bottom (it only changes between
// blocks), and the variable parts (listeners, records) sit in between.
func Detail(d DetailState, w, h int, sty *Styles) []string {
	if w >= minTwoCol {
		// Two columns: what is live on the left (it must never scroll
		// away), the registry and the range class on the right.
		lw, rw := twoColWidths(w)
		left := paneText{w: lw}
		d.top(&left, sty)
		left.blank()
		d.listen(&left, sty)
		l := scrolled(left.lines, nil, lw, h, 0, sty)
		r := scrolled(d.registryColumn(rw, sty), nil, rw, h, d.Scroll, sty)
		out := make([]string, h)
		sep := sty.Rule.Wrap(" │ ")
		for i := range out {
			out[i] = l[i] + sep + r[i]
		}
		return out
	}
	body, footer := d.singleColumn(w, h, sty)
	return scrolled(body, footer, w, h, d.Scroll, sty)
}

func twoColWidths(w int) (lw, rw int) {
	lw = (w - 3) / 2
	return lw, w - 3 - lw
}

// registryColumn is the right column of the two-column pane: the records,
// then the range class.
func (d DetailState) registryColumn(w int, sty *Styles) []string {
	right := paneText{w: w}
	d.records(&right, sty)
	right.blank()
	return append(right.lines, d.class(w, sty)...)
}

// singleColumn is the one-column pane: the scrollable body and, when it is
// pinned to the bottom, the range class footer.
func (d DetailState) singleColumn(w, h int, sty *Styles) (body, footer []string) {
	p := paneText{w: w}
	d.top(&p, sty)
	p.blank()
	d.listen(&p, sty)
	p.blank()
	d.records(&p, sty)
	class := d.class(w, sty)
	if anchorClass(len(class), h) {
		return p.lines, class
	}
	p.blank()
	return append(p.lines, class...), nil
}

// anchorClass reports whether the class footer (n lines) is pinned to the
// bottom of a pane h lines tall: when it takes at most a quarter of it;
// otherwise it scrolls after the records. Pinned, it never moves, which
// halves the bytes a cursor move costs on an 80×24 screen (measured).
func anchorClass(n, h int) bool { return (n+1)*4 <= h }

// scrolled fits body (from line off) above the bottom-anchored footer into
// w×h, with a "more" line when body does not fit.
func scrolled(body, footer []string, w, h, off int, sty *Styles) []string {
	room := h - len(footer)
	if len(footer) > 0 {
		room-- // a blank line above the footer
	}
	off = max(0, min(off, len(body)-room))
	lines := body[off:]
	if len(lines) > room && room > 0 {
		more := len(lines) - (room - 1)
		lines = append(lines[:room-1:room-1], sty.Dim.Wrap(fmt.Sprintf("↓ %d more · J/K scroll", more)))
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	if len(footer) > 0 {
		lines = append(lines[:room:room], "")
		lines = append(lines, footer...)
	}
	return Block(lines, w, h)
}

// top: port, overall status, per-transport statuses, run.
func (d *DetailState) top(p *paneText, sty *Styles) {
	title := sty.Title.Wrap("Port "+strconv.Itoa(d.Port)) + " " + sty.StatusSGR(d.Status).Wrap(d.Status.String())
	if d.ViewName != "" {
		title += sty.Dim.Wrap(" (" + d.ViewName + ")")
	}
	if len(d.Names) > 0 {
		title += sty.Dim.Wrap(" ·") + " " + strings.Join(d.Names, " ")
	}
	p.add(title)
	var parts []string
	for _, ps := range d.Protos {
		parts = append(parts, ps.Proto+" "+sty.StatusSGR(ps.Status).Wrap(ps.Status.String()))
	}
	p.wrap(strings.Join(parts, sty.Dim.Wrap(" ·")+" "), 0, 0, SGR{})
	p.add(d.Run)
}

// listen: the "Listening now" section.
func (d *DetailState) listen(p *paneText, sty *Styles) {
	l := &d.Listen
	var when string
	switch {
	case l.Unavailable != "":
		p.add(FitRight(sty.Head.Wrap("Listening now"), sty.Err.Wrap("unavailable"), p.w))
		p.wrapMax(l.Unavailable, 0, 2, 4, sty.Dim)
		return
	case l.Paused && l.Polled != "":
		when = "paused · " + l.Polled
	case l.Paused:
		when = "paused"
	case l.Polled == "":
		when = "polling…"
	default:
		when = "live · " + l.Polled
	}
	p.add(FitRight(sty.Head.Wrap("Listening now"), sty.Dim.Wrap(when), p.w))
	if len(l.Rows) == 0 {
		if l.Polled != "" {
			p.add(sty.Dim.Wrap("nothing listens on " + strconv.Itoa(d.Port)))
		}
	}
	for _, r := range l.Rows {
		listenerLines(p, r, sty)
	}
	if len(l.Changes) > 0 {
		p.add(sty.Dim.Wrap("changes since " + l.Since + ":"))
		for _, c := range l.Changes {
			sign := sty.Listen.Wrap("+")
			if !c.Appeared {
				sign = sty.Private.Wrap("−")
			}
			p.wrap(sign+" "+sty.Dim.Wrap(c.At)+" "+changeLine(c.Row), 0, 2, SGR{})
		}
	}
	if l.Hint != "" && len(l.Rows) > 0 {
		p.wrapMax(l.Hint, 0, 2, 2, sty.Dim)
	}
}

func listenerLines(p *paneText, r ListenerRow, sty *Styles) {
	head := sty.Bold.Wrap(r.Proto) + " " + r.Addr + " " + sty.Dim.Wrap(r.Scope)
	if r.DualStack {
		head += sty.Dim.Wrap(" +v4")
	}
	if r.Private {
		head += " " + sty.Private.Wrap("private use")
	}
	p.wrap(head, 0, 2, SGR{})
	for _, pr := range r.Procs {
		line := "  " + sty.Bold.Wrap(pr.Name) + " pid " + strconv.Itoa(pr.PID)
		if pr.User != "" {
			line += sty.Dim.Wrap(" · " + pr.User)
		}
		p.add(line)
		if pr.Cmdline != "" && pr.Cmdline != pr.Name {
			p.wrapMax(pr.Cmdline, 4, 0, 2, sty.Dim)
		}
	}
	if len(r.Procs) == 0 {
		// The scanner's reason already names the socket's owner and why
		// the process cannot be seen ("owner root (uid 0) · process
		// hidden: run as root or grant CAP_SYS_PTRACE").
		why := r.Hidden
		if why == "" {
			why = "process unknown"
			if r.Owner != "" {
				why = "owner " + r.Owner + " · " + why
			}
		}
		p.wrapMax(why, 2, 2, 3, sty.Dim)
	}
}

// changeLine names a listener in the change log. It deliberately differs
// from the listener rows above it ("python3 pid 4242"), so that a process
// that is gone cannot be mistaken for one still listening.
func changeLine(r ListenerRow) string {
	s := r.Proto + glue + r.Addr
	if len(r.Procs) > 0 {
		s += " " + r.Procs[0].Name + glue + "(" + strconv.Itoa(r.Procs[0].PID) + ")"
	}
	return s
}

// class renders the range class footer.
func (d *DetailState) class(w int, sty *Styles) []string {
	p := paneText{w: w}
	c := d.Class
	p.add(sty.Head.Wrap(c.Title) + sty.Dim.Wrap(" "+strconv.Itoa(c.Lo)+"–"+strconv.Itoa(c.Hi)))
	// The brief form, two lines at most: the footer sits on every screen
	// and must not crowd out the records (lookup and y give the full text).
	p.wrapMax(c.Brief, 0, 0, 2, sty.Dim)
	return p.lines
}

// records: the registry section, records identical but for the transport
// merged into one entry ("ssh  tcp udp").
func (d *DetailState) records(p *paneText, sty *Styles) {
	p.add(sty.Head.Wrap("Registry"))
	if len(d.Records) == 0 {
		p.add(sty.Dim.Wrap("no record: unassigned"))
		return
	}
	for _, g := range groupRecords(d.Records) {
		d.record(p, g, sty)
	}
}

type recordGroup struct {
	rec    registry.Record
	protos []string
}

func groupRecords(recs []registry.Record) []recordGroup {
	var out []recordGroup
	idx := map[string]int{}
	for _, r := range recs {
		k := recordKey(r)
		if i, ok := idx[k]; ok {
			out[i].protos = append(out[i].protos, r.Proto)
			continue
		}
		idx[k] = len(out)
		out = append(out, recordGroup{rec: r, protos: []string{r.Proto}})
	}
	return out
}

func recordKey(r registry.Record) string {
	r.Proto = ""
	return fmt.Sprintf("%#v", r)
}

func (d *DetailState) record(p *paneText, g recordGroup, sty *Styles) {
	r := &g.rec
	protos := strings.Join(g.protos, " ")
	if protos == "" || protos == " " {
		protos = "all transports"
	}
	name := r.Name
	st := r.Status()
	if name == "" {
		name = r.Description
	}
	nameSt := sty.StatusSGR(st)
	if st == registry.Assigned {
		nameSt = sty.Bold
	}
	head := nameSt.Wrap(name) + " " + sty.Dim.Wrap(protos)
	if r.Lo != r.Hi {
		head += sty.Dim.Wrap(" " + strconv.Itoa(r.Lo) + "–" + strconv.Itoa(r.Hi))
	}
	p.add(ansi.Truncate(head, p.w, "…"))
	if r.Name != "" && r.Description != "" {
		p.wrapMax(r.Description, 2, 0, 3, SGR{})
	}
	d.people(p, "assignee", r.Assignee, sty)
	if !slices.Equal(r.Assignee, r.Contact) {
		d.people(p, "contact", r.Contact, sty)
	}
	for _, n := range r.RFCs {
		p.link("RFC "+strconv.Itoa(n), registry.RFCURL(n))
	}
	for _, dr := range r.Drafts {
		p.link(dr, registry.DraftURL(dr))
	}
	for _, u := range r.URIs {
		p.wrap(u, 2, 2, SGR{})
	}
	for _, t := range r.Texts {
		p.wrapMax(t, 2, 2, 2, sty.Dim)
	}
	var dates []string
	if r.Registered != "" {
		dates = append(dates, "registered "+r.Registered)
	}
	if r.Modified != "" {
		dates = append(dates, "modified "+r.Modified)
	}
	if len(dates) > 0 {
		p.add("  " + sty.Dim.Wrap(strings.Join(dates, " · ")))
	}
	if r.ServiceCode != "" {
		p.add("  DCCP service code " + r.ServiceCode)
	}
	if r.Note != "" {
		p.wrapMax("note: "+r.Note, 2, 2, 3, sty.Warn)
	}
	if r.Unauthorized != "" {
		p.wrapMax("unauthorized use: "+r.Unauthorized, 2, 2, 3, sty.Private)
	}
}

func (d *DetailState) people(p *paneText, role string, ids []string, sty *Styles) {
	for _, id := range ids {
		per := d.People[id]
		who := per.Display(id)
		if per.Name != "" && per.Org != "" {
			who += " (" + per.Org + ")"
		}
		if c := per.Contact(); c != "" {
			who += " " + c
		}
		p.wrap(sty.Dim.Wrap(role)+" "+who, 2, 2, SGR{})
	}
}

// DetailOverflow is how many lines of the pane's scrollable part do not
// fit in w×h: the largest useful Scroll.
func DetailOverflow(d DetailState, w, h int, sty *Styles) int {
	if w >= minTwoCol {
		_, rw := twoColWidths(w)
		return max(0, len(d.registryColumn(rw, sty))-h+1)
	}
	body, footer := d.singleColumn(w, h, sty)
	room := h
	if len(footer) > 0 {
		room -= len(footer) + 1
	}
	return max(0, len(body)-room+1)
}
