package model

import (
	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// The search is a small state machine (searchState): what is being typed
// and its live results, and the query accepted with enter, whose matches
// n/N cycle through. Every request gets a new id (next never goes back),
// and a result applies only to the request that is current for it: the
// live list takes results of seq (the text typed now), an enter given
// before its results takes those of await. Opening the input again,
// typing on, clearing or cancelling makes every earlier request stale.
//
//	closed ──/──▶ typing ──text──▶ typing+pending ──result(seq)──▶ typing
//	                 │ enter             │ enter
//	                 ▼                   ▼
//	              applied ◀─result(await)─ accepting
type searchState struct {
	next    int              // ids handed out so far
	seq     int              // id of the request for typed (0: none)
	typed   string           // the input's value
	live    []registry.Match // results for typed
	pending bool             // the request seq is running
	applied string           // accepted query ("" for none)
	matches []registry.Match // results for applied, best first
	idx     int              // current match
	cursor  int              // the result of live enter goes to
	top     int              // first result the pane lists
	await   int              // id of the request enter is waiting for (0: none)
	err     error
}

// accepting reports whether enter is waiting for its results (the status
// bar says "searching…").
func (s *searchState) accepting() bool { return s.await != 0 }

// searchReq is a search to run.
type searchReq struct {
	id    int
	query string
}

// open starts a new input: earlier requests are stale, including one
// enter was waiting for (its jump would land while the new query is typed).
func (s *searchState) open() {
	s.next++
	s.seq, s.typed, s.live, s.pending, s.err = s.next, "", nil, false, nil
	s.cursor, s.top = 0, 0
	s.await = 0
}

// setTyped takes the input's value; it returns the request to run, if any.
func (s *searchState) setTyped(v string) (searchReq, bool) {
	if v == s.typed {
		return searchReq{}, false
	}
	s.next++
	s.seq, s.typed, s.err = s.next, v, nil
	if v == "" {
		s.live, s.pending = nil, false
		return searchReq{}, false
	}
	s.pending = true
	return searchReq{id: s.seq, query: v}, true
}

// moveCursor moves the highlighted result by dir, within the results,
// scrolling the list (rows results fit in the pane) to keep it in view.
func (s *searchState) moveCursor(dir, rows int) {
	if len(s.live) == 0 {
		return
	}
	s.cursor = max(0, min(len(s.live)-1, s.cursor+dir))
	s.top = scrollTop(s.top, s.cursor, max(1, rows), len(s.live))
}

// result takes the results of request id. It reports the port to go to
// (an enter was waiting for exactly this request) and whether the result
// was used at all.
func (s *searchState) result(id int, ms []registry.Match, err error) (jump int, ok, used bool) {
	if id == 0 {
		return 0, false, false
	}
	if id == s.seq {
		s.live, s.pending, s.err = ms, false, err
		s.cursor, s.top = 0, 0
		used = true
	}
	if id == s.await {
		s.await, s.err = 0, err
		jump, ok = s.apply(ms)
		used = true
	}
	return jump, ok, used
}

// accept applies the typed query. It reports the port to go to now, if the
// results are in (the highlighted one); otherwise the jump comes with them
// (await), to the best.
func (s *searchState) accept() (jump int, ok bool) {
	s.applied = s.typed
	if s.pending {
		s.await = s.seq
		return 0, false
	}
	p, ok := s.apply(s.live)
	if ok && s.cursor < len(s.matches) {
		s.idx = s.cursor
		p = s.matches[s.idx].Port
	}
	return p, ok
}

// apply makes ms the accepted matches; the best one is where to go.
func (s *searchState) apply(ms []registry.Match) (int, bool) {
	s.matches, s.idx = ms, 0
	if len(ms) == 0 {
		return 0, false
	}
	return ms[0].Port, true
}

// step moves to the next (dir > 0) or previous accepted match.
func (s *searchState) step(dir int) (int, bool) {
	n := len(s.matches)
	if n == 0 {
		return 0, false
	}
	s.idx = ((s.idx+dir)%n + n) % n
	return s.matches[s.idx].Port, true
}

// clear forgets everything; requests in flight become stale.
func (s *searchState) clear() { *s = searchState{next: s.next} }

// visible is the match list highlighted on the grid in mode md.
func (s *searchState) visible(md mode) []registry.Match {
	if md == modeSearch {
		return s.live
	}
	return s.matches
}

// startSearch opens the search input.
func (m Model) startSearch(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.input.Reset()
	m.search.open()
	m.setMode(modeSearch)
	m.refreshCells()
	return m, nil
}

// cancelSearch closes the input and forgets the search.
func (m Model) cancelSearch(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.setMode(modeBrowse)
	m.clearSearch()
	return m, nil
}

// updateSearchInput feeds the text input and searches when the text changed.
func (m Model) updateSearchInput(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.input.Update(msg)
	req, ok := m.search.setTyped(m.input.Value())
	if !ok {
		if m.search.typed == "" {
			m.refreshCells()
		}
		return m, nil
	}
	return m, searchCmd(m.reg, req.id, req.query)
}

// acceptSearch applies the typed query and goes to its best match (now,
// or when its results arrive).
func (m Model) acceptSearch(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.search.typed == "" {
		return m.cancelSearch(tea.KeyPressMsg{})
	}
	p, ok := m.search.accept()
	m.setMode(modeBrowse)
	if ok {
		m.selectPort(p)
	}
	m.refreshCells()
	return m, nil
}

// resultStep moves the highlighted result (↑/↓, ctrl+p/ctrl+n).
func resultStep(dir int) handler {
	return mut(func(m *Model) { m.search.moveCursor(dir, m.searchRows(m.geo.Pane.Dy())) })
}

// searchRows is how many results a pane of h lines lists (the first line
// is the header).
func (m *Model) searchRows(h int) int { return max(0, h-1) }

// searchList is what the pane shows while a query is typed: the results
// from the list's top, with the highlighted one.
func (m *Model) searchList(h int) views.SearchState {
	s := &m.search
	st := views.SearchState{Query: s.typed, Pending: s.pending, Total: len(s.live)}
	top := min(s.top, len(s.live))
	st.Matches = s.live[top:min(len(s.live), top+m.searchRows(h))]
	st.Cursor = s.cursor - top
	return st
}

// clickResult goes to the result on pane line y (a click), as enter
// would with it highlighted; false if no result is there.
func (m Model) clickResult(y int) (tea.Model, bool) {
	i := m.search.top + y - m.geo.Pane.Min.Y - 1 // the first line is the header
	if len(m.search.live) == 0 || i < m.search.top || i >= len(m.search.live) || m.search.pending {
		return m, false
	}
	m.search.cursor = i
	next, _ := m.acceptSearch(tea.KeyPressMsg{})
	return next, true
}

// handleSearch takes search results; those of a request that is no longer
// current are dropped.
func (m Model) handleSearch(msg searchMsg) (tea.Model, tea.Cmd) {
	p, jump, used := m.search.result(msg.seq, msg.matches, msg.err)
	if !used {
		return m, nil
	}
	if jump {
		m.selectPort(p)
	}
	m.refreshCells()
	return m, nil
}

// cycleMatch goes to the next (dir > 0) or previous accepted match.
func (m *Model) cycleMatch(dir int) {
	if p, ok := m.search.step(dir); ok {
		m.selectPort(p)
	}
}

// clearSearch forgets the query and its matches.
func (m *Model) clearSearch() {
	m.search.clear()
	m.keys = m.keys.withState(m.keyState(m.mode))
	m.refreshCells()
}
