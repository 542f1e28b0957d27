package model

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// updateHelp handles keys while the help overlay is open: it closes on
// esc or ?, quits on q or ctrl+c, and ignores the rest.
func (m Model) updateHelp(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Quit, m.keys.ForceQuit):
		return m.quit()
	case key.Matches(msg, m.keys.CloseHelp):
		m.setMode(modeBrowse)
	}
	return m, nil
}
