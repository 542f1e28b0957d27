package model

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// nonASCII returns the first text byte ≥ 0x80 outside escape sequences.
func nonASCII(s string) (string, bool) {
	plain := ansi.Strip(s)
	for i := range len(plain) {
		if plain[i] >= 0x80 {
			return plain[max(0, i-20):min(len(plain), i+20)], true
		}
	}
	return "", false
}

// With the ASCII glyphs (LANG=C), every scenario at every size is ASCII
// outside escape sequences (issue 7 #10), registry text from outside and
// the help overlay included.
func TestASCIIFrames(t *testing.T) {
	for _, sc := range scenarios {
		base := sc.run(t, 120, 40)
		base.sty = views.NewStyles(colorprofile.TrueColor, true, &views.ASCIIGlyphs)
		for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}, {50, 16}, {40, 14}, {20, 5}} {
			m := update(t, base, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			for _, port := range []string{"", "80", "22"} { // long records, other glyphs
				if port != "" && m.mode == modeBrowse {
					m = update(t, m, typeKeys(port)...)
					m = update(t, m, digitTimeoutMsg{seq: m.digitSeq})
				}
				if bad, ok := nonASCII(m.View().Content); ok {
					t.Fatalf("%s %dx%d port %q: non-ASCII text near %q", sc.name, sz[0], sz[1], port, bad)
				}
			}
		}
	}
}

// The same through the real renderer: the bytes the program writes with
// Config.ASCII hold nothing but ASCII outside escape sequences.
func TestASCIIProgram(t *testing.T) {
	m := New(Config{Registry: testReg, Scanner: scan.Static(withIPv6(t0)), Port: 326, Interval: time.Hour, ASCII: true})
	m.loc = time.UTC
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI)))
	tm.Type("lljj8")
	time.Sleep(50 * time.Millisecond)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Type("/http")
	time.Sleep(100 * time.Millisecond)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Type("?")
	time.Sleep(100 * time.Millisecond)
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if bad, ok := nonASCII(string(out)); ok {
		t.Fatalf("non-ASCII output near %q", bad)
	}
	if !strings.Contains(ansi.Strip(string(out)), "esc/?/q close") {
		t.Fatal("help never drawn")
	}
}

