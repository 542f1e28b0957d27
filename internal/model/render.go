package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// render assembles the screen from the views, line by line, every line
// exactly the terminal's width.
func (m *Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	g := &m.geo
	if g.Mode == TooSmall {
		return tooSmall(m.w, m.h, m.sty)
	}
	lines := make([]string, 0, m.h)
	c := registry.ClassOf(m.block)
	if m.area == areaTable {
		// The table's own header and footer (table.go).
		lines = append(lines, m.tableHeader())
		lines = append(lines, m.renderBody()...)
		lines = append(lines, m.tableFooter(g.Status.Min.Y-g.Legend.Min.Y)...)
		lines = append(lines, views.StatusBar(m.statusState(), m.w, m.sty))
	} else {
		hs := views.HeaderState{
			Lo: m.block, Hi: m.block + views.BlockSize - 1, Class: c.Title,
			View: m.view.String(), Filter: m.filter.String(), Scope: m.scope.headerName(),
		}
		ls := views.LegendState{
			Counts: m.counts, Listening: m.listening, Look: m.look, Away: m.away, Filter: m.filter.String(),
		}
		ss := m.statusState()
		if m.area == areaMap {
			hs, ls, ss = m.mapHeader(hs), m.mapLegend(ls), m.mapStatus(ss)
		}
		lines = append(lines, views.Header(hs, m.w, m.sty))
		lines = append(lines, m.renderBody()...)
		lines = append(lines, views.Legend(ls, m.w, m.sty)...)
		lines = append(lines, views.StatusBar(ss, m.w, m.sty))
	}
	s := strings.Join(lines, "\n")
	if m.mode == modeHelp {
		s = views.Overlay(s, m.helpContent().Box(m.h, m.helpScroll, m.sty), m.w, m.h)
	}
	// Text from outside (registry, process names, messages) may hold
	// characters a non-UTF-8 console cannot show: the last safety net.
	return m.sty.G.Text(s)
}

// helpFooter ends the help overlay.
const helpFooter = "mouse: click a port to select it, wheel to scroll"

// helpContent is the help overlay's text at the screen's width. The
// overlay lists every key that works in some mode (KeyMap.Groups), so it
// is the same whatever the mode.
func (m *Model) helpContent() views.HelpContent {
	footer := helpFooter
	if m.staleDays > 0 {
		footer += m.sty.G.Sep + "the registry is " + strconv.Itoa(m.staleDays) + " days old: portui registry update"
	}
	return views.NewHelpContent(m.keys.Groups(), footer, m.w, m.sty)
}

// renderBody draws the grid and the pane per the layout's mode. Every
// part comes at a width known by construction (grid rows are exactly
// GridState.Width(), the pane's lines its rectangle's width), so lines are
// padded to the screen's width from those numbers rather than measured.
func (m *Model) renderBody() []string {
	g := &m.geo
	bodyH := g.Legend.Min.Y - g.Header.Max.Y
	if m.area != areaGrid {
		return m.renderArea(m.w, bodyH)
	}
	var grid, pane []string
	gw := 0 // the width of every grid row
	if !g.Grid.Empty() {
		gs := m.gridState()
		grid, gw = views.Grid(gs, m.sty), gs.Width()
	}
	if !g.Pane.Empty() {
		pane = m.renderPane(g.Pane.Dx(), g.Pane.Dy())
	}
	blank := strings.Repeat(" ", m.w)
	out := make([]string, 0, bodyH)
	switch g.Mode {
	case PaneSide:
		rule := m.sty.Rule.Wrap(m.sty.G.VRule) + " "
		for i := range bodyH {
			out = append(out, m.toWidth(grid[i]+rule+pane[i], gw+paneGutter+g.Pane.Dx(), blank))
		}
	case PaneBelow:
		for _, l := range grid {
			out = append(out, m.toWidth(l, gw, blank))
		}
		out = append(out, m.sty.Rule.Wrap(strings.Repeat(m.sty.G.HRule, m.w)))
		out = append(out, pane...)
	default:
		for _, l := range grid {
			out = append(out, m.toWidth(l, gw, blank))
		}
		out = append(out, pane...)
	}
	for len(out) < bodyH {
		out = append(out, blank)
	}
	return out[:bodyH]
}

