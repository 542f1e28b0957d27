package views

import (
	"fmt"
	"reflect"
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
	Run      registry.Run    // the run of Status holding Port
	Class    registry.Class
	Records  []registry.Record
	Names    []string                   // distinct service names of the records
	People   map[string]registry.Person // the records' assignees and contacts
	Listen   ListenState
	// Practice is what the port is commonly used for by portui's own
	// table of de-facto uses ("chronyd command port (chronyd(8))"), shown
	// after the registry records and never as IANA's data.
	Practice []string
	Scroll   int // first line shown of the scrollable part
	// Links: the terminal shows OSC 8 hyperlinks, so the references (RFCs,
	// drafts, IANA's record of each service) are links too.
	Links bool
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
	// Forwards are NAT rules that forward this port into a container
	// with no host socket behind them; they show in the host's group.
	Forwards []ForwardRow
	// Unavailable is why there is no live data at all (no scanner could
	// start); it replaces the poll state and the listeners.
	Unavailable string
	// Missing are the expectations file's required entries for this port
	// that nothing listens for ("nginx · expected.toml:4").
	Missing []string
	// Health is who is connected and how the listen counters moved
	// (live.go); nil: nothing to show.
	Health *HealthView
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

	// Place is where the listener lives, as its group's heading says it:
	// "" for the host's network namespace, "web1 (podman) · pod p1" for a
	// container, "netns pdemo" for another namespace. Rows come grouped
	// by place, host first; headings show when any row is not on the host.
	Place      string
	Unit       string         // systemd unit of its owners, "" if none
	Activation *ActivationRow // pid 1 holds it for a socket unit
	// ForwardTo is where a host-side proxy or placeholder socket forwards:
	// "web1 (podman) 10.88.0.5:80".
	ForwardTo string
	// Published lists the host ports that reach this container listener
	// ("127.0.0.1:8088 (conmon)").
	Published []string
	// Unpublished: a listener outside the host's namespace, bound to every
	// address, that nothing publishes.
	Unpublished bool
	// Expect is how the listener stands against the expectations file
	// ("expected · expected.toml:12 (443/tcp from nginx)", "unexpected ·
	// no entry allows it"); "" without a file. ExpectOK: it is expected.
	Expect   string
	ExpectOK bool
	// Looks are the kinds of the listener's findings that Expect does not
	// already say ("exposed-system-port"): why its cell is marked !.
	Looks []string
	// Live is its queue and socket facts (live.go).
	Live LiveFacts
}

// ActivationRow is systemd socket activation: pid 1 holds the socket of
// unit Socket and starts Service on the first connection.
type ActivationRow struct {
	Socket, Service string
	Running         bool
}

// ForwardRow is a host port forwarded by a NAT rule alone (no socket on
// the host holds it): "tcp 0.0.0.0:8080 nat → web1 (docker) 172.17.0.2:80".
type ForwardRow struct {
	Proto, Host, To, Via string
}

// ProcRow is a process holding a listener.
type ProcRow struct {
	PID        int
	Name, User string
	// Command is what the pane shows of the command line: argv[0]'s base
	// name and the arguments (scan.Process.Command), wrapped in full.
	Command string
}

// minTwoCol is the pane width from which the registry records get a column
// of their own.
const minTwoCol = 2*44 + 3

// Detail renders the pane as exactly h lines of width w.
//
// The layout keeps lines in place as the selection moves, because the
// renderer rewrites everything between the first and last changed cell of a
// screen row: the port and its statuses come first and stay at the top when
// the pane scrolls (J/K), the range class is anchored to the bottom (it
// only changes between blocks), and the variable parts (listeners,
// records) sit in between.
func Detail(d DetailState, w, h int, sty *Styles) []string {
	cols, _ := d.layout(w, h, sty)
	var out []string
	for k, c := range cols {
		lines := scrolled(c.head, c.body, c.footer, c.body.w, h, d.Scroll, sty)
		if k == 0 {
			out = lines
			continue
		}
		sep := sty.Rule.Wrap(" " + sty.G.VRule + " ")
		for i := range out {
			out[i] += sep + lines[i]
		}
	}
	return out
}

