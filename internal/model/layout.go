package model

import (
	"image"

	"github.com/portui/portui/internal/views"
)

// PaneMode says where the detail pane goes.
type PaneMode int

// Pane modes, chosen by Layout from the terminal size.
const (
	PaneSide   PaneMode = iota // right of the grid
	PaneBelow                  // under the grid
	PaneToggle                 // no room for both: the pane replaces the grid on demand
	TooSmall                   // nothing useful fits
)

// String names the mode ("side", "below", "toggle", "too small").
func (p PaneMode) String() string {
	return [...]string{"side", "below", "toggle", "too small"}[p]
}

// Layout minimums. The pane's minimum width fits its fixed lines
// ("Listening now  live · 12:00", "tcp unassigned · udp unassigned").
const (
	minPaneW   = 30 // pane text columns
	minPaneH   = 10 // pane lines when below the grid
	minW       = 30 // below this, "terminal too small"
	minH       = 8
	minCols    = 4
	maxCols    = 32
	paneGutter = 2 // "│ " between the grid and a side pane
	// refDigits and maxDigits are the number widths of blocks: 4 up to
	// 9215, 5 from there. The layout is decided for refDigits and sized
	// for both, so it is the same for every block.
	refDigits = 4
	maxDigits = 5
	// sideMinCols is the side grid that beats a partial grid below it:
	// with 8 cells a row beside the pane, a taller pane below showing a
	// few more ports is the worse screen.
	sideMinCols = 8
)

// LayoutOpts are the inputs of Layout besides the terminal size.
type LayoutOpts struct {
	CellW    int  // digits per cell number (views.CellDigits of the block)
	ShowPane bool // PaneToggle only: show the pane instead of the grid
}

// Geometry is a computed screen layout. The same rectangles are used to
// draw and to hit-test the mouse, so the two can never disagree.
type Geometry struct {
	W, H   int
	Mode   PaneMode
	Header image.Rectangle // one line
	Grid   image.Rectangle // empty when the pane replaces it
	Pane   image.Rectangle // the pane's text area; empty when hidden
	Legend image.Rectangle
	Status image.Rectangle // one line
	Cols   int             // cells per grid row, for this block's digits
	CellW  int             // digits per cell number
	Pitch  int             // columns from one cell to the next (views.CellPitch or one more)
}

