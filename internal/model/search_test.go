package model

import (
	"testing"

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
	if !m.search.accepting {
		t.Fatal("enter before the results is not waiting for them")
	}
	m = update(t, m, press("/"))
	m = update(t, m, old)
	if m.Selected() != 100 || m.mode != modeSearch || m.search.typed != "" || m.search.live != nil || m.search.accepting {
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
	if _, ok := s.accept(); ok || !s.accepting || s.await != b.id {
		t.Fatal("enter before results")
	}
	if p, jump, used := s.result(b.id, ms(22, 2222), nil); !used || !jump || p != 22 || s.accepting {
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
