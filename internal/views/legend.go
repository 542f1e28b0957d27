package views

import (
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// LegendState is what the legend shows: how many cells of the block have
// each status (under the current view) and each listener mark.
type LegendState struct {
	Counts    [4]int // indexed by registry.Status
	Listening int    // cells with a listener
	// Look counts the cells of which a listener needs a look (MarkLook:
	// an audit finding, or not what the expectations file expects).
	Look int
	// Away counts the cells of which every listener lives outside the
	// host's network namespace (MarkAway); its entry shows only when
	// there is one.
	Away   int
	Filter string // active filter's name ("all" or "" for none)
}

type legendItem struct {
	glyph, glyphOn, text, filter string
	short                        string // the text when the line is short of room ("" keeps text)
}

func legendItems(l LegendState, sty *Styles) (status, marks []legendItem) {
	for _, st := range registry.Statuses {
		g := sty.G.StatusGlyph(st)
		if st == registry.Assigned {
			g = "" // assigned cells carry no glyph; the plain word says so
		}
		status = append(status, legendItem{
			glyph: g, glyphOn: sty.StatusSGR(st).Wrap(g),
			text:   st.String() + " " + strconv.Itoa(l.Counts[st]),
			filter: st.String(),
		})
	}
	marks = []legendItem{
		{glyph: "t/u/b", glyphOn: sty.Listen.Wrap("t/u/b"), text: "listening " + strconv.Itoa(l.Listening), filter: "listening"},
		{glyph: sty.G.Private, glyphOn: sty.Private.Wrap(sty.G.Private), text: "needs a look " + strconv.Itoa(l.Look), filter: "needs a look"},
	}
	if l.Away > 0 {
		g := markLetters[MarkAway]
		n := strconv.Itoa(l.Away)
		marks = append(marks, legendItem{glyph: g, glyphOn: sty.Away.Wrap(g), text: "container/netns " + n, short: n})
	}
	return status, marks
}

// shorten replaces the texts of the items that have a short form.
func shorten(items []legendItem) []legendItem {
	out := slices.Clone(items)
	for i := range out {
		if out[i].short != "" {
			out[i].text = out[i].short
		}
	}
	return out
}

func renderItems(items []legendItem, filter string, sty *Styles) string {
	parts := make([]string, len(items))
	for i, it := range items {
		text := it.text
		if it.filter == filter {
			text = sty.Active.Wrap(text)
		}
		if it.glyph != "" {
			text = it.glyphOn + " " + text
		}
		parts[i] = text
	}
	return strings.Join(parts, "  ")
}

// legendWidthMax is the widest one-line legend (four-digit counts).
func legendWidthMax() int {
	sty := &Styles{G: &UnicodeGlyphs}
	s, m := legendItems(LegendState{Counts: [4]int{1024, 1024, 1024, 1024}, Listening: 1024, Look: 1024}, sty)
	return ansi.StringWidth(renderItems(s, "", sty) + "   " + renderItems(m, "", sty))
}

var oneLineLegend = legendWidthMax()

// LegendHeight is the number of lines the legend needs at width w.
func LegendHeight(w int) int {
	if w >= oneLineLegend {
		return 1
	}
	return 2
}

// Legend renders the legend in LegendHeight(w) lines of width w. The
// active filter's entry is shown in reverse video.
func Legend(l LegendState, w int, sty *Styles) []string {
	s, m := legendItems(l, sty)
	a, b := renderItems(s, l.Filter, sty), renderItems(m, l.Filter, sty)
	one := LegendHeight(w) == 1
	// The container/netns entry is not in oneLineLegend's width (the
	// layout does not move for it): where the line is short of room it
	// says just its count ("c 2").
	room := w
	if one {
		room = w - ansi.StringWidth(a) - 3
	}
	if ansi.StringWidth(b) > room {
		b = renderItems(shorten(m), l.Filter, sty)
	}
	if one {
		return []string{sty.Fit(a+"   "+b, w)}
	}
	return []string{sty.Fit(a, w), sty.Fit(b, w)}
}
