package views

import (
	"strconv"
	"strings"
)

// BlockSize is the number of ports the grid shows at once (one block).
const BlockSize = 1024

// GridState is what the grid shows: the visible rows of one block.
type GridState struct {
	Block int              // first port of the block
	Cells *[BlockSize]Cell // per port of the block
	Cols  int              // cells per row
	Top   int              // first visible row
	Rows  int              // visible rows
	CellW int              // digits per number (CellDigits)
	Sel   int              // selected index in the block, -1 for none
	Plain bool             // no SGR reaches the terminal: blank dimmed cells
}

// CellDigits is the width of the numbers in a block (4 for 0–1023, 5 from
// 10240 up).
func CellDigits(block int) int { return max(4, len(strconv.Itoa(block+BlockSize-1))) }

// GridWidth is the width of a grid row: a label column (the row's first
// port and a rule) and cols cells, each a number plus a marker column.
func GridWidth(cols, cellW int) int { return (cols + 1) * (cellW + 1) }

// Grid renders the visible rows, each exactly GridWidth wide.
func Grid(g GridState, sty *Styles) []string {
	out := make([]string, 0, g.Rows)
	var b strings.Builder
	total := (BlockSize + g.Cols - 1) / g.Cols
	blank := strings.Repeat(" ", GridWidth(g.Cols, g.CellW))
	num := make([]byte, 0, 8)
	for r := g.Top; r < g.Top+g.Rows; r++ {
		if r >= total {
			out = append(out, blank)
			continue
		}
		b.Reset()
		first := r * g.Cols
		b.WriteString(sty.Label.On)
		num = padNum(num[:0], g.Block+first, g.CellW)
		b.Write(num)
		b.WriteString("│")
		b.WriteString(sty.Label.Off)
		for c := range g.Cols {
			i := first + c
			if i >= BlockSize {
				b.WriteString(strings.Repeat(" ", g.CellW+1))
				continue
			}
			cell := g.Cells[i]
			lk := sty.look(cell, i == g.Sel)
			b.WriteString(lk.num.On)
			if g.Plain && cell.Dim() && i != g.Sel {
				// Without any SGR, "dim" cannot be drawn: hide the number
				// so the filter still shows which ports match.
				b.WriteString(blank[:g.CellW])
			} else {
				num = padNum(num[:0], g.Block+i, g.CellW)
				b.Write(num)
			}
			b.WriteString(lk.num.Off)
			b.WriteString(lk.mark)
		}
		out = append(out, b.String())
	}
	return out
}

// padNum appends n right-aligned in w columns.
func padNum(dst []byte, n, w int) []byte {
	var tmp [8]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for range w - len(s) {
		dst = append(dst, ' ')
	}
	return append(dst, s...)
}
