package model

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/portui/portui/internal/views"
)

// Update dispatches a message: global messages here, keys to the current
// mode's handler (update_<mode>.go).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.relayout()
		if !m.warmStart {
			// After the first frame: decoding now would compete with it.
			m.warmStart = true
			return m, warmCmd(m.reg)
		}
		return m, nil
	case tea.BackgroundColorMsg:
		m.sty = views.NewStyles(msg.IsDark())
		return m, nil
	case tea.ColorProfileMsg:
		m.plain = msg.Profile == colorprofile.NoTTY
		return m, nil
	case pollMsg:
		m.holding = false
		return m.handlePoll(msg)
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
		if m.mode == modeSearch {
			return m.updateSearchInput(msg)
		}
	}
	return m, nil
}

// handlePoll takes a scan result and arms the next poll. Results from an
// older generation (polling was paused, resumed or moved to another block
// since) are dropped and do not re-arm, so at most one poll loop runs.
func (m Model) handlePoll(msg pollMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen || m.paused {
		return m, nil
	}
	m.polls++
	if msg.err != nil {
		if m.ctx.Err() != nil {
			return m, nil // quitting
		}
		m.pollErr = msg.err
		return m, m.nextPoll(msg.took)
	}
	m.pollErr = nil
	prev := m.listenersAt(m.sel)
	if m.mergeSnapshot(msg.snap, msg.req) {
		m.refreshCells()
		m.refreshFindings()
		if m.open.set {
			m.logChanges(prev, msg.snap.Taken)
		}
	}
	if !m.open.set {
		m.openPane()
	}
	return m, m.nextPoll(msg.took)
}

// pollNow starts a poll loop on the block, right away.
func (m *Model) pollNow() tea.Cmd {
	return pollCmd(m.ctx, m.cfg.Scanner, m.gen, m.blockReq(), 0)
}

// nextPoll arms the poll after one that took took. Polls run at a fixed
// rate (a slow scan delays the next one less), never overlapping. The
// first whole-machine scan follows the first block scan at once.
func (m *Model) nextPoll(took time.Duration) tea.Cmd {
	if !m.fullSeen {
		return pollCmd(m.ctx, m.cfg.Scanner, m.gen, pollReq{full: true}, 0)
	}
	req := m.blockReq()
	if m.polls%fullEvery == 0 {
		req = pollReq{full: true}
	}
	return pollCmd(m.ctx, m.cfg.Scanner, m.gen, req, m.cfg.Interval-took)
}

func (m *Model) blockReq() pollReq {
	return pollReq{lo: m.block, hi: m.block + views.BlockSize - 1}
}

// withRepoll restarts polling on a new block after a key or click moved
// the selection there, so its listeners show at once rather than after
// the next interval.
func (m Model) withRepoll(next tea.Model, cmd tea.Cmd) (tea.Model, tea.Cmd) {
	nm := next.(Model)
	if !nm.repoll {
		return nm, cmd
	}
	nm.repoll = false
	if nm.paused || nm.cfg.Scanner == nil {
		return nm, cmd
	}
	nm.gen++
	nm.polls = 0
	return nm, tea.Batch(cmd, nm.pollNow())
}

// flashMsg shows a transient message in the status bar.
func (m *Model) flashMsg(s string, bad bool) tea.Cmd {
	m.flash, m.flashBad = s, bad
	m.flashSeq++
	return flashTimeout(m.flashSeq)
}
