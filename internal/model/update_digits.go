package model

import (
	"strconv"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
)

// Typing a port number: each digit moves the selection at once (4 → 44 →
// 443), so the pane follows as you type. A pause (digitWait), enter, esc
// or any other key ends the number; that other key then does its usual job.

// typeDigit adds the digit pressed to the number being typed.
func (m Model) typeDigit(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	s := m.digits + msg.Text
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
