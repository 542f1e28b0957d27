package views

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

func testGroups() []HelpGroup {
	b := func(k, d string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, d)) }
	var move, other []key.Binding
	for i := range 12 {
		move = append(move, b(string(rune('a'+i)), "move somewhere"))
	}
	for _, k := range []string{"J", "K", "y", "p", "d"} {
		other = append(other, b(k, "do "+k))
	}
	return []HelpGroup{{Title: "Move", Bindings: move}, {Title: "Other", Bindings: other}}
}

// Help that does not fit scrolls (issue 7 #5): every binding can be
// brought into view, the last one ("d") included, the box keeps its size
// and its last line says how to scroll and close.
func TestHelpBoxScroll(t *testing.T) {
	sty := darkANSI()
	box, maxScroll := HelpBox(testGroups(), "footer text", 30, 10, 0, sty)
	if maxScroll <= 0 {
		t.Fatalf("maxScroll %d for content taller than the box:\n%s", maxScroll, box)
	}
	seen := map[string]bool{}
	for s := 0; s <= maxScroll+3; s++ {
		box, ms := HelpBox(testGroups(), "footer text", 30, 10, s, sty)
		lines := strings.Split(ansi.Strip(box), "\n")
		if ms != maxScroll || len(lines) != 10 {
			t.Fatalf("scroll %d: maxScroll %d, %d lines:\n%s", s, ms, len(lines), ansi.Strip(box))
		}
		if !strings.Contains(lines[len(lines)-2], "↑/↓ scroll · esc/?/q close") {
			t.Fatalf("scroll %d: last line %q", s, lines[len(lines)-2])
		}
		for _, l := range lines {
			for _, k := range []string{"a ", "l ", "d ", "footer"} {
				if strings.Contains(l, "│ "+k) {
					seen[k] = true
				}
			}
		}
		if s > maxScroll {
			clamped, _ := HelpBox(testGroups(), "footer text", 30, 10, maxScroll, sty)
			if box != clamped {
				t.Fatalf("scroll %d past the end is not clamped", s)
			}
		}
	}
	for _, k := range []string{"a ", "l ", "d ", "footer"} {
		if !seen[k] {
			t.Errorf("%q never shown while scrolling", k)
		}
	}
	// Fits: no scrolling, the close hint ends the footer.
	box, ms := HelpBox(testGroups(), "footer text", 80, 40, 5, sty)
	if ms != 0 || strings.Contains(box, "scroll") || !strings.Contains(ansi.Strip(box), "footer text · esc/?/q close") {
		t.Errorf("fitting box: maxScroll %d:\n%s", ms, ansi.Strip(box))
	}
}

// The overlay is opaque: on every line the box covers (and the blank
// lines around it) nothing of the screen underneath remains.
func TestOverlayOpaque(t *testing.T) {
	sty := darkANSI()
	w, h := 80, 24
	base := strings.Repeat(strings.Repeat("#", w)+"\n", h-1) + strings.Repeat("#", w)
	for _, bh := range []int{10, 24} {
		box, _ := HelpBox(testGroups()[:1], "", 40, bh, 0, sty)
		out := strings.Split(ansi.Strip(Overlay(base, box, w, h)), "\n")
		if len(out) != h {
			t.Fatalf("%d lines", len(out))
		}
		n := strings.Count(box, "\n") + 1
		y := (h - n) / 2
		for i := max(0, y-1); i < min(h, y+n+1); i++ {
			if strings.Contains(out[i], "#") || ansi.StringWidth(out[i]) != w {
				t.Fatalf("box %d tall, line %d shows the screen: %q", n, i, out[i])
			}
		}
	}
}

// Both counts say what they count (issue 7 #8), and shorten in steps.
func TestStatusBarLabels(t *testing.T) {
	sty := darkANSI()
	st := StatusState{Registry: "2026-08-17", Listeners: 310, Findings: 250, Block: "0–1023", Poll: "live 1s",
		Hint: []string{"? help", "0-9 go to port", "/ search", "f cycle filter", "tab next listener"}}
	for w, want := range map[int]string{
		200: "IANA 2026-08-17 · 310 listening · 250 findings in 0–1023 · live 1s",
		80:  "310 listening · 250 findings in 0–1023 · live 1s",
		63:  "310 listening · 250 in 0–1023 · live 1s",
		62:  "live 1s",
		40:  "live 1s",
	} {
		got := ansi.Strip(StatusBar(st, w, sty))
		if !strings.HasSuffix(got, want) || ansi.StringWidth(got) != w {
			t.Errorf("width %d: %q, want it to end in %q", w, got, want)
		}
	}
}

