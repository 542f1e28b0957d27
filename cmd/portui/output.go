package main

import (
	"encoding/json"
	"io"
	"os"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// textStyles colour the human output of the subcommands. They are always
// rendered; the colorprofile writer downsamples or strips them for the
// terminal at hand (none when piped, none of the colour under NO_COLOR).
type textStyles struct {
	title, label, dim, link, warn lipgloss.Style
	status                        map[string]lipgloss.Style
}

func newTextStyles() textStyles {
	return textStyles{
		title: lipgloss.NewStyle().Bold(true),
		label: lipgloss.NewStyle().Foreground(lipgloss.Color("245")),
		dim:   lipgloss.NewStyle().Faint(true),
		link:  lipgloss.NewStyle().Foreground(lipgloss.Color("39")).Underline(true),
		warn:  lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Bold(true),
		status: map[string]lipgloss.Style{
			"assigned":   lipgloss.NewStyle().Foreground(lipgloss.Color("42")).Bold(true),
			"reserved":   lipgloss.NewStyle().Foreground(lipgloss.Color("170")).Bold(true),
			"unassigned": lipgloss.NewStyle().Foreground(lipgloss.Color("244")).Bold(true),
			"other":      lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Bold(true),
		},
	}
}

func (s textStyles) st(status string) string {
	if st, ok := s.status[status]; ok {
		return st.Render(status)
	}
	return status
}

// colorWriter adapts styled output to what w can show: full colour on a
// terminal, plain text when piped or under NO_COLOR / TERM=dumb.
func colorWriter(w io.Writer) io.Writer {
	return colorprofile.NewWriter(w, os.Environ())
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
