package model

import (
	"cmp"
	"image"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// The table of every listener (issue 10, key L): every listener the
// explorer knows (the machine-wide set, every namespace's), narrowed by
// the scope (s), the grid's filter classes (f) and a text typed with /,
// sorted by any column (< and > move the sort column, r reverses it).
// enter selects the cursor's port in the grid and goes back to it.
//
// The rows are built when what they show changes — the set (a poll that
// changed something), the scope, the filter, the text, the sort — and kept
// in a memo that every copy of the model shares: it is keyed by all of
// that, so a copy whose key differs rebuilds rather than see another's
// rows. A frame formats the rows on screen only; the column widths come
// from every row at build time, so they stay put while the cursor moves.

// tableState is the table's part of the model.
type tableState struct {
	cursor, top int // the cursor's row and the first row on screen, in the shown rows
	// curKey is the listener the cursor was put on: when polls add or
	// remove rows above it, the cursor follows it (tableCursor) rather
	// than stay on the row number.
	curKey  listenerID
	sort    views.TableCol
	reverse bool
	query   string // the row filter typed with / ("" for none)
	memo    *tableMemo
}

// tableMemo caches the rows; shared by the model's copies. Each level
// is rebuilt only when its key differs: a block's rows when the set has a
// new value for that block (a poll changes the blocks it touched and
// shares the others), the order when the set, scope or sort changed, the
// rows shown when the filter or the text did.
type tableMemo struct {
	blocks   [numBlocks]tableBlock
	baseKey  tableBaseKey
	base     []*tableEntry     // every listener in scope, sorted
	widths   views.TableWidths // natural widths over base
	shownKey tableShownKey
	shown    []int32 // indices into base of the rows that pass filter and query
	// found is the last lookup of a cursor's listener in shown.
	found struct {
		key tableShownKey
		l   listenerID
		i   int
	}
}

// tableBlock is the rows of one block's listeners, in port order.
type tableBlock struct {
	src   *blockListeners
	ascii bool
	rows  []tableEntry
}

// tableBaseKey is what the sorted rows depend on.
type tableBaseKey struct {
	set     *listenerSet
	all     bool
	place   place
	sort    views.TableCol
	reverse bool
	ascii   bool
	built   bool
}

// tableShownKey is what the shown rows depend on, besides the base.
type tableShownKey struct {
	base   tableBaseKey
	filter filter
	query  string
}

// tableEntry is one listener's row, with what sorting and filtering read.
type tableEntry struct {
	l       *audit.Listener // in the set (never modified)
	row     views.TableRow
	mark    views.Mark
	clients int // -1: unknown; read when the rows are sorted
	text    string
	key     listenerID
}

// listenerID identifies a listener across polls (its socket, where it
// lives), without building a string.
type listenerID struct {
	proto string
	addr  netip.Addr
	port  uint16
	inode uint64
	netns uint64
}

func idOf(l *scan.Listener) listenerID {
	return listenerID{proto: l.Proto, addr: l.Addr, port: l.Port, inode: l.Inode, netns: l.NetNS.Inode}
}

// tableSortDefault is the sort column the table opens with.
const tableSortDefault = views.ColPort

// toggleTable is the handler of L: to the table (its rows built, the
// cursor on the selected port's first listener if it has one) and back.
func (m Model) toggleTable(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.area == areaTable {
		m.setArea(areaGrid)
		return m, nil
	}
	if m.tbl.memo == nil {
		m.tbl.memo = &tableMemo{}
		m.tbl.sort = tableSortDefault
	}
	m.setArea(areaTable)
	shown, base := m.tableRows()
	at := m.tableCursor()
	for i, j := range shown {
		if int(base[j].l.Port) == m.sel {
			at = i
			break
		}
	}
	m.setTableCursor(at)
	return m, nil
}

// tableRows returns the shown rows (indices into base) and base, building
// what changed since the last call.
func (m *Model) tableRows() ([]int32, []*tableEntry) {
	mm := m.tbl.memo
	if mm == nil {
		mm = &tableMemo{} // not entered through L (tests): not kept
	}
	bk := tableBaseKey{set: m.set, all: m.scope.all, place: m.scope.place, sort: m.tbl.sort,
		reverse: m.tbl.reverse, ascii: m.sty.G.ASCII, built: true}
	if mm.baseKey != bk {
		mm.base = m.buildTable(mm, mm.base[:0])
		m.sortTable(mm.base)
		mm.widths = naturalWidths(mm.base)
		mm.baseKey = bk
	}
	sk := tableShownKey{base: bk, filter: m.filter, query: m.tbl.query}
	if mm.shownKey != sk {
		q := strings.ToLower(strings.TrimSpace(m.tbl.query))
		mm.shown = mm.shown[:0:0]
		for i, e := range mm.base {
			if m.filter.match(e.l.Status, e.mark) && (q == "" || strings.Contains(e.text, q)) {
				mm.shown = append(mm.shown, int32(i))
			}
		}
		mm.shownKey = sk
	}
	return mm.shown, mm.base
}

// naturalWidths is views.NaturalWidths of the entries' rows.
func naturalWidths(es []*tableEntry) views.TableWidths {
	var w views.TableWidths
	for c := range views.NumTableCols {
		w[c] = len(c.Title())
	}
	for _, e := range es {
		for c := range views.NumTableCols {
			w[c] = max(w[c], e.row.Widths[c])
		}
	}
	return views.CapWidths(w)
}

// buildTable appends to out the rows of every listener in scope, in port
// order; the rows of a block the set did not change since are reused.
func (m *Model) buildTable(mm *tableMemo, out []*tableEntry) []*tableEntry {
	out = slices.Grow(out, m.set.len())
	for bi := range numBlocks {
		b := m.set.block(bi)
		tb := &mm.blocks[bi]
		if tb.src != b || tb.ascii != m.sty.G.ASCII {
			*tb = tableBlock{src: b, ascii: m.sty.G.ASCII}
			if b != nil {
				tb.rows = make([]tableEntry, 0, b.count)
				for pi := range b.ports {
					for li := range b.ports[pi] {
						tb.rows = append(tb.rows, m.tableEntry(&b.ports[pi][li], verdict(b.verdicts[pi], li)))
					}
				}
			}
		}
		for i := range tb.rows {
			if e := &tb.rows[i]; m.scope.has(&e.l.Listener) {
				out = append(out, e)
			}
		}
	}
	return out
}

// tableEntry is the row of l, whose verdict is v.
func (m *Model) tableEntry(l *audit.Listener, v expect.Match) tableEntry {
	e := tableEntry{l: l, mark: addMark(views.MarkNone, l, v), clients: -1, key: idOf(&l.Listener)}
	var c [views.NumTableCols]string
	c[views.ColPort] = strconv.Itoa(int(l.Port))
	c[views.ColProto] = l.Proto
	c[views.ColAddr] = l.Addr.String()
	if l.Iface != "" {
		c[views.ColAddr] += "%" + l.Iface
	}
	c[views.ColScope] = l.Scope.String()
	c[views.ColService] = l.Service
	c[views.ColStatus] = l.Status.String()
	c[views.ColProcess] = processText(&l.Listener)
	c[views.ColUser] = l.User
	if c[views.ColUser] == "" && l.UID >= 0 {
		c[views.ColUser] = "uid " + strconv.Itoa(l.UID)
	}
	c[views.ColQueue] = queueText(&l.Listener)
	c[views.ColWhere] = m.whereText(&l.Listener)
	look := needsLook(l, v)
	e.row = views.NewTableRow(c, l.Status, look, len(l.Procs) == 0)
	e.row.QueueHigh = l.Proto == "tcp" && l.QueueMax > 0 && l.Queue > l.QueueMax/2
	e.text = strings.ToLower(strings.Join(c[:], " "))
	if look {
		e.text += " !"
	}
	return e
}

// processText is "sshd 812", "nginx 100 +3" for more processes, "hidden"
// when the process is not visible.
func processText(l *scan.Listener) string {
	if len(l.Procs) == 0 {
		return "hidden"
	}
	p := l.Procs[0]
	s := p.Name + " " + strconv.Itoa(p.PID)
	if n := len(l.Procs) - 1; n > 0 {
		s += " +" + strconv.Itoa(n)
	}
	return s
}

// queueText is the accept queue of a TCP listener, "3/511"; for UDP the
// bytes waiting in the receive queue ("0", "4K") and its size; "" when
// the scanner does not report it.
func queueText(l *scan.Listener) string {
	if l.QueueMax == 0 {
		return ""
	}
	if l.Proto == "tcp" {
		return strconv.FormatUint(uint64(l.Queue), 10) + "/" + strconv.FormatUint(uint64(l.QueueMax), 10)
	}
	return bytesText(l.Queue) + "/" + bytesText(l.QueueMax)
}

// bytesText is n bytes, short: 512, 4K, 208K, 16M.
func bytesText(n uint32) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatUint(uint64(n>>20), 10) + "M"
	case n >= 1<<10:
		return strconv.FormatUint(uint64(n>>10), 10) + "K"
	}
	return strconv.FormatUint(uint64(n), 10)
}