// DetailOverflow is how many lines of the pane's scrollable part do not
// fit in w×h: the largest useful Scroll.
func DetailOverflow(d DetailState, w, h int, sty *Styles) int {
	_, over := d.layout(w, h, sty)
	return over
}

// layout is the pane's text in w×h, column by column (left to right), and
// how far it scrolls. From minTwoCol on there are two columns: the port
// and what is live on the left, the registry and the range class on the
// right; J/K scroll both.
func (d *DetailState) layout(w, h int, sty *Styles) (cols []paneLines, overflow int) {
	if w >= minTwoCol {
		lw, rw := twoColWidths(w)
		cols = []paneLines{d.leftColumn(lw, h, sty), {body: d.registryColumn(rw, sty)}}
	} else {
		cols = []paneLines{d.singleColumn(w, h, sty)}
	}
	for _, c := range cols {
		overflow = max(overflow, len(c.body.lines)-bodyRoom(c.head, c.footer, h))
	}
	return cols, overflow
}

func twoColWidths(w int) (lw, rw int) {
	lw = (w - 3) / 2
	return lw, w - 3 - lw
}

// paneLines is a pane's text split by what scrolls: the head stays at
// the top, the footer at the bottom, the body scrolls between them.
type paneLines struct{ head, body, footer paneText }

// pinHead returns the head and body of a pane room lines tall (what is
// left besides the footer): the head stays at the top only when at least
// three lines of body remain beside it; else it scrolls with the body.
func pinHead(head, body paneText, room int) (paneText, paneText) {
	if room-len(head.lines) >= 3 {
		return head, body
	}
	head.extend(body)
	return paneText{}, head
}

// live is the head (the port's title and statuses) and the start of the
// body: its run and the "Listening now" section.
func (d *DetailState) live(w int, sty *Styles) (head, body paneText) {
	head, body = d.top(w, sty)
	body.blank()
	d.listen(&body, sty)
	return head, body
}

// leftColumn is the left column of the two-column pane.
func (d *DetailState) leftColumn(w, h int, sty *Styles) paneLines {
	head, body := d.live(w, sty)
	var out paneLines
	out.head, out.body = pinHead(head, body, h)
	return out
}

// registryColumn is the right column of the two-column pane: the records,
// then the range class.
func (d *DetailState) registryColumn(w int, sty *Styles) paneText {
	right := newPane(w, sty)
	d.records(&right, sty)
	right.blank()
	right.extend(d.class(w, sty))
	return right
}

// singleColumn is the one-column pane: the head, the scrollable body and,
// when it is pinned to the bottom, the range class footer.
func (d *DetailState) singleColumn(w, h int, sty *Styles) paneLines {
	head, p := d.live(w, sty)
	p.blank()
	d.records(&p, sty)
	var out paneLines
	class := d.class(w, sty)
	room := h
	if anchorClass(len(class.lines), h) {
		out.footer = class
		room -= len(class.lines) + 1
	} else {
		p.blank()
		p.extend(class)
	}
	out.head, out.body = pinHead(head, p, room)
	return out
}

// anchorClass reports whether the class footer (n lines) is pinned to the
// bottom of a pane h lines tall: when it takes at most a quarter of it;
// otherwise it scrolls after the records. Pinned, it never moves, which
// halves the bytes a cursor move costs on an 80×24 screen (measured).
func anchorClass(n, h int) bool { return (n+1)*4 <= h }

// bodyRoom is how many lines the body gets in a pane h lines tall.
func bodyRoom(head, footer paneText, h int) int {
	room := h - len(head.lines) - len(footer.lines)
	if len(footer.lines) > 0 {
		room-- // a blank line above the footer
	}
	return room
}

