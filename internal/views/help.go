package views

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// HelpGroup is one titled column of the help overlay.
type HelpGroup struct {
	Title    string
	Bindings []key.Binding // disabled bindings are left out
}

// HelpBox renders the full help (the key map's groups, only enabled
// bindings) as a bordered box no wider than w and no taller than h.
// Groups are laid out in as many columns as fit.
func HelpBox(groups []HelpGroup, footer string, w, h int, sty *Styles) string {
	var cols []string
	for _, g := range groups {
		var rows []string
		kw := 0
		for _, b := range g.Bindings {
			if b.Enabled() {
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
		}
		for _, b := range g.Bindings {
			if !b.Enabled() {
				continue
			}
			k := b.Help().Key
			rows = append(rows, sty.HelpKey.Render(k)+strings.Repeat(" ", kw-ansi.StringWidth(k)+1)+
				sty.HelpDesc.Render(b.Help().Desc))
		}
		if len(rows) == 0 {
			continue
		}
		cols = append(cols, sty.HelpKey.Render(g.Title)+"\n"+strings.Join(rows, "\n"))
	}
	inner := max(10, w-4) // border and padding
	// Greedy rows of columns: as many groups side by side as fit.
	var blocks []string
	var line []string
	lineW := 0
	for _, c := range cols {
		cw := lipgloss.Width(c)
		if len(line) > 0 && lineW+3+cw > inner {
			blocks = append(blocks, lipgloss.JoinHorizontal(lipgloss.Top, line...))
			line, lineW = nil, 0
		}
		if len(line) > 0 {
			line = append(line, "   ")
			lineW += 3
		}
		line = append(line, c)
		lineW += cw
	}
	if len(line) > 0 {
		blocks = append(blocks, lipgloss.JoinHorizontal(lipgloss.Top, line...))
	}
	body := strings.Join(blocks, "\n\n")
	if footer != "" {
		body += "\n\n" + sty.HelpDesc.Render(footer)
	}
	lines := strings.Split(body, "\n")
	maxH := max(1, h-2)
	if len(lines) > maxH {
		lines = append(lines[:maxH-1], sty.HelpDesc.Render("… (enlarge the terminal for more)"))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, inner, "…")
	}
	return sty.HelpBox.Render(strings.Join(lines, "\n"))
}

// Overlay draws box centred over base (a w×h screen), compositing it as
// a layer so the screen around it stays as it was.
func Overlay(base, box string, w, h int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max(0, (w-bw)/2), max(0, (h-bh)/2)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(base),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render()
}
