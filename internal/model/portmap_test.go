package model

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// with40000 is with326 (a private-use listener on 326) plus a listener
// on 40000 (block 39; assigned: safetynetp).
func with40000(at time.Time) scan.Snapshot {
	s := with326(at)
	s.Listeners = append(s.Listeners, lst("tcp", "0.0.0.0", 40000,
		proc(5151, "python3", "root", "python3 -m http.server 40000")))
	return s
}

// TestMapNavigation walks the map: m opens it on the grid's block, the
// arrows and hjkl move within it (stopping at its edges), pgup/pgdn,
// home/end and g/G jump, and the header always names the block.
func TestMapNavigation(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 5000, with40000(t0)))
	m = update(t, m, press("m"))
	if m.area != areaMap || m.pmap.sel != 4 {
		t.Fatalf("after m: area %v, block %d; want map, 4", m.area, m.pmap.sel)
	}
	steps := []struct {
		key  string
		want int
	}{
		{"l", 5}, {"right", 6}, {"l", 7}, {"l", 7}, // the row ends at 7
		{"j", 15}, {"down", 23}, {"k", 15}, {"up", 7}, {"k", 7},
		{"h", 6}, {"left", 5}, {"home", 0}, {"h", 0}, {"end", 7},
		{"G", 63}, {"j", 63}, {"g", 0},
		{"pgdown", 56}, {"pgup", 0}, // all eight rows are on screen at 120×40
		{"j", 8}, {"j", 16}, {"j", 24}, {"j", 32}, {"l", 33}, {"end", 39},
	}
	for _, s := range steps {
		m = update(t, m, press(s.key))
		if m.pmap.sel != s.want {
			t.Fatalf("%s: block %d, want %d", s.key, m.pmap.sel, s.want)
		}
	}
	head := splitLines(screen(m))[0]
	if !strings.Contains(head, "map · block 39936–40959") {
		t.Errorf("header %q", head)
	}
	if m.sel != 5000 || m.block != 4096 {
		t.Errorf("the grid's selection moved: %d in %d", m.sel, m.block)
	}
	// esc goes back to the grid, which kept its selection.
	m = update(t, m, press("esc"))
	if m.area != areaGrid || m.sel != 5000 {
		t.Errorf("after esc: area %v, port %d", m.area, m.sel)
	}
}

// TestMapScrolls: where the eight rows do not fit, the rows shown follow
// the selection and the selected block is always on screen.
func TestMapScrolls(t *testing.T) {
	m := poll(t, newTest(t, 60, 12, 0, with40000(t0))) // 4 columns, 16 rows
	m = update(t, m, press("m"))
	for i := range 15 {
		m = update(t, m, press("j"))
		want := views.Range((i+1)*4*1024, (i+1)*4*1024+1023, m.sty.G)
		if !strings.Contains(screen(m), strconv.Itoa((i+1)*4*1024)+"◂") {
			t.Fatalf("row %d: block %s not on screen:\n%s", i+1, want, screen(m))
		}
	}
	if m.pmap.top == 0 {
		t.Error("the map did not scroll")
	}
	m = update(t, m, press("g"))
	if m.pmap.top != 0 || !strings.Contains(screen(m), "0◂") {
		t.Errorf("g: top %d", m.pmap.top)
	}
}

// TestMapEnter: enter opens the selected block in the grid at its first
// port; when the grid already shows that block its selection stays.
func TestMapEnter(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 326, with40000(t0)))
	m = update(t, m, press("m"), press("enter"))
	if m.area != areaGrid || m.sel != 326 {
		t.Fatalf("enter on the grid's own block: area %v, port %d; want grid, 326", m.area, m.sel)
	}
	m = update(t, m, press("m"), press("G"), press("k"), press("k"), press("k"), press("enter"))
	if m.area != areaGrid || m.block != 39936 || m.sel != 39936 {
		t.Fatalf("enter on block 39: area %v, block %d, port %d", m.area, m.block, m.sel)
	}
	s := screen(m)
	if head := splitLines(s)[0]; !strings.Contains(head, "ports 39936–40959") {
		t.Errorf("the grid's header: %q", head)
	}
	// The grid shows 40000's listener (marked t) in the block.
	if !strings.Contains(s, "40000t") {
		t.Errorf("40000 is not marked in the grid:\n%s", s)
	}
}

