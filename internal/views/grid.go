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
	Pitch int              // columns from cell to cell; 0 means CellPitch(CellW)
	Sel   int              // selected index in the block, -1 for none
	Plain bool             // no SGR reaches the terminal: blank dimmed cells
	// Span is the width of the grid's area on screen; rows narrower than
	// it (a 5-digit block fits fewer cells in the area sized for every
	// block) are padded to it, so what follows the grid stays in place.
	Span int
}

// CellDigits is the width of the numbers in a block (4 for 0–1023, 5 from
// 9216 up, whose block ends at 10239).
func CellDigits(block int) int { return max(4, len(strconv.Itoa(block+BlockSize-1))) }

// CellPitch is the columns from one cell to the next: the number, its
// marker column and a blank. The blank is what keeps "7184·7185" from
// reading as one number (or a decimal): every number is followed by its
// marker and then a column that is always blank.
func CellPitch(cellW int) int { return cellW + 2 }

// GridWidth is the width of a grid row of cols cells (the last cell's
// trailing blank is left to the gutter that follows).
func GridWidth(cols, cellW int) int { return GridWidthPitch(cols, CellPitch(cellW), cellW) }

// GridWidthPitch is GridWidth with cells pitch columns apart (at least
// CellPitch(cellW)).
func GridWidthPitch(cols, pitch, cellW int) int {
	if cols <= 0 {
		return 0
	}
	return (cols-1)*pitch + cellW + 1
}

// Width is the width of the grid's rows: its cells, or Span if wider.
func (g GridState) Width() int { return max(g.Span, GridWidthPitch(g.Cols, g.pitch(), g.CellW)) }

func (g GridState) pitch() int { return max(CellPitch(g.CellW), g.Pitch) }

// Grid renders the visible rows, each exactly g.Width() wide. Each cell
// is its full port number (right-aligned), the marker column and, but for
// the last of a row, blank columns up to the pitch.
func Grid(g GridState, sty *Styles) []string {
	out := make([]string, 0, g.Rows)
	var b strings.Builder
	total := (BlockSize + g.Cols - 1) / g.Cols
	blank := strings.Repeat(" ", g.Width())
	pad := blank[:g.Width()-GridWidthPitch(g.Cols, g.pitch(), g.CellW)]
	gap := blank[:g.pitch()-g.CellW-2] // blanks beyond the one in markGap
	num := make([]byte, 0, 8)
	for r := g.Top; r < g.Top+g.Rows; r++ {
		if r >= total {
			out = append(out, blank)
			continue
		}
		b.Reset()
		first := r * g.Cols
		for c := range g.Cols {
			i := first + c
			if i >= BlockSize {
				b.WriteString(blank[:g.pitch()-boolInt(c == g.Cols-1)])
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
			if c < g.Cols-1 {
				b.WriteString(lk.markGap)
				b.WriteString(gap)
			} else {
				b.WriteString(lk.mark)
			}
		}
		b.WriteString(pad)
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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
