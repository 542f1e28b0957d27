package model

import (
	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// The map (m): the 64 blocks of 1,024 ports, one cell each, with the
// share IANA assigned and the listeners in scope (views.Map). Its
// selection is a block (mapState.sel), apart from the grid's port: enter
// opens the block in the grid, keeping the grid's selection when it is
// already in that block.

// mapState is the map's own state: the selected block and the first row
// of cells shown (on screens too short for all eight rows).
type mapState struct {
	sel, top int
}

// toggleMap is the handler of m: to the map, on the grid's block, or back
// to the grid.
func (m Model) toggleMap(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.area != areaMap {
		m.pmap.sel = m.block / views.BlockSize
		m.pmap.top = m.mapGeom().Top(m.pmap.top, m.pmap.sel)
	}
	return toggleArea(areaMap)(m, msg)
}

// pollBlock is the block the poller scans between whole-machine scans:
// the map's selected block while the map is shown (its counts in the
// footer are then as fresh as the grid's), else the grid's.
func (m *Model) pollBlock() int {
	if m.area == areaMap {
		return m.pmap.sel * views.BlockSize
	}
	return m.block
}

// mapBodyH is the height of the body the map is drawn in.
func (m *Model) mapBodyH() int { return m.geo.Legend.Min.Y - m.geo.Header.Max.Y }

// mapGeom is the map's layout at the current size.
func (m *Model) mapGeom() views.MapGeom { return views.MapLayout(m.w, m.mapBodyH()) }

// mapMove is a map movement binding: f gives the block to select from the
// selected one and the layout.
func mapMove(f func(sel int, g views.MapGeom) int) handler {
	return mut(func(m *Model) {
		g := m.mapGeom()
		was := m.pmap.sel
		m.pmap.sel = max(0, min(registry.NumBlocks-1, f(m.pmap.sel, g)))
		m.pmap.top = g.Top(m.pmap.top, m.pmap.sel)
		m.repoll = m.pmap.sel != was // scan the new block now (pollBlock)
	})
}

// mapBy moves dx cells along a row and dy rows, staying in the row (left
// and right stop at its ends) and in the map.
func mapBy(dx, dy int) handler {
	return mapMove(func(sel int, g views.MapGeom) int {
		c := sel%g.Cols + dx
		if c < 0 || c >= g.Cols {
			return sel
		}
		r := sel/g.Cols + dy
		if r < 0 || r >= g.Rows {
			return sel
		}
		return r*g.Cols + c
	})
}

// mapPage moves a screen of rows up or down (dir), staying in the column.
func mapPage(dir int) handler {
	return mapMove(func(sel int, g views.MapGeom) int {
		r := max(0, min(g.Rows-1, sel/g.Cols+dir*g.Visible))
		return r*g.Cols + sel%g.Cols
	})
}

// openBlock is enter on the map: the selected block in the grid.
func (m Model) openBlock(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	lo := m.pmap.sel * views.BlockSize
	if m.block != lo {
		m.selectPort(lo)
	}
	m.setArea(areaGrid)
	return m, nil
}

// mapSearch is / on the map: the search shows its results in the pane,
// so it starts from the grid.
func (m Model) mapSearch(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.setArea(areaGrid)
	return m.startSearch(msg)
}

// mapBlocks is every block's make-up under the view and its listeners
// in scope.
func (m *Model) mapBlocks() *[registry.NumBlocks]views.MapBlock {
	var out [registry.NumBlocks]views.MapBlock
	counts := m.reg.BlockCounts(m.view)
	for i := range out {
		out[i].Counts = counts[i]
		b := m.set.block(i)
		if b == nil {
			continue
		}
		for p := range b.ports {
			for k := range b.ports[p] {
				if l := &b.ports[p][k]; m.scope.has(&l.Listener) {
					out[i].Listeners++
					if l.PrivateUse {
						out[i].Private++
					}
				}
			}
		}
	}
	return &out
}

// renderMap draws the map of the 64 blocks, w×h.
func (m *Model) renderMap(w, h int) []string {
	lo := m.pmap.sel * views.BlockSize
	return views.Map(views.MapState{
		Blocks: m.mapBlocks(), Sel: m.pmap.sel, Top: m.pmap.top, Class: registry.ClassOf(lo).Title,
	}, w, h, m.sty)
}

// mapHeader is the header in the map: where the map's selection is.
func (m *Model) mapHeader(h views.HeaderState) views.HeaderState {
	lo := m.pmap.sel * views.BlockSize
	h.Lo, h.Hi, h.Class = lo, lo+views.BlockSize-1, registry.ClassOf(lo).Title
	h.Where = "map" + m.sty.G.Sep + "block"
	return h
}

// mapStatus is the status bar in the map: its findings are those of the
// map's selected block, as `portui audit --range` of it reports them.
func (m *Model) mapStatus(s views.StatusState) views.StatusState {
	lo := m.pmap.sel * views.BlockSize
	s.Block = views.Range(lo, lo+views.BlockSize-1, m.sty.G)
	s.Findings = m.blockFindings(m.pmap.sel)
	return s
}

// mapLegend is the legend in the map: the selected block's cells as its
// grid would count them (statuses under the view, listener marks in
// scope).
func (m *Model) mapLegend(l views.LegendState) views.LegendState {
	b := m.pmap.sel
	l.Counts = m.reg.Counts(b*views.BlockSize, (b+1)*views.BlockSize-1, m.view)
	l.Listening, l.Look, l.Away = 0, 0, 0
	bl := m.set.block(b)
	if bl == nil {
		return l
	}
	for i := range bl.marks {
		mk := bl.marks[i]
		if mk != views.MarkNone && !m.scope.all {
			mk = scopedMark(bl.ports[i], bl.verdicts[i], &m.scope)
		}
		if mk == views.MarkNone {
			continue
		}
		l.Listening++
		switch mk {
		case views.MarkLook:
			l.Look++
		case views.MarkAway:
			l.Away++
		}
	}
	return l
}

// mapMouse is the mouse on the map: a click selects a block, a click on
// the selected block opens it (as enter), the wheel moves a row.
func (m Model) mapMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	g := m.mapGeom()
	ev := msg.Mouse()
	switch msg.(type) {
	case tea.MouseClickMsg:
		y := ev.Y - m.geo.Header.Max.Y
		if ev.Button != tea.MouseLeft || y < 0 || y >= g.Visible*g.CellH || ev.X < 0 || ev.X >= g.Cols*g.CellW {
			return m, nil
		}
		i := (m.pmap.top+y/g.CellH)*g.Cols + ev.X/g.CellW
		if i == m.pmap.sel {
			return m.openBlock(tea.KeyPressMsg{})
		}
		m.repoll = i != m.pmap.sel
		m.pmap.sel = i
	case tea.MouseWheelMsg:
		switch ev.Button {
		case tea.MouseWheelUp:
			return mapBy(0, -1)(m, tea.KeyPressMsg{})
		case tea.MouseWheelDown:
			return mapBy(0, 1)(m, tea.KeyPressMsg{})
		}
	}
	return m, nil
}
