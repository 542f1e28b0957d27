package report

import (
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
	all := rows
	if len(headers) > 0 {
		all = append([][]string{headers}, rows...)
	}
	cols := 0
	for _, r := range all {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	cellWidths := make([][]int, len(all))
	for i, r := range all {
		cellWidths[i] = make([]int, len(r))
		for j, c := range r {
			w := cellWidth(c)
			cellWidths[i][j] = w
			widths[j] = max(widths[j], w)
		}
	}
	var b strings.Builder
	var line strings.Builder
	for i, r := range all {
		line.Reset()
		line.WriteString(indent)
		for j := range cols {
			c, w := "", 0
			if j < len(r) {
				c, w = r[j], cellWidths[i][j]
			}
			line.WriteString(c)
			if j < cols-1 {
				line.WriteString(strings.Repeat(" ", widths[j]-w+columnGap))
			}
		}
		b.WriteString(TrimRight(line.String()))
		b.WriteByte('\n')
	}
	return b.String()
}

// cellWidth is the display width of a cell: its length when it is plain
// printable ASCII (most cells), else what x/ansi measures.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
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
