package model

import (
	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
)

// searchState is the search: what is being typed and its live results,
// and the query accepted with enter, whose matches n/N cycle through.
type searchState struct {
	seq       int              // of the latest search request
	typed     string           // the input's value
	live      []registry.Match // results for typed
	pending   bool             // a search for typed is running
	applied   string           // accepted query ("" for none)
	matches   []registry.Match // results for applied, best first
	idx       int              // current match
	accepting bool             // enter came before typed's results
	err       error
}

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
	m.search.typed, m.search.live, m.search.pending, m.search.err = "", nil, false, nil
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
	v := m.input.Value()
	if v == m.search.typed {
		return m, nil
	}
	m.search.typed = v
	m.search.seq++
	if v == "" {
		m.search.live, m.search.pending = nil, false
		m.refreshCells()
		return m, nil
	}
	m.search.pending = true
	return m, searchCmd(m.reg, m.search.seq, v)
}

// acceptSearch applies the typed query and goes to its best match (now,
// or when its results arrive).
func (m Model) acceptSearch(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	q := m.search.typed
	if q == "" {
		m.clearSearch()
		m.setMode(modeBrowse)
		m.refreshCells()
		return m, nil
	}
	m.search.applied = q
	if m.search.pending {
		m.search.accepting = true
	} else {
		m.applyMatches(m.search.live)
	}
	m.setMode(modeBrowse)
	m.refreshCells()
	return m, nil
}

// handleSearch takes search results; stale ones (the query changed since)
// are dropped.
func (m Model) handleSearch(msg searchMsg) (tea.Model, tea.Cmd) {
	if msg.seq != m.search.seq {
		return m, nil
	}
	m.search.live, m.search.pending, m.search.err = msg.matches, false, msg.err
	if m.search.accepting {
		m.search.accepting = false
		m.applyMatches(msg.matches)
	}
	m.refreshCells()
	return m, nil
}

// applyMatches makes ms the accepted matches and selects the best one.
func (m *Model) applyMatches(ms []registry.Match) {
	m.search.matches, m.search.idx = ms, 0
	if len(ms) > 0 {
		m.selectPort(ms[0].Port)
	}
}

// cycleMatch goes to the next (dir > 0) or previous accepted match.
func (m *Model) cycleMatch(dir int) {
	n := len(m.search.matches)
	if n == 0 {
		return
	}
	m.search.idx = ((m.search.idx+dir)%n + n) % n
	m.selectPort(m.search.matches[m.search.idx].Port)
}

// clearSearch forgets the query and its matches.
func (m *Model) clearSearch() {
	m.search = searchState{seq: m.search.seq + 1}
	m.keys = m.keys.withState(m.keyState(m.mode))
	m.refreshCells()
}
