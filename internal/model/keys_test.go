package model

import (
	"fmt"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyStates is every state the key table distinguishes.
func keyStates() []keyState {
	var out []keyState
	for _, md := range []mode{modeBrowse, modeDigits, modeSearch, modeHelp} {
		for _, s := range []bool{false, true} {
			for _, tg := range []bool{false, true} {
				out = append(out, keyState{mode: md, searching: s, toggle: tg})
			}
		}
	}
	return out
}

func (s keyState) String() string {
	return fmt.Sprintf("mode %d searching %v toggle %v", s.mode, s.searching, s.toggle)
}

// keyMsg builds the key press that String()s as s: the messages Bubble Tea
// sends for the keys of the table.
func keyMsg(t *testing.T, s string) tea.KeyPressMsg {
	t.Helper()
	named := map[string]tea.KeyPressMsg{
		"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
		"pgup": {Code: tea.KeyPgUp}, "pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
		"tab": {Code: tea.KeyTab}, "shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "enter": {Code: tea.KeyEnter},
		"esc": {Code: tea.KeyEscape}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "ctrl+z": {Code: 'z', Mod: tea.ModCtrl},
		"ctrl+p": {Code: 'p', Mod: tea.ModCtrl}, "ctrl+n": {Code: 'n', Mod: tea.ModCtrl}, "space": {Code: tea.KeySpace, Text: " "},
	}
	msg, ok := named[s]
	if !ok {
		r := []rune(s)
		if len(r) != 1 {
			t.Fatalf("keyMsg: no message for %q", s)
		}
		msg = tea.KeyPressMsg{Code: r[0], Text: s}
	}
	if msg.String() != s {
		t.Fatalf("keyMsg(%q) is %q", s, msg.String())
	}
	return msg
}

// helpLists reports whether the overlay of a key map in state s lists the
// table's binding i.
func helpLists(k KeyMap, i int) bool {
	want := k.keys[i].Help()
	for _, g := range k.Groups() {
		for _, b := range g.Bindings {
			if b.Enabled() && b.Help() == want {
				return true
			}
		}
	}
	return false
}

// TestKeyTable: the key table is consistent — names and help lines are
// unique, no key is bound twice in one state, every binding is in the
// help exactly when it works (in some mode: the overlay lists every key),
// the short help holds only enabled bindings,
// and dispatch reaches exactly the handler of the binding that matches.
func TestKeyTable(t *testing.T) {
	defs := defaultBindings()
	names := map[string]bool{}
	helps := map[key.Help]bool{}
	for _, d := range defs {
		if names[d.name] || helps[d.help] {
			t.Errorf("binding %q: name or help %v used twice", d.name, d.help)
		}
		names[d.name], helps[d.help] = true, true
		if d.do == nil || len(d.keys) == 0 || d.modes == 0 {
			t.Errorf("binding %q: no handler, keys or modes", d.name)
		}
	}

	// Replace every handler by one that records which binding ran.
	var ran []int
	rec := make([]binding, len(defs))
	copy(rec, defs)
	for i := range rec {
		rec[i].do = func(m Model, _ tea.KeyPressMsg) (tea.Model, tea.Cmd) {
			ran = append(ran, i)
			return m, nil
		}
	}
	base := newTest(t, 120, 40, 100, baseSnap(t0))
	for _, s := range keyStates() {
		k := DefaultKeyMap().withState(s)
		owner := map[string]string{}
		for i, d := range k.defs {
			on := d.enabledIn(s)
			if k.keys[i].Enabled() != on {
				t.Errorf("%v: %s enabled %v, table says %v", s, d.name, k.keys[i].Enabled(), on)
			}
			// The overlay lists what works in some mode of this state.
			works := false
			for md := range numModes {
				st := s
				st.mode = md
				works = works || d.enabledIn(st)
			}
			if helpLists(k, i) != works {
				t.Errorf("%v: %s listed in help %v, works %v", s, d.name, !works, works)
			}
			if !on {
				continue
			}
			for _, ks := range d.keys {
				if o, dup := owner[ks]; dup {
					t.Errorf("%v: %q bound by %s and %s", s, ks, o, d.name)
				}
				owner[ks] = d.name
			}
		}
		for _, b := range k.ShortHelp() {
			if !b.Enabled() {
				continue
			}
			found := false
			for i := range k.keys {
				found = found || (k.keys[i].Help() == b.Help() && k.keys[i].Enabled())
			}
			if !found {
				t.Errorf("%v: short help %v is not an enabled binding", s, b.Help())
			}
		}

		m := base
		m.mode = s.mode
		m.keys = newKeyMap(rec).withState(s)
		for i, d := range rec {
			if !d.enabledIn(s) {
				continue
			}
			for _, ks := range d.keys {
				ran = nil
				m.Update(keyMsg(t, ks))
				if len(ran) != 1 || ran[0] != i {
					t.Errorf("%v: %q ran %v, want binding %s (%d)", s, ks, ran, d.name, i)
				}
			}
		}
	}
}

// The help overlay lists the same bindings whatever the mode it is built
// in (the overlay shows m.keys.Groups() as it is, in help mode): only the
// searching and toggle states change it.
func TestHelpGroupsIgnoreTheMode(t *testing.T) {
	text := func(k KeyMap) string {
		var s string
		for _, g := range k.Groups() {
			s += g.Title + ":"
			for _, b := range g.Bindings {
				if b.Enabled() {
					s += " " + b.Help().Key + "=" + b.Help().Desc
				}
			}
			s += "\n"
		}
		return s
	}
	k := DefaultKeyMap()
	for _, st := range keyStates() {
		browse := st
		browse.mode = modeBrowse
		if got, want := text(k.withState(st)), text(k.withState(browse)); got != want {
			t.Errorf("%v: help\n%s\nwant (browse)\n%s", st, got, want)
		}
	}
}
