package report

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// columnGap is the space between two columns of a text table.
const columnGap = 2

// Table renders rows under headers the way `ss` and `ps` print: no
// borders, columns as wide as their widest cell by display width (wide
// characters and escapes count as what the terminal shows), columnGap
// spaces between them, headers in st.Header, every line prefixed with
// indent and no line ending in spaces. Cells may already carry SGR
// styling; they are never wrapped or cut. The result ends in a newline
// unless there is nothing to show.
//
// The layout is lipgloss/table's without borders, done in one pass
// (alignRows): lipgloss/table costs about 200 µs a row, 12 s for the
// 60,000 listeners of S9's host, alignRows about 2 µs
// (BenchmarkListenersText). TestAlignRowsIsLipglossLayout holds the
// two to the same bytes.
func Table(st Styles, indent string, headers []string, rows [][]string) string {
	if len(rows) == 0 && len(headers) == 0 {
		return ""
	}
	styled := make([]string, len(headers))
	for i, h := range headers {
		styled[i] = st.Header.Render(h)
	}
	return alignRows(indent, styled, rows)
}

// alignRows lays rows out as lipgloss/table does without borders: each
// column as wide as its widest cell, columnGap spaces after every column but the last, no
// trailing spaces.
func alignRows(indent string, headers []string, rows [][]string) string {
	return string(appendAligned(nil, indent, headers, rows, nil))
}

// appendAligned appends alignRows' lines to b, and after the line of
// rows[i] whatever after(b, i) appends (nil: nothing), in one buffer
// sized once: at 10,000 listeners a string and a padding per cell and a
// builder per line were a tenth of `portui listeners`.
func appendAligned(b []byte, indent string, headers []string, rows [][]string, after func(b []byte, i int) []byte) []byte {
	first := 0 // index in rows of the first line that is not the header
	n := len(rows)
	if len(headers) > 0 {
		first, n = 1, n+1
	}
	line := func(i int) []string {
		if i < first {
			return headers
		}
		return rows[i-first]
	}
	cols := len(headers)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	cellWidths := make([]int32, n*cols)
	size := 0 // the bytes of every cell, less the widths the padding makes up for
	for i := range n {
		for j, c := range line(i) {
			w := cellWidth(c)
			cellWidths[i*cols+j] = int32(w)
			widths[j] = max(widths[j], w)
			size += len(c)
			if j < cols-1 {
				size -= w
			}
		}
	}
	perLine := len(indent) + 1
	for j := range cols - 1 {
		perLine += widths[j] + columnGap
	}
	b = slices.Grow(b, size+n*perLine)
	for i := range n {
		start := len(b)
		b = append(b, indent...)
		r := line(i)
		for j := range cols {
			c, w := "", 0
			if j < len(r) {
				c, w = r[j], int(cellWidths[i*cols+j])
			}
			b = append(b, c...)
			if j < cols-1 {
				b = appendSpaces(b, widths[j]-w+columnGap)
			}
		}
		b = trimRightAt(b, start)
		b = append(b, '\n')
		if after != nil && i >= first {
			b = after(b, i-first)
		}
	}
	return b
}

// spaces pads table cells.
const spaces = "                                                                "

func appendSpaces(b []byte, n int) []byte {
	for n > len(spaces) {
		b = append(b, spaces...)
		n -= len(spaces)
	}
	return append(b, spaces[:n]...)
}

// trimRightAt applies TrimRight to the line b[start:].
func trimRightAt(b []byte, start int) []byte {
	if len(b) == start {
		return b
	}
	if c := b[len(b)-1]; c != ' ' && c != 'm' {
		return b // nothing to trim: most lines
	}
	t := TrimRight(string(b[start:]))
	return append(b[:start], t...)
}

// cellWidth is the display width of a cell: its length when it is plain
// printable ASCII (most cells), less its SGR sequences when it is that
// styled (a status, a header), else what x/ansi measures.
func cellWidth(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			w++
			continue
		}
		if c == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			if n := sgrLen(s[i:]); n > 0 {
				i += n - 1
				continue
			}
		}
		return ansi.StringWidth(s)
	}
	return w
}

// sgrLen is the length of the SGR sequence (ESC [ params m) s starts
// with, 0 if it does not start with one.
func sgrLen(s string) int {
	for j := 2; j < len(s); j++ {
		switch c := s[j]; {
		case c == 'm':
			return j + 1
		case (c < '0' || c > '9') && c != ';' && c != ':':
			return 0
		}
	}
	return 0
}

// TrimRight removes the spaces at the end of a line, also those followed
// only by SGR sequences (padding inside a styled span): the sequences
// stay, so the styling state after the line is the same.
func TrimRight(line string) string {
	end := len(line)
	var tail []string // SGR sequences after the last visible character, in reverse order
	for end > 0 {
		switch {
		case line[end-1] == ' ':
			end--
		case line[end-1] == 'm':
			start := strings.LastIndex(line[:end], "\x1b[")
			if start < 0 || !isSGRParams(line[start+2:end-1]) {
				return line[:end] + joinReversed(tail)
			}
			tail = append(tail, line[start:end])
			end = start
		default:
			return line[:end] + joinReversed(tail)
		}
	}
	return joinReversed(tail)
}

func isSGRParams(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}

func joinReversed(ss []string) string {
	var b strings.Builder
	for i := len(ss) - 1; i >= 0; i-- {
		b.WriteString(ss[i])
	}
	return b.String()
}
