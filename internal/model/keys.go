package model

import (
	"charm.land/bubbles/v2/key"
	"github.com/portui/portui/internal/views"
)

// KeyMap is every key binding of the explorer. It implements help.KeyMap;
// bindings that do nothing in the current mode are disabled (SetEnabled)
// so that the help shown is always true.
type KeyMap struct {
	// Moving.
	Up, Down, Left, Right key.Binding
	PageUp, PageDown      key.Binding
	RowStart, RowEnd      key.Binding
	First, Last           key.Binding
	// Jumping.
	Digits                     key.Binding
	PrevRun, NextRun           key.Binding
	NextListener, PrevListener key.Binding
	PrevBlock, NextBlock       key.Binding
	// Searching and filtering.
	Search, NextMatch, PrevMatch, ClearSearch key.Binding
	Filter, View                              key.Binding
	// The pane.
	Details, ScrollDown, ScrollUp key.Binding
	// Other.
	Copy, Pause, Help, Quit, ForceQuit key.Binding
	// Search input.
	Accept, Cancel key.Binding
	// Help overlay.
	CloseHelp key.Binding
}

// DefaultKeyMap returns the default bindings (a fresh copy each call).
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:           b([]string{"up", "k"}, "↑/k", "up a row"),
		Down:         b([]string{"down", "j"}, "↓/j", "down a row"),
		Left:         b([]string{"left", "h"}, "←/h", "previous port"),
		Right:        b([]string{"right", "l"}, "→/l", "next port"),
		PageUp:       b([]string{"pgup"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown"}, "pgdn", "page down"),
		RowStart:     b([]string{"home"}, "home", "start of row"),
		RowEnd:       b([]string{"end"}, "end", "end of row"),
		First:        b([]string{"g"}, "g", "first port of block"),
		Last:         b([]string{"G"}, "G", "last port of block"),
		Digits:       b([]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, "0-9", "go to port"),
		PrevRun:      b([]string{"["}, "[", "previous run"),
		NextRun:      b([]string{"]"}, "]", "next run"),
		NextListener: b([]string{"tab"}, "tab", "next listener"),
		PrevListener: b([]string{"shift+tab"}, "shift+tab", "previous listener"),
		PrevBlock:    b([]string{"<"}, "<", "previous 1024 ports"),
		NextBlock:    b([]string{">"}, ">", "next 1024 ports"),
		Search:       b([]string{"/"}, "/", "search"),
		NextMatch:    b([]string{"n"}, "n", "next match"),
		PrevMatch:    b([]string{"N"}, "N", "previous match"),
		ClearSearch:  b([]string{"esc"}, "esc", "clear search"),
		Filter:       b([]string{"f"}, "f", "cycle filter"),
		View:         b([]string{"t"}, "t", "combined/tcp/udp"),
		Details:      b([]string{"d"}, "d", "show/hide details"),
		ScrollDown:   b([]string{"J"}, "J", "scroll details down"),
		ScrollUp:     b([]string{"K"}, "K", "scroll details up"),
		Copy:         b([]string{"y"}, "y", "copy summary (OSC 52)"),
		Pause:        b([]string{"p"}, "p", "pause/resume polling"),
		Help:         b([]string{"?"}, "?", "help"),
		Quit:         b([]string{"q"}, "q", "quit"),
		ForceQuit:    b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Accept:       b([]string{"enter"}, "enter", "go to best match"),
		Cancel:       b([]string{"esc"}, "esc", "cancel"),
		CloseHelp:    b([]string{"esc", "?"}, "esc/?", "close help"),
	}
}

// keyState is what decides which bindings are live.
type keyState struct {
	mode      mode
	searching bool // a query is applied (n/N/esc work)
	toggle    bool // the layout is PaneToggle (d works)
}

// withState returns the key map with bindings enabled for s.
func (k KeyMap) withState(s keyState) KeyMap {
	browse := s.mode == modeBrowse || s.mode == modeDigits
	for _, b := range k.browseBindings() {
		b.SetEnabled(browse)
	}
	k.NextMatch.SetEnabled(browse && s.searching)
	k.PrevMatch.SetEnabled(browse && s.searching)
	k.ClearSearch.SetEnabled(browse && s.searching)
	k.Details.SetEnabled(browse && s.toggle)
	k.Quit.SetEnabled(s.mode != modeSearch) // q is text while typing a query
	k.ForceQuit.SetEnabled(true)
	k.Accept.SetEnabled(s.mode == modeSearch || s.mode == modeDigits)
	k.Cancel.SetEnabled(s.mode == modeSearch || s.mode == modeDigits)
	k.CloseHelp.SetEnabled(s.mode == modeHelp)
	return k
}

// browseBindings are the bindings of browse mode, as pointers into k.
func (k *KeyMap) browseBindings() []*key.Binding {
	return []*key.Binding{
		&k.Up, &k.Down, &k.Left, &k.Right, &k.PageUp, &k.PageDown, &k.RowStart, &k.RowEnd,
		&k.First, &k.Last, &k.Digits, &k.PrevRun, &k.NextRun, &k.NextListener, &k.PrevListener,
		&k.PrevBlock, &k.NextBlock, &k.Search, &k.Filter, &k.View, &k.ScrollDown, &k.ScrollUp,
		&k.Copy, &k.Pause, &k.Help,
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Digits, k.Search, k.Filter, k.NextListener}
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

// Groups is FullHelp with a title per column, for the help overlay.
func (k KeyMap) Groups() []views.HelpGroup {
	return []views.HelpGroup{
		{Title: "Move", Bindings: []key.Binding{k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.RowStart, k.RowEnd, k.First, k.Last}},
		{Title: "Jump", Bindings: []key.Binding{k.Digits, k.PrevRun, k.NextRun, k.NextListener, k.PrevListener, k.PrevBlock, k.NextBlock}},
		{Title: "Find", Bindings: []key.Binding{k.Search, k.NextMatch, k.PrevMatch, k.ClearSearch, k.Filter, k.View, k.Accept, k.Cancel}},
		{Title: "Other", Bindings: []key.Binding{k.Details, k.ScrollDown, k.ScrollUp, k.Copy, k.Pause, k.Help, k.CloseHelp, k.Quit, k.ForceQuit}},
	}
}
