package model

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/views"
)

// Key bindings are data: one table (defaultBindings) holds, for every
// binding, its keys and help text, the help group it is listed under, the
// modes and state it works in, and its handler. Dispatch (KeyMap.match),
// the help overlay (Groups, FullHelp), the status bar's short help
// (ShortHelp) and which bindings are enabled (withState) all derive from
// that table, so a new key is one entry there and nothing else.

// group is a titled column of the help overlay.
type group int

const (
	groupMove group = iota
	groupJump
	groupFind
	groupOther
	groupSearch // keys of the search input
	groupHelp   // keys of the help overlay itself
	numGroups
)

// groupTitles are the overlay's column titles, in group order.
var groupTitles = [numGroups]string{"Move", "Jump", "Find", "Other", "Typing a search", "This help"}

// modeSet is a set of modes.
type modeSet uint8

func modesOf(ms ...mode) modeSet {
	var s modeSet
	for _, m := range ms {
		s |= 1 << m
	}
	return s
}

func (s modeSet) has(m mode) bool { return s&(1<<m) != 0 }

var (
	// inBrowse: the grid keys. A number being typed (modeDigits) is ended
	// by any of them, which then does its usual job (see updateKey).
	inBrowse = modesOf(modeBrowse, modeDigits)
	inAll    = modesOf(modeBrowse, modeDigits, modeSearch, modeHelp)
)

// handler is what a binding does.
type handler func(m Model, msg tea.KeyPressMsg) (tea.Model, tea.Cmd)

// binding is one row of the key table.
type binding struct {
	name  string   // unique; for tests and lookups
	keys  []string // as tea.KeyPressMsg.String() spells them
	help  key.Help // what the help and the short help show
	group group
	short int // position in the short help (1 = first); 0: not there
	modes modeSet
	when  func(keyState) bool // within modes, when it works; nil: always
	do    handler
}

// enabledIn reports whether b works in state s.
func (b *binding) enabledIn(s keyState) bool {
	return b.modes.has(s.mode) && (b.when == nil || b.when(s))
}

// keyState is what decides which bindings are live.
type keyState struct {
	mode      mode
	area      area // what the main area shows: each area's movement keys are its own
	searching bool // a query is applied (n/N/esc work)
	toggle    bool // the layout is PaneToggle (d works)
}

func searching(s keyState) bool { return s.searching }
func toggle(s keyState) bool    { return s.toggle }

