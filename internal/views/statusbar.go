package views

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// HeaderState is the top line: which ports are shown and how.
type HeaderState struct {
	Lo, Hi int    // the block
	Class  string // "System Ports"
	View   string // "combined", "tcp only", "udp only"
	Filter string // "all", "unassigned", …
	// Scope is the namespace scope's label ("host", "web1 (podman)",
	// "netns pdemo"); "" for all, which the header leaves out.
	Scope string
	// Where is the area when it is not the grid ("map · block"): it
	// stands before the range in place of "ports".
	Where string
}

// maxScopeW caps the scope's label in the header (a container's name
// can be long; the pane shows it in full).
const maxScopeW = 32

// Header renders the top line at width w.
func Header(h HeaderState, w int, sty *Styles) string {
	sep := sty.G.Sep
	where := "ports"
	if h.Where != "" {
		where = h.Where
	}
	left := sty.Title.Wrap("portui") + " " + where + " " + Range(h.Lo, h.Hi, sty.G) + sty.Dim.Wrap(" "+h.Class)
	filter := h.Filter
	if filter != "all" {
		filter = sty.Active.Wrap(filter)
	}
	scope := ""
	if h.Scope != "" {
		scope = sty.Active.Wrap(ansi.Truncate(h.Scope, maxScopeW, sty.G.Ellipsis))
	}
	right := sty.Dim.Wrap("view ") + h.View + sty.Dim.Wrap(sep+"filter ") + filter
	if scope != "" {
		right += sty.Dim.Wrap(sep+"scope ") + scope
	}
	right += sty.Dim.Wrap(sep + "? help")
	if ansi.StringWidth(left)+ansi.StringWidth(right)+1 > w {
		right = h.View + sty.Dim.Wrap(sep) + filter
		if scope != "" {
			// A container's name alone would not say what it is.
			right += sty.Dim.Wrap(sep+"scope ") + scope
		}
	}
	return sty.FitRight(left, right, w)
}

// Range is "lo–hi" with the table's dash.
func Range(lo, hi int, g *Glyphs) string { return strconv.Itoa(lo) + g.Dash + strconv.Itoa(hi) }

// StatusState is the bottom line.
type StatusState struct {
	// Left is the mode's text, already styled: the search input, the
	// number being typed, a message, or a poll error.
	Left string
	// Hint is the short help, item by item ("? help", "/ search"), shown
	// on the left when Left is empty: as many whole items as the right
	// side leaves room for (the right side shortens to leave room for the
	// first two; the first always shows).
	Hint []string
	// Registry is the registry's date.
	Registry string
	// StaleDays, when positive, is the registry's age in days: it is older
	// than registry.StaleAfter, and the bar says so in the date's place
	// ("registry 200 d old · portui registry update", or "IANA 200 d old"
	// where that does not fit).
	StaleDays int
	// Listeners counts the listening sockets on the whole machine.
	Listeners int
	// Findings counts the audit findings of the block on screen, Block
	// (e.g. "0–1023").
	Findings int
	Block    string
	Poll     string // "live", "paused", "polling…", "poll failed"
	PollBad  bool   // Poll is an error state
}

// StatusBar renders the bottom line at width w. Both counts say what they
// count ("310 listening · 250 findings in 0–1023": the listeners are
// machine-wide, every network namespace's, the findings those of the block
// on screen). A registry older than registry.StaleAfter is said in the
// date's place, and shortens rather than goes. When space runs out the registry date goes first, then the
// findings' label shortens ("310 listening · 250 in 0–1023"), then the
// counts go; the poll state stays. The short help drops whole
// items from its end rather than cutting one.
func StatusBar(s StatusState, w int, sty *Styles) string {
	poll := s.Poll
	if s.PollBad {
		poll = sty.Err.Wrap(poll)
	}
	finding := func(text string) string {
		if s.Findings > 0 {
			return sty.Private.Wrap(text)
		}
		return text
	}
	n, f := strconv.Itoa(s.Listeners), strconv.Itoa(s.Findings)
	long := n + " listening"
	findings := finding(plural(s.Findings, "finding") + " in " + s.Block)
	stages := [][]string{
		{sty.Dim.Wrap("IANA " + s.Registry), long, findings, poll},
		{long, findings, poll},
		{long, finding(f + " in " + s.Block), poll},
		{poll},
	}
	if s.StaleDays > 0 {
		// The warning outlasts the counts: an old registry misjudges them.
		d := strconv.Itoa(s.StaleDays) + " d old"
		warn, short := sty.Warn.Wrap("registry "+d)+sty.Dim.Wrap(sty.G.Sep+"portui registry update"), sty.Warn.Wrap("IANA "+d)
		stages = [][]string{
			{warn, long, findings, poll},
			{short, long, findings, poll},
			{short, long, finding(f + " in " + s.Block), poll},
			{short, poll},
			{poll},
		}
	}
	sep := sty.Dim.Wrap(sty.G.Sep)
	// Room kept for the left: the mode's text, or the first two items of
	// the short help ("? help · 0-9 go to port").
	leftW := ansi.StringWidth(s.Left)
	if s.Left == "" && len(s.Hint) > 0 {
		leftW = ansi.StringWidth(strings.Join(s.Hint[:min(2, len(s.Hint))], sty.G.Sep))
	}
	var right string
	for _, st := range stages {
		right = strings.Join(st, sep)
		if leftW+1+ansi.StringWidth(right) <= w {
			break
		}
	}
	left := s.Left
	if left == "" {
		room := w - ansi.StringWidth(right) - 1
		var items []string
		used := 0
		for i, it := range s.Hint {
			iw := ansi.StringWidth(it)
			if i > 0 {
				iw += ansi.StringWidth(sty.G.Sep)
			}
			if i > 0 && used+iw > room {
				break
			}
			items = append(items, it)
			used += iw
		}
		left = sty.Dim.Wrap(strings.Join(items, sty.G.Sep))
	}
	return sty.FitRight(left, right, w)
}

// plural is "1 listener", "3 listeners".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