// scrolled fits head, body (from line off) and the bottom-anchored footer
// into w×h, with a "more" line when the body does not fit.
func scrolled(head, body, footer paneText, w, h, off int, sty *Styles) []string {
	room := bodyRoom(head, footer, h)
	out := newPane(w, sty)
	out.extend(head)
	if room > 0 {
		off = max(0, min(off, len(body.lines)-room))
		end := len(body.lines)
		if end-off > room {
			end = off + room - 1
		}
		out.lines = append(out.lines, body.lines[off:end]...)
		out.widths = append(out.widths, body.widths[off:end]...)
		if more := len(body.lines) - end; more > 0 {
			out.line(sty.Dim.of(fmt.Sprintf("%s %d more%sJ/K scroll", sty.G.Down, more, sty.G.Sep)))
		}
		for len(out.lines) < len(head.lines)+room {
			out.add("", 0)
		}
	}
	if len(footer.lines) > 0 {
		out.add("", 0)
		out.extend(footer)
	}
	return out.block(h)
}

// top is the port's title and statuses (the head, pinned at the top) and
// its run (which scrolls).
func (d *DetailState) top(w int, sty *Styles) (head, rest paneText) {
	p := newPane(w, sty)
	title := []span{sty.Title.of("Port " + strconv.Itoa(d.Port)), txt(" "), sty.StatusSGR(d.Status).of(d.Status.String())}
	if d.ViewName != "" {
		title = append(title, sty.Dim.of(" ("+d.ViewName+")"))
	}
	if len(d.Names) > 0 {
		title = append(title, sty.Dim.of(strings.TrimRight(sty.G.Sep, " ")), txt(" "+strings.Join(d.Names, " ")))
	}
	p.line(title...)
	var parts []span
	for i, ps := range d.Protos {
		if i > 0 {
			parts = append(parts, sty.Dim.of(strings.TrimRight(sty.G.Sep, " ")), txt(" "))
		}
		parts = append(parts, txt(ps.Proto+glue), sty.StatusSGR(ps.Status).of(ps.Status.String()))
	}
	p.wrap(0, 0, parts...)
	r := newPane(w, sty)
	run := d.runText(sty.G, false)
	if ansi.StringWidth(run) > w {
		run = d.runText(sty.G, true)
	}
	r.wrap(0, 2, txt(run))
	return p, r
}

// runText is "325–332: unassigned run, 8 ports", or short "325–332:
// unassigned, 8 ports" (for the narrowest panes).
func (d *DetailState) runText(g *Glyphs, short bool) string {
	r := d.Run
	if r.Lo == r.Hi {
		return fmt.Sprintf("%d: %s, 1 port", r.Lo, r.Status)
	}
	run := " run"
	if short {
		run = ""
	}
	return fmt.Sprintf("%s: %s%s, %d ports", Range(r.Lo, r.Hi, g), r.Status, run, r.Len())
}

// listen: the "Listening now" section.
func (d *DetailState) listen(p *paneText, sty *Styles) {
	l := &d.Listen
	sep, ell := sty.G.Sep, sty.G.Ellipsis
	var when string
	switch {
	case l.Unavailable != "":
		p.fitRight([]span{sty.Head.of("Listening now")}, []span{sty.Err.of("unavailable")})
		p.wrap(0, 2, sty.Dim.of(l.Unavailable))
		return
	case l.Paused && l.Polled != "":
		when = "paused" + sep + l.Polled
	case l.Paused:
		when = "paused"
	case l.Polled == "":
		when = "polling" + ell
	default:
		when = "live" + sep + l.Polled
	}
	p.fitRight([]span{sty.Head.of("Listening now")}, []span{sty.Dim.of(when)})
	if len(l.Rows) == 0 && len(l.Forwards) == 0 && l.Polled != "" {
		p.wrap(0, 2, sty.Dim.of("nothing listens on "+strconv.Itoa(d.Port)))
	}
	d.placedRows(p, sty)
	d.health(p, sty)
	for _, m := range l.Missing {
		p.wrap(0, 2, sty.Private.of("expected here, not listening:"), txt(" "+m))
	}
	if len(l.Changes) > 0 {
		p.line(sty.Dim.of("changes since " + l.Since + ":"))
		for _, c := range l.Changes {
			sign := sty.Listen.of("+")
			if !c.Appeared {
				sign = sty.Private.of(sty.G.Minus)
			}
			p.wrap(0, 2, sign, txt(" "), sty.Dim.of(c.At), txt(" "+changeLine(c.Row)))
		}
	}
	if l.Hint != "" && len(l.Rows) > 0 {
		p.wrap(0, 2, sty.Dim.of(l.Hint))
	}
}

