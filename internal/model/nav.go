package model

import (
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// Pure navigation helpers: they take positions and sizes and return
// positions, so they are unit-tested without a model or a program.

// blockOf is the first port of the block holding port.
func blockOf(port int) int { return clampPort(port) / views.BlockSize * views.BlockSize }

func clampPort(p int) int { return max(0, min(registry.MaxPort, p)) }

// moveIndex moves a block index by dx cells and dy rows on a grid of cols
// per row, clamped to the block. Left/right are linear (31 → 32 wraps to
// the next row) because ports are a sequence, not a matrix; up/down keep
// the column and stop at the first/last row rather than leave the block.
func moveIndex(i, dx, dy, cols int) int {
	last := views.BlockSize - 1
	if dy != 0 {
		if j := i + dy*cols; j >= 0 && j <= last {
			i = j
		} else if dy < 0 {
			i %= cols
		} else {
			i = (totalRows(cols)-1)*cols + i%cols
			if i > last {
				i -= cols
			}
		}
	}
	return max(0, min(last, i+dx))
}

// pageIndex moves a block index by whole screens of rows rows.
func pageIndex(i, pages, rows, cols int) int {
	return moveIndex(i, 0, pages*max(1, rows), cols)
}

// rowStart and rowEnd are the first and last index of i's row.
func rowStart(i, cols int) int { return i / cols * cols }
func rowEnd(i, cols int) int   { return min(views.BlockSize-1, rowStart(i, cols)+cols-1) }

// scrollTop returns the first visible row so that row sel is visible,
// moving the view as little as possible from top.
func scrollTop(top, sel, rows, total int) int {
	if rows <= 0 {
		return 0
	}
	switch {
	case sel < top:
		top = sel
	case sel >= top+rows:
		top = sel - rows + 1
	}
	return max(0, min(top, total-rows))
}

// nextRun finds the first port of the next (dir > 0) or previous (dir < 0)
// run under view v whose status ok accepts; false if there is none.
func nextRun(reg *registry.Registry, port, dir int, v registry.View, ok func(registry.Status) bool) (int, bool) {
	r := reg.RunAt(port, v)
	for {
		var p int
		if dir > 0 {
			if r.Hi >= registry.MaxPort {
				return 0, false
			}
			p = r.Hi + 1
		} else {
			if r.Lo <= 0 {
				return 0, false
			}
			p = r.Lo - 1
		}
		r = reg.RunAt(p, v)
		if ok == nil || ok(r.Status) {
			return r.Lo, true
		}
	}
}
