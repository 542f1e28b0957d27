package model

import (
	"slices"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/views"
)

// Update dispatches a message: global messages here, keys to the current
// mode's handler (update_<mode>.go).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.relayout()
		if m.mode == modeHelp {
			m.scrollHelp(0) // keep the help's scroll within its new length
		}
		if !m.warmStart {
			// After the first frame: decoding now would compete with it.
			m.warmStart = true
			return m, warmCmd(m.reg)
		}
		return m, nil
	case tea.ResumeMsg:
		// Back from ctrl+z: whatever ran meanwhile drew on the terminal.
		return m, tea.ClearScreen
	case tea.BackgroundColorMsg:
		m.sty = views.NewStyles(m.sty.Profile, msg.IsDark(), m.sty.G)
		return m, nil
	case tea.ColorProfileMsg:
		m.sty = views.NewStyles(msg.Profile, m.sty.IsDark, m.sty.G)
		return m, nil
	case pollTickMsg:
		return m.handleTick(msg)
	case pollMsg:
		m.holding = false
		return m.handlePoll(msg)
	case healthMsg:
		return m.handleHealth(msg)
	case firstFrameMsg:
		m.holding = false
		return m, nil
	case searchMsg:
		return m.withRepoll(m.handleSearch(msg))
	case digitTimeoutMsg:
		if msg.seq == m.digitSeq && m.mode == modeDigits {
			m.endDigits()
		}
		return m, nil
	case flashTimeoutMsg:
		if msg.seq == m.flashSeq {
			m.flash = ""
		}
		return m, nil
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return m.withRepoll(m.updateMouse(msg.(tea.MouseMsg)))
	case tea.KeyPressMsg:
		return m.withRepoll(m.updateKey(msg))
	case tea.PasteMsg:
		if m.mode == modeSearch && m.area == areaTable {
			return m.updateTableQuery(msg)
		}
		if m.mode == modeSearch {
			return m.updateSearchInput(msg)
		}
	}
	return m, nil
}

// handlePoll takes a scan result and arms the next poll. A stale result
// (the poller was paused or restarted since) is dropped and arms nothing,
// so at most one poll loop runs.
func (m Model) handlePoll(msg pollMsg) (tea.Model, tea.Cmd) {
	first := !m.polled
	accept, next := m.poller.onResult(msg.id, msg.err, msg.took)
	if !accept {
		return m, nil
	}
	if msg.err != nil {
		if m.ctx.Err() != nil {
			return m, nil // quitting
		}
		return m, tickCmd(next, m.after)
	}
	if !msg.snap.Taken.IsZero() {
		m.checkAge(msg.snap.Taken)
	}
	prev := m.annAt(m.sel) // the set is never modified: a merge builds a new one
	changed := m.mergeSnapshot(msg.snap, msg.req)
	var flash tea.Cmd
	if msg.req.full {
		flash = m.checkScope()
	}
	if first || slices.Contains(changed, m.block/views.BlockSize) {
		m.refreshCells()
		m.refreshFindings()
		if m.open.set {
			m.logChanges(prev, msg.snap.Taken)
		}
	}
	if !m.open.set {
		m.openPane()
	}
	return m, tea.Batch(flash, tickCmd(next, m.after), m.probe())
}

// handleTick starts the scan an armed tick is due for.
func (m Model) handleTick(msg pollTickMsg) (tea.Model, tea.Cmd) {
	req, ok := m.poller.onTick(msg.id, m.pollBlock())
	if !ok || m.cfg.Scanner == nil {
		return m, nil
	}
	return m, scanCmd(m.ctx, m.cfg.Scanner, msg.id, req, m.clock)
}

// withRepoll tells the poller after a key or click moved the selection to
// another block, so that its listeners show at once rather than after the
// next interval.
func (m Model) withRepoll(next tea.Model, cmd tea.Cmd) (tea.Model, tea.Cmd) {
	nm := next.(Model)
	if !nm.repoll {
		return nm, cmd
	}
	nm.repoll = false
	if nm.cfg.Scanner == nil {
		return nm, cmd
	}
	return nm, tea.Batch(cmd, tickCmd(nm.poller.moved(), nm.after))
}

// flashMsg shows a transient message in the status bar.
func (m *Model) flashMsg(s string, bad bool) tea.Cmd {
	m.flash, m.flashBad = s, bad
	m.flashSeq++
	return flashTimeout(m.flashSeq)
}
