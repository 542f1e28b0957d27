package model

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// #5: q inside help closes it, as esc and ? do; it does not quit. Before
// the fix q quit the program from the help.
func TestHelpQCloses(t *testing.T) {
	for _, k := range []string{"q", "esc", "?"} {
		m := newTest(t, 120, 40, -1, baseSnap(t0))
		m = update(t, m, press("?"))
		next, cmd := m.Update(press(k))
		if cmd != nil {
			if _, quit := cmd().(tea.QuitMsg); quit {
				t.Fatalf("%s in help quit the program", k)
			}
		}
		if m := next.(Model); m.mode != modeBrowse || m.ctx.Err() != nil {
			t.Fatalf("%s in help: mode %v", k, m.mode)
		}
	}
}

// helpText is the whole help overlay's text as the groups list it.
func helpText(m Model) string {
	var b strings.Builder
	for _, g := range m.keys.Groups() {
		for _, k := range g.Bindings {
			if k.Enabled() {
				b.WriteString(k.Help().Key + " " + k.Help().Desc + "\n")
			}
		}
	}
	return b.String()
}

// #5: the help scrolls (j/k/↑/↓, pgup/pgdn, home/end, the wheel), within
// its length, and lists every key that works — d too, where it works (the
// PaneToggle layout), which the cut, unscrollable help never reached.
func TestHelpScrollsAndListsEveryKey(t *testing.T) {
	m := newTest(t, 40, 14, -1, baseSnap(t0)) // PaneToggle: d works
	m = update(t, m, press("?"))
	if !strings.Contains(helpText(m), "d show/hide details") || !strings.Contains(helpText(m), "esc/?/q close help") {
		t.Fatalf("help lacks d or its own keys:\n%s", helpText(m))
	}
	top := m.helpMaxScroll()
	if top <= 0 {
		t.Fatalf("a 40×14 help does not scroll (max %d)", top)
	}
	steps := []struct {
		key  string
		want int
	}{{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"k", 0}, {"end", top}, {"j", top}, {"home", 0},
		{"pgdown", min(top, 10)}, {"pgup", 0}, {"G", top}, {"g", 0}}
	for _, s := range steps {
		m = update(t, m, press(s.key))
		if m.helpScroll != s.want || m.mode != modeHelp {
			t.Fatalf("%s: scroll %d mode %v, want %d in help", s.key, m.helpScroll, m.mode, s.want)
		}
	}
	m = update(t, m, tea.MouseWheelMsg{X: 5, Y: 5, Button: tea.MouseWheelDown})
	if m.helpScroll != min(top, wheelStep) {
		t.Fatalf("wheel: %d", m.helpScroll)
	}
	if m.Selected() != 0 {
		t.Fatal("scrolling the help moved the selection")
	}
	// A bigger screen needs less scrolling: the scroll is clamped.
	m = update(t, m, press("end"), tea.WindowSizeMsg{Width: 200, Height: 60})
	if m.helpScroll != m.helpMaxScroll() {
		t.Fatalf("after a resize: scroll %d of %d", m.helpScroll, m.helpMaxScroll())
	}
	// Closing and opening again starts at the top.
	m = update(t, m, tea.WindowSizeMsg{Width: 40, Height: 14}, press("end"), press("q"), press("?"))
	if m.helpScroll != 0 {
		t.Fatalf("reopened at %d", m.helpScroll)
	}
	// d is listed only where it works.
	big := update(t, newTest(t, 120, 40, -1, baseSnap(t0)), press("?"))
	if strings.Contains(helpText(big), "show/hide details") {
		t.Fatal("d listed where it does nothing")
	}
}
