package views

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// The table of every listener (issue 10, key L). The model builds the
// rows once per change of what they show (a poll that changed the set,
// scope, filter, query, sort), with every cell's text and width; a frame
// formats only the rows on screen. Column widths come from every row (the
// model's TableWidths, computed when the rows are built), not from the
// rows on screen, so that the columns stay put while the cursor scrolls
// and a cursor move repaints two rows and the footer.

// TableCol is a column of the table.
type TableCol uint8

// The columns, left to right.
const (
	ColLook    TableCol = iota // "!": a listener that needs a look, as in the grid
	ColPort                    // port number
	ColProto                   // tcp, udp
	ColAddr                    // local address (with %iface)
	ColScope                   // all, loopback, address, interface
	ColService                 // the IANA service for the listener's transport
	ColStatus                  // its IANA status
	ColProcess                 // the owning process: name and pid
	ColUser                    // the socket's owner
	ColClients                 // connected clients (live data, blank when unknown)
	ColQueue                   // accept queue "3/511" (TCP), receive queue (UDP)
	ColWhere                   // container or network namespace ("" on the host)
	NumTableCols
)

// tableTitles are the header row's titles.
var tableTitles = [NumTableCols]string{"!", "port", "proto", "address", "scope", "service", "status", "process", "user", "clients", "queue", "where"}

// Title is the column's title ("port").
func (c TableCol) Title() string {
	if c >= NumTableCols {
		return ""
	}
	return tableTitles[c]
}

// rightAligned columns hold numbers.
func (c TableCol) rightAligned() bool { return c == ColPort || c == ColClients || c == ColQueue }

// tableCaps bounds a column's width (0: its content's width); the cell
// is cut with an ellipsis beyond it.
var tableCaps = [NumTableCols]int{ColAddr: 41, ColService: 20, ColProcess: 24, ColUser: 12, ColWhere: 24}

// tableMins is how far a flexible column shrinks when the screen is
// narrow, before columns go.
var tableMins = [NumTableCols]int{ColAddr: 15, ColService: 8, ColProcess: 10, ColUser: 6, ColWhere: 8}

// tableDrop is the order in which columns go when even the narrowed
// columns do not fit: where, scope, status, user, queue, clients, and
// proto last.
var tableDrop = []TableCol{ColWhere, ColScope, ColStatus, ColUser, ColQueue, ColClients, ColProto}

// TableRow is one listener's row: the text of each cell, plain and
// neutralised, and its width in columns.
type TableRow struct {
	Cells  [NumTableCols]string
	Widths [NumTableCols]int
	Status registry.Status // colours the status cell
	Look   bool            // the ! column is set
	Hidden bool            // the process is not visible (the process cell is dim)
	// QueueHigh: the accept queue is above half its backlog (the queue
	// cell is in the warning colour).
	QueueHigh bool
}

// NewTableRow returns a row of cells, measuring each.
func NewTableRow(cells [NumTableCols]string, st registry.Status, look, hidden bool) TableRow {
	r := TableRow{Cells: cells, Status: st, Look: look, Hidden: hidden}
	for i, c := range cells {
		r.Widths[i] = textWidth(c)
	}
	return r
}

// textWidth is the width of plain text (no escape sequences): its length
// when it is ASCII, which most cells are.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// TableWidths are the natural widths of the columns over a set of rows:
// each the widest cell or title, capped.
type TableWidths [NumTableCols]int

// NaturalWidths is the widths of the columns over rows (every row the
// table holds, not those on screen).
func NaturalWidths(rows []TableRow) TableWidths {
	var w TableWidths
	for c := range NumTableCols {
		w[c] = len(tableTitles[c])
	}
	for i := range rows {
		for c := range NumTableCols {
			w[c] = max(w[c], rows[i].Widths[c])
		}
	}
	return CapWidths(w)
}

// CapWidths caps each column's width (the address at 41, the service at
// 20, …).
func CapWidths(w TableWidths) TableWidths {
	for c := range NumTableCols {
		if tableCaps[c] > 0 {
			w[c] = min(w[c], tableCaps[c])
		}
	}
	return w
}

// Fit returns the widths of the columns shown on a screen w columns wide
// (0: the column is not shown). Columns are one blank apart. Flexible
// columns (address, service, process, user, where) shrink first, the
// widest first, down to their minimum; then columns go in tableDrop
// order; the port and address always stay.
func (ws TableWidths) Fit(w int) TableWidths {
	out := ws
	if shrink(&out, w) {
		return out
	}
	shown := ws
	for _, drop := range tableDrop {
		shown[drop] = 0
		out = shown
		if shrink(&out, w) {
			return out
		}
	}
	return out // too narrow even so: lines are cut at w
}

