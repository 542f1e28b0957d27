package report

import (
	"charm.land/lipgloss/v2"
)

// Styles colour the text renderings. They are always rendered; the
// writer they go to (a colorprofile.Writer) downsamples them for the
// terminal at hand and strips them when the output is not a terminal.
//
// The colours are the 8 basic ANSI colours and text attributes, so they
// follow the user's own palette on dark and light backgrounds alike and
// nothing depends on a 256-colour grey that a theme may render invisible.
type Styles struct {
	Title  lipgloss.Style    // a page or section title
	Header lipgloss.Style    // table headers and field labels
	Dim    lipgloss.Style    // secondary text
	Link   lipgloss.Style    // URLs
	Warn   lipgloss.Style    // things worth a look
	status map[string]string // each status name, rendered once
}

// DefaultStyles are the styles of every command.
func DefaultStyles() Styles {
	s := Styles{
		Title:  lipgloss.NewStyle().Bold(true),
		Header: lipgloss.NewStyle().Bold(true),
		Dim:    lipgloss.NewStyle().Faint(true),
		Link:   lipgloss.NewStyle().Foreground(lipgloss.Blue).Underline(true),
		Warn:   lipgloss.NewStyle().Foreground(lipgloss.Yellow).Bold(true),
		status: map[string]string{},
	}
	for name, st := range map[string]lipgloss.Style{
		"assigned":   lipgloss.NewStyle().Foreground(lipgloss.Green).Bold(true),
		"reserved":   lipgloss.NewStyle().Foreground(lipgloss.Magenta).Bold(true),
		"unassigned": lipgloss.NewStyle().Bold(true),
		"other":      lipgloss.NewStyle().Foreground(lipgloss.Yellow).Bold(true),
	} {
		s.status[name] = st.Render(name)
	}
	return s
}

// PlainStyles style nothing: for output that is not a terminal, where
// the colour writer would strip every style again (at 10,000 listeners
// the styling and the stripping were a tenth of `portui listeners`).
func PlainStyles() Styles { return Styles{} }

// Status renders a registry status name in its colour.
func (s Styles) Status(name string) string {
	if r, ok := s.status[name]; ok {
		return r
	}
	return name
}
