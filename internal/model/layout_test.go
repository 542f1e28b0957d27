package model

import (
	"image"
	"strings"
	"testing"
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
		{80, 24, PaneSide, 8, 45, 33, 20},
		{120, 40, PaneSide, 16, 85, 33, 37},
		{200, 60, PaneBelow, 32, 165, 200, 32}, // whole block fits: the pane gets the width
		{165, 60, PaneBelow, 32, 165, 165, 32},
		{100, 50, PaneBelow, 16, 85, 100, 35}, // 16×35 rows beat 8×47 beside a pane
		{60, 20, PaneSide, 4, 25, 33, 16},
		{50, 30, PaneBelow, 8, 45, 50, 15},
		{40, 14, PaneToggle, 4, 25, 0, 10},
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
		strings.Repeat("ggggggggggggpppppppp\n", 20) +
		"llllllllllllllllllll\n" +
		"llllllllllllllllllll\n" +
		"ssssssssssssssssssss\n"
	if got != want {
		t.Errorf("80x24 layout:\n%s\nwant:\n%s", got, want)
	}
	got = sketch(Layout(200, 60, LayoutOpts{CellW: 4}))
	if !strings.Contains(got, strings.Repeat("g", 42)+"........\n") || !strings.Contains(got, strings.Repeat("p", 50)+"\n") {
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
	g := Layout(120, 40, LayoutOpts{CellW: 4}) // 16 columns, grid from y=1
	tests := []struct {
		x, y, top int
		want      int
		ok        bool
	}{
		{0, 1, 0, 0, false}, // row label
		{4, 1, 0, 0, false}, // label rule
		{5, 1, 0, 0, true},  // first cell's number
		{9, 1, 0, 0, true},  // first cell's marker
		{10, 1, 0, 1, true},
		{84, 2, 0, 31, true},
		{85, 2, 0, 0, false},  // pane gutter
		{5, 2, 3, 64, true},   // scrolled by 3 rows
		{5, 0, 0, 0, false},   // header
		{5, 38, 0, 0, false},  // legend
		{5, 37, 30, 0, false}, // past the last row (64 rows)
	}
	for _, tt := range tests {
		got, ok := g.CellAt(tt.x, tt.y, tt.top)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("CellAt(%d,%d,top %d) = %d,%v; want %d,%v", tt.x, tt.y, tt.top, got, ok, tt.want, tt.ok)
		}
	}
}
