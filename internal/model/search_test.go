package model

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/portui/portui/internal/registry"
)

// #3: `/ssh`, enter before the results, then `/` again: the ssh results
// must not land (jumping to 22, filling the list) while a new query is
// being typed. Before the fix the search request kept its number across
// `/`, and its late result was applied.
func TestSearchResultOfAnEarlierInput(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 100, baseSnap(t0)))
	m = update(t, m, typeKeys("/ssh")...)
	old := searchCmd(m.reg, m.search.seq, m.search.typed)()
	m = update(t, m, press("enter"))
	if !m.search.accepting() {
		t.Fatal("enter before the results is not waiting for them")
	}
	m = update(t, m, press("/"))
	m = update(t, m, old)
	if m.Selected() != 100 || m.mode != modeSearch || m.search.typed != "" || m.search.live != nil || m.search.accepting() {
		t.Fatalf("old result applied: sel %d mode %v typed %q live %d", m.Selected(), m.mode, m.search.typed, len(m.search.live))
	}
	// The new query's own results still work.
	m = update(t, m, typeKeys("imaps")...)
	m = runSearch(t, m)
	m = update(t, m, press("enter"))
	if m.Selected() != 993 || m.search.applied != "imaps" {
		t.Fatalf("new search: sel %d applied %q", m.Selected(), m.search.applied)
	}
}

// The search's transitions on their own.
func TestSearchTransitions(t *testing.T) {
	ms := func(ports ...int) []registry.Match {
		var out []registry.Match
		for _, p := range ports {
			out = append(out, registry.Match{Port: p})
		}
		return out
	}
	var s searchState
	s.open()
	a, ok := s.setTyped("ss")
	if !ok || a.query != "ss" || !s.pending {
		t.Fatalf("typing: %+v %v", a, ok)
	}
	b, _ := s.setTyped("ssh")
	if b.id == a.id {
		t.Fatal("a new query reused the request id")
	}
	if _, _, used := s.result(a.id, ms(1), nil); used || s.live != nil {
		t.Fatal("result of an older query used")
	}
	if _, ok := s.setTyped("ssh"); ok {
		t.Fatal("the same text searched again")
	}
	// enter before the results: the jump comes with them.
	if _, ok := s.accept(); ok || !s.accepting() || s.await != b.id {
		t.Fatal("enter before results")
	}
	if p, jump, used := s.result(b.id, ms(22, 2222), nil); !used || !jump || p != 22 || s.accepting() {
		t.Fatalf("awaited result: %d %v %v", p, jump, used)
	}
	if p, _ := s.step(1); p != 2222 {
		t.Fatalf("n: %d", p)
	}
	if p, _ := s.step(1); p != 22 {
		t.Fatalf("n wraps: %d", p)
	}
	// Clearing makes what is in flight stale, and ids never come back.
	c, _ := s.setTyped("x")
	s.clear()
	if _, _, used := s.result(c.id, ms(7), nil); used {
		t.Fatal("result after clear used")
	}
	s.open()
	d, _ := s.setTyped("y")
	if d.id <= c.id {
		t.Fatalf("id %d after %d", d.id, c.id)
	}
	// An empty query runs nothing and empties the list.
	if _, ok := s.setTyped(""); ok || s.pending || s.live != nil {
		t.Fatal("empty query")
	}
}

// #20: while a query is typed, ↑/↓ and ctrl+p/ctrl+n move through the
// result list in the pane, enter goes to the highlighted result, and a
// click on a result selects it. Before the fix the arrows did nothing and
// enter always went to the best match.
func TestSearchResultsCursor(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 100, baseSnap(t0)))
	m = update(t, m, typeKeys("/ssh")...)
	m = runSearch(t, m)
	live := m.search.live
	if len(live) < 4 {
		t.Fatalf("want 4+ results for ssh, got %d", len(live))
	}
	m = update(t, m, press("down"), keyMsgT("ctrl+n"), press("down"), press("up"))
	if m.search.cursor != 2 || m.searchList(m.geo.Pane.Dy()).Cursor != 2 {
		t.Fatalf("cursor %d after ↓ ctrl+n ↓ ↑, want 2", m.search.cursor)
	}
	m = update(t, m, keyMsgT("ctrl+p"), keyMsgT("ctrl+p"), keyMsgT("ctrl+p"))
	if m.search.cursor != 0 {
		t.Fatalf("cursor %d: went above the first result", m.search.cursor)
	}
	m = update(t, m, press("down"), press("down"), press("enter"))
	if m.mode != modeBrowse || m.Selected() != live[2].Port || m.search.idx != 2 {
		t.Fatalf("enter on the third result: sel %d idx %d, want %d", m.Selected(), m.search.idx, live[2].Port)
	}
	if m = update(t, m, press("n")); m.Selected() != live[3].Port {
		t.Fatalf("n after it: %d, want %d", m.Selected(), live[3].Port)
	}
	// A click on the second result's line (the pane's first line is the
	// header) selects it.
	m = update(t, m, typeKeys("/ssh")...)
	m = runSearch(t, m)
	pane := m.geo.Pane
	m = update(t, m, tea.MouseClickMsg{X: pane.Min.X + 2, Y: pane.Min.Y + 2, Button: tea.MouseLeft})
	if m.mode != modeBrowse || m.Selected() != live[1].Port || m.search.applied != "ssh" {
		t.Fatalf("click on the second result: mode %v sel %d, want %d", m.mode, m.Selected(), live[1].Port)
	}
	// The list scrolls to keep the cursor in view.
	m = update(t, newTest(t, 120, 40, 100, baseSnap(t0)), typeKeys("/http")...)
	m = runSearch(t, m)
	rows := m.geo.Pane.Dy() - 1
	if len(m.search.live) <= rows+2 {
		t.Fatalf("want more than %d results for http, got %d", rows+2, len(m.search.live))
	}
	for range rows + 2 {
		m = update(t, m, press("down"))
	}
	st := m.searchList(m.geo.Pane.Dy())
	if st.Cursor < 0 || st.Cursor >= len(st.Matches) || st.Matches[st.Cursor].Port != m.search.live[rows+2].Port {
		t.Fatalf("the cursor's result is not on screen: cursor %d of %d shown", st.Cursor, len(st.Matches))
	}
}

func keyMsgT(s string) tea.KeyPressMsg {
	switch s {
	case "ctrl+n":
		return tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl}
	case "ctrl+p":
		return tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl}
	}
	return press(s)
}
