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
	p := newPane(w, sty)
	head := []span{sty.Head.of("Search")}
	switch {
	case s.Query == "":
		p.line(head...)
		p.wrap(0, 0, sty.Dim.of("Type a port number, a service name or words from a description; enter jumps to the best match, n/N cycle, esc clears."))
		return p.block(h)
	case s.Pending && len(s.Matches) == 0:
		p.fitRight(head, []span{sty.Dim.of("searching" + sty.G.Ellipsis)})
		return p.block(h)
	}
	count := strconv.Itoa(s.Total) + " matches"
	if s.Total == 1 {
		count = "1 match"
	}
	p.fitRight(head, []span{sty.Dim.of(count)})
	if s.Total == 0 {
		p.line(sty.Dim.of("nothing matches " + strconv.Quote(s.Query)))
	}
	for i, m := range s.Matches {
		if len(p.lines) >= h {
			break
		}
		name := m.Name
		if name == "" {
			name = "(" + m.Why + ")"
		}
		port := txt(fmt.Sprintf("%5d", m.Port))
		if i == s.Cursor {
			port.st = sty.Active
		}
		p.line(port, txt(" "), sty.Bold.of(name), txt(" "), sty.Dim.of(m.Why))
	}
	return p.block(h)
}
