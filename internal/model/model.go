// Package model is portui's interactive explorer: one Bubble Tea model
// holding all state, an Update that dispatches by mode (browse, search
// input, help, typed port number), and commands for all I/O (polling the
// scanner, searching, warming the registry). Rendering is delegated to the
// pure functions of package views.
//
// Data flows one way: registry and scan → model → views.
package model

import (
	"context"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// Config configures the explorer.
type Config struct {
	Registry *registry.Registry // required
	// Judge judges the listeners: its registry (Registry when nil) and
	// the user's expectations file, if any (cmd/portui: app.judge). The
	// grid marks ! what needs a look by it; the pane says how each
	// listener stands against the file.
	Judge audit.Judge
	// Now is the clock (the registry's age, scan timing); nil: time.Now.
	Now     func() time.Time
	Scanner scan.Scanner // nil: no live data (the pane and status bar say why: ScannerErr)
	// ScannerErr is why there is no Scanner (the error of scan.New), shown
	// in the pane and the status bar; ignored when Scanner is set.
	ScannerErr error
	Interval   time.Duration // between polls; 0 means DefaultInterval
	Port       int           // initial selection; -1 for none (the block's first port)
	Block      int           // first port of the block shown (--range); rounded down to a multiple of 1024
	IsRoot     bool          // processes of other users are visible
	// FirstFrameWait holds the first frame back until the first scan
	// reports, for at most this long, so that a quick scan paints once
	// instead of painting the grid and then the listeners over it (over
	// SSH that second paint is pure overhead). 0 paints at once.
	FirstFrameWait time.Duration
	// ASCII draws every glyph from views.ASCIIGlyphs (the locale is not
	// UTF-8: views.UTF8Locale); frames then hold only ASCII text.
	ASCII bool
	// Links: the terminal shows OSC 8 hyperlinks (views.Hyperlinks); the
	// pane's references (RFCs, drafts, IANA records) are then links too.
	Links bool
}

// DefaultInterval is the poll interval when Config.Interval is 0.
const DefaultInterval = time.Second

// mode is what keys currently drive.
type mode int

const (
	modeBrowse mode = iota // moving around the grid
	modeSearch             // typing a search query
	modeHelp               // the help overlay is open
	modeDigits             // typing a port number
	numModes
)

// Model is the explorer's Bubble Tea model. Create it with New.
type Model struct {
	cfg   Config
	reg   *registry.Registry
	keys  KeyMap // bindings enabled for the current mode
	input queryInput
	sty   *views.Styles
	loc   *time.Location // for poll times; tests pin it

	w, h int
	geo  Geometry
	mode mode
	area area // what the main area shows (area.go)

	// The map (m, portmap.go): its selected block and first row shown.
	pmap mapState

	block, sel, top int // sel is a port number, always inside the block
	view            registry.View
	filter          filter
	showPane        bool // PaneToggle layouts: pane instead of grid
	paneScroll      int
	helpScroll      int // first line of the help overlay shown

	cells     [views.BlockSize]views.Cell
	counts    [4]int // statuses in the block, under view
	listening int    // cells of the block with a listener
	look      int    // of which need a look (MarkLook)
	away      int    // of which only in containers or other netns (scope all)
	detail    detail // registry data of sel

	ctx      context.Context
	cancel   context.CancelFunc
	poller                                        // when to scan and what (poll.go)
	after    func(time.Duration, tea.Msg) tea.Cmd // arms a poll tick: tea.Tick, or simulated time in tests
	clock    func() time.Time                     // times scans: time.Now, or simulated time in tests
	repoll   bool                                 // the block changed: tell the poller (withRepoll)
	startArm pollArm                              // the first tick, armed by New, sent by Init
	snap     scan.Snapshot
	set      *listenerSet // every known listener, annotated, by block and port (listeners.go)
	judging  *judging     // how listeners are judged (expect.go)
	findings int
	// staleDays is the registry's age in days when it is older than
	// registry.StaleAfter (the status bar warns), else 0.
	staleDays int
	scope     scope             // the namespace scope (s): allScope, the host, a container, a netns
	scopes    []scope           // what s cycles, from the last whole-machine scan (places.go)
	paths     map[uint64]string // netns inode → the path that names it, from the same scan
	portMaps  []scan.PortMap    // published ports, from the same scan
	open      openState         // what the pane saw when it opened on sel

	digits   string // port number being typed
	digitSeq int

	search    searchState
	flash     string // transient status message
	flashBad  bool
	flashSeq  int
	warmStart bool // warmCmd was issued
	holding   bool // the first frame waits for the first scan (FirstFrameWait)

	// The table of every listener (L): cursor, sort, row filter and the
	// rows' memo (table.go).
	tbl tableState

	// health is the live health of the selected listener: the probe
	// sent with each poll, its clients, their history and the counters
	// (health.go).
	health healthState
}

// openState is what happened on the selected port since the pane opened
// on it: listeners that appeared or vanished, poll by poll. A log rather
// than a diff against the opening state, so that a listener that came and
// went again still shows.
type openState struct {
	set    bool
	since  time.Time
	events []listenEvent // oldest first, at most maxEvents
}

// listenEvent is a listener appearing or vanishing between two polls,
// with its annotation from the poll that had it.
type listenEvent struct {
	at       time.Time
	appeared bool
	l        audit.Listener
}

// maxEvents bounds the pane's change log.
const maxEvents = 6

// New returns the explorer for cfg.
func New(cfg Config) Model {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := queryInput{prompt: "/", placeholder: "port, service or words", limit: 64}
	m := Model{
		cfg:   cfg,
		reg:   cfg.Registry,
		keys:  DefaultKeyMap(),
		input: in,
		// 16 colours on a dark background until the terminal says
		// otherwise (tea.ColorProfileMsg, tea.BackgroundColorMsg).
		sty:    views.NewStyles(colorprofile.ANSI, true, views.GlyphsFor(cfg.ASCII)),
		loc:    time.Local,
		ctx:    ctx,
		cancel: cancel,
		poller: poller{interval: cfg.Interval},
		after:  realAfter,
		clock:  cfg.Now,
		sel:    -1,
		block:  blockOf(cfg.Block),
		scope:  allScope,

		holding: cfg.Scanner != nil && cfg.FirstFrameWait > 0,
		judging: newJudging(&cfg),
	}
	m.checkAge(cfg.Now())
	start := m.block
	if cfg.Port >= 0 {
		start = clampPort(cfg.Port)
		m.block = blockOf(start)
	}
	if cfg.Scanner == nil && cfg.ScannerErr != nil {
		m.pollErr = noScannerError{cfg.ScannerErr} // the status bar says why
	} else if cfg.Scanner != nil {
		m.startArm = m.poller.start()
	}
	m.refreshCells()
	m.selectPort(start)
	m.setMode(modeBrowse)
	return m
}

// Init starts the first poll right away (the pane shows listeners within
// one scan, not one interval) and asks for the background colour. The
// poller was started by New (Init's receiver is a copy, so a change here
// would be lost); Init only arms its first tick.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.cfg.Scanner != nil {
		cmds = append(cmds, tickCmd(m.startArm, m.after))
		if m.holding {
			cmds = append(cmds, tea.Tick(m.cfg.FirstFrameWait, func(time.Time) tea.Msg { return firstFrameMsg{} }))
		}
	}
	return tea.Batch(cmds...)
}

