package model

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/scan"
)

// TestPaneLinksFit: with Config.Links the pane's references are OSC 8
// hyperlinks and every line of the screen is still exactly its width.
func TestPaneLinksFit(t *testing.T) {
	for _, sz := range goldenSizes {
		for _, links := range []bool{false, true} {
			m := New(Config{Registry: testReg, Scanner: scan.Static(baseSnap(t0)), Port: 22, Links: links, Now: func() time.Time { return t0 }})
			m.loc = time.UTC
			m = poll(t, update(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]}))
			s := m.View().Content
			for i, l := range splitLines(s) {
				if n := width(l); n != sz[0] {
					t.Errorf("%v links %v: line %d is %d wide", sz, links, i, n)
				}
			}
			// At 80×24 the records are below the pane's fold.
			if has := strings.Contains(s, "\x1b]8;;https://www.rfc-editor.org/rfc/rfc4251"); sz[0] >= 120 && has != links {
				t.Errorf("%v links %v: RFC 4251 linked: %v", sz, links, has)
			}
		}
	}
}
