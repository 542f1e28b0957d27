package report

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// WriteText implements Document: a table like `ss -tulnp`, the address
// column as ss shows it (0.0.0.0%v0:444 for a socket bound to a device,
// *:8080 for :: that also accepts IPv4), so that it says the scope
// itself; the listeners on private-use ports are counted under it.
//
// When a listener lives elsewhere than on the host or says more about
// itself (its systemd unit, a published port, socket activation), a last
// column WHERE says where (audit.Place: "web1 (podman)", "netns pdemo",
// "nginx.service", "host"), and a line under the row links it to the
// other side of a published port or to what it activates
// (audit.Details). A host with 8-character service and process names
// keeps every row within 100 columns (TestListenersWhereGolden).
func (d ListenersDoc) WriteText(w io.Writer, st Styles) error {
	p := &printer{w: w}
	if len(d.Listeners) == 0 {
		msg := "No listeners."
		if d.selection != "" {
			msg = "No listeners " + d.selection + "."
		}
		p.line(st.Dim.Render(msg))
		return p.err
	}
	const ncols = 7
	cells := make([]string, ncols*len(d.Listeners)) // every row's cells: one allocation, not one per row
	rows := make([][]string, 0, len(d.Listeners))
	details := make([][]string, 0, len(d.Listeners))
	hidden, why, private, showWhere := 0, "", 0, false
	for i := range d.Listeners {
		l := &d.Listeners[i]
		if l.Private {
			private++
		}
		where, more := l.whereText()
		showWhere = showWhere || where != "host" || len(more) > 0
		r := cells[i*ncols : (i+1)*ncols : (i+1)*ncols]
		r[0], r[1], r[2], r[3], r[4], r[5], r[6] = l.Proto, l.addressText(), dash(l.Service), st.Status(l.Status), procLabel(l), userLabel(l), where
		rows = append(rows, r)
		details = append(details, more)
		if len(l.Processes) == 0 {
			if hidden == 0 {
				why = l.Hidden
			}
			hidden++
		}
	}
	headers := []string{"PROTO", "LOCAL ADDRESS", "SERVICE", "STATUS", "PID/PROCESS", "USER", "WHERE"}
	if !showWhere {
		headers = headers[:len(headers)-1]
		for i := range rows {
			rows[i] = rows[i][:len(headers)]
		}
	}
	if showWhere {
		fitWhere(rows, details)
	}
	styled := make([]string, len(headers))
	for i, h := range headers {
		styled[i] = st.Header.Render(h)
	}
	// The table and the detail lines under its rows, in one buffer and
	// one write (Table, then a write per line, cost a copy and an
	// allocation per line at 10,000 listeners).
	out := appendAligned(nil, "", styled, rows, func(b []byte, i int) []byte {
		for _, m := range details[i] {
			b = append(b, detailIndent...)
			b = append(b, st.Dim.Render("↳ "+m)...)
			b = append(b, '\n')
		}
		return b
	})
	p.write(out)
	if private > 0 || hidden > 0 {
		p.line()
	}
	if private > 0 {
		p.line(st.Dim.Render(fmt.Sprintf("%d listener(s) on ports IANA has not assigned for their transport: private use", private)))
	}
	if hidden > 0 {
		p.line(st.Dim.Render(fmt.Sprintf("%d listener(s) without a visible process: %s", hidden, why)))
	}
	return p.err
}

// listenersWidth is the width the listeners table keeps within.
const listenersWidth = 100

// minWhere is the narrowest the WHERE column is cut to.
const minWhere = 16

// fitWhere cuts the WHERE cells (the last column) that would take a row
// past listenersWidth, with an ellipsis, and says the whole place on a
// detail line first ("↳ in web-a (podman, pod demo)"): a long container
// or pod name costs a line, not the width of every row.
func fitWhere(rows, details [][]string) {
	last := len(rows[0]) - 1
	widths := make([]int, last)
	for _, r := range rows {
		for j := range last {
			widths[j] = max(widths[j], cellWidth(r[j]))
		}
	}
	used := 0
	for _, w := range widths {
		used += w + columnGap
	}
	avail := max(listenersWidth-used, minWhere)
	for i, r := range rows {
		if cellWidth(r[last]) <= avail {
			continue
		}
		details[i] = append([]string{"in " + r[last]}, details[i]...)
		r[last] = ansi.Truncate(r[last], avail, "…")
	}
}