// defaultBindings is the key table. Order matters only for the help and
// the short help; no key is bound twice in one state (TestKeyTable).
func defaultBindings() []binding {
	b := func(name string, keys []string, k, desc string, g group, ms modeSet, do handler) binding {
		return binding{name: name, keys: keys, help: key.Help{Key: k, Desc: desc}, group: g, modes: ms, do: do}
	}
	// mb is a binding of the map alone (inMap; esc only without a search,
	// which esc clears first).
	mb := func(name string, keys []string, k, desc string, do handler) binding {
		x := b(name, keys, k, desc, groupMove, inBrowse, do)
		x.when = inMap
		if name == "mapback" {
			x.when = func(s keyState) bool { return inMap(s) && !s.searching }
		}
		return x
	}
	digits := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	t := []binding{
		b("up", []string{"up", "k"}, "↑/k", "up a row", groupMove, inBrowse, moveBy(0, -1)),
		b("down", []string{"down", "j"}, "↓/j", "down a row", groupMove, inBrowse, moveBy(0, 1)),
		b("left", []string{"left", "h"}, "←/h", "previous port", groupMove, inBrowse, moveBy(-1, 0)),
		b("right", []string{"right", "l"}, "→/l", "next port", groupMove, inBrowse, moveBy(1, 0)),
		b("pageup", []string{"pgup"}, "pgup", "page up", groupMove, inBrowse, moveTo(func(m *Model, i, cols int) int {
			return pageIndex(i, -1, m.geo.Rows(), cols)
		})),
		b("pagedown", []string{"pgdown"}, "pgdn", "page down", groupMove, inBrowse, moveTo(func(m *Model, i, cols int) int {
			return pageIndex(i, 1, m.geo.Rows(), cols)
		})),
		b("rowstart", []string{"home"}, "home", "start of row", groupMove, inBrowse, moveTo(func(_ *Model, i, cols int) int { return rowStart(i, cols) })),
		b("rowend", []string{"end"}, "end", "end of row", groupMove, inBrowse, moveTo(func(_ *Model, i, cols int) int { return rowEnd(i, cols) })),
		b("first", []string{"g"}, "g", "first port of block", groupMove, inBrowse, moveTo(func(*Model, int, int) int { return 0 })),
		b("last", []string{"G"}, "G", "last port of block", groupMove, inBrowse, moveTo(func(*Model, int, int) int { return views.BlockSize - 1 })),
		// The map (portmap.go).
		mb("mapup", []string{"up", "k"}, "↑/k", "up a row of blocks", mapBy(0, -1)),
		mb("mapdown", []string{"down", "j"}, "↓/j", "down a row of blocks", mapBy(0, 1)),
		mb("mapleft", []string{"left", "h"}, "←/h", "previous block", mapBy(-1, 0)),
		mb("mapright", []string{"right", "l"}, "→/l", "next block", mapBy(1, 0)),
		mb("mappageup", []string{"pgup"}, "pgup", "blocks a screen up", mapPage(-1)),
		mb("mappagedown", []string{"pgdown"}, "pgdn", "blocks a screen down", mapPage(1)),
		mb("maprowstart", []string{"home"}, "home", "first block of row", mapMove(func(sel int, g views.MapGeom) int { return sel - sel%g.Cols })),
		mb("maprowend", []string{"end"}, "end", "last block of row", mapMove(func(sel int, g views.MapGeom) int { return sel - sel%g.Cols + g.Cols - 1 })),
		mb("mapfirst", []string{"g"}, "g", "block 0", mapMove(func(int, views.MapGeom) int { return 0 })),
		mb("maplast", []string{"G"}, "G", "block 64512", mapMove(func(int, views.MapGeom) int { return registry.NumBlocks - 1 })),
		mb("mapopen", []string{"enter"}, "enter", "open the block", Model.openBlock),
		mb("mapback", []string{"esc"}, "esc", "back", toggleArea(areaMap)),
		mb("mapsearch", []string{"/"}, "/", "search (in the grid)", Model.mapSearch),

		b("digits", digits, "0-9", "go to port", groupJump, inBrowse, Model.typeDigit),
		b("enddigits", []string{"enter", "esc"}, "enter/esc", "end the number", groupJump, modesOf(modeDigits), nothing),
		b("prevrun", []string{"["}, "[", "previous run", groupJump, inBrowse, run(-1)),
		b("nextrun", []string{"]"}, "]", "next run", groupJump, inBrowse, run(1)),
		b("nextlistener", []string{"tab"}, "tab", "next listener", groupJump, inBrowse, listener(1)),
		b("prevlistener", []string{"shift+tab"}, "shift+tab", "previous listener", groupJump, inBrowse, listener(-1)),
		b("prevblock", []string{"<"}, "<", "previous 1024 ports", groupJump, inBrowse, block(-1)),
		b("nextblock", []string{">"}, ">", "next 1024 ports", groupJump, inBrowse, block(1)),

		b("search", []string{"/"}, "/", "search", groupFind, inBrowse, Model.startSearch),
		b("nextmatch", []string{"n"}, "n", "next match", groupFind, inBrowse, matchStep(1)),
		b("prevmatch", []string{"N"}, "N", "previous match", groupFind, inBrowse, matchStep(-1)),
		b("clearsearch", []string{"esc"}, "esc", "clear search", groupFind, modesOf(modeBrowse), mut((*Model).clearSearch)),
		b("filter", []string{"f"}, "f", "cycle filter", groupFind, inBrowse, mut((*Model).cycleFilter)),
		b("view", []string{"t"}, "t", "combined/tcp/udp", groupFind, inBrowse, mut((*Model).cycleView)),
		b("scope", []string{"s"}, "s", "namespace scope", groupFind, inBrowse, mut(func(m *Model) { m.cycleScope(1) })),
		b("prevscope", []string{"S"}, "S", "previous scope", groupFind, inBrowse, mut(func(m *Model) { m.cycleScope(-1) })),

		b("resultdown", []string{"down", "ctrl+n"}, "↓/ctrl+n", "next result", groupSearch, modesOf(modeSearch), resultStep(1)),
		b("resultup", []string{"up", "ctrl+p"}, "↑/ctrl+p", "previous result", groupSearch, modesOf(modeSearch), resultStep(-1)),
		b("accept", []string{"enter"}, "enter", "go to the highlighted result", groupSearch, modesOf(modeSearch), Model.acceptSearch),
		b("cancel", []string{"esc"}, "esc", "cancel the search", groupSearch, modesOf(modeSearch), Model.cancelSearch),

		b("details", []string{"d"}, "d", "show/hide details", groupOther, inBrowse, mut((*Model).togglePane)),
		b("scrolldown", []string{"J"}, "J", "scroll details down", groupOther, inBrowse, mut(func(m *Model) { m.scrollPane(1) })),
		b("scrollup", []string{"K"}, "K", "scroll details up", groupOther, inBrowse, mut(func(m *Model) { m.scrollPane(-1) })),
		b("copy", []string{"y"}, "y", "copy summary (OSC 52)", groupOther, inBrowse, Model.copySummary),
		b("copystop", []string{"Y"}, "Y", "copy the command that stops it", groupOther, inBrowse, Model.copyStop),
		b("pause", []string{"p"}, "p", "pause/resume polling", groupOther, inBrowse, Model.togglePause),
		b("table", []string{"L"}, "L", "table of listeners", groupOther, inBrowse, Model.toggleTable),
		b("map", []string{"m"}, "m", "map of all ports", groupOther, inBrowse, Model.toggleMap),
		b("help", []string{"?"}, "?", "help", groupOther, inBrowse, mut((*Model).openHelp)),
		b("quit", []string{"q"}, "q", "quit", groupOther, inBrowse, quit),
		b("forcequit", []string{"ctrl+c"}, "ctrl+c", "quit (also while typing)", groupOther, inAll, quit),
		b("suspend", []string{"ctrl+z"}, "ctrl+z", "suspend (fg resumes)", groupOther, inAll, suspend),

		// The table's own keys (table.go); the grid's movement, search and
		// esc do not work there (tableTakes).
		b("tablerow", []string{"up", "k", "down", "j"}, "↑/↓ k/j", "previous/next row", groupMove, modesOf(modeBrowse), tableRow),
		b("tablepage", []string{"pgup", "pgdown"}, "pgup/pgdn", "page of rows up/down", groupMove, modesOf(modeBrowse), tablePage),
		b("tableends", []string{"home", "g", "end", "G"}, "home/end g/G", "first/last row", groupMove, modesOf(modeBrowse), tableEnds),
		b("tableopen", []string{"enter"}, "enter", "open the port in the grid", groupJump, modesOf(modeBrowse), tableOpen),
		b("tableback", []string{"esc"}, "esc", "clear the row filter, else back to the grid", groupJump, modesOf(modeBrowse), tableBack),
		b("tablefind", []string{"/"}, "/", "filter rows by text", groupFind, modesOf(modeBrowse), Model.tableFind),
		b("tablesort", []string{"<", ">"}, "</>", "sort by the previous/next column", groupFind, modesOf(modeBrowse), tableSort),
		b("tablereverse", []string{"r"}, "r", "reverse the sort", groupFind, modesOf(modeBrowse), tableReverse),
		b("tablequeryrow", []string{"up", "down", "ctrl+p", "ctrl+n"}, "↑/↓", "move the cursor while typing", groupSearch, modesOf(modeSearch), tableRow),
		b("tablequerydone", []string{"enter"}, "enter", "keep the row filter", groupSearch, modesOf(modeSearch), tableQueryDone),
		b("tablequerycancel", []string{"esc"}, "esc", "clear the row filter", groupSearch, modesOf(modeSearch), tableQueryCancel),

		b("helpdown", []string{"down", "j"}, "↓/j", "scroll down", groupHelp, modesOf(modeHelp), helpScroll(1)),
		b("helpup", []string{"up", "k"}, "↑/k", "scroll up", groupHelp, modesOf(modeHelp), helpScroll(-1)),
		b("helppagedown", []string{"pgdown", "space"}, "pgdn/space", "next page", groupHelp, modesOf(modeHelp), helpPage(1)),
		b("helppageup", []string{"pgup"}, "pgup", "previous page", groupHelp, modesOf(modeHelp), helpPage(-1)),
		b("helptop", []string{"home", "g"}, "home", "top", groupHelp, modesOf(modeHelp), helpScroll(-helpAll)),
		b("helpend", []string{"end", "G"}, "end", "bottom", groupHelp, modesOf(modeHelp), helpScroll(helpAll)),
		b("closehelp", []string{"esc", "?", "q"}, "esc/?/q", "close help", groupHelp, modesOf(modeHelp), mut(func(m *Model) { m.setMode(modeBrowse) })),
	}
	short := []string{"help", "digits", "search", "tablefind", "filter", "nextlistener", "tableopen", "tablesort", "mapopen", "mapback"}
	for i := range t {
		switch t[i].name {
		case "copystop":
			// The map's selection is a block, not a port; in the table Y
			// acts on the cursor's row (Model.copyStop).
			t[i].when = func(s keyState) bool { return !inMap(s) }
		case "nextmatch", "prevmatch", "clearsearch":
			t[i].when = searching
		case "details":
			t[i].when = toggle
		}
		// The grid's own keys work on the grid alone; the table and the
		// map bind their movement keys for themselves (table.go, portmap.go).
		if gridOnly[t[i].name] {
			if w := t[i].when; w != nil {
				t[i].when = func(s keyState) bool { return inGrid(s) && w(s) }
			} else {
				t[i].when = inGrid
			}
		}
		// The table's rows (named table…, but L itself) work in the
		// table alone; the grid's keys it binds for itself do not work
		// there (tableTakes, table.go).
		if strings.HasPrefix(t[i].name, "table") && t[i].name != "table" {
			t[i].when = inTable
		} else if tableTakes[t[i].name] {
			w := t[i].when
			t[i].when = func(s keyState) bool { return !inTable(s) && (w == nil || w(s)) }
		}
		if j := slices.Index(short, t[i].name); j >= 0 {
			t[i].short = j + 1
		}
	}
	return t
}