// Layout computes the screen layout for a w×h terminal.
//
// Every rectangle depends on the terminal size only, never on the block:
// paging with < and > from 0–1023 to 64512–65535 keeps the pane where it
// is. The mode is decided for four-digit cells; the grid rectangle is as
// wide as the wider of the four- and five-digit grids that fit; within
// it, a block gets as many cells per row (32, 16, 8 or 4) as its own cell
// width allows (five-digit blocks may get fewer).
//
// The pane goes to the right or below: right when that shows at least as
// many ports (a tie, when both show the whole block, goes to the bigger
// pane); below when that shows the whole block; right again when the side
// grid has at least sideMinCols cells a row; otherwise whichever shows
// more. When neither fits, the pane is a toggle (PaneToggle).
func Layout(w, h int, o LayoutOpts) Geometry {
	g := Geometry{W: w, H: h, CellW: max(refDigits, o.CellW)}
	if w < minW || h < minH {
		g.Mode = TooSmall
		return g
	}
	legendH := views.LegendHeight(w)
	g.Header = image.Rect(0, 0, w, 1)
	g.Status = image.Rect(0, h-1, w, h)
	g.Legend = image.Rect(0, h-1-legendH, w, h-1)
	top, bodyH := 1, h-2-legendH

	sideAvail := w - paneGutter - minPaneW
	sideCols := fitCols(sideAvail, refDigits)
	belowCols := fitCols(w, refDigits)
	belowRows := min(totalRows(belowCols), bodyH-1-minPaneH)
	side := visible(sideCols, bodyH)
	below := visible(belowCols, belowRows)
	if belowRows < minCols {
		below = 0
	}
	sideGridW := gridSpan(sideAvail)
	sideArea := (w - sideGridW - paneGutter) * bodyH
	belowArea := w * (bodyH - belowRows - 1)

	switch {
	case sideCols > 0 && (side > below || side == below && sideArea >= belowArea):
		g.Mode = PaneSide
	case below == views.BlockSize:
		g.Mode = PaneBelow
	case sideCols >= sideMinCols:
		g.Mode = PaneSide
	case below > side:
		g.Mode = PaneBelow
	case sideCols > 0:
		g.Mode = PaneSide
	case belowCols > 0:
		g.Mode = PaneToggle
	default:
		g.Mode = TooSmall
		return g
	}
	switch g.Mode {
	case PaneSide:
		g.Grid = image.Rect(0, top, sideGridW, top+bodyH)
		g.Pane = image.Rect(sideGridW+paneGutter, top, w, top+bodyH)
	case PaneBelow:
		g.Grid = image.Rect(0, top, gridSpan(w), top+belowRows)
		g.Pane = image.Rect(0, top+belowRows+1, w, top+bodyH) // a rule line between
	case PaneToggle:
		if o.ShowPane {
			g.Pane = image.Rect(0, top, w, top+bodyH)
		} else {
			g.Grid = image.Rect(0, top, gridSpan(w), top+bodyH)
		}
	}
	// The block's own cells per row in the grid's width (the toggle's
	// hidden grid counts as full width).
	gw := g.Grid.Dx()
	if g.Grid.Empty() {
		gw = gridSpan(w)
	}
	g.Cols = max(minCols, fitCols(gw, g.CellW))
	g.Pitch = pitch(gw, g.Cols, g.CellW)
	return g
}

// pitch spreads cols cells over a grid w wide: one blank more between
// cells when that fits, so that four-digit blocks in a rectangle sized for
// five digits line up with them instead of leaving a gap at the right.
func pitch(w, cols, cellW int) int {
	p := views.CellPitch(cellW)
	if views.GridWidthPitch(cols, p+1, cellW) <= w {
		return p + 1
	}
	return p
}

// gridSpan is the width of the widest grid, of four- or five-digit cells,
// that fits in w: the grid rectangle of every block.
func gridSpan(w int) int {
	return max(views.GridWidth(fitCols(w, refDigits), refDigits), views.GridWidth(fitCols(w, maxDigits), maxDigits))
}

// fitCols is the most cells per row (a power of two from maxCols down to
// minCols) whose grid fits in width w; 0 if none.
func fitCols(w, cellW int) int {
	for c := maxCols; c >= minCols; c /= 2 {
		if views.GridWidth(c, cellW) <= w {
			return c
		}
	}
	return 0
}

// totalRows is the number of grid rows of a block at cols per row.
func totalRows(cols int) int {
	if cols <= 0 {
		return 0
	}
	return (views.BlockSize + cols - 1) / cols
}

// visible is how many ports of a block are on screen with cols per row
// and rows rows.
func visible(cols, rows int) int {
	if cols <= 0 || rows <= 0 {
		return 0
	}
	return min(views.BlockSize, cols*min(rows, totalRows(cols)))
}

// Rows is the number of grid rows on screen.
func (g Geometry) Rows() int { return g.Grid.Dy() }

// CellAt maps a screen position to the block index of the cell there,
// given the first visible row. The marker column and the blank right of a
// number belong to that number's cell.
func (g Geometry) CellAt(x, y, top int) (int, bool) {
	if !image.Pt(x, y).In(g.Grid) {
		return 0, false
	}
	col := (x - g.Grid.Min.X) / g.Pitch
	if col >= g.Cols {
		return 0, false
	}
	i := (y-g.Grid.Min.Y+top)*g.Cols + col
	if i >= views.BlockSize {
		return 0, false
	}
	return i, true
}
