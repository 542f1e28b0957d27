package views

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// The map (m): the 64 blocks of 1,024 ports as a grid of cells, each
// labelled by its first port, with the share of its ports IANA assigned
// (a bar and a percentage) and its listeners (how many, and how many of
// them on ports not assigned: private use). The layout depends on the
// size alone, so a move redraws two cells and the footer, nothing else.

// MapBlock is what the map shows of one block.
type MapBlock struct {
	Counts    [4]int // its ports by registry.Status, under the view
	Listeners int    // listeners on its ports (in scope)
	Private   int    // of which on a port IANA has not assigned (audit's private use)
}

// MapState is the map: every block, which one is selected, and where the
// rows shown start (narrow or short screens scroll).
type MapState struct {
	Blocks *[registry.NumBlocks]MapBlock
	Sel    int    // selected block (0–63)
	Top    int    // first row of cells shown (MapLayout.Top keeps Sel in view)
	Class  string // the selected block's class title ("User Ports")
}

// MapGeom is the map's layout at one size.
type MapGeom struct {
	Cols, Rows int // cells per row, rows of cells (Cols*Rows = 64)
	CellW      int // columns per cell, its gap column included
	CellH      int // lines per cell, a blank separator line included when there is room
	Lines      int // lines of content per cell (1–4)
	Visible    int // rows of cells on screen
}

// mapFooter is the lines under the cells: the selected block, the key.
const mapFooter = 2

// maxCellH caps a cell's height (the rest stays blank).
const maxCellH = 6

// MapLayout lays out the map in a body of w×h: 8 columns from 80 wide, 4
// from 40, else 2; cells as tall as the height allows (at most 6 lines,
// 4 of content); rows scroll when even one line per row does not fit.
func MapLayout(w, h int) MapGeom {
	g := MapGeom{Cols: 8}
	switch {
	case w < 40:
		g.Cols = 2
	case w < 80:
		g.Cols = 4
	}
	g.Rows = registry.NumBlocks / g.Cols
	g.CellW = max(1, w/g.Cols)
	avail := max(1, h-mapFooter)
	g.CellH = min(maxCellH, max(1, avail/g.Rows))
	g.Lines = g.CellH
	if g.CellH >= 4 {
		g.Lines = min(4, g.CellH-1)
	}
	g.Visible = min(g.Rows, max(1, avail/g.CellH))
	return g
}

// Top returns the first row to show so that block sel is on screen,
// moving as little as possible from top.
func (g MapGeom) Top(top, sel int) int {
	row := sel / g.Cols
	top = min(top, row)
	if row >= top+g.Visible {
		top = row - g.Visible + 1
	}
	return max(0, min(top, g.Rows-g.Visible))
}

// Map renders the map in w×h, every line exactly w columns.
func Map(s MapState, w, h int, sty *Styles) []string {
	g := MapLayout(w, h)
	out := make([]string, 0, h)
	blank := strings.Repeat(" ", max(0, w))
	used := g.Cols * g.CellW
	top := g.Top(s.Top, s.Sel)
	for r := top; r < top+g.Visible; r++ {
		for ln := range g.CellH {
			var b strings.Builder
			for c := range g.Cols {
				i := r*g.Cols + c
				b.WriteString(mapCellLine(s.Blocks[i], i, i == s.Sel, ln, g, sty))
			}
			b.WriteString(blank[:w-used])
			out = append(out, b.String())
		}
	}
	if len(out) < h-mapFooter && g.CellH == 1 {
		out = append(out, blank) // cells with no blank line of their own
	}
	if h >= mapFooter+1 {
		out = append(out, sty.Fit(mapSummary(s, sty), w), sty.Fit(mapKey(w, sty), w))
	}
	return sty.Block(out, w, h)
}

// mapCellLine is line ln of block i's cell, exactly g.CellW columns: the
// content in g.CellW-1, then the gap. Lines past the content are blank.
func mapCellLine(b MapBlock, i int, sel bool, ln int, g MapGeom, sty *Styles) string {
	u := g.CellW - 1 // the content's width
	if u < 1 {
		return strings.Repeat(" ", g.CellW)
	}
	var text string
	n := 0 // its width
	add := func(piece string, pn int) {
		switch {
		case pn == 0:
		case n == 0:
			text, n = piece, pn
		default:
			text, n = text+" "+piece, n+1+pn
		}
	}
	room := func() int { return u - n - min(n, 1) }
	// The widest label ("64512" and the selection glyph): the share goes
	// beside the label in every cell or in none, so the columns line up.
	const labelW = 6
	switch {
	case ln >= g.Lines:
	case ln == 0:
		add(mapLabel(i, sel, sty))
		switch {
		case g.Lines == 1:
			add(mapShare(b, 4, sty))
			add(mapListeners(b, room(), sty))
		case g.Lines == 2 && labelW+1+4 <= u:
			add(mapShare(b, room(), sty))
		}
	case ln == 1 && g.Lines == 2:
		if labelW+1+4 > u {
			// The share did not fit beside the label.
			add(mapShare(b, 4, sty))
		}
		add(mapListeners(b, room(), sty))
	case ln == 1:
		add(mapShare(b, u, sty))
	case ln == 2:
		add(mapListeners(b, u, sty))
	case ln == 3:
		add(mapMakeup(b, sty))
	}
	if sel && ln == 0 {
		// The selection: the label line in reverse, its glyph too (the
		// glyph alone says it where no SGR reaches the terminal).
		return sty.Active.Wrap(sty.fitKnown(ansi.Strip(text), n, u)) + " "
	}
	return sty.fitKnown(text, n, u) + " "
}