// TestMapCounts checks the blocks' listener counts against the snapshot,
// machine-wide and in a narrowed scope.
func TestMapCounts(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 0, with40000(t0)))
	bs := m.mapBlocks()
	if b := bs[0]; b.Listeners != 5 || b.Private != 1 {
		t.Errorf("block 0: %+v; want 5 listeners (22 twice, 68, 326, 631), 1 private (326)", b)
	}
	if b := bs[5]; b.Listeners != 1 || b.Private != 0 {
		t.Errorf("block 5: %+v; want 5432's listener", b)
	}
	if b := bs[39]; b.Listeners != 1 || b.Private != 0 {
		t.Errorf("block 39: %+v", b)
	}
	// The status bar's findings are the map's block's, as the grid's are
	// its block's.
	grid := splitLines(screen(m))[39]
	m = update(t, m, press("m"))
	if onMap := splitLines(screen(m))[39]; !strings.Contains(grid, "5 findings in 0–1023") || !strings.Contains(onMap, "5 findings in 0–1023") {
		t.Errorf("findings: grid %q, map %q", grid, onMap)
	}
	m = update(t, m, press("end"))
	if onMap := splitLines(screen(m))[39]; !strings.Contains(onMap, "0 findings in 7168–8191") {
		t.Errorf("findings of block 7: %q", onMap)
	}
	total := 0
	for _, b := range bs {
		total += b.Listeners
	}
	if total != m.set.len() {
		t.Errorf("%d listeners on the map, %d known", total, m.set.len())
	}

	// Scope: port 80 lives in two containers; narrowed to the host, block
	// 0 counts the host's listeners only.
	m = poll(t, newTest(t, 120, 40, 80, containerSnap(t0)))
	all := m.mapBlocks()[0].Listeners
	m = update(t, m, press("m"), press("s")) // s works in the map: all → host
	host := m.mapBlocks()[0].Listeners
	if m.scope.all || host >= all {
		t.Errorf("scope %q: block 0 has %d listeners, %d in all", m.scope.name, host, all)
	}
	if !strings.Contains(screen(m), "scope host") {
		t.Errorf("the header does not say the scope:\n%s", splitLines(screen(m))[0])
	}
}

// TestMapMouse: a click selects the block under it, a second click opens
// it in the grid; the wheel moves a row.
func TestMapMouse(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 0, with40000(t0)))
	m = update(t, m, press("m"))
	g := m.mapGeom() // 15 columns a cell, 4 lines a row; the body starts at line 1
	x, y := 7*g.CellW+2, 1+4*g.CellH+1
	m = update(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if m.pmap.sel != 39 || m.area != areaMap || m.sel != 0 {
		t.Fatalf("click: block %d, area %v, port %d", m.pmap.sel, m.area, m.sel)
	}
	m = update(t, m, tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelDown})
	if m.pmap.sel != 47 {
		t.Fatalf("wheel: block %d", m.pmap.sel)
	}
	m = update(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if m.area != areaGrid || m.block != 39936 {
		t.Fatalf("second click: area %v, block %d", m.area, m.block)
	}
}

// TestMapPollsItsBlock: while the map is shown, the poller's block scans
// are of the map's selected block (its footer is live), and a move asks
// for one at once; back on the grid they are of the grid's block again.
func TestMapPollsItsBlock(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 0, with40000(t0)))
	m = update(t, m, press("m"))
	if m.pollBlock() != 0 {
		t.Errorf("on entering: %d", m.pollBlock())
	}
	next, cmd := m.Update(press("l"))
	m = next.(Model)
	if m.pollBlock() != 1024 || cmd == nil {
		t.Errorf("after l: block %d, command %v", m.pollBlock(), cmd != nil)
	}
	req, ok := m.poller.onTick(m.poller.id, m.pollBlock())
	if !ok || req.full || req.lo != 1024 || req.hi != 2047 {
		t.Errorf("tick: %+v %v", req, ok)
	}
	m = update(t, m, press("m"))
	if m.pollBlock() != 0 {
		t.Errorf("back on the grid: %d", m.pollBlock())
	}
}

// TestMapSearch: / on the map goes to the grid and opens the search
// there, where the pane lists its results.
func TestMapSearch(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 0, with40000(t0)))
	m = update(t, m, press("m"), press("/"))
	if m.area != areaGrid || m.mode != modeSearch {
		t.Fatalf("area %v, mode %v", m.area, m.mode)
	}
}

// BenchmarkRenderMap measures a frame of the map with 10,000 listeners
// spread over every block (counting them is part of each frame).
func BenchmarkRenderMap(b *testing.B) {
	s := baseSnap(t0)
	for i := range 10000 {
		s.Listeners = append(s.Listeners, lst("tcp", "127.0.0.1", uint16(1024+i*6), proc(10000+i, "srv", "root", "srv")))
	}
	m := poll(b, newTest(b, 120, 40, 0, s))
	m = update(b, m, press("m"))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.render()
	}
}
