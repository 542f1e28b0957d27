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
}

// Header renders the top line at width w.
func Header(h HeaderState, w int, sty *Styles) string {
	left := sty.Title.Wrap("portui") + " ports " + strconv.Itoa(h.Lo) + "–" + strconv.Itoa(h.Hi) +
		sty.Dim.Wrap(" "+h.Class)
	filter := h.Filter
	if filter != "all" {
		filter = sty.Active.Wrap(filter)
	}
	right := sty.Dim.Wrap("view ") + h.View + sty.Dim.Wrap(" · filter ") + filter + sty.Dim.Wrap(" · ? help")
	if ansi.StringWidth(left)+ansi.StringWidth(right)+1 > w {
		right = h.View + sty.Dim.Wrap(" · ") + filter
	}
	return FitRight(left, right, w)
}

// StatusState is the bottom line.
type StatusState struct {
	// Left is the mode's text, already styled: the search input, the
	// number being typed, a message, or a poll error.
	Left string
	// Hint is shown on the left when Left is empty, in whatever room the
	// right side leaves (it yields first).
	Hint      string
	Registry  string // registry date
	Listeners int
	Findings  int    // audit findings
	Poll      string // "live", "paused", "polling…", "poll failed"
	PollBad   bool   // Poll is an error state
}

// StatusBar renders the bottom line at width w. When space runs out the
// registry date goes first, then the counts; the poll state stays.
func StatusBar(s StatusState, w int, sty *Styles) string {
	poll := s.Poll
	if s.PollBad {
		poll = sty.Err.Wrap(poll)
	}
	findings := plural(s.Findings, "finding")
	if s.Findings > 0 {
		findings = sty.Private.Wrap(findings)
	}
	parts := []string{
		sty.Dim.Wrap("IANA " + s.Registry),
		plural(s.Listeners, "listener"),
		findings,
		poll,
	}
	sep := sty.Dim.Wrap(" · ")
	leftW := ansi.StringWidth(s.Left)
	for len(parts) > 1 && leftW+1+ansi.StringWidth(strings.Join(parts, sep)) > w {
		parts = parts[1:]
	}
	left := s.Left
	if left == "" {
		left = sty.Dim.Wrap(s.Hint)
	}
	return FitRight(left, strings.Join(parts, sep), w)
}

// plural is "1 listener", "3 listeners".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