// toWidth brings line s, n columns wide, to the screen's width: padded
// from blank (m.w spaces), or cut. Cutting happens only where a five-digit
// block's narrowest grid (four cells) is wider than the side grid's
// rectangle (widths 55–58).
func (m *Model) toWidth(s string, n int, blank string) string {
	switch {
	case n < m.w:
		return s + blank[:m.w-n]
	case n > m.w:
		return m.sty.Fit(s, m.w)
	}
	return s
}

// renderPane is the detail pane, or the search results while typing.
func (m *Model) renderPane(w, h int) []string {
	if m.mode == modeSearch {
		return views.SearchList(m.searchList(h), w, h, m.sty)
	}
	return views.Detail(m.detailState(), w, h, m.sty)
}

// statusState fills the status bar.
func (m *Model) statusState() views.StatusState {
	s := views.StatusState{
		Registry:  m.reg.Updated,
		StaleDays: m.staleDays,
		Listeners: m.listenerCount(),
		Findings:  m.findings,
		Block:     views.Range(m.block, m.block+views.BlockSize-1, m.sty.G),
		Hint:      m.hint(),
	}
	switch {
	case m.cfg.Scanner == nil:
		s.Poll = "no scanner"
	case m.paused:
		s.Poll = "paused"
	case m.pollErr != nil:
		s.Poll, s.PollBad = "poll failed", true
	case !m.polled:
		s.Poll = "polling" + m.sty.G.Ellipsis
	default:
		s.Poll = "live " + m.cfg.Interval.String()
	}
	switch {
	case m.mode == modeSearch:
		s.Left = m.input.View(m.sty)
	case m.mode == modeDigits:
		s.Left = m.sty.Bold.Wrap("go to " + m.digits + m.sty.G.Cursor)
	case m.flash != "":
		st := m.sty.Dim
		if m.flashBad {
			st = m.sty.Err
		}
		s.Left = st.Wrap(m.flash)
	case m.pollErr != nil:
		s.Left = m.sty.Err.Wrap("scan: " + m.pollErr.Error())
	case m.search.err != nil:
		s.Left = m.sty.Err.Wrap("search: " + m.search.err.Error())
	case m.search.applied != "":
		s.Left = m.searchLine()
	case m.detail.err != nil:
		s.Left = m.sty.Err.Wrap(m.detail.err.Error())
	case len(m.snap.Warnings) > 0:
		s.Left = m.sty.Warn.Wrap(m.snap.Warnings[0])
	}
	return s
}

// searchLine is the status text of an accepted search.
func (m *Model) searchLine() string {
	s := &m.search
	q := m.sty.Bold.Wrap("/" + s.applied)
	switch {
	case s.accepting():
		return q + m.sty.Dim.Wrap(" searching"+m.sty.G.Ellipsis)
	case len(s.matches) == 0:
		return q + m.sty.Err.Wrap(" no match") + m.sty.Dim.Wrap(m.sty.G.Sep+"esc clears")
	}
	mt := s.matches[s.idx]
	name := mt.Name
	if name == "" {
		name = mt.Why
	}
	return q + " " + strconv.Itoa(s.idx+1) + "/" + strconv.Itoa(len(s.matches)) + " " + name +
		m.sty.Dim.Wrap(m.sty.G.Sep+"n/N next"+m.sty.G.Sep+"esc clears")
}

// tooSmall is the whole screen when nothing useful fits.
func tooSmall(w, h int, sty *views.Styles) string {
	x := sty.G.Times
	msg := []string{"terminal too small", fmt.Sprintf("%d%s%d, need %d%s%d", w, x, h, minW, x, minH)}
	lines := make([]string, h)
	for i := range lines {
		lines[i] = ""
		if j := i - (h-len(msg))/2; j >= 0 && j < len(msg) {
			lines[i] = strings.Repeat(" ", max(0, (w-len([]rune(msg[j])))/2)) + msg[j]
		}
	}
	return strings.Join(sty.Block(lines, w, h), "\n")
}

// hint is the status bar's default text: the key map's short help, item
// by item (the status bar drops whole items when short of room).
func (m *Model) hint() []string {
	var parts []string
	for _, b := range m.keys.ShortHelp() {
		if b.Enabled() {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return parts
}
