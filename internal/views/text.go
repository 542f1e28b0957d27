package views

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Text by construction: every line of a text region is built from spans,
// pieces of plain text each with one style. A paragraph's plain text is
// wrapped (or cut) by its visible width first, and only then is each line
// styled, piece by piece. No code here ever cuts a string that already
// holds escape sequences, so no sequence can be split and no visible
// character lost: the wrapper only sees text, the styles only see whole
// pieces of a line.

// span is a piece of plain text in one style.
type span struct {
	text string
	st   SGR
}

// of is text in style s, as a piece of a line.
func (s SGR) of(text string) span { return span{text: text, st: s} }

// txt is unstyled text, as a piece of a line.
func txt(s string) span { return span{text: s} }

// Fit truncates s to w columns (ending in the table's ellipsis) or pads
// it with spaces to exactly w, so that every line of a region has the
// region's width: stale text is overwritten and no line ever exceeds the
// terminal. s may hold SGR (x/ansi cuts around escape sequences).
func (sty *Styles) Fit(s string, w int) string { return sty.fitKnown(s, ansi.StringWidth(s), w) }

// fitKnown is Fit of s whose width n is known: only a line wider than w
// (which the views do not build) is measured again, to be cut.
func (sty *Styles) fitKnown(s string, n, w int) string {
	switch {
	case w <= 0:
		return ""
	case n > w:
		return ansi.Truncate(s, w, sty.G.Ellipsis)
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// FitRight places left and right on one line of width w, right flush
// right; left is truncated first when they do not both fit.
func (sty *Styles) FitRight(left, right string, w int) string {
	return sty.fitRight(left, ansi.StringWidth(left), right, ansi.StringWidth(right), w)
}

// fitRight is FitRight of left and right whose widths lw and rw are known.
func (sty *Styles) fitRight(left string, lw int, right string, rw, w int) string {
	if rw >= w {
		return sty.fitKnown(right, rw, w)
	}
	return sty.fitKnown(left, lw, w-rw-1) + " " + right
}

// Block fits lines into a w×h rectangle: each line to width w, missing
// lines blank, extra lines dropped.
func (sty *Styles) Block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = sty.Fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(0, w))
		}
	}
	return out
}

// para is the plain text of a list of spans, ready to be wrapped: white
// space collapsed to single spaces and trimmed (unless keep: then each
// white-space byte is one space, for aligned lines), and where each
// span's piece starts. Spans hold no control bytes: text from outside is
// neutralised where it enters the program (the scanner, the registry).
type para struct {
	text   string
	starts []int // starts[i] is the offset of span i in text; one more entry: len(text)
	styles []SGR
}

// isSpace is the white space a paragraph collapses.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func newPara(sp []span, keep bool) para {
	n := 0
	for _, s := range sp {
		n += len(s.text)
	}
	var b strings.Builder
	b.Grow(n)
	p := para{starts: make([]int, 0, len(sp)+1), styles: make([]SGR, 0, len(sp))}
	space := true // at the start: drop leading space
	for _, s := range sp {
		p.starts = append(p.starts, b.Len())
		p.styles = append(p.styles, s.st)
		t := s.text
		for i := 0; i < len(t); i++ {
			if c := t[i]; isSpace(c) {
				if keep {
					b.WriteByte(' ')
					continue
				}
				if !space {
					b.WriteByte(' ')
					space = true
				}
				continue
			}
			// Copy the run up to the next space at once.
			j := i + 1
			for j < len(t) && !isSpace(t[j]) {
				j++
			}
			b.WriteString(t[i:j])
			space = false
			i = j - 1
		}
	}
	p.text = b.String()
	if !keep && space && len(p.text) > 0 { // a trailing space
		p.text = p.text[:len(p.text)-1]
		for i := range p.starts {
			p.starts[i] = min(p.starts[i], len(p.text))
		}
	}
	p.starts = append(p.starts, len(p.text))
	return p
}

// cluster returns the byte length and width of the grapheme at s[i:].
// Printable ASCII not followed by a combining byte is the fast path.
func cluster(s string, i int) (n, w int) {
	if c := s[i]; c < utf8.RuneSelf && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
		if c < 0x20 || c == 0x7f {
			return 1, 0
		}
		return 1, 1
	}
	return clusterSlow(s, i)
}

