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

// Layout minimums. The pane's minimum width fits the longest fixed line it
// shows ("325–332: unassigned run, 8 ports").
const (
	minPaneW   = 32 // pane text columns
	minPaneH   = 10 // pane lines when below the grid
	minW       = 30 // below this, "terminal too small"
	minH       = 8
	minCols    = 4
	maxCols    = 32
	paneGutter = 2 // "│ " between the grid and a side pane
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
	Cols   int             // cells per grid row
	CellW  int             // digits per cell number
}

// Layout computes the screen layout for a w×h terminal.
//
// The grid gets as many cells per row as fit (32, 16, 8 or 4). The pane
// goes to the right or below, whichever shows more ports; on a tie (the
// whole block fits either way) the one giving the pane more room wins. When
// neither fits, the pane is a toggle (PaneToggle).
func Layout(w, h int, o LayoutOpts) Geometry {
	g := Geometry{W: w, H: h, CellW: max(4, o.CellW)}
	if w < minW || h < minH {
		g.Mode = TooSmall
		return g
	}
	legendH := views.LegendHeight(w)
	g.Header = image.Rect(0, 0, w, 1)
	g.Status = image.Rect(0, h-1, w, h)
	g.Legend = image.Rect(0, h-1-legendH, w, h-1)
	top, bodyH := 1, h-2-legendH

	sideCols := fitCols(w-paneGutter-minPaneW, g.CellW)
	belowCols := fitCols(w, g.CellW)
	belowRows := min(totalRows(belowCols), bodyH-1-minPaneH)
	side := visible(sideCols, bodyH)
	below := visible(belowCols, belowRows)
	if belowRows < minCols {
		below = 0
	}
	sideArea := (w - views.GridWidth(sideCols, g.CellW) - paneGutter) * bodyH
	belowArea := w * (bodyH - belowRows - 1)

	switch {
	case sideCols > 0 && (side > below || side == below && sideArea >= belowArea):
		g.Mode, g.Cols = PaneSide, sideCols
		gw := views.GridWidth(sideCols, g.CellW)
		g.Grid = image.Rect(0, top, gw, top+bodyH)
		g.Pane = image.Rect(gw+paneGutter, top, w, top+bodyH)
	case below > 0:
		g.Mode, g.Cols = PaneBelow, belowCols
		g.Grid = image.Rect(0, top, views.GridWidth(belowCols, g.CellW), top+belowRows)
		g.Pane = image.Rect(0, top+belowRows+1, w, top+bodyH) // a rule line between
	case belowCols > 0:
		g.Mode, g.Cols = PaneToggle, belowCols
		if o.ShowPane {
			g.Pane = image.Rect(0, top, w, top+bodyH)
		} else {
			g.Grid = image.Rect(0, top, views.GridWidth(belowCols, g.CellW), top+bodyH)
		}
	default:
		g.Mode = TooSmall
	}
	return g
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
// given the first visible row. The marker column right of a number belongs
// to that number's cell; the row label column belongs to no cell.
func (g Geometry) CellAt(x, y, top int) (int, bool) {
	if !image.Pt(x, y).In(g.Grid) {
		return 0, false
	}
	col := (x-g.Grid.Min.X)/(g.CellW+1) - 1
	if col < 0 || col >= g.Cols {
		return 0, false
	}
	i := (y-g.Grid.Min.Y+top)*g.Cols + col
	if i >= views.BlockSize {
		return 0, false
	}
	return i, true
}