// hugeRegistry is one record on 4000/tcp with a description of n bytes.
func hugeRegistry(t testing.TB, n int) *registry.Registry {
	t.Helper()
	desc := strings.Repeat("lorem ipsum dolor sit amet ", n/27+1)[:n]
	reg, err := registry.New(&registry.Data{Schema: registry.SchemaVersion, Updated: "2026-08-17",
		Records: []registry.Record{{Name: "huge", Proto: "tcp", Lo: 4000, Hi: 4000, Description: desc}}})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// A 2 MB registry description draws a frame (S5: it froze the explorer,
// the cost of wrapping grew with the square of the length): the pane
// shows its start and how many bytes were left out.
func TestHugeDescriptionFrame(t *testing.T) {
	m := New(Config{Registry: hugeRegistry(t, 2<<20), Port: 4000, Interval: time.Hour})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	rec := newRecorder(tm, 80, 24)
	waitScreen(t, rec, "the pane on 4000", func(s string) bool {
		return strings.Contains(s, "Port 4000") && strings.Contains(s, "lorem ipsum")
	})
	tm.Type("JJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJ")
	s := waitScreen(t, rec, "the end of the capped text", func(s string) bool {
		return strings.Contains(s, "(2,093,056 more bytes, see") && strings.Contains(s, "portui lookup 4000)")
	})
	if !strings.Contains(s, "Port 4000") {
		t.Errorf("the title scrolled away:\n%s", s)
	}
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// Scrolling the pane keeps the port's title and statuses at the top
// (issue 7 #7); the long registry note of port 80's records is shown whole.
func TestPaneScrollKeepsTitle(t *testing.T) {
	m := poll(t, newTest(t, 80, 24, 80, baseSnap(t0)))
	for range 40 {
		m = update(t, m, press("J"))
	}
	if m.paneScroll == 0 {
		t.Fatal("the pane did not scroll")
	}
	pane := paneText(m)
	if !strings.HasPrefix(pane[0], "Port 80 assigned") || !strings.HasPrefix(pane[1], "tcp assigned") {
		t.Fatalf("scrolled pane lost its title:\n%s", strings.Join(pane, "\n"))
	}
}

// paneText is the pane's lines as shown (stripped, trimmed).
func paneText(m Model) []string {
	lines := strings.Split(screen(m), "\n")
	p := m.geo.Pane
	var out []string
	for y := p.Min.Y; y < p.Max.Y; y++ {
		out = append(out, strings.TrimRight(ansi.Cut(lines[y], p.Min.X, p.Max.X), " "))
	}
	return out
}

// #11: the pane stays where it is while paging, on screen and not only in
// the layout's rectangles: a 5-digit block fits fewer cells a row in the
// same grid, and the grid's lines are padded to it, so the rule between
// grid and pane sits in the same column on every block.
func TestPaneColumnStableWhilePaging(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {100, 30}} {
		ref := -1
		for _, port := range []int{0, 1024, 9216, 10240, 49152, 64512} {
			m := newTest(t, sz[0], sz[1], port, scan.Snapshot{})
			if m.geo.Mode != PaneSide {
				t.Fatalf("%dx%d: %v", sz[0], sz[1], m.geo.Mode)
			}
			lines := strings.Split(screen(m), "\n")
			for i := m.geo.Grid.Min.Y; i < m.geo.Grid.Max.Y; i++ {
				col := strings.Index(lines[i], "│ ")
				if col < 0 {
					t.Fatalf("%dx%d port %d line %d has no rule: %q", sz[0], sz[1], port, i, lines[i])
				}
				col = len([]rune(lines[i][:col]))
				if ref < 0 {
					ref = col
				}
				if col != ref {
					t.Fatalf("%dx%d port %d line %d: rule at column %d, block 0 has it at %d:\n%s", sz[0], sz[1], port, i, col, ref, screen(m))
				}
			}
		}
	}
}

// Every line of every frame is exactly the terminal's width, in every
// layout, for four- and five-digit blocks, with the pane showing the
// detail or the search results and the help open: the body is built to
// the screen's width from widths known by construction, not measured.
func TestFramesExactWidth(t *testing.T) {
	for _, port := range []int{326, 9300, 65000} {
		base := poll(t, newTest(t, 120, 40, port, with326(t0)))
		states := map[string]Model{
			"browse": base,
			"search": runSearch(t, update(t, base, typeKeys("/ssh")...)),
			"help":   update(t, base, press("?")),
		}
		for name, st := range states {
			for w := 30; w <= 260; w += 1 + w/40 {
				for _, h := range []int{8, 12, 17, 24, 40, 61} {
					m := update(t, st, tea.WindowSizeMsg{Width: w, Height: h})
					if m.geo.Mode == PaneToggle && name == "browse" {
						m.togglePane() // the pane instead of the grid as well
						checkExactWidth(t, m, fmt.Sprintf("port %d %s %dx%d pane", port, name, w, h))
						m.togglePane()
					}
					checkExactWidth(t, m, fmt.Sprintf("port %d %s %dx%d", port, name, w, h))
				}
			}
		}
	}
}

func checkExactWidth(t *testing.T, m Model, what string) {
	t.Helper()
	lines := splitLines(m.View().Content)
	if len(lines) != m.h {
		t.Fatalf("%s: %d lines", what, len(lines))
	}
	for i, l := range lines {
		if n := width(l); n != m.w {
			t.Fatalf("%s (%v): line %d is %d wide: %q", what, m.geo.Mode, i, n, ansi.Strip(l))
		}
	}
}
