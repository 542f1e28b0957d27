package model

import "strings"

// renderTable draws the table of every listener, w×h (issue 10: helper
// "table" owns this file and views/table.go).
func (m *Model) renderTable(w, h int) []string {
	return blankLines(w, h)
}

// blankLines is h lines of w spaces.
func blankLines(w, h int) []string {
	out := make([]string, h)
	for i := range out {
		out[i] = strings.Repeat(" ", w)
	}
	return out
}