// clusterSlow measures a grapheme that is not plain ASCII.
func clusterSlow(s string, i int) (n, w int) {
	cl, w := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
	if len(cl) == 0 {
		return 1, 0
	}
	return len(cl), w
}

// lineRange is a wrapped line: text[lo:hi], w columns wide.
type lineRange struct{ lo, hi, w int }

// breakLines wraps plain text s (single spaces, as newPara leaves it):
// the first line at most first columns wide, the others at most rest. It
// breaks at a space (dropping that one space) where it can and inside a
// word where it must (a word longer than a line; a grapheme wider than a
// line goes on a line of its own). Glue never breaks. With maxLines > 0
// it stops after that many lines; next is where the rest begins.
//
// Linear: each byte is measured at most twice (once more when a break
// falls back to the last space), whatever the length of s, unlike
// re-measuring the remainder for each line.
func breakLines(s string, first, rest, maxLines int) (lines []lineRange, next int) {
	first, rest = max(1, first), max(1, rest)
	pos := 0
	for pos < len(s) && (maxLines <= 0 || len(lines) < maxLines) {
		limit := rest
		if len(lines) == 0 {
			limit = first
		}
		w, i, lastSpace, spaceW := 0, pos, -1, 0
		for i < len(s) {
			n, cw := 1, 1
			if c := s[i]; c >= utf8.RuneSelf || i+1 < len(s) && s[i+1] >= utf8.RuneSelf || c < 0x20 || c == 0x7f {
				n, cw = cluster(s, i) // not plain printable ASCII
			}
			if w+cw > limit {
				break
			}
			if s[i] == ' ' {
				lastSpace, spaceW = i, w
			}
			w += cw
			i += n
		}
		switch {
		case i >= len(s):
			lines = append(lines, lineRange{pos, len(s), w})
			pos = len(s)
		case s[i] == ' ':
			lines = append(lines, lineRange{pos, i, w})
			pos = i + 1
		case lastSpace > pos && wordFits(s, lastSpace+1, rest):
			lines = append(lines, lineRange{pos, lastSpace, spaceW})
			pos = lastSpace + 1
		default:
			if i == pos { // one grapheme wider than the line
				n, cw := cluster(s, i)
				i += n
				w = cw
			}
			lines = append(lines, lineRange{pos, i, w})
			pos = i
		}
	}
	return lines, pos
}

// wordFits reports whether the word starting at s[i] (up to the next
// space) fits in w columns. A word that does not fit even on a line of its
// own is broken where it stands rather than moved to the next line first,
// so "tcp [2001:db8:…" does not leave "tcp" alone on a line. It looks at
// most w columns ahead, so wrapping stays linear.
func wordFits(s string, i, w int) bool {
	cur := 0
	for i < len(s) && s[i] != ' ' {
		n, cw := cluster(s, i)
		if cur += cw; cur > w {
			return false
		}
		i += n
	}
	return true
}

// cutWidth is the longest prefix of s (in bytes) at most w columns wide,
// and its width.
func cutWidth(s string, w int) (n, width int) {
	cur, i := 0, 0
	for i < len(s) {
		n, cw := cluster(s, i)
		if cur+cw > w {
			break
		}
		cur += cw
		i += n
	}
	return i, cur
}

// render writes text[lo:hi] styled piece by piece; glue shows as a space.
func (p *para) render(b *strings.Builder, lo, hi int) {
	for k := range p.styles {
		a, z := max(lo, p.starts[k]), min(hi, p.starts[k+1])
		if a >= z {
			continue
		}
		piece := p.text[a:z]
		if strings.Contains(piece, glue) {
			piece = strings.ReplaceAll(piece, glue, " ")
		}
		b.WriteString(p.styles[k].Wrap(piece))
	}
}

// glue is a non-breaking space: wrap never breaks a line there, and shows
// it as a plain space.
const glue = "\u00a0"

// paneText accumulates the lines of a text region of width w, and the
// width of each (known as it is built, from the plain text), so that
// fitting them to the region (block) needs no measuring.
type paneText struct {
	w      int
	sty    *Styles
	lines  []string
	widths []int // widths[i] is the width of lines[i]
}

func newPane(w int, sty *Styles) paneText { return paneText{w: w, sty: sty} }

// add appends line s, w columns wide.
func (p *paneText) add(s string, w int) {
	p.lines = append(p.lines, s)
	p.widths = append(p.widths, w)
}