// gridOnly names the bindings that act on the grid and its pane only.
var gridOnly = map[string]bool{
	"up": true, "down": true, "left": true, "right": true, "pageup": true, "pagedown": true,
	"rowstart": true, "rowend": true, "first": true, "last": true,
	"digits": true, "prevrun": true, "nextrun": true, "nextlistener": true, "prevlistener": true,
	"prevblock": true, "nextblock": true, "nextmatch": true, "prevmatch": true,
	"details": true, "scrolldown": true, "scrollup": true,
	"search": true, // the map's / goes to the grid first (mapsearch)
}

// KeyMap is the explorer's key bindings, enabled for one state. It
// implements help.KeyMap; bindings that do nothing in the state are
// disabled (SetEnabled) so that the help shown is always true.
type KeyMap struct {
	defs  []binding // the table; shared, never modified
	state keyState
	keys  []key.Binding // keys[i] is defs[i], enabled for state
}

// DefaultKeyMap returns the default bindings, enabled for browsing.
func DefaultKeyMap() KeyMap { return newKeyMap(defaultBindings()) }

func newKeyMap(defs []binding) KeyMap {
	k := KeyMap{defs: defs, keys: make([]key.Binding, len(defs))}
	for i := range defs {
		k.keys[i] = key.NewBinding(key.WithKeys(defs[i].keys...), key.WithHelp(defs[i].help.Key, defs[i].help.Desc))
	}
	return k.withState(keyState{mode: modeBrowse})
}