// whereText is where l lives, short: the container's label, the netns's
// label, "" on the host.
func (m *Model) whereText(l *scan.Listener) string {
	switch {
	case l.Container != nil:
		return containerLabel(l.Container, false, m.sty.G)
	case !l.NetNS.IsHost():
		return netnsLabel(l.NetNS, m.paths)
	}
	return ""
}

// sortTable sorts rows by the sort column; ties by port, transport,
// address and place, always ascending. Sorted by clients, each row's
// count is read now.
func (m *Model) sortTable(rows []*tableEntry) {
	col, rev := m.tbl.sort, m.tbl.reverse
	if col == views.ColClients {
		for _, e := range rows {
			e.clients = -1
			if n, ok := m.clientsOf(e.l.Listener); ok {
				e.clients = n
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b *tableEntry) int {
		if c := compareCol(col, a, b); c != 0 {
			if rev {
				return -c
			}
			return c
		}
		if c := cmp.Compare(a.l.Port, b.l.Port); c != 0 {
			return c
		}
		return cmp.Or(
			strings.Compare(a.l.Proto, b.l.Proto),
			a.l.Addr.Compare(b.l.Addr),
			strings.Compare(a.row.Cells[views.ColWhere], b.row.Cells[views.ColWhere]),
			cmp.Compare(a.l.Inode, b.l.Inode),
		)
	})
}

// compareCol compares two rows by one column: numbers as numbers,
// addresses as addresses, needs-a-look first, text as text.
func compareCol(col views.TableCol, a, b *tableEntry) int {
	switch col {
	case views.ColLook:
		return -cmp.Compare(boolInt(a.row.Look), boolInt(b.row.Look))
	case views.ColPort:
		return cmp.Compare(a.l.Port, b.l.Port)
	case views.ColAddr:
		return a.l.Addr.Compare(b.l.Addr)
	case views.ColClients:
		return cmp.Compare(a.clients, b.clients)
	case views.ColQueue:
		return cmp.Or(cmp.Compare(a.l.Queue, b.l.Queue), cmp.Compare(a.l.QueueMax, b.l.QueueMax))
	case views.ColStatus:
		return cmp.Compare(a.l.Status, b.l.Status)
	}
	return strings.Compare(a.row.Cells[col], b.row.Cells[col])
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tableHeight is how many rows the table shows (the body less its line
// of column titles).
func (m *Model) tableHeight() int {
	return max(1, m.geo.Legend.Min.Y-m.geo.Header.Max.Y-1)
}

// tableListener is the listener on the cursor's row, if the table shows
// any row.
func (m *Model) tableListener() (*audit.Listener, bool) {
	shown, base := m.tableRows()
	if len(shown) == 0 {
		return nil, false
	}
	return base[shown[m.tableCursor()]].l, true
}

// tableCursor is the cursor's row in the shown rows: the row of the
// listener it was put on when that is still shown (polls may have added
// or removed rows above it), else the row number it had, within the rows.
func (m *Model) tableCursor() int {
	shown, base := m.tableRows()
	if len(shown) == 0 {
		return 0
	}
	c := max(0, min(len(shown)-1, m.tbl.cursor))
	k := m.tbl.curKey
	if k == (listenerID{}) || base[shown[c]].key == k {
		return c
	}
	mm := m.tbl.memo
	if mm != nil && mm.found.key == mm.shownKey && mm.found.l == k {
		return mm.found.i
	}
	found := c
	for i, j := range shown {
		if base[j].key == k {
			found = i
			break
		}
	}
	if mm != nil {
		mm.found.key, mm.found.l, mm.found.i = mm.shownKey, k, found
	}
	return found
}

// setTableCursor puts the cursor on row i (within the rows) and keeps it
// on screen.
func (m *Model) setTableCursor(i int) {
	shown, base := m.tableRows()
	n := len(shown)
	i = max(0, min(n-1, i))
	m.tbl.cursor, m.tbl.curKey = i, listenerID{}
	if n > 0 {
		m.tbl.curKey = base[shown[i]].key
	}
	m.tbl.top = scrollTop(m.tbl.top, i, m.tableHeight(), n)
}

// tableMove moves the cursor by n rows (whole pages for n = ±page).
func (m *Model) tableMove(n int) { m.setTableCursor(m.tableCursor() + n) }

// tableRow is the handler of ↑/↓/j/k.
func tableRow(m Model, msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "up", "k", "ctrl+p":
		m.tableMove(-1)
	default:
		m.tableMove(1)
	}
	return m, nil
}

// tablePage is the handler of pgup/pgdn.
func tablePage(m Model, msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	n := m.tableHeight()
	if msg.String() == "pgup" {
		n = -n
	}
	m.tableMove(n)
	return m, nil
}

// tableEnds is the handler of home/end/g/G.
func tableEnds(m Model, msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "home", "g":
		m.tableMove(-1 << 30)
	default:
		m.tableMove(1 << 30)
	}
	return m, nil
}

// tableSort is the handler of < and >: the sort column moves to the
// previous or next column on screen; the cursor stays on its listener.
func tableSort(m Model, msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	dir := 1
	if msg.String() == "<" {
		dir = -1
	}
	m.resort(func(t *tableState) {
		ws := m.tbl.memo.widthsOr().Fit(m.w)
		c := int(t.sort)
		for range views.NumTableCols {
			c = (c + dir + int(views.NumTableCols)) % int(views.NumTableCols)
			if ws[c] > 0 {
				break
			}
		}
		t.sort, t.reverse = views.TableCol(c), false
	})
	return m, nil
}

// widthsOr is the memo's natural widths (zero without a memo).
func (mm *tableMemo) widthsOr() views.TableWidths {
	if mm == nil {
		return views.TableWidths{}
	}
	return mm.widths
}

// tableReverse is the handler of r.
func tableReverse(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.resort(func(t *tableState) { t.reverse = !t.reverse })
	return m, nil
}

// resort changes the sort and keeps the cursor on the listener it was on.
func (m *Model) resort(change func(*tableState)) {
	m.setTableCursor(m.tableCursor())
	change(&m.tbl)
	m.setTableCursor(m.tableCursor())
}

// tableOpen is the handler of enter: the grid, on the cursor's port.
func tableOpen(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	shown, base := m.tableRows()
	if len(shown) == 0 {
		return m, nil
	}
	m.setArea(areaGrid)
	m.selectPort(int(base[shown[m.tableCursor()]].l.Port))
	return m, nil
}

// tableBack is the handler of esc: the row filter goes, else back to the
// grid.
func tableBack(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.tbl.query != "" {
		m.setTableQuery("")
		return m, nil
	}
	m.setArea(areaGrid)
	return m, nil
}

// tableFind is the handler of / in the table: the input opens on the
// row filter; typing filters the rows live.
func (m Model) tableFind(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.input.Reset()
	m.input.insert(m.tbl.query)
	m.setMode(modeSearch)
	return m, nil
}

// updateTableQuery feeds the input while a row filter is typed.
func (m Model) updateTableQuery(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.input.Update(msg) {
		m.setTableQuery(m.input.Value())
	}
	return m, nil
}

// setTableQuery filters the rows by q, the cursor on the first.
func (m *Model) setTableQuery(q string) {
	m.tbl.query = q
	m.tbl.top = 0
	m.setTableCursor(0)
}

// tableQueryDone is enter while typing: the filter stays.
func tableQueryDone(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.setMode(modeBrowse)
	return m, nil
}

// tableQueryCancel is esc while typing: the filter goes.
func tableQueryCancel(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.setMode(modeBrowse)
	m.setTableQuery("")
	return m, nil
}

// tableMouse is the wheel (3 rows a notch) and a click on a row (the
// cursor goes there) in the table.
func (m Model) tableMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	ev := msg.Mouse()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch ev.Button {
		case tea.MouseWheelUp:
			m.tableMove(-wheelStep)
		case tea.MouseWheelDown:
			m.tableMove(wheelStep)
		}
	case tea.MouseClickMsg:
		first := m.geo.Header.Max.Y + 1 // below the column titles
		body := image.Rect(0, first, m.w, first+m.tableHeight())
		if ev.Button == tea.MouseLeft && image.Pt(ev.X, ev.Y).In(body) {
			shown, _ := m.tableRows()
			top := scrollTop(m.tbl.top, m.tableCursor(), m.tableHeight(), len(shown))
			if i := top + ev.Y - first; i < len(shown) {
				m.setTableCursor(i)
			}
		}
	}
	return m, nil
}

