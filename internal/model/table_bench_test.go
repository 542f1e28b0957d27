package model

import (
	"strconv"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// manyTable is the table at 120×40 of n listeners (S9: 60,000).
func manyTable(b *testing.B, n int) Model {
	b.Helper()
	snap := scan.Snapshot{Taken: t0, Source: "fake"}
	for i := range n {
		p := 1024 + i%64000
		snap.Listeners = append(snap.Listeners, lst("tcp", "127.0.0."+strconv.Itoa(1+i/64000), uint16(p), proc(i+2, "srv"+strconv.Itoa(i%97), "root", "srv")))
	}
	m := poll(b, newTest(b, 120, 40, -1, snap))
	return update(b, m, press("L"))
}

// BenchmarkTableBuild: the rows of 60,000 listeners sorted again, as after
// a poll that changed a block (its rows are built again, the others'
// kept), a sort or a scope.
func BenchmarkTableBuild(b *testing.B) {
	m := manyTable(b, 60000)
	b.ResetTimer()
	for i := range b.N {
		m.tbl.reverse = i%2 == 0 // a new key: rebuilt
		m.tableRows()
	}
}

// BenchmarkTableBuildCold: the rows of 60,000 listeners built from
// nothing (the first L; the glyph table changed).
func BenchmarkTableBuildCold(b *testing.B) {
	m := manyTable(b, 60000)
	b.ResetTimer()
	for range b.N {
		*m.tbl.memo = tableMemo{}
		m.tableRows()
	}
}

// BenchmarkTableFrame: one frame of the table of 60,000 listeners after a
// cursor move (the rows built already): the cost of the rows on screen.
func BenchmarkTableFrame(b *testing.B) {
	m := manyTable(b, 60000)
	b.ResetTimer()
	for i := range b.N {
		m.setTableCursor(i % 1000)
		_ = m.render()
	}
}

// BenchmarkTableQuery: the rows of 60,000 listeners filtered by a typed
// text (each key typed while / is open).
func BenchmarkTableQuery(b *testing.B) {
	m := manyTable(b, 60000)
	qs := []string{"srv4", "srv42", "127.0.0.1 2"}
	b.ResetTimer()
	for i := range b.N {
		m.tbl.query = qs[i%len(qs)]
		m.tableRows()
	}
}