// placedRows is the listeners (and NAT forwards), grouped by where they
// live: the host first, then the other places in the order of the rows.
// On a port whose listeners are all on the host no heading shows (the
// pane reads as it always did); otherwise each group has one and its rows
// are indented under it.
func (d *DetailState) placedRows(p *paneText, sty *Styles) {
	l := &d.Listen
	grouped, hostRows := false, false
	for i := range l.Rows {
		grouped = grouped || l.Rows[i].Place != ""
		hostRows = hostRows || l.Rows[i].Place == ""
	}
	in := 0
	if grouped {
		in = 2
	}
	heading := func(place string) {
		if !grouped {
			return
		}
		if place == "" {
			p.wrap(0, 2, sty.Head.of("host"))
			return
		}
		// "web1 (podman) · pod p1": the name stands out, the rest is dim.
		name, rest, _ := strings.Cut(place, sty.G.Sep)
		sp := []span{sty.Head.of(name)}
		if rest != "" {
			sp = append(sp, sty.Dim.of(sty.G.Sep+rest))
		}
		p.wrap(0, 2, sp...)
	}
	if hostRows || len(l.Forwards) > 0 {
		heading("")
		for _, r := range l.Rows {
			if r.Place == "" {
				d.listenerLines(p, r, in, sty)
			}
		}
		for _, f := range l.Forwards {
			p.wrap(in, 2, sty.Bold.of(f.Proto), txt(" "+f.Host+" "), sty.Listen.of("published"),
				sty.Dim.of(" ("+f.Via+")"), txt(" "+sty.G.Arrow+" "+f.To))
		}
	}
	last := ""
	for _, r := range l.Rows {
		if r.Place == "" {
			continue
		}
		if r.Place != last {
			heading(r.Place)
			last = r.Place
		}
		d.listenerLines(p, r, in, sty)
	}
}

// listenerLines is one listener: the socket, where it is published or
// forwards to, its activation and unit, then each process and its command
// line in full (the pane scrolls; only absurd lengths are cut). in
// indents it all (under a place's heading).
func (d *DetailState) listenerLines(p *paneText, r ListenerRow, in int, sty *Styles) {
	head := []span{sty.Bold.of(r.Proto), txt(" " + r.Addr + " "), sty.Dim.of(r.Scope)}
	if r.DualStack {
		head = append(head, sty.Dim.of(" +v4"))
	}
	if r.Private {
		head = append(head, txt(" "), sty.Private.of("private"+glue+"use"))
	}
	p.wrap(in, 2, head...)
	d.liveFacts(p, r, in, sty)
	if r.Expect != "" {
		st := sty.Private
		if r.ExpectOK {
			st = sty.Dim
		}
		p.wrap(in+2, 2, st.of(r.Expect))
	}
	if len(r.Looks) > 0 {
		p.wrap(in+2, 2, sty.Private.of(sty.G.Private+" "+strings.Join(r.Looks, sty.G.Sep)))
	}
	// What the socket is for comes before who holds it: a proxy's command
	// line (conmon's runs to 2 kB) must not push "published → …" out of
	// sight.
	d.listenerNotes(p, r, in, sty)
	for _, pr := range r.Procs {
		line := []span{sty.Bold.of(pr.Name), txt(" pid" + glue + strconv.Itoa(pr.PID))}
		if pr.User != "" {
			line = append(line, sty.Dim.of(sty.G.Sep+pr.User))
		}
		p.wrap(in+2, 2, line...)
		if pr.Command != "" && pr.Command != pr.Name {
			cmd, more := capText(pr.Command, maxText)
			sp := []span{sty.Dim.of(cmd)}
			if more > 0 {
				sp = append(sp, txt(" "+sty.moreBytes(more, "")))
			}
			p.wrap(in+4, 0, sp...)
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
				why = "owner " + r.Owner + sty.G.Sep + why
			}
		}
		p.wrap(in+2, 2, sty.Dim.of(why))
	}
}