// extend appends the lines of q.
func (p *paneText) extend(q paneText) {
	p.lines = append(p.lines, q.lines...)
	p.widths = append(p.widths, q.widths...)
}

// block is the lines fitted into a w×h rectangle, as Styles.Block does,
// from their known widths.
func (p *paneText) block(h int) []string {
	out := make([]string, h)
	blank := strings.Repeat(" ", max(0, p.w))
	for i := range out {
		if i < len(p.lines) {
			out[i] = p.sty.fitKnown(p.lines[i], p.widths[i], p.w)
		} else {
			out[i] = blank
		}
	}
	return out
}

// blank appends an empty line unless the last line is already empty.
func (p *paneText) blank() {
	if n := len(p.lines); n > 0 && p.lines[n-1] != "" {
		p.add("", 0)
	}
}

// line appends the spans as one line, cut (with an ellipsis) to the width.
func (p *paneText) line(sp ...span) { p.add(p.fit(sp)) }

// fit is the spans as one line cut (with an ellipsis) to the width, and
// the line's width.
func (p *paneText) fit(sp []span) (string, int) {
	pa := newPara(sp, true)
	var b strings.Builder
	if n := ansi.StringWidth(pa.text); n <= p.w {
		pa.render(&b, 0, len(pa.text))
		return b.String(), n
	}
	ell := p.sty.G.Ellipsis
	ew := ansi.StringWidth(ell)
	cut, cw := cutWidth(pa.text, max(0, p.w-ew))
	pa.render(&b, 0, cut)
	b.WriteString(ell)
	return b.String(), cw + ew
}

// wrap appends the spans word-wrapped to the width: the first line
// indented by indent, the others by indent+hang. Long words (URLs,
// addresses, command lines) are broken rather than cut.
func (p *paneText) wrap(indent, hang int, sp ...span) { p.wrapMax(indent, hang, 0, sp...) }

// wrapMax is wrap limited to maxLines lines (0: no limit), the last one
// ending in an ellipsis when text was left over.
func (p *paneText) wrapMax(indent, hang, maxLines int, sp ...span) {
	pa := newPara(sp, false)
	if pa.text == "" {
		return
	}
	first, rest := p.w-indent, p.w-indent-hang
	lines, next := breakLines(pa.text, first, rest, maxLines)
	var b strings.Builder
	for i, l := range lines {
		b.Reset()
		lw, in := rest, max(0, indent+hang)
		if i == 0 {
			lw, in = first, max(0, indent)
		}
		b.WriteString(strings.Repeat(" ", in))
		w := l.w
		if i == len(lines)-1 && next < len(pa.text) {
			ell := p.sty.G.Ellipsis
			ew := ansi.StringWidth(ell)
			n, cw := cutWidth(pa.text[l.lo:l.hi], max(0, lw-ew))
			pa.render(&b, l.lo, l.lo+n)
			b.WriteString(ell)
			w = cw + ew
		} else {
			pa.render(&b, l.lo, l.hi)
		}
		p.add(b.String(), in+w)
	}
}

// fitRight is Styles.FitRight of two lines built from spans: left is cut
// first when both do not fit.
func (p *paneText) fitRight(left, right []span) {
	rs, rw := p.fit(right)
	ls, lw := "", 0
	if rw+1 < p.w {
		l := newPane(p.w-rw-1, p.sty)
		ls, lw = l.fit(left)
	}
	p.add(p.sty.fitRight(ls, lw, rs, rw, p.w), p.w)
}

// maxText bounds the bytes of one text the pane wraps (a description, a
// note, a command line). Real IANA texts are far shorter (the longest is
// under 1 kB) and argv is bounded by the scanner; the cap keeps a hostile
// or broken registry (a 2 MB description) from costing more per frame
// than a screenful.
const maxText = 4096

// capText returns at most limit bytes of s, cut at a character boundary,
// and how many bytes were left out. It does not copy.
func capText(s string, limit int) (string, int) {
	if len(s) <= limit {
		return s, 0
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], len(s) - cut
}

// moreBytes is the note after a capped text: "… (12,345 more bytes, see
// portui lookup 326)".
func (sty *Styles) moreBytes(n int, see string) string {
	s := sty.G.Ellipsis + " (" + groupDigits(n) + " more bytes"
	if see != "" {
		s += ", see " + see
	}
	return s + ")"
}

// groupDigits writes n with thousands separators ("1,234,567").
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