// detailIndent puts a listener's detail lines under its address: the
// width of the PROTO column and the gap after it.
var detailIndent = strings.Repeat(" ", len("PROTO")+columnGap)

// whereText is the WHERE cell and the detail lines of l: computed when
// the document was built, or (a document decoded or built by hand) from
// its fields, in the same words.
func (l *Listener) whereText() (string, []string) {
	if l.where != "" {
		return l.where, l.details
	}
	sl := scan.Listener{
		NetNS:     scan.NetNS{Inode: l.NetNS.Inode, Host: l.NetNS.Host, Path: l.NetNS.Path, PID: l.NetNS.PID},
		Container: l.Container.scan(), Unit: l.Unit,
	}
	for _, p := range l.Processes {
		sl.Procs = append(sl.Procs, scan.Process{PID: p.PID, Name: p.Name})
	}
	for _, m := range l.Published {
		sl.Published = append(sl.Published, scan.PortMap{Proto: m.Proto, Host: addrPort(m.HostAddress, m.HostPort), Via: m.Via})
	}
	if f := l.ForwardsTo; f != nil {
		sl.Forward = &scan.PortMap{Proto: f.Proto, Target: addrPort(f.Address, f.Port), Via: f.Via, Container: f.Container.scan(), TargetNetNS: f.NetNS}
	}
	if a := l.Activation; a != nil {
		sl.Activation = &scan.Activation{Socket: a.Socket, Service: a.Service, Running: a.Running}
	}
	return audit.Place(sl), audit.Details(sl)
}

func (c *Container) scan() *scan.Container {
	if c == nil {
		return nil
	}
	return &scan.Container{Runtime: c.Runtime, ID: c.ID, Name: c.Name, Pod: c.Pod}
}

// addrPort is an address and port of a document; the zero AddrPort when
// the address does not parse (the wording shows "?").
func addrPort(addr string, port int) netip.AddrPort {
	a, err := netip.ParseAddr(addr)
	if err != nil || port < 0 || port > 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, uint16(port))
}

func (l *Listener) endpointText() string {
	if l.endpoint != "" {
		return l.endpoint
	}
	// A document decoded or built by hand: the same form from its fields.
	a := l.Address
	if strings.Contains(a, ":") {
		a = "[" + a + "]"
	}
	if l.Interface != "" {
		a += "%" + l.Interface
	}
	return a + ":" + strconv.Itoa(l.Port)
}

// addressText is the LOCAL ADDRESS cell: endpointText, with a wildcard
// :: that also accepts IPv4 written * as ss writes it (*:8080).
func (l *Listener) addressText() string {
	if l.DualStack && l.Address == "::" {
		a := "*"
		if l.Interface != "" {
			a += "%" + l.Interface
		}
		return a + ":" + strconv.Itoa(l.Port)
	}
	return l.endpointText()
}

func procLabel(l *Listener) string {
	if len(l.Processes) == 0 {
		return "-"
	}
	// "PID/name,PID/name" built in place: one allocation per row.
	n := len(l.Processes) - 1
	for _, p := range l.Processes {
		n += 21 + len(p.Name)
	}
	var b strings.Builder
	b.Grow(n)
	var num [20]byte
	for i, p := range l.Processes {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(strconv.AppendInt(num[:0], int64(p.PID), 10))
		b.WriteByte('/')
		b.WriteString(p.Name)
	}
	return b.String()
}

