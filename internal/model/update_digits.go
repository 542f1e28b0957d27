package model

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
)

// Typing a port number: each digit moves the selection at once (4 → 44 →
// 443), so the pane follows as you type. A pause (digitWait), enter, esc
// or any other key ends the number; that other key then does its usual job.

// typeDigit adds digit d to the number being typed.
func (m Model) typeDigit(d string) (tea.Model, tea.Cmd) {
	s := m.digits + d
	n, err := strconv.Atoi(s)
	if err != nil || n > registry.MaxPort {
		return m, nil // 70000 is no port: ignore the digit, keep the number
	}
	m.digits = s
	m.digitSeq++
	if m.mode != modeDigits {
		m.setMode(modeDigits)
	}
	m.selectPort(n)
	return m, digitTimeout(m.digitSeq)
}

// endDigits finishes the typed number.
func (m *Model) endDigits() {
	m.digits = ""
	m.setMode(modeBrowse)
}

// updateDigits handles keys while a number is being typed.
func (m Model) updateDigits(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Digits):
		return m.typeDigit(msg.Text)
	case key.Matches(msg, m.keys.Accept, m.keys.Cancel):
		m.endDigits()
		return m, nil
	}
	m.endDigits()
	return m.updateBrowse(msg)
}