// View renders the screen. Alt screen and mouse are declared here, as Bubble
// Tea v2 wants them on every frame.
func (m Model) View() tea.View {
	if m.holding {
		// Nothing yet: the alternate screen alone, filled at the first
		// scan or after FirstFrameWait, whichever comes first.
		v := tea.NewView("")
		v.AltScreen = true
		return v
	}
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	// No WindowTitle: Bubble Tea sets the title to "" on exit when one was
	// set, which loses the terminal's own title; left alone, it stays.
	if m.mode == modeSearch && m.geo.Mode != TooSmall {
		v.Cursor = tea.NewCursor(min(m.input.CursorX(), m.w-1), m.geo.Status.Min.Y)
	}
	return v
}

// Selected is the selected port.
func (m Model) Selected() int { return m.sel }

// Geometry is the current layout (zero before the first WindowSizeMsg).
func (m Model) Geometry() Geometry { return m.geo }

// setMode switches mode and re-enables the bindings that work in it.
func (m *Model) setMode(md mode) {
	m.mode = md
	m.keys = m.keys.withState(m.keyState(md))
}

func (m *Model) keyState(md mode) keyState {
	return keyState{mode: md, area: m.area, searching: m.search.applied != "", toggle: m.geo.Mode == PaneToggle}
}

