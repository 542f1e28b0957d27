package model

import (
	tea "charm.land/bubbletea/v2"
)

// area is what the main area shows: the grid of one block (with the pane),
// the table of every listener (L), or the map of all 64 blocks (m). It is
// an axis apart from mode: a search or the help overlay opens over any
// area, and each area's movement keys are bindings enabled for it alone
// (keyState.area), so the key table stays the one place keys live.
type area uint8

const (
	areaGrid  area = iota // the block's grid and the detail pane
	areaTable             // every listener on the machine, sortable (table.go)
	areaMap               // the 64 blocks of 1,024 ports (portmap.go)
	numAreas
)

func (a area) String() string {
	switch a {
	case areaTable:
		return "listeners"
	case areaMap:
		return "map"
	}
	return "grid"
}

// inGrid, inTable and inMap are binding conditions (binding.when).
func inGrid(s keyState) bool  { return s.area == areaGrid }
func inTable(s keyState) bool { return s.area == areaTable }
func inMap(s keyState) bool   { return s.area == areaMap }

// setArea switches the main area and re-enables the bindings for it. The
// grid's selection stays as it was: coming back finds the same port.
func (m *Model) setArea(a area) {
	if a >= numAreas {
		a = areaGrid
	}
	m.area = a
	m.keys = m.keys.withState(m.keyState(m.mode))
}

// toggleArea is the handler of L and m: to that area, or back to the grid
// from it.
func toggleArea(a area) handler {
	return func(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
		if m.area == a {
			a = areaGrid
		}
		m.setArea(a)
		return m, nil
	}
}

// renderArea draws the body of the table or the map, w×h, every line
// exactly w columns; the grid's body is renderBody's own.
func (m *Model) renderArea(w, h int) []string {
	switch m.area {
	case areaTable:
		return m.renderTable(w, h)
	case areaMap:
		return m.renderMap(w, h)
	}
	return nil
}
