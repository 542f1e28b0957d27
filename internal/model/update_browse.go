package model

import (
	"strconv"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// Handlers of the browse keys (the key table is in keys.go).

// run goes to the next (dir > 0) or previous run; with a status filter,
// the next run of that status.
func run(dir int) handler {
	return mut(func(m *Model) {
		if p, ok := nextRun(m.reg, m.sel, dir, m.view, m.filter.statusOK()); ok {
			m.selectPort(p)
		}
	})
}

// listener goes to the next (dir > 0) or previous listening port.
func listener(dir int) handler {
	return func(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
		p, ok := m.nextListener(m.sel, dir)
		if !ok {
			return m, m.flashMsg("no listener to go to", false)
		}
		m.selectPort(p)
		return m, nil
	}
}

// block goes to the same place in the previous (dir < 0) or next block.
func block(dir int) handler {
	return mut(func(m *Model) {
		if p := m.sel + dir*views.BlockSize; p >= 0 && p <= registry.MaxPort {
			m.selectPort(p)
		}
	})
}

// matchStep cycles through the accepted search's matches.
func matchStep(dir int) handler {
	return mut(func(m *Model) { m.cycleMatch(dir) })
}

// cycleFilter: all → assigned → … → private use → all.
func (m *Model) cycleFilter() {
	m.filter = (m.filter + 1) % numFilters
	m.refreshCells()
}

// cycleView: combined → tcp only → udp only → combined.
func (m *Model) cycleView() {
	for j, v := range tViews {
		if v == m.view {
			m.view = tViews[(j+1)%len(tViews)]
			break
		}
	}
	m.refreshCells()
	m.loadDetail() // the run depends on the view
}

// togglePane swaps grid and pane in the PaneToggle layout.
func (m *Model) togglePane() {
	m.showPane = !m.showPane
	m.relayout()
}

// copySummary puts the port's summary on the clipboard (OSC 52).
func (m Model) copySummary(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if row, ok := m.tableListener(); ok && m.area == areaTable {
		// In the table, the cursor's row is what the person looks at:
		// its port becomes the selection (enter would do the same).
		m.selectPort(int(row.Port))
	}
	text := m.summary()
	return m, tea.Batch(tea.SetClipboard(text), m.flashMsg("copied port "+strconv.Itoa(m.sel)+" summary (OSC 52)", false))
}

// togglePause stops or restarts polling.
func (m Model) togglePause(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.cfg.Scanner == nil {
		return m, nil
	}
	if !m.paused {
		m.poller.pause()
		return m, nil
	}
	return m, tickCmd(m.poller.resume(), m.after)
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