// renderTable draws the table of every listener, w×h.
func (m *Model) renderTable(w, h int) []string {
	shown, base := m.tableRows()
	cur := m.tableCursor()
	top := scrollTop(m.tbl.top, cur, max(1, h-1), len(shown))
	st := views.TableState{
		Cursor:  cur - top,
		Widths:  m.tbl.memo.widthsOr(),
		Sort:    m.tbl.sort,
		Reverse: m.tbl.reverse,
	}
	if m.tbl.memo == nil {
		st.Widths = naturalWidths(base)
	}
	end := min(len(shown), top+max(0, h-1))
	st.Rows = make([]views.TableRow, 0, end-top)
	for _, j := range shown[top:end] {
		e := base[j]
		r := e.row
		// Clients are live (owner health's data): read for the rows on
		// screen at each frame, not kept in the rows.
		if n, ok := m.clientsOf(e.l.Listener); ok {
			r.Cells[views.ColClients] = strconv.Itoa(n)
		} else {
			r.Cells[views.ColClients] = ""
		}
		r.Widths[views.ColClients] = len(r.Cells[views.ColClients])
		st.Rows = append(st.Rows, r)
	}
	if len(shown) == 0 {
		st.Empty = m.tableEmpty(len(base))
	}
	return views.Table(st, w, h, m.sty)
}