// withState returns the key map with bindings enabled for s.
func (k KeyMap) withState(s keyState) KeyMap {
	k.state = s
	k.keys = slices.Clone(k.keys)
	for i := range k.defs {
		k.keys[i].SetEnabled(k.defs[i].enabledIn(s))
	}
	return k
}

// match returns the enabled binding for msg, or nil.
func (k *KeyMap) match(msg tea.KeyPressMsg) *binding {
	for i := range k.keys {
		if key.Matches(msg, k.keys[i]) {
			return &k.defs[i]
		}
	}
	return nil
}

// get returns the binding called name (zero Binding if there is none).
func (k KeyMap) get(name string) key.Binding {
	for i := range k.defs {
		if k.defs[i].name == name {
			return k.keys[i]
		}
	}
	return key.Binding{}
}

// ShortHelp implements help.KeyMap: the status bar's hint.
func (k KeyMap) ShortHelp() []key.Binding {
	type ranked struct {
		rank int
		b    key.Binding
	}
	var rs []ranked
	for i := range k.defs {
		if k.defs[i].short > 0 {
			rs = append(rs, ranked{k.defs[i].short, k.keys[i]})
		}
	}
	slices.SortFunc(rs, func(a, b ranked) int { return a.rank - b.rank })
	out := make([]key.Binding, len(rs))
	for i, r := range rs {
		out[i] = r.b
	}
	return out
}

