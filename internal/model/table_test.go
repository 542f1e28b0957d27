package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// tableModel is the table of tableSnap at w×h, after one poll and L.
func tableModel(t *testing.T, w, h int) Model {
	t.Helper()
	m := update(t, poll(t, newTest(t, w, h, -1, tableSnap(t0))), press("L"))
	if m.area != areaTable {
		t.Fatalf("L: area %v, want the table", m.area)
	}
	return m
}

// shownPorts is the ports of the table's rows, in order.
func shownPorts(m Model) []int {
	shown, base := m.tableRows()
	out := make([]int, len(shown))
	for i, j := range shown {
		out[i] = int(base[j].l.Port)
	}
	return out
}

// cursorPort is the port of the cursor's row.
func cursorPort(t *testing.T, m Model) int {
	t.Helper()
	shown, base := m.tableRows()
	c := m.tableCursor()
	if c < 0 || c >= len(shown) {
		t.Fatalf("cursor %d outside %d rows", c, len(shown))
	}
	return int(base[shown[c]].l.Port)
}

// tableLines is the screen's table rows (below the column titles, above
// the footer) that hold a listener, trimmed.
func tableLines(m Model) []string {
	lines := strings.Split(screen(m), "\n")
	var out []string
	for _, l := range lines[2 : len(lines)-1-views.LegendHeight(m.w)] {
		if s := strings.TrimSpace(l); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestTableListsEveryListenerByPort(t *testing.T) {
	m := tableModel(t, 120, 40)
	ports := shownPorts(m)
	if len(ports) != m.set.len() || len(ports) != len(tableSnap(t0).Listeners) {
		t.Fatalf("%d rows, the set has %d listeners", len(ports), m.set.len())
	}
	if !slices.IsSorted(ports) {
		t.Errorf("not sorted by port: %v", ports)
	}
	s := screen(m)
	for _, want := range []string{"sorted by port ▲", "port▲", "row 1/15", "40000 tcp", "3/511", "api (docker)", "netns pdemo", "safetynetp", "hidden"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	// The grid's ! is the table's: sshd on all addresses needs a look,
	// cupsd on loopback does not.
	for _, l := range tableLines(m) {
		switch {
		case strings.Contains(l, "sshd") && !strings.HasPrefix(strings.TrimPrefix(l, "▸"), "!"):
			t.Errorf("sshd row not marked !: %q", l)
		case strings.Contains(l, "cupsd") && strings.Contains(l, "!"):
			t.Errorf("cupsd row marked !: %q", l)
		}
	}
}

func TestTableCursorMoves(t *testing.T) {
	// 80×24: 18 rows on screen of the 15 + 40 listeners.
	snap := tableSnap(t0)
	for i := range 40 {
		snap.Listeners = append(snap.Listeners, lst("tcp", "127.0.0.1", uint16(20000+i), proc(5000+i, "srv", "root", "srv")))
	}
	m := update(t, poll(t, newTest(t, 80, 24, -1, snap)), press("L"))
	n := len(shownPorts(m))
	page := m.tableHeight()
	steps := []struct {
		keys string
		want int // the cursor's row
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0},
		{"pgdown", page}, {"pgdown", 2 * page}, {"pgup", page},
		{"G", n - 1}, {"j", n - 1}, {"g", 0}, {"end", n - 1}, {"home", 0},
	}
	for _, st := range steps {
		m = update(t, m, press(st.keys))
		if m.tbl.cursor != st.want {
			t.Fatalf("%s: cursor %d, want %d", st.keys, m.tbl.cursor, st.want)
		}
		// The cursor's row is on screen, and the footer says where it is.
		if m.tbl.cursor < m.tbl.top || m.tbl.cursor >= m.tbl.top+page {
			t.Fatalf("%s: cursor %d off screen (top %d, %d rows)", st.keys, m.tbl.cursor, m.tbl.top, page)
		}
		s := screen(m)
		if want := fmt.Sprintf("row %d/%d", st.want+1, n); !strings.Contains(s, want) {
			t.Fatalf("%s: footer lacks %q", st.keys, want)
		}
		if !strings.Contains(s, "▸") {
			t.Fatalf("%s: no cursor on screen", st.keys)
		}
	}
	// The grid did not move.
	if m.Selected() != 0 {
		t.Errorf("grid selection %d, want 0", m.Selected())
	}
	// The wheel scrolls the cursor 3 rows a notch.
	m = update(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown, X: 10, Y: 5})
	if m.tbl.cursor != wheelStep {
		t.Errorf("wheel down: cursor %d, want %d", m.tbl.cursor, wheelStep)
	}
	// A click puts the cursor on the row clicked (line 2 is the first row).
	m = update(t, m, tea.MouseClickMsg{Button: tea.MouseLeft, X: 10, Y: 2 + 4})
	if m.tbl.cursor != m.tbl.top+4 {
		t.Errorf("click: cursor %d, want %d", m.tbl.cursor, m.tbl.top+4)
	}
}

func TestTableWidthsStayWhileScrolling(t *testing.T) {
	// A long address far below the screen widens its column from the
	// start: the header row does not change while the cursor scrolls.
	snap := tableSnap(t0)
	snap.Listeners = append(snap.Listeners, lst("tcp", "2001:db8:1234:5678:9abc:def0:1234:5678", 60000, proc(1, "x", "root", "x")))
	for i := range 40 {
		snap.Listeners = append(snap.Listeners, lst("tcp", "127.0.0.1", uint16(20000+i), proc(5000+i, "srv", "root", "srv")))
	}
	m := update(t, poll(t, newTest(t, 200, 40, -1, snap)), press("L"))
	head := strings.Split(screen(m), "\n")[1]
	if strings.Index(head, "scope")-strings.Index(head, "address") < len("2001:db8:1234:5678:9abc:def0:1234:5678")+1 {
		t.Errorf("address column not as wide as the long address: %q", head)
	}
	m = update(t, m, press("G"))
	if got := strings.Split(screen(m), "\n")[1]; got != head {
		t.Errorf("column titles moved:\n%q\n%q", head, got)
	}
}

func TestTableSort(t *testing.T) {
	m := tableModel(t, 200, 60)
	// The cursor stays on its listener when the sort changes.
	m = update(t, m, press("G"))
	if p := cursorPort(t, m); p != 40000 {
		t.Fatalf("G: cursor on %d, want 40000", p)
	}
	m = update(t, m, press("r"))
	ports := shownPorts(m)
	if !slices.IsSortedFunc(ports, func(a, b int) int { return b - a }) {
		t.Errorf("r: not by port descending: %v", ports)
	}
	if p := cursorPort(t, m); p != 40000 || m.tbl.cursor != 0 {
		t.Errorf("r: cursor on %d (row %d), want 40000 on the first row", p, m.tbl.cursor)
	}
	if !strings.Contains(screen(m), "port▼") {
		t.Error("r: header does not mark port ▼")
	}
	// > goes to proto (ascending again), < back to port; < from port is
	// the ! column: the rows that need a look first.
	m = update(t, m, press(">"))
	if m.tbl.sort != views.ColProto || m.tbl.reverse {
		t.Fatalf(">: sort %v reverse %v", m.tbl.sort, m.tbl.reverse)
	}
	shown, base := m.tableRows()
	for i := 1; i < len(shown); i++ {
		if base[shown[i-1]].l.Proto > base[shown[i]].l.Proto {
			t.Fatalf("by proto: %s before %s", base[shown[i-1]].l.Proto, base[shown[i]].l.Proto)
		}
	}
	m = update(t, m, press("<"), press("<"))
	if m.tbl.sort != views.ColLook {
		t.Fatalf("<<: sort %v, want the ! column", m.tbl.sort)
	}
	shown, base = m.tableRows()
	seenPlain := false
	for _, j := range shown {
		look := base[j].row.Look
		if look && seenPlain {
			t.Fatal("by !: a row that needs a look after one that does not")
		}
		seenPlain = seenPlain || !look
	}
	// Every column sorts: a lap of > comes back to !, each step sorted
	// by its column.
	for range views.NumTableCols {
		m = update(t, m, press(">"))
		shown, base = m.tableRows()
		for i := 1; i < len(shown); i++ {
			if c := compareCol(m.tbl.sort, base[shown[i-1]], base[shown[i]]); c > 0 {
				t.Fatalf("sort %s: row %d before row %d", m.tbl.sort.Title(), i-1, i)
			}
		}
	}
	if m.tbl.sort != views.ColLook {
		t.Errorf("a lap of >: sort %v, want the ! column", m.tbl.sort)
	}
	// By address: as addresses (127.0.0.1 before ::), not as text.
	m.tbl.sort = views.ColAddr
	shown, base = m.tableRows()
	if first, last := base[shown[0]].l.Addr, base[shown[len(shown)-1]].l.Addr; !first.Is4() || last != netip.MustParseAddr("::") {
		t.Errorf("by address: first %v last %v", first, last)
	}
}

func TestTableSortSkipsHiddenColumns(t *testing.T) {
	// At 80 columns scope and where do not fit: > passes over them.
	m := tableModel(t, 80, 24)
	var seen []string
	for range views.NumTableCols {
		m = update(t, m, press(">"))
		seen = append(seen, m.tbl.sort.Title())
	}
	if slices.Contains(seen, "scope") || slices.Contains(seen, "where") {
		t.Errorf("> at 80 columns went to a column not shown: %v", seen)
	}
}

func TestTableEnterOpensThePort(t *testing.T) {
	m := tableModel(t, 120, 40)
	for cursorPort(t, m) != 40000 {
		before := m.tbl.cursor
		m = update(t, m, press("j"))
		if m.tbl.cursor == before {
			t.Fatal("no row of 40000")
		}
	}
	m = update(t, m, press("enter"))
	if m.area != areaGrid || m.Selected() != 40000 || m.block != 39936 {
		t.Fatalf("enter: area %v sel %d block %d, want the grid on 40000 (block 39936)", m.area, m.Selected(), m.block)
	}
	s := screen(m)
	for _, want := range []string{"ports 39936–40959", "Port 40000", "python3 pid 4321"} {
		if !strings.Contains(s, want) {
			t.Errorf("grid after enter lacks %q:\n%s", want, s)
		}
	}
	// L again: the table, its cursor on 40000 still.
	m = update(t, m, press("L"))
	if p := cursorPort(t, m); m.area != areaTable || p != 40000 {
		t.Errorf("L: area %v cursor on %d", m.area, p)
	}
	// L and esc go back to the grid, on the same port.
	if b := update(t, m, press("L")); b.area != areaGrid || b.Selected() != 40000 {
		t.Errorf("L: area %v sel %d", b.area, b.Selected())
	}
	if b := update(t, m, press("esc")); b.area != areaGrid || b.Selected() != 40000 {
		t.Errorf("esc: area %v sel %d", b.area, b.Selected())
	}
}

func TestTableEnterOnSelectedPortsRow(t *testing.T) {
	// Opened from the grid on 443: the cursor starts on 443's first row.
	m := update(t, poll(t, newTest(t, 120, 40, 443, tableSnap(t0))), press("L"))
	if p := cursorPort(t, m); p != 443 {
		t.Errorf("cursor on %d, want 443", p)
	}
}

func TestTableQueryFilters(t *testing.T) {
	m := tableModel(t, 120, 40)
	m = update(t, m, typeKeys("/pyth")...)
	if m.mode != modeSearch {
		t.Fatalf("/: mode %v", m.mode)
	}
	if got := shownPorts(m); !slices.Equal(got, []int{5353, 40000}) {
		t.Errorf("/pyth: rows %v, want 5353 (python3 in netns pdemo) and 40000", got)
	}
	if n := len(tableLines(m)); n != 2 {
		t.Errorf("/pyth: %d rows on screen:\n%s", n, screen(m))
	}
	// ↓ while typing moves the cursor; enter keeps the filter and
	// enter again opens the row.
	m = update(t, m, press("down"), press("enter"))
	if m.mode != modeBrowse || m.tbl.query != "pyth" || m.tbl.cursor != 1 {
		t.Fatalf("enter: mode %v query %q cursor %d", m.mode, m.tbl.query, m.tbl.cursor)
	}
	if !strings.Contains(screen(m), "/pyth") || !strings.Contains(screen(m), "2 of 15") {
		t.Errorf("header does not say the filter:\n%s", screen(m))
	}
	if b := update(t, m, press("enter")); b.Selected() != 40000 || b.area != areaGrid {
		t.Errorf("enter: sel %d area %v", b.Selected(), b.area)
	}
	// / again edits the same text; backspace widens the rows.
	m = update(t, m, press("/"), press("backspace"), press("backspace"), press("backspace"))
	if m.tbl.query != "p" || len(shownPorts(m)) <= 2 {
		t.Errorf("backspace: query %q, %d rows", m.tbl.query, len(shownPorts(m)))
	}
	// esc while typing clears it; esc then goes back to the grid.
	m = update(t, m, press("esc"))
	if m.mode != modeBrowse || m.tbl.query != "" || len(shownPorts(m)) != 15 || m.area != areaTable {
		t.Fatalf("esc typing: mode %v query %q rows %d area %v", m.mode, m.tbl.query, len(shownPorts(m)), m.area)
	}
	// A filter accepted, esc clears it first, then leaves.
	m = update(t, m, typeKeys("/docker")...)
	m = update(t, m, press("enter"))
	if got := shownPorts(m); !slices.Equal(got, []int{80, 443, 9000}) {
		t.Errorf("/docker: rows %v", got)
	}
	m = update(t, m, press("esc"))
	if m.area != areaTable || m.tbl.query != "" {
		t.Fatalf("esc: area %v query %q", m.area, m.tbl.query)
	}
	m = update(t, m, press("esc"))
	if m.area != areaGrid {
		t.Fatalf("esc: area %v", m.area)
	}
	// No match: the table says so.
	m = update(t, tableModel(t, 120, 40), typeKeys("/nothing-here")...)
	if !strings.Contains(screen(m), "no listener matches /nothing-here") || !strings.Contains(screen(m), "row 0/0") {
		t.Errorf("no match:\n%s", screen(m))
	}
	// Paste goes into the row filter too.
	m = update(t, tableModel(t, 120, 40), press("/"), tea.PasteMsg{Content: "cupsd"})
	if got := shownPorts(m); !slices.Equal(got, []int{631}) {
		t.Errorf("paste cupsd: rows %v", got)
	}
}

func TestTableFilterClasses(t *testing.T) {
	m := tableModel(t, 120, 40)
	// f cycles the grid's filter: all → assigned → unassigned → reserved
	// → other → listening → needs a look.
	counts := map[filter]int{}
	for f := filterAll; f < numFilters; f++ {
		counts[m.filter] = len(shownPorts(m))
		shown, base := m.tableRows()
		for _, j := range shown {
			if e := base[j]; !m.filter.match(e.l.Status, e.mark) {
				t.Errorf("filter %v: row %d passes", m.filter, e.l.Port)
			}
		}
		if m.filter != filterAll && !strings.Contains(screen(m), m.filter.String()) {
			t.Errorf("filter %v not in the header", m.filter)
		}
		m = update(t, m, press("f"))
	}
	if counts[filterAll] != 15 || counts[filterListening] != 15 || counts[filterAssigned] != 15 || counts[filterUnassigned] != 0 {
		t.Errorf("rows by filter: %v", counts)
	}
	look := 0
	for _, l := range tableLines(tableModel(t, 120, 40)) {
		if strings.HasPrefix(strings.TrimPrefix(l, "▸"), "!") {
			look++
		}
	}
	if counts[filterLook] != look || look == 0 {
		t.Errorf("needs a look: %d rows, %d marked !", counts[filterLook], look)
	}
	// The scope (s) narrows the rows as it narrows the grid: all → host.
	m = update(t, tableModel(t, 120, 40), press("s"))
	shown, base := m.tableRows()
	for _, j := range shown {
		if l := base[j].l; !l.NetNS.IsHost() || l.Container != nil {
			t.Errorf("scope host: row %d lives in %v", l.Port, l.NetNS)
		}
	}
	if len(shown) == 0 || len(shown) >= 15 {
		t.Errorf("scope host: %d rows", len(shown))
	}
}

func TestTableFollowsPolls(t *testing.T) {
	// A listener appears in block 40: the next frame lists it (the memo
	// is keyed by the set), and the rows of the blocks the poll did not
	// change are not built again.
	m := tableModel(t, 120, 40)
	_ = screen(m)
	block0 := &m.tbl.memo.blocks[0].rows[0]
	snap := tableSnap(t0)
	snap.Listeners = append(snap.Listeners, lst("tcp", "127.0.0.1", 41000, proc(99, "late", "root", "late")))
	m = pollSnap(t, m, snap)
	if got := shownPorts(m); !slices.Contains(got, 41000) || len(got) != 16 {
		t.Errorf("after the poll: %v", got)
	}
	if !strings.Contains(screen(m), "row 1/16") {
		t.Errorf("footer:\n%s", screen(m))
	}
	if &m.tbl.memo.blocks[0].rows[0] != block0 {
		t.Error("block 0's rows built again although the poll did not change it")
	}
	// Frames and moves that change nothing the rows show keep them.
	key := m.tbl.memo.baseKey
	m = update(t, m, press("j"), press("j"))
	_ = screen(m)
	if m.tbl.memo.baseKey != key {
		t.Error("rows rebuilt by a cursor move")
	}
}

func TestTableCursorFollowsItsListener(t *testing.T) {
	// The cursor on 40000; a poll adds listeners above it: the cursor
	// stays on 40000, and enter opens 40000.
	m := update(t, tableModel(t, 120, 40), press("G"))
	if p := cursorPort(t, m); p != 40000 {
		t.Fatalf("G: cursor on %d", p)
	}
	snap := tableSnap(t0)
	snap.Listeners = append(snap.Listeners,
		lst("tcp", "127.0.0.1", 41, proc(41, "a", "root", "a")), lst("tcp", "127.0.0.1", 42, proc(42, "b", "root", "b")))
	m = pollSnap(t, m, snap)
	if p := cursorPort(t, m); p != 40000 {
		t.Errorf("after listeners appeared above: cursor on %d, want 40000", p)
	}
	if !strings.Contains(screen(m), "row 17/17") {
		t.Errorf("footer:\n%s", screen(m))
	}
	if b := update(t, m, press("enter")); b.Selected() != 40000 {
		t.Errorf("enter: sel %d, want 40000", b.Selected())
	}
	// k from there moves from 40000's row.
	if b := update(t, m, press("k")); cursorPort(t, b) != 9000 {
		t.Errorf("k: cursor on %d, want 9000", cursorPort(t, b))
	}
	// The cursor's listener goes: the cursor stays on the row number
	// (clamped to the rows).
	m = pollSnap(t, m, baseSnap(t0))
	if c, n := m.tableCursor(), len(shownPorts(m)); c != n-1 {
		t.Errorf("after its listener went: cursor %d of %d rows", c, n)
	}
}

func TestTableEmpty(t *testing.T) {
	m := update(t, newTest(t, 120, 40, -1, scan.Snapshot{}), press("L"))
	if !strings.Contains(screen(m), "polling") {
		t.Errorf("before the first poll:\n%s", screen(m))
	}
	m = poll(t, m)
	if !strings.Contains(screen(m), "no listeners") {
		t.Errorf("empty machine:\n%s", screen(m))
	}
	for _, k := range []string{"j", "k", "G", "g", "pgdown", "r", ">", "enter"} {
		m = update(t, m, press(k))
	}
	if m.area != areaTable {
		t.Errorf("enter on no row: area %v, want the table still", m.area)
	}
}

// TestTableKeyTable: in the table, no key is bound twice in one state,
// the grid's movement keys do not work and the table's do.
func TestTableKeyTable(t *testing.T) {
	for _, s := range keyStates() {
		s.area = areaTable
		k := DefaultKeyMap().withState(s)
		owner := map[string]string{}
		for i, d := range k.defs {
			if !d.enabledIn(s) {
				continue
			}
			if gridOnly[d.name] || tableTakes[d.name] {
				t.Errorf("%v: the grid's %s works in the table", s, d.name)
			}
			for _, ks := range d.keys {
				if o, dup := owner[ks]; dup {
					t.Errorf("%v: %q bound by %s and %s", s, ks, o, d.name)
				}
				owner[ks] = d.name
			}
			_ = i
		}
		if s.mode == modeBrowse {
			for _, ks := range []string{"j", "k", "up", "down", "pgup", "pgdown", "home", "end", "g", "G", "<", ">", "r", "/", "enter", "esc", "L", "f", "s", "?", "q"} {
				if _, ok := owner[ks]; !ok {
					t.Errorf("%v: %q does nothing in the table", s, ks)
				}
			}
		}
	}
	// The help opened in the table lists the table's keys.
	m := update(t, tableModel(t, 120, 40), press("?"))
	for _, want := range []string{"sort by the previous/next column", "reverse the sort", "filter rows by text", "open the port in the grid"} {
		if !strings.Contains(screen(m), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestTableFrameCost: a frame formats the rows on screen only: with
// 5,000 listeners, the table's body is as many lines as the screen.
func TestTableManyRows(t *testing.T) {
	snap := scan.Snapshot{Taken: t0, Source: "fake"}
	for i := range 5000 {
		snap.Listeners = append(snap.Listeners, lst("tcp", "127.0.0.1", uint16(10000+i), proc(i+2, "p"+strconv.Itoa(i), "root", "x")))
	}
	m := update(t, poll(t, newTest(t, 120, 40, -1, snap)), press("L"), press("G"))
	if got := len(m.renderTable(120, 30)); got != 30 {
		t.Errorf("%d lines, want 30", got)
	}
	if !strings.Contains(screen(m), "row 5000/5000") || !strings.Contains(screen(m), "14999") {
		t.Errorf("G at 5,000 rows:\n%s", screen(m))
	}
}

func TestTableASCII(t *testing.T) {
	// LANG=C: the sort mark and the cursor are ASCII, and so is the frame.
	m := New(Config{Registry: testReg, Scanner: scan.Static(tableSnap(t0)), Port: -1, ASCII: true})
	m = poll(t, update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40}))
	m = update(t, m, press("L"), press("r"))
	s := m.View().Content
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			t.Fatalf("non-ASCII byte at %d: %q", i, s[max(0, i-20):min(len(s), i+20)])
		}
	}
	if st := screen(m); !strings.Contains(st, "port v") || !strings.Contains(st, ">!") {
		t.Errorf("ASCII marks missing:\n%s", st)
	}
}

// TestTableCopiesItsRow: in the table, Y copies the command that stops
// the cursor's row's owner alone, and y the summary of its port (which
// becomes the selection), not the grid's port.
func TestTableCopiesItsRow(t *testing.T) {
	m := tableModel(t, 120, 40)
	m = update(t, m, press("/"))
	m = update(t, m, typeKeys("httpd")...)
	m = update(t, m, press("enter"))
	if got := cursorPort(t, m); got != 80 {
		t.Fatalf("cursor on port %d, want 80 (httpd in web1)", got)
	}
	if text, flash, bad := m.stopCopy(); text != "podman stop web1" || bad {
		t.Fatalf("Y in the table copies %q (%q)", text, flash)
	}
	m2, cmd := m.Update(press("Y"))
	if cmd == nil || !strings.Contains(screen(m2.(Model)), "copied: podman stop web1 (not run)") {
		t.Errorf("Y: no copy, or the status bar does not say it")
	}
	m3, cmd := m.Update(press("y"))
	if cmd == nil || m3.(Model).Selected() != 80 {
		t.Errorf("y in the table: selection %d, want the row's port 80", m3.(Model).Selected())
	}
}