// The short help drops whole items from its end, never cuts one (issue 7
// #8: "tab next lis…" at 120 columns).
func TestStatusBarWholeHintItems(t *testing.T) {
	sty := darkANSI()
	items := []string{"? help", "0-9 go to port", "/ search", "f cycle filter", "tab next listener"}
	st := StatusState{Registry: "2026-08-17", Listeners: 310, Findings: 250, Block: "0–1023", Poll: "live 1s", Hint: items}
	for w := 30; w <= 200; w++ {
		got := ansi.Strip(StatusBar(st, w, sty))
		left := got
		for _, right := range []string{"IANA", "310 "} {
			if i := strings.Index(left, right); i >= 0 {
				left = left[:i]
			}
		}
		left = strings.TrimSuffix(strings.TrimRight(left, " "), " live 1s")
		if strings.Contains(got, "…") {
			t.Fatalf("width %d: an item is cut: %q", w, got)
		}
		for i, it := range strings.Split(strings.TrimSpace(left), " · ") {
			if it != items[i] {
				t.Fatalf("width %d: item %d is %q, want %q: %q", w, i, it, items[i], got)
			}
		}
	}
	if got := ansi.Strip(StatusBar(st, 120, sty)); !strings.HasPrefix(got, "? help · 0-9 go to port · / search ") {
		t.Errorf("120 columns: %q", got)
	}
}

func TestUTF8Locale(t *testing.T) {
	for _, tt := range []struct {
		all, ctype, lang string
		want             bool
	}{
		{"", "", "", false},                        // POSIX "C"
		{"", "", "C", false},                       // LANG=C
		{"C", "", "en_US.UTF-8", false},            // LC_ALL wins
		{"", "en_US.UTF-8", "C", true},             // then LC_CTYPE
		{"", "", "en_US.UTF-8", true},              // then LANG
		{"", "", "C.utf8", true},                   // spelled as glibc lists it
		{"de_DE.ISO-8859-1", "", "C.UTF-8", false}, // a legacy codeset
		{"POSIX", "C.UTF-8", "", false},
	} {
		if got := UTF8Locale(tt.all, tt.ctype, tt.lang); got != tt.want {
			t.Errorf("UTF8Locale(%q, %q, %q) = %v", tt.all, tt.ctype, tt.lang, got)
		}
	}
}

// The ASCII safety net keeps widths and leaves only ASCII.
func TestGlyphsText(t *testing.T) {
	in := "0–1023 · Jürgen 端口 e\u0301 … ↑↓ ╭─╮ plain"
	got := ASCIIGlyphs.Text(in)
	if ansi.StringWidth(got) != ansi.StringWidth(in) {
		t.Errorf("width %d, want %d: %q", ansi.StringWidth(got), ansi.StringWidth(in), got)
	}
	for i := range len(got) {
		if got[i] >= 0x80 {
			t.Fatalf("non-ASCII byte in %q", got)
		}
	}
	if want := "0-1023 . J?rgen ???? e . ^v +-+ plain"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if UnicodeGlyphs.Text(in) != in {
		t.Error("the Unicode table changed text")
	}
}

// Every cell's number is followed by its marker and then at least one
// blank, in every block (issue 7 #11: "7184·7185·7186·").
func TestCellsSeparated(t *testing.T) {
	for _, g := range []*Glyphs{&UnicodeGlyphs, &ASCIIGlyphs} {
		sty := NewStyles(colorprofile.ANSI, true, g)
		for _, block := range []int{0, 7168, 9216, 10240, 64512} {
			var cells [BlockSize]Cell
			for i := range cells {
				cells[i] = MakeCell(registry.Unassigned, MarkNone, false, false)
			}
			d := CellDigits(block)
			for _, p := range []int{CellPitch(d), CellPitch(d) + 1} {
				gs := GridState{Block: block, Cells: &cells, Cols: 8, Rows: 128, CellW: d, Pitch: p, Sel: 3}
				for _, l := range Grid(gs, sty) {
					row := []rune(ansi.Strip(l))
					if len(row) != gs.Width() {
						t.Fatalf("block %d: row %q is %d wide, want %d", block, string(row), len(row), gs.Width())
					}
					for c := range 7 {
						end := c*p + d // the marker column
						if row[end] == ' ' || row[end] >= '0' && row[end] <= '9' || row[end+1] != ' ' {
							t.Fatalf("block %d pitch %d: cell %d of %q not followed by a marker and a blank", block, p, c, string(row))
						}
					}
				}
			}
		}
	}
}

// In ASCII mode the grid, legend, header, status bar, pane and help hold
// only ASCII outside escape sequences.
func TestASCIIGlyphsOnly(t *testing.T) {
	sty := NewStyles(colorprofile.ANSI, true, &ASCIIGlyphs)
	var out []string
	out = append(out, Grid(GridState{Cells: testCells(), Cols: 16, Rows: 64, CellW: 4, Sel: 5}, sty)...)
	out = append(out, Legend(LegendState{Filter: "unassigned"}, 60, sty)...)
	out = append(out, Header(HeaderState{Lo: 0, Hi: 1023, Class: "System Ports", View: "combined", Filter: "all"}, 120, sty))
	out = append(out, StatusBar(StatusState{Registry: "x", Block: Range(0, 1023, sty.G), Poll: "polling" + sty.G.Ellipsis}, 120, sty))
	d := ipv6Detail()
	d.Listen.Changes = []ListenChange{{At: "12:00", Row: d.Listen.Rows[0]}}
	out = append(out, Detail(d, 40, 12, sty)...)
	out = append(out, Detail(d, 100, 12, sty)...)
	box, _ := HelpBox(testGroups(), "footer", 30, 10, 0, sty)
	out = append(out, box)
	for _, l := range out {
		if s := ansi.Strip(l); strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) {
			t.Errorf("non-ASCII in %q", s)
		}
	}
}
