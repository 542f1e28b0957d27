package model

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// #24: the explorer leaves the window title alone (Bubble Tea clears a
// title it set, on exit: the terminal's own title was lost), and ctrl+z
// suspends like other TUIs, in every mode; resuming repaints. Before the
// fix View set WindowTitle "portui" and ctrl+z did nothing.
func TestTitleAndSuspend(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, -1, baseSnap(t0)))
	if title := m.View().WindowTitle; title != "" {
		t.Fatalf("View sets the window title %q", title)
	}
	for _, keys := range [][]string{nil, {"/"}, {"?"}, {"4"}} {
		mm := update(t, m, typeKeys(joinKeys(keys))...)
		_, cmd := mm.Update(tea.KeyPressMsg{Code: 'z', Mod: tea.ModCtrl})
		if cmd == nil {
			t.Fatalf("after %v: ctrl+z does nothing", keys)
		}
		if _, ok := cmd().(tea.SuspendMsg); !ok {
			t.Fatalf("after %v: ctrl+z sends %T, want tea.SuspendMsg", keys, cmd())
		}
	}
	_, cmd := m.Update(tea.ResumeMsg{})
	if cmd == nil {
		t.Fatal("resume does not repaint")
	}
}

func joinKeys(ks []string) string {
	s := ""
	for _, k := range ks {
		s += k
	}
	return s
}
