package views

import (
	"fmt"
	"strconv"

	"github.com/portui/portui/internal/registry"
)

// SearchState is the ranked result list the pane shows while a query is
// being typed.
type SearchState struct {
	Query   string
	Matches []registry.Match // best first
	Total   int              // matches before the list was cut
	Pending bool             // a search for Query is still running
	Cursor  int              // index of the match enter would select
}

// SearchList renders the results as exactly h lines of width w.
func SearchList(s SearchState, w, h int, sty *Styles) []string {
	p := paneText{w: w}
	switch {
	case s.Query == "":
		p.add(sty.Head.Wrap("Search"))
		p.wrap("Type a port number, a service name or words from a description; enter jumps to the best match, n/N cycle, esc clears.", 0, 0, sty.Dim)
		return Block(p.lines, w, h)
	case s.Pending && len(s.Matches) == 0:
		p.add(FitRight(sty.Head.Wrap("Search"), sty.Dim.Wrap("searching…"), w))
		return Block(p.lines, w, h)
	}
	count := strconv.Itoa(s.Total) + " matches"
	if s.Total == 1 {
		count = "1 match"
	}
	p.add(FitRight(sty.Head.Wrap("Search"), sty.Dim.Wrap(count), w))
	if s.Total == 0 {
		p.add(sty.Dim.Wrap("nothing matches " + strconv.Quote(s.Query)))
	}
	for i, m := range s.Matches {
		if len(p.lines) >= h {
			break
		}
		name := m.Name
		if name == "" {
			name = "(" + m.Why + ")"
		}
		line := fmt.Sprintf("%5d %s %s", m.Port, sty.Bold.Wrap(name), sty.Dim.Wrap(m.Why))
		if i == s.Cursor {
			line = sty.Active.Wrap(fmt.Sprintf("%5d", m.Port)) + line[5:]
		}
		p.add(line)
	}
	return Block(p.lines, w, h)
}