// shrink narrows the flexible columns of ws until the row fits in w; it
// reports whether it does.
func shrink(ws *TableWidths, w int) bool {
	for {
		total := ws.Total()
		if total <= w {
			return true
		}
		widest, over := NumTableCols, 0
		for c := range NumTableCols {
			if ws[c] > 0 && tableMins[c] > 0 && ws[c]-tableMins[c] > over {
				widest, over = c, ws[c]-tableMins[c]
			}
		}
		if widest == NumTableCols {
			return false
		}
		ws[widest] -= min(over, total-w)
	}
}

// Total is the width of a line with these columns, one blank apart.
func (ws TableWidths) Total() int {
	n, cols := 0, 0
	for _, x := range ws {
		if x > 0 {
			n += x
			cols++
		}
	}
	return tableGutter + n + max(0, cols-1)
}

// tableGutter is the cursor's column, left of the first: "▸" on the
// cursor's row (">" in ASCII), so that the cursor shows without SGR too.
const tableGutter = 1

// CursorGlyph is the table's cursor mark.
func (g *Glyphs) CursorGlyph() string {
	if g.ASCII {
		return ">"
	}
	return "▸"
}

// TableState is what the table shows: the rows on screen and which one
// has the cursor.
type TableState struct {
	Rows    []TableRow  // the rows on screen, from the first shown
	Cursor  int         // index in Rows of the cursor's row (-1: none on screen)
	Widths  TableWidths // NaturalWidths of every row of the table
	Sort    TableCol
	Reverse bool
	// Empty is said when the table has no rows ("no listeners", "no
	// listener matches /foo").
	Empty string
}

// SortGlyph is the header's mark of the sort column: ▲ ascending, ▼
// descending (^ and v with the ASCII glyphs).
func (g *Glyphs) SortGlyph(reverse bool) string {
	switch {
	case g.ASCII && reverse:
		return "v"
	case g.ASCII:
		return "^"
	case reverse:
		return "▼"
	}
	return "▲"
}

// Table renders the table in h lines of exactly w columns: the column
// titles, then the rows. The cursor's row is in reverse video, whole (the
// cells' own colours give way to it): a move repaints the row it leaves
// and the row it reaches.
func Table(s TableState, w, h int, sty *Styles) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	ws := s.Widths.Fit(w)
	out := make([]string, 0, h)
	out = append(out, sty.tableHeader(&s, &ws, w))
	if len(s.Rows) == 0 && s.Empty != "" && h > 1 {
		out = append(out, sty.tableFit(sty.Dim.Wrap(s.Empty), ansi.StringWidth(s.Empty), w))
	}
	var b strings.Builder
	for i := range s.Rows {
		if len(out) == h {
			break
		}
		b.Reset()
		n := sty.tableRow(&b, &s.Rows[i], &ws, i == s.Cursor)
		out = append(out, sty.tableFit(b.String(), n, w))
	}
	blank := strings.Repeat(" ", w)
	for len(out) < h {
		out = append(out, blank)
	}
	return out
}

// tableHeader is the line of column titles, the sort column's marked.
func (sty *Styles) tableHeader(s *TableState, ws *TableWidths, w int) string {
	var b strings.Builder
	b.WriteByte(' ') // the cursor's column
	n := tableGutter
	for c := range NumTableCols {
		cw := ws[c]
		if cw == 0 {
			continue
		}
		if n > tableGutter {
			b.WriteByte(' ')
			n++
		}
		t := tableTitles[c]
		if c == ColLook {
			t = " "
		}
		if c == s.Sort {
			t += sty.G.SortGlyph(s.Reverse)
		}
		tw := ansi.StringWidth(t)
		if tw > cw {
			// A narrow column's mark goes over its title's end.
			t, tw = ansi.Truncate(t, cw, ""), cw
		}
		cell := pad(t, tw, cw, c.rightAligned())
		if c == s.Sort {
			b.WriteString(sty.Bold.Wrap(cell))
		} else {
			b.WriteString(sty.Dim.Wrap(cell))
		}
		n += cw
	}
	return sty.tableFit(b.String(), n, w)
}

// tableFit is fitKnown of a line n columns wide, exactly w wide even
// where the cut leaves less (a wide character, or an ellipsis as wide as
// the screen).
func (sty *Styles) tableFit(s string, n, w int) string {
	if n <= w {
		return sty.fitKnown(s, n, w)
	}
	cut := ansi.Truncate(s, w, sty.G.Ellipsis)
	if cw := ansi.StringWidth(cut); cw < w {
		return cut + strings.Repeat(" ", w-cw)
	}
	return cut
}

// tableRow writes one row into b and returns its width.
func (sty *Styles) tableRow(b *strings.Builder, r *TableRow, ws *TableWidths, cursor bool) int {
	if cursor {
		// One reverse span over plain text: the fewest bytes, and the
		// cursor survives NO_COLOR.
		var plain strings.Builder
		n := sty.rowCells(&plain, r, ws, true)
		b.WriteString(sty.Active.Wrap(plain.String()))
		return n
	}
	return sty.rowCells(b, r, ws, false)
}

