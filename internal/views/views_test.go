package views

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// darkANSI is the styles the model starts with.
func darkANSI() *Styles { return NewStyles(colorprofile.ANSI, true, nil) }

func TestCellPacking(t *testing.T) {
	for _, st := range registry.Statuses {
		for mk := MarkNone; mk < numMarks; mk++ {
			for _, match := range []bool{false, true} {
				for _, dim := range []bool{false, true} {
					c := MakeCell(st, mk, match, dim)
					if c.Status() != st || c.Mark() != mk || c.Match() != match || c.Dim() != dim {
						t.Fatalf("MakeCell(%v,%v,%v,%v) round-trips to %v,%v,%v,%v", st, mk, match, dim,
							c.Status(), c.Mark(), c.Match(), c.Dim())
					}
				}
			}
		}
	}
}

func testCells() *[BlockSize]Cell {
	var cells [BlockSize]Cell
	for i := range cells {
		cells[i] = MakeCell(registry.Statuses[i%4], Mark(i%int(numMarks)), i%7 == 0, i%5 == 0)
	}
	return &cells
}

// Every grid line is exactly GridWidth wide, whatever the cell states.
func TestGridWidth(t *testing.T) {
	sty := darkANSI()
	for _, block := range []int{0, 9216, 64512} {
		cw := CellDigits(block)
		for _, cols := range []int{4, 8, 16, 32} {
			for _, plain := range []bool{false, true} {
				g := GridState{Block: block, Cells: testCells(), Cols: cols, Top: 0, Rows: BlockSize/cols + 2,
					CellW: cw, Sel: 5, Plain: plain}
				lines := Grid(g, sty)
				if len(lines) != g.Rows {
					t.Fatalf("%d rows, want %d", len(lines), g.Rows)
				}
				for i, l := range lines {
					if n := ansi.StringWidth(l); n != GridWidth(cols, cw) {
						t.Fatalf("block %d cols %d row %d: width %d, want %d: %q", block, cols, i, n, GridWidth(cols, cw), ansi.Strip(l))
					}
				}
			}
		}
	}
}

// Without colour, every state is still told apart by its marker glyph.
func TestGridGlyphs(t *testing.T) {
	var cells [BlockSize]Cell
	cells[0] = MakeCell(registry.Reserved, MarkNone, false, false)
	cells[1] = MakeCell(registry.Assigned, MarkNone, false, false)
	cells[2] = MakeCell(registry.Unassigned, MarkNone, false, false)
	cells[3] = MakeCell(registry.Other, MarkNone, false, false)
	cells[4] = MakeCell(registry.Assigned, MarkTCP, false, false)
	cells[5] = MakeCell(registry.Assigned, MarkUDP, false, false)
	cells[6] = MakeCell(registry.Assigned, MarkBoth, false, false)
	cells[7] = MakeCell(registry.Unassigned, MarkLook, false, false)
	cells[8] = MakeCell(registry.Assigned, MarkNone, true, false)
	cells[9] = MakeCell(registry.Assigned, MarkNone, false, false)
	cells[11] = MakeCell(registry.Assigned, MarkAway, false, false)
	cells[12] = MakeCell(registry.Unassigned, MarkAway, true, false)
	g := GridState{Cells: &cells, Cols: 16, Rows: 1, CellW: 4, Sel: 9}
	got := ansi.Strip(Grid(g, NewStyles(colorprofile.ANSI, false, nil))[0])
	want := "   0×    1     2·    3~    4t    5u    6b    7!    8*    9◂   10·   11c   12c   13·   14·   15·"
	if got != want {
		t.Errorf("glyphs:\n got %q\nwant %q", got, want)
	}
	// Plain mode blanks dimmed numbers (the selection stays).
	cells[10] = MakeCell(registry.Assigned, MarkNone, false, true)
	g.Plain = true
	if got := ansi.Strip(Grid(g, NewStyles(colorprofile.ANSI, false, nil))[0]); !strings.Contains(got, "   9◂        ") {
		t.Errorf("plain dim: %q", got)
	}
}

func TestFitAndWrap(t *testing.T) {
	sty := darkANSI()
	if got := sty.Fit("abc", 5); got != "abc  " {
		t.Errorf("Fit pad: %q", got)
	}
	if got := sty.Fit("abcdef", 4); ansi.StringWidth(got) != 4 || !strings.HasSuffix(got, "…") {
		t.Errorf("Fit cut: %q", got)
	}
	if got := sty.FitRight("left", "right", 12); got != "left   right" {
		t.Errorf("FitRight: %q", got)
	}
	p := newPane(12, sty)
	p.wrap(2, 2, txt("the quick brown fox jumps over"))
	want := []string{"  the quick", "    brown", "    fox", "    jumps", "    over"}
	if strings.Join(p.lines, "|") != strings.Join(want, "|") {
		t.Errorf("wrap: %q", p.lines)
	}
	p = newPane(10, sty)
	p.wrap(0, 0, txt("a"+glue+"b c"))
	if p.lines[0] != "a b c" {
		t.Errorf("glue: %q", p.lines)
	}
	p = newPane(8, sty)
	p.wrapMax(0, 0, 2, txt("one two three four five six"))
	if len(p.lines) != 2 || !strings.HasSuffix(p.lines[1], "…") {
		t.Errorf("wrapMax: %q", p.lines)
	}
}

