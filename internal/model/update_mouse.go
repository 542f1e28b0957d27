package model

import (
	"image"

	tea "charm.land/bubbletea/v2"
)

// wheelStep is how many rows (grid) or lines (pane) a wheel notch scrolls.
const wheelStep = 3

// updateMouse handles clicks and the wheel, hit-tested against the same
// Geometry the screen was drawn from.
func (m Model) updateMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.mode == modeHelp {
		if _, wheel := msg.(tea.MouseWheelMsg); wheel {
			return m.wheelHelp(msg.Mouse())
		}
		return m, nil
	}
	if m.area == areaTable {
		return m.tableMouse(msg) // also while a row filter is typed
	}
	if m.mode == modeSearch {
		if c, ok := msg.(tea.MouseClickMsg); ok && c.Button == tea.MouseLeft &&
			image.Pt(c.X, c.Y).In(m.geo.Pane) {
			next, _ := m.clickResult(c.Y)
			return next, nil
		}
		return m, nil
	}
	if m.mode == modeDigits {
		m.endDigits()
	}
	if m.area == areaMap {
		return m.mapMouse(msg)
	}
	ev := msg.Mouse()
	pt := image.Pt(ev.X, ev.Y)
	switch msg.(type) {
	case tea.MouseClickMsg:
		if ev.Button != tea.MouseLeft {
			return m, nil
		}
		if i, ok := m.geo.CellAt(ev.X, ev.Y, m.top); ok {
			m.selectPort(m.block + i)
		}
	case tea.MouseWheelMsg:
		dir := 0
		switch ev.Button {
		case tea.MouseWheelUp:
			dir = -1
		case tea.MouseWheelDown:
			dir = 1
		}
		switch {
		case pt.In(m.geo.Grid):
			m.scrollGrid(dir * wheelStep)
		case pt.In(m.geo.Pane):
			m.scrollPane(dir * wheelStep)
		}
	}
	return m, nil
}

// scrollGrid scrolls the grid by n rows; the selection moves along (same
// column) when it would leave the screen, so it stays visible.
func (m *Model) scrollGrid(n int) {
	rows, cols := m.geo.Rows(), m.geo.Cols
	if rows <= 0 || cols <= 0 {
		return
	}
	m.top = max(0, min(totalRows(cols)-rows, m.top+n))
	i := m.sel - m.block
	row := i / cols
	switch {
	case row < m.top:
		row = m.top
	case row >= m.top+rows:
		row = m.top + rows - 1
	default:
		return
	}
	m.selectPort(m.block + min(row*cols+i%cols, len(m.cells)-1))
}