// tableEmpty says why the table has no rows.
func (m *Model) tableEmpty(inScope int) string {
	switch {
	case m.cfg.Scanner == nil:
		return m.unavailable()
	case !m.polled:
		return "polling" + m.sty.G.Ellipsis
	case inScope == 0:
		return "no listeners"
	case m.tbl.query != "":
		return "no listener matches /" + m.tbl.query + m.sty.G.Sep + "esc clears"
	}
	return "no listener passes the filter " + m.filter.String() + m.sty.G.Sep + "f cycles it"
}

// tableHeader is the top line in the table.
func (m *Model) tableHeader() string {
	shown, _ := m.tableRows()
	return views.TableHeader(views.TableHeaderState{
		Rows: len(shown), Total: m.set.len(), Sort: m.tbl.sort.Title(), Reverse: m.tbl.reverse,
		Filter: m.filter.String(), Scope: m.scope.headerName(), Query: m.tbl.query,
	}, m.w, m.sty)
}

// tableFooter is the table's footer, in the legend's lines.
func (m *Model) tableFooter(lines int) []string {
	shown, _ := m.tableRows()
	row := 0
	if len(shown) > 0 {
		row = m.tableCursor() + 1
	}
	return views.TableFooter(views.TableFooterState{Row: row, Rows: len(shown)}, m.w, lines, m.sty)
}

// tableTakes names the bindings of the grid that do not work in the
// table: those whose keys the table binds for itself (/, esc, and the
// search input's enter, esc, ↑ and ↓), the end of a typed number (no
// number is typed in the table) and t (the rows show each listener's own
// transport's status, whatever the grid's colouring view).
var tableTakes = map[string]bool{
	"search": true, "clearsearch": true, "resultdown": true, "resultup": true, "accept": true, "cancel": true,
	"enddigits": true, "view": true,
}
