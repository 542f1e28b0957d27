package model

import (
	tea "charm.land/bubbletea/v2"
)

// The help overlay's keys are in the key table (keys.go, "This help"):
// esc, ? and q close it, ctrl+c quits, j/k/↑/↓, pgup/pgdn, home/end and
// the wheel scroll it; every other key is ignored while it is open.

// openHelp opens the overlay at its top.
func (m *Model) openHelp() {
	m.helpScroll = 0
	m.setMode(modeHelp)
}

// helpScroll scrolls the help by n lines.
func helpScroll(n int) handler {
	return mut(func(m *Model) { m.scrollHelp(n) })
}

// helpPage scrolls the help by a screenful.
func helpPage(dir int) handler {
	return mut(func(m *Model) { m.scrollHelp(dir * max(1, m.h-4)) })
}

// scrollHelp moves helpScroll by n, within what the overlay can scroll.
func (m *Model) scrollHelp(n int) {
	m.helpScroll = max(0, min(m.helpMaxScroll(), m.helpScroll+n))
}

// helpMaxScroll is how far the help overlay scrolls at this size: from
// the number of its lines (the box is not drawn for it).
func (m *Model) helpMaxScroll() int {
	if m.w <= 0 || m.h <= 0 {
		return 0
	}
	return m.helpContent().MaxScroll(m.h)
}

// wheelHelp scrolls the help with the mouse wheel.
func (m Model) wheelHelp(ev tea.Mouse) (tea.Model, tea.Cmd) {
	switch ev.Button {
	case tea.MouseWheelUp:
		m.scrollHelp(-wheelStep)
	case tea.MouseWheelDown:
		m.scrollHelp(wheelStep)
	}
	return m, nil
}

// helpAll scrolls to an end of the help, whatever its length.
const helpAll = 1 << 20