func userLabel(l *Listener) string {
	switch {
	case l.User != "":
		return l.User
	case l.UID >= 0:
		return "uid " + strconv.Itoa(l.UID)
	}
	return "-"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteText implements Document: findings under their rule's title, one
// line per group naming every address, then the verdict.
func (d AuditDoc) WriteText(w io.Writer, st Styles) error {
	p := &printer{w: w}
	for _, r := range audit.Rules {
		var lines []string
		for _, g := range d.Groups {
			if g.Kind == string(r.Kind) {
				lines = append(lines, "  "+g.Message)
			}
		}
		if len(lines) == 0 {
			continue
		}
		p.line(st.Warn.Render(r.Title), " ", st.Dim.Render(fmt.Sprintf("(%d)", len(lines))))
		p.line(strings.Join(lines, "\n"))
		p.line()
	}
	v := d.Verdict
	if len(d.Groups) > 0 {
		v = st.Warn.Render(v)
	}
	p.line(v)
	return p.err
}

// WriteText implements Document: a reference page for one port, a table
// for several, then the records registered without a port.
func (d LookupDoc) WriteText(w io.Writer, st Styles) error {
	p := &printer{w: w}
	switch {
	case len(d.Ports) == 1:
		d.writePortPage(p, d.Ports[0], st)
	case len(d.Ports) > 1:
		if d.byName {
			p.line(st.Title.Render(d.Query), fmt.Sprintf(" is registered on %d ports:", len(d.Ports)))
			p.line()
		}
		writePortTable(p, d.Ports, st)
	}
	if len(d.Unbound) > 0 {
		if len(d.Ports) > 0 {
			p.line()
		}
		p.line(st.Title.Render("Registered without a port"), st.Dim.Render(" (service name only, e.g. for DNS-SD)"))
		for _, ri := range d.Unbound {
			writeRecord(p, ri, st)
		}
	}
	return p.err
}

func (d LookupDoc) writePortPage(p *printer, pi PortInfo, st Styles) {
	p.line(st.Title.Render(fmt.Sprintf("Port %d", pi.Port)), "  ", st.Status(pi.Status), "  ",
		st.Dim.Render(fmt.Sprintf("· %s %d–%d", pi.Class.Title, pi.Class.Lo, pi.Class.Hi)))
	per := make([]string, 0, len(registry.Protocols))
	for _, proto := range registry.Protocols {
		per = append(per, proto+" "+st.Status(pi.StatusByProto[proto]))
	}
	p.line("  ", strings.Join(per, " · "))
	for _, l := range PracticeLines(pi) {
		p.line("  ", l)
	}
	p.line("  ", pi.Class.Title, ": ", pi.Class.Explain)
	if pi.Status != registry.Assigned.String() {
		p.line("  ", st.Warn.Render("A listener here is private use: nothing is registered on this port."))
	}
	p.line()
	p.line(runSentence(pi))
	p.line()
	if len(pi.Records) == 0 {
		why := ""
		if pi.Class.Name == "dynamic" {
			why = ": IANA never assigns dynamic/private ports"
		}
		p.line(st.Dim.Render("No IANA record covers this port" + why + "."))
	} else {
		p.line(st.Title.Render("Records"))
		for _, ri := range pi.Records {
			writeRecord(p, ri, st)
		}
	}
	p.line()
	p.line(st.Title.Render("Neighbours"))
	var rows [][]string
	for _, s := range registry.Statuses {
		name := s.String()
		left, right := "", ""
		if prev, ok := pi.Previous[name]; ok {
			left = joinNonEmpty("←", strconv.Itoa(prev), d.services[prev])
		}
		if next, ok := pi.Next[name]; ok {
			right = joinNonEmpty(strconv.Itoa(next), d.services[next], "→")
		}
		rows = append(rows, []string{name, left, right})
	}
	p.block(Table(st, "  ", nil, rows))
}

func joinNonEmpty(parts ...string) string {
	out := parts[:0:0]
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// runSentence is "Ports 325–332: the unassigned run containing 326 (8 ports)."
func runSentence(pi PortInfo) string {
	r := pi.Run
	if r.Lo == r.Hi {
		return fmt.Sprintf("Port %d stands alone: its neighbours' status differs (a run of 1 %s port).", pi.Port, r.Status)
	}
	return fmt.Sprintf("Ports %d–%d: the %s run containing %d (%d ports).", r.Lo, r.Hi, r.Status, pi.Port, r.Length)
}

func writeRecord(p *printer, ri RecordInfo, st Styles) {
	name := ri.Service
	if name == "" {
		name = "—"
	}
	proto := ri.Proto
	if proto == "" {
		proto = "all transports"
	}
	head := st.Title.Render(fmt.Sprintf("  %s/%s", name, proto))
	if strings.Contains(ri.Ports, "-") {
		head += " " + st.Dim.Render("ports "+ri.Ports)
	}
	desc := strings.Split(ri.Description, "\n")
	p.line(TrimRight(head + "  " + st.Status(ri.Status) + "  " + desc[0]))
	for _, l := range desc[1:] {
		p.line(TrimRight("      " + l))
	}
	field := func(label, value string) {
		if value == "" {
			return
		}
		lines := strings.Split(value, "\n")
		// A styled value of several lines comes padded to its widest line.
		p.line(TrimRight("      " + st.Header.Render(fmt.Sprintf("%-12s", label)) + " " + lines[0]))
		for _, l := range lines[1:] {
			p.line(TrimRight("      " + strings.Repeat(" ", 13) + l))
		}
	}
	field("assignee", peopleText(ri.Assignee, st))
	field("contact", peopleText(ri.Contact, st))
	var refs []string
	for _, r := range ri.RFCs {
		refs = append(refs, r.ID+"  "+st.Link.Render(r.URL))
	}
	for _, r := range ri.Drafts {
		refs = append(refs, r.ID+"  "+st.Link.Render(r.URL))
	}
	for _, u := range ri.URIs {
		refs = append(refs, st.Link.Render(u))
	}
	refs = append(refs, ri.Texts...)
	field("references", strings.Join(refs, "\n"))
	field("registered", ri.Registered)
	field("modified", ri.Modified)
	field("note", ri.Note)
	if ri.Unauthorized != "" {
		field("unauthorized", st.Warn.Render(ri.Unauthorized))
	}
	field("service code", ri.ServiceCode)
}

func peopleText(ps []PersonInfo, st Styles) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		s := p.Display
		if p.Org != "" && p.Org != p.Display {
			s += " (" + p.Org + ")"
		}
		if p.URI != "" {
			s += " " + st.Link.Render("<"+p.URI+">")
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func writePortTable(p *printer, ports []PortInfo, st Styles) {
	rows := make([][]string, 0, len(ports))
	for _, pi := range ports {
		svc, desc := "", ""
		for _, r := range pi.Records {
			if svc == "" && r.Service != "" {
				svc = r.Service
			}
			if desc == "" && r.Description != "" {
				desc, _, _ = strings.Cut(r.Description, "\n")
			}
		}
		run := strconv.Itoa(pi.Run.Lo)
		if pi.Run.Length > 1 {
			run += "–" + strconv.Itoa(pi.Run.Hi)
		}
		rows = append(rows, []string{
			fmt.Sprintf("%5d", pi.Port), st.Status(pi.Status), st.Status(pi.StatusByProto["tcp"]),
			st.Status(pi.StatusByProto["udp"]), st.Dim.Render(run), svc, desc,
		})
	}
	p.block(Table(st, "", []string{" PORT", "STATUS", "TCP", "UDP", "RUN", "SERVICE", "DESCRIPTION"}, rows))
}

// WriteText implements Document: the matches as a table, best first.
func (d SearchDoc) WriteText(w io.Writer, st Styles) error {
	p := &printer{w: w}
	if len(d.Matches) == 0 {
		p.line(st.Dim.Render(fmt.Sprintf("No port matches %q.", d.Query)))
		return p.err
	}
	rows := make([][]string, 0, len(d.Matches))
	for _, m := range d.Matches {
		rows = append(rows, []string{fmt.Sprintf("%5d", m.Port), dash(m.Service), st.Status(m.Status), m.Match, m.Description})
	}
	p.block(Table(st, "", []string{" PORT", "SERVICE", "STATUS", "MATCH", "DESCRIPTION"}, rows))
	if more := d.Total - len(d.Matches); more > 0 {
		p.line(st.Dim.Render(fmt.Sprintf("%d more: --limit 0 lists all %d.", more, d.Total)))
	}
	return p.err
}

// WriteText implements Document.
func (d RegistryDoc) WriteText(w io.Writer, st Styles) error {
	p := &printer{w: w}
	where := "embedded in this binary"
	if d.Path != "" {
		where = d.Path
	}
	rows := [][]string{
		{"active", d.Kind + " (" + where + ")"},
		{"IANA date", d.Updated},
		{"records", strconv.Itoa(d.Records)},
		{"source", d.File + " (" + d.Format + ")"},
		{"sha256", d.SHA256},
	}
	for _, r := range rows {
		r[0] = st.Header.Render(r[0])
	}
	p.block(Table(st, "", nil, rows))
	for _, w := range d.Warnings {
		p.line(st.Warn.Render("warning: " + w))
	}
	if d.hint != "" {
		p.line(st.Dim.Render(d.hint))
	}
	return p.err
}
