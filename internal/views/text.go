package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit truncates s to w columns (with an ellipsis) or pads it with spaces to
// exactly w, so that every line of a region has the region's width: stale
// text is overwritten and no line ever exceeds the terminal.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	switch {
	case n > w:
		return ansi.Truncate(s, w, "…")
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// FitRight places left and right on one line of width w, right flush
// right; left is truncated first when they do not both fit.
func FitRight(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw >= w {
		return Fit(right, w)
	}
	return Fit(left, w-rw-1) + " " + right
}

// Block fits lines into a w×h rectangle: each line to width w, missing
// lines blank, extra lines dropped.
func Block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = Fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(0, w))
		}
	}
	return out
}

// paneText accumulates the lines of a text region of width w.
type paneText struct {
	w     int
	lines []string
}

// add appends one already-styled line (truncated later by Block/Fit).
func (p *paneText) add(s string) { p.lines = append(p.lines, s) }

// blank appends an empty line unless the last line is already empty.
func (p *paneText) blank() {
	if n := len(p.lines); n > 0 && p.lines[n-1] != "" {
		p.lines = append(p.lines, "")
	}
}

// glue is a non-breaking space: wrap never breaks a line there, and shows
// it as a plain space.
const glue = "\u00a0"

// wrap word-wraps text (it may carry SGR) to the width, indents
// continuation lines (and the first one by indent), and styles each line
// with st. Long words (URLs, command lines) are broken rather than cut.
func (p *paneText) wrap(text string, indent, hang int, st SGR) {
	text = collapseSpaces(text)
	if text == "" {
		return
	}
	first := max(1, p.w-indent)
	rest := max(1, p.w-indent-hang)
	line, remain := cutLine(text, first)
	p.add(strings.Repeat(" ", indent) + st.Wrap(strings.ReplaceAll(line, glue, " ")))
	pad := strings.Repeat(" ", indent+hang)
	for remain != "" {
		line, remain = cutLine(remain, rest)
		p.add(pad + st.Wrap(strings.ReplaceAll(line, glue, " ")))
	}
}

// collapseSpaces turns runs of ASCII white space into one space (glue is
// left alone) and trims the ends.
func collapseSpaces(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
}

// wrapMax is wrap limited to maxLines lines, the last ending in "…" when
// text was cut.
func (p *paneText) wrapMax(text string, indent, hang, maxLines int, st SGR) {
	q := paneText{w: p.w}
	q.wrap(text, indent, hang, SGR{})
	for i, l := range q.lines {
		lead := len(l) - len(strings.TrimLeft(l, " "))
		body := l[lead:]
		if i == maxLines-1 && len(q.lines) > maxLines {
			p.add(l[:lead] + st.Wrap(ansi.Truncate(body, p.w-lead-1, "")+"…"))
			return
		}
		p.add(l[:lead] + st.Wrap(body))
	}
}

// cutLine takes at most w columns of plain text, preferring a break at a
// space, and returns the rest without its leading space.
func cutLine(s string, w int) (string, string) {
	if ansi.StringWidth(s) <= w {
		return s, ""
	}
	head := ansi.Truncate(s, w, "")
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		return head[:i], strings.TrimLeft(s[i:], " ")
	}
	return head, strings.TrimLeft(s[len(head):], " ")
}

// link adds "label url" on one line, or the url on a line of its own
// under the label when they do not fit together; a URL is never broken
// (it would not survive copying), only shortened to its host and path
// when even its own line is too narrow.
func (p *paneText) link(label, url string) {
	if one := "  " + label + " " + url; ansi.StringWidth(one) <= p.w {
		p.add(one)
		return
	}
	p.add("  " + label)
	if ansi.StringWidth(url)+4 > p.w {
		url = strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "www.")
	}
	p.add("    " + url)
}
