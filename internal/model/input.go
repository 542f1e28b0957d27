package model

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/views"
)

// queryInput is the one-line search input. It is deliberately small (text
// appended at the end, backspace, ctrl+w, ctrl+u, paste) rather than
// bubbles' textinput, which would pull a clipboard module into the build
// for nothing, and whose virtual cursor blinks (repaints while idle).
type queryInput struct {
	prompt      string
	placeholder string
	value       []rune
	limit       int
}

// Value is the text typed.
func (q *queryInput) Value() string { return string(q.value) }

// Reset empties the input.
func (q *queryInput) Reset() { q.value = q.value[:0] }

// Update applies a key or paste; it reports whether the value changed.
func (q *queryInput) Update(msg tea.Msg) bool {
	before := len(q.value)
	old := string(q.value)
	switch msg := msg.(type) {
	case tea.PasteMsg:
		q.insert(msg.Content)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if n := len(q.value); n > 0 {
				q.value = q.value[:n-1]
			}
		case "ctrl+w", "alt+backspace":
			s := strings.TrimRightFunc(string(q.value), unicode.IsSpace)
			i := strings.LastIndexFunc(s, unicode.IsSpace)
			q.value = []rune(s[:i+1])
		case "ctrl+u":
			q.value = q.value[:0]
		default:
			q.insert(msg.Text)
		}
	}
	return len(q.value) != before || string(q.value) != old
}

func (q *queryInput) insert(s string) {
	for _, r := range s {
		if unicode.IsPrint(r) && (q.limit == 0 || len(q.value) < q.limit) {
			q.value = append(q.value, r)
		}
	}
}

// View renders prompt and text (or the placeholder, dimmed).
func (q *queryInput) View(sty *views.Styles) string {
	if len(q.value) == 0 {
		return sty.Bold.Wrap(q.prompt) + sty.Dim.Wrap(q.placeholder)
	}
	return sty.Bold.Wrap(q.prompt) + string(q.value)
}

// CursorX is the column of the terminal cursor after the text.
func (q *queryInput) CursorX() int {
	return ansi.StringWidth(q.prompt) + ansi.StringWidth(string(q.value))
}