// listenerNotes: where a listener is published or forwards to, its
// systemd unit and socket activation.
func (d *DetailState) listenerNotes(p *paneText, r ListenerRow, in int, sty *Styles) {
	arrow := sty.G.Arrow
	if r.ForwardTo != "" {
		p.wrap(in+2, 2, sty.Listen.of("published"), txt(" "+arrow+" "+r.ForwardTo))
	}
	if len(r.Published) > 0 {
		p.wrap(in+2, 2, sty.Listen.of("published"), txt(" on "+strings.Join(r.Published, ", ")))
	}
	if r.Unpublished {
		p.wrap(in+2, 2, sty.Dim.of("not published: reachable only inside its network namespace"))
	}
	if a := r.Activation; a != nil {
		sp := []span{txt(a.Socket)}
		if a.Service != "" {
			sp = append(sp, txt(" "+arrow+" "+a.Service))
		}
		if a.Running {
			sp = append(sp, sty.Dim.of(" (running)"))
		} else {
			sp = append(sp, sty.Dim.of(" (not running, starts on connect)"))
		}
		p.wrap(in+2, 2, sp...)
	}
	if r.Unit != "" && (r.Activation == nil || r.Unit != r.Activation.Socket) {
		p.wrap(in+2, 2, sty.Dim.of("unit"), txt(" "+r.Unit))
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
	if r.Place != "" {
		s += " in " + r.Place
	}
	return s
}

// class renders the range class footer.
func (d *DetailState) class(w int, sty *Styles) paneText {
	p := newPane(w, sty)
	c := d.Class
	p.line(sty.Head.of(c.Title), sty.Dim.of(" "+Range(c.Lo, c.Hi, sty.G)))
	// The brief form, two lines at most: the footer sits on every screen
	// and must not crowd out the records (lookup and y give the full text).
	p.wrapMax(0, 0, 2, sty.Dim.of(strings.ReplaceAll(c.Brief, " · ", sty.G.Sep)))
	return p
}

// records: the registry section, records identical but for the transport
// merged into one entry ("ssh  tcp udp").
func (d *DetailState) records(p *paneText, sty *Styles) {
	p.line(sty.Head.of("Registry"))
	if len(d.Records) == 0 {
		p.line(sty.Dim.of("no record: unassigned"))
		d.practice(p, sty)
		return
	}
	for _, g := range groupRecords(d.Records) {
		d.record(p, g, sty)
	}
	d.practice(p, sty)
}

// practice: the de-facto uses of the port, from portui's table, set off
// from IANA's records above them.
func (d *DetailState) practice(p *paneText, sty *Styles) {
	if len(d.Practice) == 0 {
		return
	}
	p.wrap(0, 2, sty.Head.of("In practice"), sty.Dim.of(" (portui's table, not IANA's)"))
	for _, u := range d.Practice {
		p.wrap(2, 2, sty.Dim.of("commonly:"), txt(" "+u))
	}
}

type recordGroup struct {
	rec    registry.Record
	protos []string
}

func groupRecords(recs []registry.Record) []recordGroup {
	var out []recordGroup
next:
	for _, r := range recs {
		for i := range out {
			if sameButProto(out[i].rec, r) {
				out[i].protos = append(out[i].protos, r.Proto)
				continue next
			}
		}
		out = append(out, recordGroup{rec: r, protos: []string{r.Proto}})
	}
	return out
}

// sameButProto reports whether two records differ at most in their
// transport. (Not by formatting them: that costs as much as their text is
// long, on every frame.)
func sameButProto(a, b registry.Record) bool {
	a.Proto, b.Proto = "", ""
	return reflect.DeepEqual(a, b)
}

// longText wraps a registry text in full, or its first maxText bytes and
// a line saying how much more there is and where to read it.
func (d *DetailState) longText(p *paneText, indent, hang int, sty *Styles, st SGR, label, text string) {
	t, more := capText(text, maxText)
	sp := []span{st.of(label + t)}
	if more > 0 {
		sp = append(sp, txt(" "+sty.moreBytes(more, "portui lookup "+strconv.Itoa(d.Port))))
	}
	p.wrap(indent, hang, sp...)
}

func (d *DetailState) record(p *paneText, g recordGroup, sty *Styles) {
	r := &g.rec
	protos := strings.Join(g.protos, " ")
	if protos == "" || protos == " " {
		protos = "all transports"
	}
	st := r.Status()
	nameSt := sty.StatusSGR(st)
	if st == registry.Assigned {
		nameSt = sty.Bold
	}
	head := []span{}
	if r.Name != "" {
		// The name links to IANA's record of it.
		head = append(head, linkSGR(d.Links, IANAServiceURL(r.Name)).and(nameSt).of(r.Name))
	} else {
		// No name: the description is the heading (capped like any text).
		t, _ := capText(r.Description, maxText)
		head = append(head, nameSt.of(t))
	}
	head = append(head, sty.Dim.of(" "+protos))
	if r.Lo != r.Hi {
		head = append(head, sty.Dim.of(" "+Range(r.Lo, r.Hi, sty.G)))
	}
	p.wrap(0, 2, head...)
	if r.Name != "" && r.Description != "" {
		d.longText(p, 2, 0, sty, SGR{}, "", r.Description)
	}
	d.people(p, "assignee", r.Assignee, sty)
	if !slices.Equal(r.Assignee, r.Contact) {
		d.people(p, "contact", r.Contact, sty)
	}
	for _, n := range r.RFCs {
		p.link("RFC "+strconv.Itoa(n), registry.RFCURL(n), d.Links)
	}
	for _, dr := range r.Drafts {
		p.link(dr, registry.DraftURL(dr), d.Links)
	}
	for _, u := range r.URIs {
		p.wrap(2, 2, txt(u))
	}
	for _, t := range r.Texts {
		d.longText(p, 2, 2, sty, sty.Dim, "", t)
	}
	var dates []string
	if r.Registered != "" {
		dates = append(dates, "registered "+r.Registered)
	}
	if r.Modified != "" {
		dates = append(dates, "modified "+r.Modified)
	}
	if len(dates) > 0 {
		p.wrap(2, 2, sty.Dim.of(strings.Join(dates, sty.G.Sep)))
	}
	if r.ServiceCode != "" {
		p.wrap(2, 2, txt("DCCP service code "+r.ServiceCode))
	}
	if r.Note != "" {
		d.longText(p, 2, 2, sty, sty.Warn, "note: ", r.Note)
	}
	if r.Unauthorized != "" {
		d.longText(p, 2, 2, sty, sty.Private, "unauthorized use: ", r.Unauthorized)
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
		p.wrap(2, 2, sty.Dim.of(role), txt(" "+who))
	}
}

// link adds "label url" on one line, or the url on a line of its own
// under the label when they do not fit together; a URL is never broken
// (it would not survive copying), only shortened to its host and path
// when even its own line is too narrow. With links on (the terminal
// shows OSC 8 hyperlinks) label and url are hyperlinks to url.
func (p *paneText) link(label, url string, links bool) {
	ln := linkSGR(links, url)
	if 2+len(label)+1+len(url) <= p.w {
		p.line(txt("  "), ln.of(label+" "+url)) // one link: set and reset once
		return
	}
	p.line(txt("  "), ln.of(label))
	if len(url)+4 > p.w {
		url = strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "www.")
	}
	p.line(txt("    "), ln.of(url))
}