func TestLegend(t *testing.T) {
	sty := darkANSI()
	l := LegendState{Counts: [4]int{282, 686, 46, 10}, Listening: 3, Look: 1, Filter: "unassigned"}
	for _, w := range []int{40, 80, 120, 200} {
		lines := Legend(l, w, sty)
		if len(lines) != LegendHeight(w) {
			t.Fatalf("width %d: %d lines, LegendHeight says %d", w, len(lines), LegendHeight(w))
		}
		for _, s := range lines {
			if ansi.StringWidth(s) != w {
				t.Fatalf("width %d: line is %d wide", w, ansi.StringWidth(s))
			}
		}
	}
	s := ansi.Strip(strings.Join(Legend(l, 120, sty), "\n"))
	for _, want := range []string{"assigned 686", "× reserved 46", "· unassigned 282", "~ other 10", "t/u/b listening 3", "! needs a look 1"} {
		if !strings.Contains(s, want) {
			t.Errorf("legend lacks %q: %q", want, s)
		}
	}
}

func TestStatusBarDropsDateFirst(t *testing.T) {
	sty := darkANSI()
	st := StatusState{Left: "/ssh 1/9", Registry: "2026-08-17", Listeners: 6, Findings: 1, Block: "0–1023", Poll: "live 1s"}
	wide := ansi.Strip(StatusBar(st, 100, sty))
	if !strings.Contains(wide, "IANA 2026-08-17 · 6 listening · 1 finding in 0–1023 · live 1s") {
		t.Errorf("wide: %q", wide)
	}
	narrow := ansi.Strip(StatusBar(st, 50, sty))
	if strings.Contains(narrow, "IANA") || !strings.Contains(narrow, "live 1s") || !strings.HasPrefix(narrow, "/ssh 1/9") {
		t.Errorf("narrow: %q", narrow)
	}
}

// A listener row never runs past the pane, whatever its width.
func TestDetailWidths(t *testing.T) {
	sty := darkANSI()
	d := DetailState{
		Port: 326, Status: registry.Unassigned, Run: registry.Run{Lo: 325, Hi: 332, Status: registry.Unassigned},
		Class: registry.ClassOf(326),
		Records: []registry.Record{{Name: "x", Proto: "tcp", Lo: 326, Hi: 326, Description: strings.Repeat("long words ", 30),
			RFCs: []int{9999}, Note: strings.Repeat("note ", 50), Assignee: []string{"a_b"}}},
		Listen: ListenState{Polled: "12:00", Rows: []ListenerRow{{Proto: "tcp", Addr: "[2001:db8::1234:5678:9abc]:326",
			Scope: "address", Private: true, Procs: []ProcRow{{PID: 1, Name: "averyveryverylongprocessname", User: "root",
				Command: strings.Repeat("/usr/lib/x ", 20)}}}}},
	}
	for _, w := range []int{20, 33, 50, 90, 91, 150} {
		for _, h := range []int{5, 12, 30} {
			lines := Detail(d, w, h, sty)
			if len(lines) != h {
				t.Fatalf("%dx%d: %d lines", w, h, len(lines))
			}
			for i, l := range lines {
				if ansi.StringWidth(l) != w {
					t.Fatalf("%dx%d: line %d is %d wide: %q", w, h, i, ansi.StringWidth(l), ansi.Strip(l))
				}
			}
		}
	}
}

// BenchmarkGrid measures one frame of the 1,024-cell grid from the
// pre-rendered cell styles.
func BenchmarkGrid(b *testing.B) {
	sty := darkANSI()
	g := GridState{Cells: testCells(), Cols: 32, Rows: 32, CellW: 4, Sel: 326}
	b.ReportAllocs()
	for b.Loop() {
		_ = Grid(g, sty)
	}
}

// The help box keeps its width while it scrolls.
func TestHelpBoxWidthStableWhileScrolling(t *testing.T) {
	sty := darkANSI()
	groups := []HelpGroup{
		{Title: "Short", Bindings: []key.Binding{key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "x"))}},
		{Title: "Long", Bindings: []key.Binding{key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "a much longer description of a key"))}},
	}
	var widths []int
	for scroll := 0; ; scroll++ {
		box, maxScroll := HelpBox(groups, "", 44, 6, scroll, sty)
		widths = append(widths, lipgloss.Width(box))
		if scroll >= maxScroll {
			break
		}
	}
	if len(widths) < 2 {
		t.Fatalf("the box did not scroll: %v", widths)
	}
	for _, w := range widths {
		if w != widths[0] {
			t.Fatalf("box widths while scrolling: %v", widths)
		}
	}
}