// FullHelp implements help.KeyMap: the columns of the help overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	groups := k.Groups()
	out := make([][]key.Binding, len(groups))
	for i, g := range groups {
		out[i] = g.Bindings
	}
	return out
}

// Groups is FullHelp with a title per column, for the help overlay. The
// overlay lists every key that works, whatever the mode: a binding is
// enabled here when it works in some mode of k's state (browsing, typing a
// number or a search, this help), and grouped by where it works.
func (k KeyMap) Groups() []views.HelpGroup {
	out := make([]views.HelpGroup, numGroups)
	for g := range numGroups {
		out[g].Title = groupTitles[g]
	}
	for i := range k.defs {
		b := k.keys[i]
		b.SetEnabled(k.defs[i].listedIn(k.state))
		g := k.defs[i].group
		out[g].Bindings = append(out[g].Bindings, b)
	}
	return out
}

// listedIn reports whether the help of a key map in state s lists b: it
// works in s's situation in one of the modes.
func (b *binding) listedIn(s keyState) bool {
	for md := range mode(numModes) {
		s.mode = md
		if b.enabledIn(s) {
			return true
		}
	}
	return false
}

// updateKey dispatches a key through the table. Keys no binding takes are
// text while typing a query; a typed number ends at any key that is not a
// digit, and that key then does its usual job.
func (m Model) updateKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	b := m.keys.match(msg)
	if m.mode == modeDigits && (b == nil || b.name != "digits") {
		m.endDigits()
	}
	if b != nil {
		return b.do(m, msg)
	}
	if m.mode == modeSearch && m.area == areaTable {
		return m.updateTableQuery(msg)
	}
	if m.mode == modeSearch {
		return m.updateSearchInput(msg)
	}
	return m, nil
}

// Handler constructors.

// mut adapts a method that changes the model and returns no command.
func mut(f func(*Model)) handler {
	return func(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
		f(&m)
		return m, nil
	}
}

func nothing(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) { return m, nil }

func quit(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) { return m.quit() }

// suspend stops the program as ctrl+z does in a shell (Bubble Tea restores
// the terminal first and takes it back on resume: see tea.ResumeMsg).
func suspend(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) { return m, tea.Suspend }

// moveTo selects the block index f returns for the selection's index i on
// a grid of cols columns.
func moveTo(f func(m *Model, i, cols int) int) handler {
	return mut(func(m *Model) {
		m.selectPort(m.block + f(m, m.sel-m.block, max(1, m.geo.Cols)))
	})
}

// moveBy moves the selection dx cells and dy rows.
func moveBy(dx, dy int) handler {
	return moveTo(func(_ *Model, i, cols int) int { return moveIndex(i, dx, dy, cols) })
}