// relayout recomputes the layout after a size, block or pane change.
func (m *Model) relayout() {
	m.geo = Layout(m.w, m.h, LayoutOpts{CellW: views.CellDigits(m.block), ShowPane: m.showPane})
	m.scroll()
	m.keys = m.keys.withState(m.keyState(m.mode))
}

// scroll keeps the selection's row on screen.
func (m *Model) scroll() {
	if m.geo.Cols == 0 {
		return
	}
	m.top = scrollTop(m.top, (m.sel-m.block)/m.geo.Cols, m.geo.Rows(), totalRows(m.geo.Cols))
}

// selectPort moves the selection to port p, switching blocks if needed.
func (m *Model) selectPort(p int) {
	p = clampPort(p)
	if b := blockOf(p); b != m.block {
		m.block = b
		m.relayout()
		m.refreshCells()
		m.refreshFindings()
		m.repoll = true
	}
	if p != m.sel {
		m.sel = p
		m.flash = "" // it spoke of the port selected before ("copied port 0 summary")
		m.paneScroll = 0
		m.loadDetail()
		m.openPane()
	}
	m.scroll()
}

// checkAge notes whether the registry is older than registry.StaleAfter
// at now (the status bar then warns and says how to update it).
func (m *Model) checkAge(now time.Time) {
	m.staleDays = 0
	if age, ok := m.reg.Age(now); ok && age > registry.StaleAfter {
		m.staleDays = int(age / (24 * time.Hour))
	}
}

// openPane starts the change log for the selected port.
func (m *Model) openPane() {
	m.open = openState{}
	if m.polled {
		m.open = openState{set: true, since: m.snap.Taken}
	}
}

// logChanges appends what changed on the selected port between two polls
// (prev is what the port had before: m.annAt(m.sel) then).
func (m *Model) logChanges(prev []audit.Listener, at time.Time) {
	cur := m.annAt(m.sel)
	app, van := scan.Diff(scan.Snapshot{Listeners: plain(prev)}, scan.Snapshot{Listeners: plain(cur)})
	for _, l := range annotationsOf(prev, van) {
		m.open.events = append(m.open.events, listenEvent{at: at, l: l})
	}
	for _, l := range annotationsOf(cur, app) {
		m.open.events = append(m.open.events, listenEvent{at: at, appeared: true, l: l})
	}
	if n := len(m.open.events); n > maxEvents {
		m.open.events = slices.Clone(m.open.events[n-maxEvents:])
	}
}

// quit cancels in-flight work and ends the program.
func (m Model) quit() (tea.Model, tea.Cmd) {
	m.cancel()
	return m, tea.Quit
}

// unavailable is why the explorer has no live data ("" when it has a
// scanner): the pane and the copied summary say it.
func (m *Model) unavailable() string {
	switch {
	case m.cfg.Scanner != nil:
		return ""
	case m.cfg.ScannerErr == nil:
		return "no scanner: listeners are not shown"
	}
	return "no scanner: " + noScannerError{m.cfg.ScannerErr}.Error()
}

// noScannerError is Config.ScannerErr as the status bar shows it (after
// "scan: "): without the scan package's own "scan: " prefix, as one line.
type noScannerError struct{ err error }

func (e noScannerError) Error() string {
	return sanitize.Line(strings.TrimPrefix(e.err.Error(), "scan: "))
}

func (e noScannerError) Unwrap() error { return e.err }
