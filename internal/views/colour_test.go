package views

import (
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

var sgrRe = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

// SGRParams splits the SGR sequences of s into attributes: "1", "33",
// "38;5;246" (an extended colour stays whole).
func sgrParams(s string) []string {
	var out []string
	for _, m := range sgrRe.FindAllStringSubmatch(s, -1) {
		ps := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' })
		for i := 0; i < len(ps); i++ {
			p := ps[i]
			if (p == "38" || p == "48" || p == "58") && i+1 < len(ps) {
				n := 3
				if ps[i+1] == "2" {
					n = 5
				}
				n = min(n, len(ps)-i)
				p = strings.Join(ps[i:i+n], ";")
				i += n - 1
			}
			out = append(out, p)
		}
	}
	return out
}

// CheckSGR enforces the colour rule of the palettes (styles.go) on the
// SGR attributes a frame holds; "" when they follow it.
func CheckSGR(p colorprofile.Profile, isDark bool, params []string) string {
	for _, a := range params {
		n, err := strconv.Atoi(a)
		ext := err != nil // 38;5;N and friends
		switch {
		case p <= colorprofile.NoTTY:
			return "SGR " + a + " with no TTY"
		case !ext && (n >= 90 && n <= 97 || n >= 100 && n <= 107):
			return "bright colour " + a // never: 8-colour terminals, Solarized
		case p == colorprofile.Ascii && (ext || n >= 30 && n <= 49):
			return "colour " + a + " under NO_COLOR"
		case p == colorprofile.ANSI && ext:
			return "extended colour " + a + " on a 16-colour terminal"
		case p == colorprofile.ANSI && !isDark && (n == 33 || n == 32 || n == 36):
			return "yellow, green or cyan text " + a + " on a light background"
		case p >= colorprofile.ANSI256 && !ext && n >= 30 && n <= 47 && n != 39:
			return "palette colour " + a + " where the 256-colour table is known"
		case ext && strings.HasPrefix(a, "38;5;") || strings.HasPrefix(a, "48;5;"):
			if i, _ := strconv.Atoi(a[5:]); i < 16 {
				return "palette index " + a
			}
		}
	}
	return ""
}

// frameOf renders one of every region with every cell state.
func frameOf(sty *Styles) string {
	var out []string
	out = append(out, Grid(GridState{Cells: testCells(), Cols: 16, Rows: 64, CellW: 4, Sel: 5}, sty)...)
	out = append(out, Legend(LegendState{Filter: "unassigned"}, 60, sty)...)
	out = append(out, Header(HeaderState{Lo: 0, Hi: 1023, Class: "System Ports", View: "combined", Filter: "reserved"}, 120, sty))
	out = append(out, StatusBar(StatusState{Registry: "x", Findings: 3, Block: "0–1023", Poll: "poll failed", PollBad: true}, 120, sty))
	d := ipv6Detail()
	d.Records = []registry.Record{{Name: "x", Proto: "tcp", Lo: 326, Hi: 326, Note: "n", Unauthorized: "u", Texts: []string{"t"}}}
	d.Listen.Changes = []ListenChange{{At: "12:00", Row: d.Listen.Rows[0]}, {At: "12:01", Appeared: true, Row: d.Listen.Rows[0]}}
	out = append(out, Detail(d, 100, 40, sty)...)
	out = append(out, Detail(placesDetail(), 63, 40, sty)...)
	out = append(out, Legend(LegendState{Away: 2, Listening: 3}, 120, sty)...)
	out = append(out, Header(HeaderState{Lo: 0, Hi: 1023, View: "combined", Filter: "all", Scope: "web1 (podman)"}, 120, sty))
	out = append(out, SearchList(SearchState{Query: "ssh", Total: 1, Matches: []registry.Match{{Port: 22, Name: "ssh", Why: "name"}}}, 40, 5, sty)...)
	box, _ := HelpBox(testGroups(), "footer", 30, 10, 0, sty)
	return strings.Join(append(out, box), "\n")
}

var profiles = []colorprofile.Profile{colorprofile.NoTTY, colorprofile.Ascii, colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor}

// Every region, under every profile and background, emits only SGR the
// rule allows (issue 7 #9), and still tells the states apart: the
// selection is reverse video wherever SGR is allowed at all.
func TestSGRByProfile(t *testing.T) {
	for _, p := range profiles {
		for _, dark := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v_dark=%v", p, dark), func(t *testing.T) {
				frame := frameOf(NewStyles(p, dark, nil))
				params := sgrParams(frame)
				if msg := CheckSGR(p, dark, params); msg != "" {
					t.Fatal(msg)
				}
				if p == colorprofile.NoTTY {
					if strings.Contains(frame, "\x1b") {
						t.Fatal("escape sequence with no TTY")
					}
					return
				}
				if !strings.Contains(strings.Join(params, " "), "7") {
					t.Error("no reverse video for the selection")
				}
			})
		}
	}
}

