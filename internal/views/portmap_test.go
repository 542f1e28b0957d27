package views

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// mapBlocks is a map state for tests: block 0 two-thirds assigned with
// five listeners (one private use), block 39 one listener.
func testMapBlocks() *[registry.NumBlocks]MapBlock {
	var bs [registry.NumBlocks]MapBlock
	for i := range bs {
		bs[i].Counts[registry.Unassigned] = registry.BlockPorts
	}
	bs[0] = MapBlock{Counts: [4]int{registry.Unassigned: 282, registry.Assigned: 686, registry.Reserved: 46, registry.Other: 10}, Listeners: 5, Private: 1}
	bs[39].Listeners = 1
	return &bs
}

func TestMapLayout(t *testing.T) {
	for _, c := range []struct {
		w, h               int
		cols, cellW, lines int
	}{
		{80, 20, 8, 10, 2},
		{120, 36, 8, 15, 3},
		{200, 56, 8, 25, 4},
		{60, 20, 4, 15, 1},
		{30, 10, 2, 15, 1},
	} {
		g := MapLayout(c.w, c.h)
		if g.Cols != c.cols || g.CellW != c.cellW || g.Lines != c.lines || g.Cols*g.Rows != registry.NumBlocks {
			t.Errorf("%dx%d: %+v", c.w, c.h, g)
		}
		if g.Visible*g.CellH > c.h-mapFooter {
			t.Errorf("%dx%d: %d rows of %d lines do not fit", c.w, c.h, g.Visible, g.CellH)
		}
	}
}

// TestMap renders the map at several sizes, in colour, without SGR and in
// ASCII: every line is exactly the width; the selected block carries the
// selection glyph; the counts and the share are numbers (never colour
// alone); ASCII frames hold ASCII only.
func TestMap(t *testing.T) {
	for _, sty := range []*Styles{
		NewStyles(colorprofile.ANSI256, true, nil),
		NewStyles(colorprofile.NoTTY, true, nil),
		NewStyles(colorprofile.Ascii, true, &ASCIIGlyphs),
	} {
		for _, sz := range [][2]int{{80, 20}, {120, 36}, {200, 56}, {60, 10}, {30, 6}} {
			w, h := sz[0], sz[1]
			lines := Map(MapState{Blocks: testMapBlocks(), Sel: 39, Class: "User Ports"}, w, h, sty)
			if len(lines) != h {
				t.Fatalf("%dx%d: %d lines", w, h, len(lines))
			}
			plain := make([]string, len(lines))
			for i, l := range lines {
				if n := ansi.StringWidth(l); n != w {
					t.Errorf("%dx%d %v: line %d is %d wide: %q", w, h, sty.Profile, i, n, l)
				}
				plain[i] = ansi.Strip(l)
			}
			s := strings.Join(plain, "\n")
			if !strings.Contains(s, "39936"+sty.G.Selected) {
				t.Errorf("%dx%d: no selected 39936:\n%s", w, h, s)
			}
			if h >= 10 && !strings.Contains(s, "39936"+sty.G.Dash+"40959") {
				t.Errorf("%dx%d: the footer does not name the block:\n%s", w, h, s)
			}
			if sty.G.ASCII && strings.ContainsFunc(strings.Join(lines, ""), func(r rune) bool { return r > 127 }) {
				t.Errorf("%dx%d: ASCII map holds other characters:\n%s", w, h, s)
			}
			if w >= 120 && !strings.Contains(s, "5 listeners 1!") || w >= 80 && !strings.Contains(s, " 67%") {
				t.Errorf("%dx%d: block 0's counts missing:\n%s", w, h, s)
			}
		}
	}
}

// TestMapMoveIsLocal: moving the selection changes the lines of the two
// cells' rows and the footer, nothing else (the layout stays put, so the
// renderer rewrites little).
func TestMapMoveIsLocal(t *testing.T) {
	sty := NewStyles(colorprofile.ANSI256, true, nil)
	a := Map(MapState{Blocks: testMapBlocks(), Sel: 10, Class: "User Ports"}, 120, 36, sty)
	b := Map(MapState{Blocks: testMapBlocks(), Sel: 11, Class: "User Ports"}, 120, 36, sty)
	g := MapLayout(120, 36)
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		row := i / g.CellH
		if row != 1 && i < g.Visible*g.CellH {
			t.Errorf("line %d (row %d) changed", i, row)
		}
		if row == 1 && i%g.CellH != 0 {
			t.Errorf("line %d: a line of the cells' contents changed, not the label's", i)
		}
	}
}

// BenchmarkMap measures one frame of the map at 120×36.
func BenchmarkMap(b *testing.B) {
	sty := NewStyles(colorprofile.ANSI256, true, nil)
	s := MapState{Blocks: testMapBlocks(), Sel: 39, Class: "User Ports"}
	b.ReportAllocs()
	for b.Loop() {
		_ = Map(s, 120, 36, sty)
	}
}
