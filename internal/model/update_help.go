package model

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/portui/portui/internal/views"
)

// The help overlay's keys are in the key table (keys.go, "This help"):
// esc, ? and q close it, ctrl+c quits, j/k/↑/↓, pgup/pgdn, home/end and
// the wheel scroll it; every other key is ignored while it is open.

// helpAll scrolls to an end of the help, whatever its length.
const helpAll = 1 << 20

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

// helpFooter is the overlay's last line (render.go passes the same text).
const helpFooter = "mouse: click a port to select it, wheel to scroll · esc/? closes this help"

// helpMaxScroll is how far the help overlay scrolls at this size: the
// lines of its full text less those the box shows (HelpBox keeps h-2 of
// them inside its border).
//
// TODO(merge): views.HelpBox(groups, footer, w, h, scroll, sty) (string,
// int) returns this maximum itself; use it then.
func (m *Model) helpMaxScroll() int {
	if m.w <= 0 || m.h <= 0 {
		return 0
	}
	groups := m.keys.withState(m.keyState(modeBrowse)).Groups()
	full := lipgloss.Height(views.HelpBox(groups, helpFooter, m.w, helpAll, m.sty)) - 2
	return max(0, full-(m.h-2))
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
