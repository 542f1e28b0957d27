package model

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/portui/portui/internal/scan"

	"github.com/charmbracelet/x/exp/golden"
)

// sizes of the golden screens.
var goldenSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// scenarios build the screens the goldens show; each starts from a model
// that has had one poll of baseSnap.
var scenarios = []struct {
	name string
	run  func(t testing.TB, w, h int) Model
}{
	{"start", func(t testing.TB, w, h int) Model {
		return poll(t, newTest(t, w, h, -1, baseSnap(t0)))
	}},
	{"port326", func(t testing.TB, w, h int) Model {
		m := poll(t, newTest(t, w, h, -1, baseSnap(t0)))
		m = update(t, m, typeKeys("326")...)
		return update(t, m, digitTimeoutMsg{seq: m.digitSeq})
	}},
	{"search", func(t testing.TB, w, h int) Model {
		m := poll(t, newTest(t, w, h, -1, baseSnap(t0)))
		m = update(t, m, typeKeys("/ssh")...)
		return runSearch(t, m)
	}},
	{"help", func(t testing.TB, w, h int) Model {
		m := poll(t, newTest(t, w, h, -1, baseSnap(t0)))
		return update(t, m, press("?"))
	}},
	{"filter", func(t testing.TB, w, h int) Model {
		// Without any SGR (TERM=dumb) dimmed cells are blanked, so the
		// stripped golden shows what the filter keeps.
		m := poll(t, newTest(t, w, h, 326, baseSnap(t0)))
		m = update(t, m, tea.ColorProfileMsg{Profile: colorprofile.NoTTY})
		return update(t, m, press("f"), press("f")) // all → assigned → unassigned
	}},
	{"listener", func(t testing.TB, w, h int) Model {
		// The pane opens on 326 with nothing there; the next poll finds
		// python3 listening: the pane lists it and says it appeared.
		m := poll(t, newTest(t, w, h, 326, baseSnap(t0)))
		return pollSnap(t, m, with326(t0.Add(5*time.Second)))
	}},
	{"ipv6", func(t testing.TB, w, h int) Model {
		// Issue 7 #1 and #7: a long IPv6 address (it lost characters and
		// showed a stray "m") held by an interpreter whose path used up
		// the command line.
		return poll(t, newTest(t, w, h, 326, withIPv6(t0)))
	}},
	{"containers", func(t testing.TB, w, h int) Model {
		// Issue 8: port 80 lives in two containers only (marked c), each
		// under its own heading with what publishes it.
		return poll(t, newTest(t, w, h, 80, containerSnap(t0)))
	}},
	{"published", func(t testing.TB, w, h int) Model {
		// Issue 8: conmon's placeholder on the host says where it
		// forwards.
		return poll(t, newTest(t, w, h, 8088, containerSnap(t0)))
	}},
	{"scope", func(t testing.TB, w, h int) Model {
		// Issue 8: narrowed to web1 (s pressed four times): the header
		// names it, 80 is marked t, the pane shows web1's listener only.
		m := poll(t, newTest(t, w, h, 80, containerSnap(t0)))
		return update(t, m, press("s"), press("s"), press("s"), press("s"))
	}},
	{"map", func(t testing.TB, w, h int) Model {
		// Issue 10: the map (m), moved to block 39936–40959, where one
		// listener is (on 40000); block 0 has five, one private use (326).
		m := poll(t, newTest(t, w, h, -1, with40000(t0)))
		m = update(t, m, press("m"))
		return update(t, m, press("G"), press("k"), press("k"), press("k"))
	}},
	{"ascii", func(t testing.TB, w, h int) Model {
		// LANG=C: ASCII glyphs only, the IPv6 listener on screen.
		m := New(Config{Registry: testReg, Scanner: scan.Static(withIPv6(t0)), Port: 326, ASCII: true})
		m.loc = time.UTC
		return poll(t, update(t, m, tea.WindowSizeMsg{Width: w, Height: h}))
	}},
}

// withIPv6 is baseSnap plus a python server on a long IPv6 address.
func withIPv6(at time.Time) scan.Snapshot {
	s := baseSnap(at)
	p := proc(4242, "python3", "root", "/opt/pyenv/versions/3.11.7/bin/python3 /srv/app/server.py --port 326")
	p[0].Args = []string{"/opt/pyenv/versions/3.11.7/bin/python3", "/srv/app/server.py", "--port", "326"}
	s.Listeners = append(s.Listeners, lst("tcp", "2001:db8:1234:5678:9abc:def0:1234:5678", 326, p))
	return s
}

// extraGoldens are scenarios at sizes besides goldenSizes: the help
// overlay where it does not fit (it scrolls; scrolled to the end it lists
// d, which works at that size).
var extraGoldens = []struct {
	name string
	w, h int
	run  func(t testing.TB, w, h int) Model
}{
	{"help", 50, 16, nil},
	{"help_end", 50, 16, func(t testing.TB, w, h int) Model {
		m := poll(t, newTest(t, w, h, -1, baseSnap(t0)))
		m = update(t, m, press("?"))
		m.helpScroll = 1000 // clamped by the view
		return m
	}},
}

// TestGolden compares each scenario's screen (ANSI stripped) at each size
// with testdata/TestGolden/<scenario>_<w>x<h>.golden; -update rewrites.
func TestGolden(t *testing.T) {
	for _, sc := range scenarios {
		for _, sz := range goldenSizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				m := sc.run(t, sz[0], sz[1])
				s := screen(m)
				assertFits(t, s, sz[0], sz[1])
				golden.RequireEqual(t, s)
			})
		}
	}
}

// TestGoldenExtra is TestGolden for extraGoldens.
func TestGoldenExtra(t *testing.T) {
	for _, g := range extraGoldens {
		run := g.run
		for _, sc := range scenarios {
			if run == nil && sc.name == g.name {
				run = sc.run
			}
		}
		t.Run(fmt.Sprintf("%s_%dx%d", g.name, g.w, g.h), func(t *testing.T) {
			m := run(t, g.w, g.h)
			s := screen(m)
			assertFits(t, s, g.w, g.h)
			golden.RequireEqual(t, s)
		})
	}
}

// TestFitsEverySize renders every scenario at many sizes, tiny ones
// included, and checks that no line is wider than the terminal. Each
// scenario is built once and then resized, which also exercises
// re-layout on resize.
func TestFitsEverySize(t *testing.T) {
	var sizes [][2]int
	for _, w := range []int{1, 10, 29, 30, 31, 44, 45, 60, 79, 80, 81, 84, 85, 86, 100, 119, 120, 121, 164, 165, 199, 200, 250} {
		for _, h := range []int{1, 5, 7, 8, 9, 12, 16, 20, 24, 40, 60} {
			sizes = append(sizes, [2]int{w, h})
		}
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			base := sc.run(t, 120, 40)
			for _, sz := range sizes {
				m := update(t, base, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				s := m.View().Content
				lines := len(splitLines(s))
				if lines != sz[1] {
					t.Errorf("%dx%d: %d lines", sz[0], sz[1], lines)
				}
				for i, l := range splitLines(s) {
					if n := width(l); n > sz[0] {
						t.Errorf("%dx%d: line %d is %d wide", sz[0], sz[1], i, n)
					}
				}
			}
		})
	}
}