// The SGR of the most common cells stays short (byte economy): assigned
// is unstyled, and no cell's number style is longer than a 256-colour
// foreground with two attributes.
func TestCellSGRShort(t *testing.T) {
	for _, p := range profiles {
		for _, dark := range []bool{true, false} {
			sty := NewStyles(p, dark, nil)
			if lk := sty.look(MakeCell(registry.Assigned, MarkNone, false, false), false); lk.num.On != "" || lk.mark != " " {
				t.Errorf("%v: assigned cell styled %q %q", p, lk.num.On, lk.mark)
			}
			for _, st := range registry.Statuses {
				if on := sty.look(MakeCell(st, MarkNone, false, false), false).num.On; len(on) > len("\x1b[1;4;38;5;178m") {
					t.Errorf("%v %v: %q", p, st, on)
				}
			}
		}
	}
}

// luminance is the WCAG relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func hex(s string) color.Color {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// Common backgrounds of each kind: black, #1c1c1c, gruvbox dark,
// Solarized dark; white, #eeeeee, gruvbox light, Solarized light.
var (
	darkBackgrounds  = []string{"#000000", "#1c1c1c", "#282828", "#002b36"}
	lightBackgrounds = []string{"#ffffff", "#eeeeee", "#fbf1c7", "#fdf6e3"}
)

// The 256-colour palettes keep every text colour (dim grey included) at a
// WCAG contrast of 4.5:1 or more on each background of their kind, and
// the search-match cell (black on the match background) too.
func TestPaletteContrast(t *testing.T) {
	for _, pc := range []struct {
		name string
		pal  palette
		bgs  []string
	}{{"dark", c256Dark, darkBackgrounds}, {"light", c256Light, lightBackgrounds}} {
		fgs := map[string]color.Color{
			"dim": pc.pal.dim, "reserved": pc.pal.reserved, "other": pc.pal.other, "listen": pc.pal.listen,
			"private": pc.pal.private, "accent": pc.pal.accent, "warn": pc.pal.warn, "err": pc.pal.err, "title": pc.pal.title,
		}
		for name, fg := range fgs {
			for _, bg := range pc.bgs {
				if c := contrast(ansi.IndexedColor(ansiIndex(t, fg)), hex(bg)); c < 4.5 {
					t.Errorf("%s %s (%d) on %s: contrast %.2f < 4.5", pc.name, name, ansiIndex(t, fg), bg, c)
				}
			}
		}
		if c := contrast(pc.pal.matchFg, pc.pal.matchBg); c < 7 {
			t.Errorf("%s match cell: contrast %.2f < 7", pc.name, c)
		}
	}
}

func ansiIndex(t *testing.T, c color.Color) int {
	t.Helper()
	i, ok := c.(ansi.IndexedColor)
	if !ok || i < 16 {
		t.Fatalf("%v is not an index of the fixed 256-colour table", c)
	}
	return int(i)
}