// mapLabel is the block's first port and the selection glyph (or a space).
func mapLabel(i int, sel bool, sty *Styles) (string, int) {
	l := strconv.Itoa(i * registry.BlockPorts)
	mark := " "
	if sel {
		mark = sty.G.Selected
	}
	return sty.Bold.Wrap(l) + mark, len(l) + 1
}

// sharePct is the assigned share in percent, rounded, never 0 when some
// port is assigned nor 100 when some is not.
func sharePct(b MapBlock) int {
	a := b.Counts[registry.Assigned]
	p := (a*100 + registry.BlockPorts/2) / registry.BlockPorts
	switch {
	case a > 0 && p == 0:
		p = 1
	case a < registry.BlockPorts && p == 100:
		p = 99
	}
	return p
}

// mapShare is the assigned share in at most w columns: a bar and the
// percentage when there is room for a bar of 3, else the percentage.
func mapShare(b MapBlock, w int, sty *Styles) (string, int) {
	pct := strconv.Itoa(sharePct(b)) + "%"
	pct = strings.Repeat(" ", 4-len(pct)) + pct
	if w < 4 {
		return "", 0
	}
	bw := w - 5
	if bw < 3 {
		return pct, 4
	}
	bw = min(bw, 24)
	full := (b.Counts[registry.Assigned]*bw + registry.BlockPorts/2) / registry.BlockPorts
	if b.Counts[registry.Assigned] > 0 {
		full = max(1, full)
	}
	bar := strings.Repeat(sty.G.BarFull, full) + sty.Dim.Wrap(strings.Repeat(sty.G.BarEmpty, bw-full))
	return bar + " " + pct, bw + 5
}

// mapListeners is the block's listeners in at most w columns: "3
// listeners 1!" or, short of room, "3 1!"; a dim "-" for none.
func mapListeners(b MapBlock, w int, sty *Styles) (string, int) {
	if w <= 0 {
		return "", 0
	}
	if b.Listeners == 0 {
		return sty.Dim.Wrap("-"), 1
	}
	n := strconv.Itoa(b.Listeners)
	p := ""
	if b.Private > 0 {
		p = strconv.Itoa(b.Private) + sty.G.Private
	}
	word := " listeners"
	if b.Listeners == 1 {
		word = " listener"
	}
	long := len(n) + len(word)
	if p != "" {
		long += 1 + len(p)
	}
	text, tw := sty.Listen.Wrap(n), len(n)
	if long <= w {
		text, tw = text+word, tw+len(word)
	}
	if p != "" {
		text, tw = text+" "+sty.Private.Wrap(p), tw+1+len(p)
	}
	return text, tw
}

// mapMakeup is the block's other statuses, glyph and count: "×46 ·282 ~10".
func mapMakeup(b MapBlock, sty *Styles) (string, int) {
	var parts []string
	n := 0
	for _, st := range []registry.Status{registry.Reserved, registry.Unassigned, registry.Other} {
		if c := b.Counts[st]; c > 0 {
			t := sty.G.StatusGlyph(st) + strconv.Itoa(c)
			parts = append(parts, sty.StatusSGR(st).Wrap(t))
			n += ansi.StringWidth(t) + min(n, 1)
		}
	}
	return strings.Join(parts, " "), n
}

// mapSummary is the selected block in words: its range and class, the
// share assigned, its listeners. The counts by status are the legend's
// (below the map), not repeated here: a move rewrites less.
func mapSummary(s MapState, sty *Styles) string {
	b := s.Blocks[s.Sel]
	lo := s.Sel * registry.BlockPorts
	sep := sty.Dim.Wrap(sty.G.Sep)
	l := "no listener"
	switch b.Listeners {
	case 0:
	case 1:
		l = sty.Listen.Wrap("1 listener")
	default:
		l = sty.Listen.Wrap(strconv.Itoa(b.Listeners) + " listeners")
	}
	if b.Private > 0 {
		l += ", " + sty.Private.Wrap(strconv.Itoa(b.Private)+" private use")
	}
	return sty.Bold.Wrap(Range(lo, lo+registry.BlockPorts-1, sty.G)) + " " + sty.Dim.Wrap(s.Class) +
		sep + strconv.Itoa(sharePct(b)) + "% assigned" + sep + l
}

// mapKey says how to read the cells and what the keys do, shorter when
// it does not fit in w.
func mapKey(w int, sty *Styles) string {
	sep, g := sty.G.Sep, sty.G
	long := g.BarFull + " assigned share" + sep + "n listeners" + sep + "n" + g.Private +
		" private use (port not assigned)" + sep + "enter opens the block" + sep + "m/esc back"
	if ansi.StringWidth(long) > w {
		long = g.BarFull + " assigned" + sep + "n" + g.Private + " private use" + sep + "enter opens" + sep + "m/esc back"
	}
	return sty.Dim.Wrap(long)
}
