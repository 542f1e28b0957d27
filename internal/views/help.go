package views

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// HelpGroup is one titled column of the help overlay.
type HelpGroup struct {
	Title    string
	Bindings []key.Binding // disabled bindings are left out
}

// helpGap is the blank between two columns of groups.
const helpGap = 3

// helpColumns renders each group (enabled bindings only) as lines.
func helpColumns(groups []HelpGroup, sty *Styles) [][]string {
	var cols [][]string
	for _, g := range groups {
		kw := 0
		for _, b := range g.Bindings {
			if b.Enabled() {
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
		}
		col := []string{sty.Head.Wrap(g.Title)}
		for _, b := range g.Bindings {
			if !b.Enabled() {
				continue
			}
			k := b.Help().Key
			col = append(col, sty.Bold.Wrap(k)+strings.Repeat(" ", kw-ansi.StringWidth(k)+1)+
				sty.Dim.Wrap(b.Help().Desc))
		}
		if len(col) > 1 {
			cols = append(cols, col)
		}
	}
	return cols
}

// helpLines lays the columns out side by side, as many as fit in inner
// columns, rows of columns separated by a blank line.
func helpLines(cols [][]string, inner int) []string {
	var out []string
	flush := func(row [][]string, widths []int) {
		if len(row) == 0 {
			return
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		n := 0
		for _, c := range row {
			n = max(n, len(c))
		}
		for i := range n {
			var b strings.Builder
			for j, c := range row {
				cell := ""
				if i < len(c) {
					cell = c[i]
				}
				if j < len(row)-1 {
					cell += strings.Repeat(" ", widths[j]-ansi.StringWidth(cell)+helpGap)
				}
				b.WriteString(cell)
			}
			out = append(out, b.String())
		}
	}
	var row [][]string
	var widths []int
	rowW := 0
	for _, c := range cols {
		cw := 0
		for _, l := range c {
			cw = max(cw, ansi.StringWidth(l))
		}
		if len(row) > 0 && rowW+helpGap+cw > inner {
			flush(row, widths)
			row, widths, rowW = nil, nil, 0
		}
		if len(row) > 0 {
			rowW += helpGap
		}
		row, widths = append(row, c), append(widths, cw)
		rowW += cw
	}
	flush(row, widths)
	return out
}

// HelpContent is the text of the help overlay, laid out for a screen w
// wide: the key map's groups (only enabled bindings) in as many columns as
// fit, then the footer, which ends with how to close the help. Build it
// with NewHelpContent; HelpBox frames it.
type HelpContent struct {
	lines []string
	inner int // the widest line: the box keeps this width while it scrolls
	avail int // the widest the box's text may be
}

// NewHelpContent lays out the help's groups and footer for a screen w
// wide.
func NewHelpContent(groups []HelpGroup, footer string, w int, sty *Styles) HelpContent {
	avail := max(1, w-4) // border and padding
	lines := helpLines(helpColumns(groups, sty), avail)
	// The footer ends with how to close; it is the last of the content.
	p := newPane(avail, sty)
	if footer != "" {
		p.wrap(0, 0, append([]span{sty.Dim.of(footer + sty.G.Sep)}, helpCloseHint(sty)...)...)
	} else {
		p.line(helpCloseHint(sty)...)
	}
	lines = append(append(lines, ""), p.lines...)
	// The box is as wide as its widest line anywhere, not only among those
	// shown, so it keeps its size while it scrolls.
	inner := 0
	for _, l := range lines {
		inner = max(inner, ansi.StringWidth(l))
	}
	return HelpContent{lines: lines, inner: inner, avail: avail}
}

func helpCloseHint(sty *Styles) []span { return []span{sty.Bold.of("esc/?/q"), sty.Dim.of(" close")} }

// helpShown is how many content lines a box h tall shows when the content
// does not fit (the last line is then the scroll hint); 0 when it fits.
func (c HelpContent) helpShown(h int) int {
	if room := max(1, h-2); len(c.lines) > room { // border
		return max(1, room-1)
	}
	return 0
}

// MaxScroll is the largest useful scroll of the content in a box no
// taller than h (0 when everything fits), for the caller to clamp its own.
func (c HelpContent) MaxScroll(h int) int {
	if show := c.helpShown(h); show > 0 {
		return len(c.lines) - show
	}
	return 0
}

// Box frames the content as a bordered box no taller than h. The last
// line says how to close it; when the content is taller than the box, it
// shows the lines from scroll on (clamped) and that line reads "↑/↓
// scroll · esc/?/q close".
func (c HelpContent) Box(h, scroll int, sty *Styles) string {
	lines, inner := c.lines, c.inner
	if show := c.helpShown(h); show > 0 {
		// Too tall: a window of the content, and a fixed last line.
		scroll = max(0, min(scroll, c.MaxScroll(h)))
		hint := newPane(c.avail, sty)
		hint.line(append([]span{sty.Bold.of(sty.G.Up + "/" + sty.G.Down), sty.Dim.of(" scroll" + sty.G.Sep)}, helpCloseHint(sty)...)...)
		lines = append(lines[scroll:scroll+show:scroll+show], hint.lines[0])
		inner = max(inner, hint.widths[0])
	}
	inner = min(inner, c.avail)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = sty.Fit(l, inner)
	}
	return sty.HelpFrame.Render(strings.Join(out, "\n"))
}

// HelpBox is the help (NewHelpContent) framed as a box no wider than w
// and no taller than h, scrolled to scroll (HelpContent.Box), and its
// largest useful scroll.
func HelpBox(groups []HelpGroup, footer string, w, h, scroll int, sty *Styles) (box string, maxScroll int) {
	c := NewHelpContent(groups, footer, w, sty)
	return c.Box(h, scroll, sty), c.MaxScroll(h)
}

// Overlay draws box centred over base (a w×h screen) in an opaque band:
// each screen line the box covers (and one blank line above and below it,
// where there is room) is replaced by a full-width line with the box in
// the middle, so nothing of the screen shows at the box's edges.
func Overlay(base, box string, w, h int) string {
	screen := strings.Split(base, "\n")
	for len(screen) < h {
		screen = append(screen, "")
	}
	rows := strings.Split(box, "\n")
	bw := 0
	for _, r := range rows {
		bw = max(bw, ansi.StringWidth(r))
	}
	x, y := max(0, (w-bw)/2), max(0, (h-len(rows))/2)
	blank := strings.Repeat(" ", max(0, w))
	if y > 0 {
		screen[y-1] = blank
	}
	for i, r := range rows {
		if y+i >= h {
			break
		}
		pad := max(0, w-x-ansi.StringWidth(r))
		screen[y+i] = blank[:x] + ansi.Truncate(r, w-x, "") + blank[:pad]
	}
	if end := y + len(rows); end < h {
		screen[end] = blank
	}
	return strings.Join(screen[:h], "\n")
}
