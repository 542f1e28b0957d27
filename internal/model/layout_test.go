package model

import (
	"image"
	"strings"
	"testing"

	"github.com/portui/portui/internal/views"
)

// sketch draws a Geometry as ASCII art, one character per 4 columns, so
// expected layouts read like the screen they describe.
func sketch(g Geometry) string {
	var b strings.Builder
	for y := 0; y < g.H; y++ {
		for x := 0; x < g.W; x += 4 {
			p := image.Pt(x, y)
			c := byte('.')
			switch {
			case p.In(g.Header):
				c = 'h'
			case p.In(g.Grid):
				c = 'g'
			case p.In(g.Pane):
				c = 'p'
			case p.In(g.Legend):
				c = 'l'
			case p.In(g.Status):
				c = 's'
			}
			b.WriteByte(c)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLayoutModes(t *testing.T) {
	tests := []struct {
		w, h  int
		mode  PaneMode
		cols  int
		gridW int // grid rectangle width
		paneW int
		rows  int
	}{
		{80, 24, PaneSide, 8, 47, 31, 20},
		{120, 40, PaneSide, 8, 55, 63, 37},     // sized for 5-digit cells: 8 a row in every block
		{200, 60, PaneBelow, 32, 191, 200, 32}, // whole block fits: the pane gets the width
		{165, 60, PaneSide, 16, 111, 52, 57},   // 16×57 beside beat 16×46 below
		{100, 50, PaneSide, 8, 55, 43, 46},     // 8 a row beside beat more below with a short pane
		{60, 20, PaneSide, 4, 27, 31, 16},
		{50, 30, PaneBelow, 8, 47, 50, 15},
		{40, 14, PaneToggle, 4, 27, 0, 10},
		{29, 30, TooSmall, 0, 0, 0, 0},
		{80, 7, TooSmall, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		g := Layout(tt.w, tt.h, LayoutOpts{CellW: 4})
		if g.Mode != tt.mode || g.Cols != tt.cols || g.Grid.Dx() != tt.gridW || g.Pane.Dx() != tt.paneW || g.Rows() != tt.rows {
			t.Errorf("%dx%d: mode %v cols %d grid %d pane %d rows %d; want %v %d %d %d %d\n%s",
				tt.w, tt.h, g.Mode, g.Cols, g.Grid.Dx(), g.Pane.Dx(), g.Rows(),
				tt.mode, tt.cols, tt.gridW, tt.paneW, tt.rows, sketch(g))
		}
	}
}

func TestLayoutSketch(t *testing.T) {
	got := sketch(Layout(80, 24, LayoutOpts{CellW: 4}))
	want := "hhhhhhhhhhhhhhhhhhhh\n" +
		strings.Repeat("gggggggggggg.ppppppp\n", 20) +
		"llllllllllllllllllll\n" +
		"llllllllllllllllllll\n" +
		"ssssssssssssssssssss\n"
	if got != want {
		t.Errorf("80x24 layout:\n%s\nwant:\n%s", got, want)
	}
	got = sketch(Layout(200, 60, LayoutOpts{CellW: 4}))
	if !strings.Contains(got, strings.Repeat("g", 48)+"..\n") || !strings.Contains(got, strings.Repeat("p", 50)+"\n") {
		t.Errorf("200x60 layout: want the grid above a full-width pane:\n%s", got)
	}
}

// The regions never overlap and all lie on screen.
func TestLayoutDisjoint(t *testing.T) {
	for w := 20; w <= 220; w += 7 {
		for h := 4; h <= 70; h += 5 {
			for _, show := range []bool{false, true} {
				g := Layout(w, h, LayoutOpts{CellW: 5, ShowPane: show})
				screen := image.Rect(0, 0, w, h)
				rs := []image.Rectangle{g.Header, g.Grid, g.Pane, g.Legend, g.Status}
				for i, a := range rs {
					if !a.Empty() && !a.In(screen) {
						t.Fatalf("%dx%d: region %d %v off screen", w, h, i, a)
					}
					for _, b := range rs[i+1:] {
						if a.Overlaps(b) {
							t.Fatalf("%dx%d: %v overlaps %v", w, h, a, b)
						}
					}
				}
			}
		}
	}
}

func TestLayoutToggle(t *testing.T) {
	g := Layout(40, 14, LayoutOpts{CellW: 4})
	if g.Mode != PaneToggle || g.Grid.Empty() || !g.Pane.Empty() {
		t.Fatalf("toggle, hidden: %+v", g)
	}
	g = Layout(40, 14, LayoutOpts{CellW: 4, ShowPane: true})
	if !g.Grid.Empty() || g.Pane.Dx() != 40 {
		t.Fatalf("toggle, shown: %+v", g)
	}
}

func TestCellAt(t *testing.T) {
	g := Layout(120, 40, LayoutOpts{CellW: 4}) // 8 columns 7 apart, grid from y=1
	tests := []struct {
		x, y, top int
		want      int
		ok        bool
	}{
		{0, 1, 0, 0, true},     // first cell's number
		{4, 1, 0, 0, true},     // first cell's marker
		{6, 1, 0, 0, true},     // the blanks after it
		{7, 1, 0, 1, true},     // the second cell
		{54, 2, 0, 15, true},   // last cell of the second row
		{55, 2, 0, 0, false},   // pane gutter
		{0, 2, 3, 32, true},    // scrolled by 3 rows
		{5, 0, 0, 0, false},    // header
		{5, 38, 0, 0, false},   // legend
		{5, 37, 100, 0, false}, // past the last row (128 rows)
	}
	for _, tt := range tests {
		got, ok := g.CellAt(tt.x, tt.y, tt.top)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("CellAt(%d,%d,top %d) = %d,%v; want %d,%v", tt.x, tt.y, tt.top, got, ok, tt.want, tt.ok)
		}
	}
}

// Paging through every block keeps the mode and the pane where they are
// (issue 7 #11), and every block's cells fit the grid, each followed by
// at least one blank column.
func TestLayoutStableWhilePaging(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}, {165, 60}, {100, 50}, {60, 20}, {50, 30}, {40, 14}} {
		ref := Layout(sz[0], sz[1], LayoutOpts{CellW: views.CellDigits(0)})
		for block := 0; block <= 64512; block += views.BlockSize {
			d := views.CellDigits(block)
			g := Layout(sz[0], sz[1], LayoutOpts{CellW: d})
			if g.Mode != ref.Mode || g.Pane != ref.Pane || g.Grid != ref.Grid {
				t.Fatalf("%dx%d block %d: mode %v pane %v grid %v; block 0: %v %v %v",
					sz[0], sz[1], block, g.Mode, g.Pane, g.Grid, ref.Mode, ref.Pane, ref.Grid)
			}
			if g.Pitch < d+2 {
				t.Fatalf("%dx%d block %d: pitch %d leaves no blank after %d digits and a marker", sz[0], sz[1], block, g.Pitch, d)
			}
			if w := views.GridWidthPitch(g.Cols, g.Pitch, d); !g.Grid.Empty() && w > g.Grid.Dx() {
				t.Fatalf("%dx%d block %d: %d cells of pitch %d are %d wide, grid %d", sz[0], sz[1], block, g.Cols, g.Pitch, w, g.Grid.Dx())
			}
		}
	}
	// The sizes of the issue: no flip to pane-below on 5-digit blocks.
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		if g := Layout(sz[0], sz[1], LayoutOpts{CellW: 5}); g.Mode != PaneSide {
			t.Errorf("%dx%d, 5 digits: %v", sz[0], sz[1], g.Mode)
		}
	}
}
