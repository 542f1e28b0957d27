package model

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// Polling is a small state machine (poller) that decides when to scan and
// what; the model turns its decisions into commands. At most one tick or
// scan is outstanding at any time, and each carries the id it was armed
// with: a tick or result with another id is stale and dropped, so there is
// never more than one poll loop.
//
//	off ──start/resume──▶ waiting ──tick──▶ scanning ──result──▶ waiting
//	 ▲                      │                  │
//	 └────────pause─────────┴──────────────────┘
//
// After a successful scan the next tick is armed interval−took later (a
// fixed rate), but never sooner than took (the scanner runs at most half
// the time); after a failed one, backoff(fails) later: interval, 2×, 4×, …
// up to maxBackoff. Moving to another block scans it at once, unless
// polling is failing (the backoff stands) or a scan is in flight (its
// result is still good, merged by range; the new block is scanned right
// after it).

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

// blockReq is the scan of the block starting at lo.
func blockReq(lo int) pollReq { return pollReq{lo: lo, hi: lo + views.BlockSize - 1} }

// fullEvery is how often (in polls) the whole machine is scanned at
// least; the polls in between scan only the block on screen. The block
// feeds the grid and the pane, so they stay fresh every interval; the
// machine-wide count, audit findings and tab targets outside the block are
// at most fullEvery intervals old on an ordinary host. Measured under load
// (~2,000 processes, ~310 listeners): a block scan ~4 ms, a warm full scan
// ~15 ms.
const fullEvery = 5

// fullDuty bounds what the whole-machine scans cost: the next one waits
// until fullDuty times the last one's duration has passed, so they take at
// most 1/fullDuty of the time (1 % of a core). It matters only on hosts
// where a full scan is expensive: with 60,000 listeners a warm full scan
// takes ~190 ms, which every fifth second was 3.9 % of a core on its own
// (bench/explorer.sh); spaced by this rule it runs every ~19 s.
const fullDuty = 100

// maxBackoff caps the delay between retries of a failing scanner.
const maxBackoff = 30 * time.Second

// pollPhase is where the poll loop is.
type pollPhase int

const (
	pollOff      pollPhase = iota // no scanner, paused, or not started
	pollWaiting                   // a tick is armed
	pollScanning                  // a scan is in flight
)

// poller is the polling state machine. It is embedded in Model, so its
// fields read as m.paused, m.polled and m.pollErr.
type poller struct {
	interval  time.Duration
	phase     pollPhase
	id        int // of the one outstanding tick or scan
	req       pollReq
	paused    bool
	soon      bool          // the block changed during a scan: scan it when that one reports
	polled    bool          // at least one snapshot arrived (the first success is a whole-machine scan)
	sinceFull int           // block scans since the last full one
	fullTook  time.Duration // how long the last full scan took
	fails     int           // consecutive failed scans
	pollErr   error         // the last scan's error; nil after a success
}

// pollArm is a poller decision: arm a tick with this id after delay.
type pollArm struct {
	ok    bool
	id    int
	delay time.Duration
}

func (p *poller) arm(delay time.Duration) pollArm {
	p.id++
	p.phase = pollWaiting
	return pollArm{ok: true, id: p.id, delay: max(0, delay)}
}

// start begins polling: the first scan at once.
func (p *poller) start() pollArm { return p.arm(0) }

// onTick takes an armed tick and says what to scan now (block is the
// first port of the block on screen); false for a stale tick.
func (p *poller) onTick(id, block int) (pollReq, bool) {
	if id != p.id || p.phase != pollWaiting {
		return pollReq{}, false
	}
	// The first scan covers the whole machine (the owner census walks
	// every process whatever the filter, so a block filter saves nothing),
	// then every fullEvery-th.
	req := blockReq(block)
	if !p.polled || p.sinceFull >= p.blocksBetweenFull() {
		req = pollReq{full: true}
	}
	p.phase, p.req = pollScanning, req
	return req, true
}

// onResult takes a scan's outcome. accept is false for a stale result
// (drop it); otherwise next is the tick to arm.
func (p *poller) onResult(id int, err error, took time.Duration) (accept bool, next pollArm) {
	if id != p.id || p.phase != pollScanning {
		return false, pollArm{}
	}
	soon := p.soon
	p.soon = false
	if err != nil {
		p.fails++
		p.pollErr = err
		return true, p.arm(p.backoff())
	}
	p.fails, p.pollErr, p.polled = 0, nil, true
	if p.req.full {
		p.sinceFull, p.fullTook = 0, took
	} else {
		p.sinceFull++
	}
	if soon {
		return true, p.arm(0)
	}
	return true, p.arm(max(p.interval-took, min(took, p.interval)))
}

// blocksBetweenFull is how many block scans come between two full ones:
// fullEvery-1, or more when the last full scan was slow (fullDuty).
func (p *poller) blocksBetweenFull() int {
	n := fullEvery - 1
	if p.interval > 0 {
		n = max(n, int((fullDuty*p.fullTook+p.interval-1)/p.interval)-1)
	}
	return n
}

// backoff is the delay before retrying after p.fails failures in a row:
// interval, then doubling, capped at maxBackoff (but never below interval).
func (p *poller) backoff() time.Duration {
	d := p.interval
	for i := 1; i < p.fails && d < maxBackoff; i++ {
		d *= 2
	}
	return max(p.interval, min(d, maxBackoff))
}

// pause stops polling; whatever is outstanding becomes stale.
func (p *poller) pause() {
	p.paused, p.soon = true, false
	p.id++
	p.phase = pollOff
}

// resume restarts polling with a scan at once.
func (p *poller) resume() pollArm {
	p.paused = false
	return p.arm(0)
}

// moved says the block on screen changed: scan it at once if the loop is
// waiting and healthy, right after the scan in flight if there is one.
func (p *poller) moved() pollArm {
	switch {
	case p.phase == pollScanning:
		p.soon = true
	case p.phase == pollWaiting && p.fails == 0:
		return p.arm(0)
	}
	return pollArm{}
}

// Commands. Each captures what it needs by value when it is created and
// never touches the model: results come back only as messages.

// tickCmd delivers tick a after its delay, through after (tea.Tick; tests
// substitute simulated time).
func tickCmd(a pollArm, after func(time.Duration, tea.Msg) tea.Cmd) tea.Cmd {
	if !a.ok {
		return nil
	}
	msg := pollTickMsg{id: a.id}
	if a.delay <= 0 {
		return func() tea.Msg { return msg }
	}
	return after(a.delay, msg)
}

// realAfter is the after of a running program.
func realAfter(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// scanCmd runs one scan, timed by clock (time.Now; simulated in tests).
func scanCmd(ctx context.Context, sc scan.Scanner, id int, req pollReq, clock func() time.Time) tea.Cmd {
	return func() tea.Msg {
		start := clock()
		snap, err := sc.Snapshot(ctx, req.filter())
		return pollMsg{id: id, req: req, snap: snap, err: err, took: clock().Sub(start)}
	}
}

// searchCmd ranks the registry against the query of request id. The first
// search after start may wait for the registry's one-time decode; that
// happens here, off the event loop.
func searchCmd(reg *registry.Registry, id int, query string) tea.Cmd {
	return func() tea.Msg {
		m, err := reg.Search(query, 0)
		return searchMsg{seq: id, query: query, matches: m, err: err}
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
