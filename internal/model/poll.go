package model

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// Commands. Each captures what it needs by value when it is created and
// never touches the model: results come back only as messages.

// pollReq says what one poll scans: the whole machine, or the ports
// lo..hi (the block on screen).
type pollReq struct {
	full   bool
	lo, hi int
}

func (r pollReq) filter() scan.Filter {
	if r.full {
		return scan.Filter{}
	}
	return scan.Filter{Lo: uint16(r.lo), Hi: uint16(r.hi)}
}

// fullEvery is how often (in polls) the whole machine is scanned; the
// polls in between scan only the block on screen. Measured under load
// (~2,000 processes, ~310 listeners): a full scan took ~0.8 s, a block
// scan ~4 ms. The block feeds the grid and the pane, so they stay fresh
// every interval; the machine-wide count, audit findings and tab targets
// outside the block are at most fullEvery intervals old.
const fullEvery = 5

// pollCmd scans after delay. Update arms the next poll only when this one
// has reported, so polls never overlap.
func pollCmd(ctx context.Context, sc scan.Scanner, gen int, req pollReq, delay time.Duration) tea.Cmd {
	fetch := func() tea.Msg {
		start := time.Now()
		snap, err := sc.Snapshot(ctx, req.filter())
		return pollMsg{gen: gen, req: req, snap: snap, err: err, took: time.Since(start)}
	}
	if delay <= 0 {
		return fetch
	}
	return tea.Tick(delay, func(time.Time) tea.Msg { return fetch() })
}

// searchCmd ranks the registry against query. The first search after start
// may wait for the registry's one-time decode; that happens here, off the
// event loop.
func searchCmd(reg *registry.Registry, seq int, query string) tea.Cmd {
	return func() tea.Msg {
		m, err := reg.Search(query, 0)
		return searchMsg{seq: seq, query: query, matches: m, err: err}
	}
}

// warmCmd decodes the registry in the background after the first frame,
// so that the first "/" never stalls.
func warmCmd(reg *registry.Registry) tea.Cmd {
	return tea.Tick(50*time.Millisecond, func(time.Time) tea.Msg {
		reg.Warm()
		reg.Person("") // builds the people index used by the pane
		return warmedMsg{}
	})
}

// digitTimeout ends a typed number after a pause.
func digitTimeout(seq int) tea.Cmd {
	return tea.Tick(digitWait, func(time.Time) tea.Msg { return digitTimeoutMsg{seq: seq} })
}

// flashTimeout clears a status message.
func flashTimeout(seq int) tea.Cmd {
	return tea.Tick(flashWait, func(time.Time) tea.Msg { return flashTimeoutMsg{seq: seq} })
}

const (
	digitWait = 900 * time.Millisecond
	flashWait = 3 * time.Second
)