// rowCells writes the cells of r at widths ws after the cursor's
// column, styled but on the cursor's row.
func (sty *Styles) rowCells(b *strings.Builder, r *TableRow, ws *TableWidths, cursor bool) int {
	plain := cursor
	if cursor {
		b.WriteString(sty.G.CursorGlyph())
	} else {
		b.WriteByte(' ')
	}
	n := tableGutter
	for c := range NumTableCols {
		cw := ws[c]
		if cw == 0 {
			continue
		}
		if n > tableGutter {
			b.WriteByte(' ')
			n++
		}
		text, tw := r.Cells[c], r.Widths[c]
		if c == ColLook {
			text, tw = " ", 1
			if r.Look {
				text = sty.G.Private
			}
		}
		if tw > cw {
			text, tw = ansi.Truncate(text, cw, sty.G.Ellipsis), cw
		}
		cell := pad(text, tw, cw, c.rightAligned())
		if !plain {
			switch {
			case c == ColLook && r.Look:
				cell = sty.Private.Wrap(cell)
			case c == ColStatus:
				cell = sty.StatusSGR(r.Status).Wrap(cell)
			case c == ColProcess && r.Hidden:
				cell = sty.Dim.Wrap(cell)
			case c == ColQueue && r.QueueHigh:
				cell = sty.Warn.Wrap(cell)
			}
		}
		b.WriteString(cell)
		n += cw
	}
	return n
}

// pad brings text, tw columns wide, to cw columns, flush left or right.
func pad(text string, tw, cw int, right bool) string {
	if tw >= cw {
		return text
	}
	if right {
		return strings.Repeat(" ", cw-tw) + text
	}
	return text + strings.Repeat(" ", cw-tw)
}

// TableHeaderState is the top line in the table.
type TableHeaderState struct {
	Rows, Total int    // rows shown (after scope, filter and query) and listeners known
	Sort        string // the sort column's title
	Reverse     bool
	Filter      string // the filter's name ("all" for none)
	Scope       string // the scope's label ("" for all)
	Query       string // the row filter typed with / ("" for none)
}

// TableHeader renders the top line of the table at width w: "portui
// listeners 12 of 310 · sorted by port ▲" and, right, the filter, the
// scope and the help key.
func TableHeader(h TableHeaderState, w int, sty *Styles) string {
	sep := sty.G.Sep
	count := strconv.Itoa(h.Rows)
	if h.Rows != h.Total {
		count += " of " + strconv.Itoa(h.Total)
	}
	left := sty.Title.Wrap("portui") + " listeners " + count +
		sty.Dim.Wrap(sep+"sorted by ") + h.Sort + " " + sty.G.SortGlyph(h.Reverse)
	if h.Query != "" {
		left += sty.Dim.Wrap(sep) + sty.Bold.Wrap("/"+h.Query)
	}
	filter := h.Filter
	if filter != "all" {
		filter = sty.Active.Wrap(filter)
	}
	right := sty.Dim.Wrap("filter ") + filter
	if h.Scope != "" {
		right += sty.Dim.Wrap(sep+"scope ") + sty.Active.Wrap(ansi.Truncate(h.Scope, maxScopeW, sty.G.Ellipsis))
	}
	right += sty.Dim.Wrap(sep + "? help")
	if ansi.StringWidth(left)+ansi.StringWidth(right)+1 > w {
		right = filter
	}
	return sty.FitRight(left, right, w)
}

// TableFooterState is the table's footer, in the legend's place.
type TableFooterState struct {
	Row, Rows int // the cursor's row (1-based; 0: none) of Rows
}

// TableFooter renders the footer in lines lines of width w: where the
// cursor is ("row 12/310") and the table's keys.
func TableFooter(f TableFooterState, w, lines int, sty *Styles) []string {
	sep := sty.G.Sep
	pos := "row " + strconv.Itoa(f.Row) + "/" + strconv.Itoa(f.Rows)
	keys := sty.Bold.Wrap("<") + "/" + sty.Bold.Wrap(">") + " sort column" + sep +
		sty.Bold.Wrap("r") + " reverse" + sep + sty.Bold.Wrap("/") + " filter rows" + sep +
		sty.Bold.Wrap("enter") + " open in grid" + sep + sty.Bold.Wrap("esc") + " back"
	if lines <= 1 {
		return []string{sty.Fit(pos+"   "+keys, w)}
	}
	out := []string{sty.Fit(pos, w), sty.Fit(keys, w)}
	for len(out) < lines {
		out = append(out, strings.Repeat(" ", w))
	}
	return out[:lines]
}
