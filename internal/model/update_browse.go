package model

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// updateBrowse handles keys while moving around the grid.
func (m Model) updateBrowse(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := &m.keys
	i, cols := m.sel-m.block, max(1, m.geo.Cols)
	switch {
	case key.Matches(msg, k.Quit, k.ForceQuit):
		return m.quit()
	case key.Matches(msg, k.Up):
		m.selectPort(m.block + moveIndex(i, 0, -1, cols))
	case key.Matches(msg, k.Down):
		m.selectPort(m.block + moveIndex(i, 0, 1, cols))
	case key.Matches(msg, k.Left):
		m.selectPort(m.block + moveIndex(i, -1, 0, cols))
	case key.Matches(msg, k.Right):
		m.selectPort(m.block + moveIndex(i, 1, 0, cols))
	case key.Matches(msg, k.PageUp):
		m.selectPort(m.block + pageIndex(i, -1, m.geo.Rows(), cols))
	case key.Matches(msg, k.PageDown):
		m.selectPort(m.block + pageIndex(i, 1, m.geo.Rows(), cols))
	case key.Matches(msg, k.RowStart):
		m.selectPort(m.block + rowStart(i, cols))
	case key.Matches(msg, k.RowEnd):
		m.selectPort(m.block + rowEnd(i, cols))
	case key.Matches(msg, k.First):
		m.selectPort(m.block)
	case key.Matches(msg, k.Last):
		m.selectPort(m.block + views.BlockSize - 1)
	case key.Matches(msg, k.Digits):
		return m.typeDigit(msg.Text)
	case key.Matches(msg, k.PrevRun, k.NextRun):
		dir := 1
		if key.Matches(msg, k.PrevRun) {
			dir = -1
		}
		if p, ok := nextRun(m.reg, m.sel, dir, m.view, m.filter.statusOK()); ok {
			m.selectPort(p)
		}
	case key.Matches(msg, k.NextListener, k.PrevListener):
		dir := 1
		if key.Matches(msg, k.PrevListener) {
			dir = -1
		}
		p, ok := m.nextListener(m.sel, dir)
		if !ok {
			return m, m.flashMsg("no listener to go to", false)
		}
		m.selectPort(p)
	case key.Matches(msg, k.PrevBlock):
		if m.block > 0 {
			m.selectPort(m.sel - views.BlockSize)
		}
	case key.Matches(msg, k.NextBlock):
		if m.block+views.BlockSize <= registry.MaxPort {
			m.selectPort(m.sel + views.BlockSize)
		}
	case key.Matches(msg, k.Search):
		return m.startSearch()
	case key.Matches(msg, k.NextMatch, k.PrevMatch):
		dir := 1
		if key.Matches(msg, k.PrevMatch) {
			dir = -1
		}
		m.cycleMatch(dir)
	case key.Matches(msg, k.ClearSearch):
		m.clearSearch()
	case key.Matches(msg, k.Filter):
		m.filter = (m.filter + 1) % numFilters
		m.refreshCells()
	case key.Matches(msg, k.View):
		for j, v := range tViews {
			if v == m.view {
				m.view = tViews[(j+1)%len(tViews)]
				break
			}
		}
		m.refreshCells()
		m.loadDetail() // the run depends on the view
	case key.Matches(msg, k.Details):
		m.showPane = !m.showPane
		m.relayout()
	case key.Matches(msg, k.ScrollDown):
		m.scrollPane(1)
	case key.Matches(msg, k.ScrollUp):
		m.scrollPane(-1)
	case key.Matches(msg, k.Copy):
		text := m.summary()
		return m, tea.Batch(tea.SetClipboard(text), m.flashMsg("copied port "+strconv.Itoa(m.sel)+" summary (OSC 52)", false))
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case key.Matches(msg, k.Help):
		m.setMode(modeHelp)
	}
	return m, nil
}

// togglePause stops or restarts polling. The generation bump makes the
// poll in flight (if any) arrive stale, so resuming starts exactly one
// new loop.
func (m Model) togglePause() (tea.Model, tea.Cmd) {
	m.paused = !m.paused
	m.gen++
	m.polls = 0
	if m.paused || m.cfg.Scanner == nil {
		return m, nil
	}
	return m, m.pollNow()
}

// scrollPane scrolls the detail pane by n lines, within its content.
func (m *Model) scrollPane(n int) {
	p := m.geo.Pane
	if p.Empty() {
		return
	}
	limit := views.DetailOverflow(m.detailState(), p.Dx(), p.Dy(), m.sty)
	m.paneScroll = max(0, min(limit, m.paneScroll+n))
}
