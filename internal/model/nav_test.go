package model

import (
	"testing"

	"github.com/portui/portui/internal/registry"
)

func TestMoveIndex(t *testing.T) {
	tests := []struct{ i, dx, dy, cols, want int }{
		{0, -1, 0, 16, 0},
		{0, 1, 0, 16, 1},
		{15, 1, 0, 16, 16}, // right wraps to the next row
		{16, -1, 0, 16, 15},
		{1023, 1, 0, 16, 1023},
		{5, 0, -1, 16, 5}, // top row stays
		{5, 0, 1, 16, 21},
		{1020, 0, 1, 16, 1020}, // last row stays
		{5, 0, 100, 16, 1013},  // a big jump lands on the last row, same column
		{1013, 0, -100, 16, 5},
	}
	for _, tt := range tests {
		if got := moveIndex(tt.i, tt.dx, tt.dy, tt.cols); got != tt.want {
			t.Errorf("moveIndex(%d,%d,%d,%d) = %d, want %d", tt.i, tt.dx, tt.dy, tt.cols, got, tt.want)
		}
	}
	if got := pageIndex(5, 1, 20, 8); got != 165 {
		t.Errorf("pageIndex down = %d, want 165", got)
	}
	if got := rowStart(37, 16); got != 32 {
		t.Errorf("rowStart = %d", got)
	}
	if got := rowEnd(37, 16); got != 47 {
		t.Errorf("rowEnd = %d", got)
	}
}

func TestScrollTop(t *testing.T) {
	tests := []struct{ top, sel, rows, total, want int }{
		{0, 5, 10, 64, 0},
		{0, 10, 10, 64, 1},  // one past the bottom: scroll by one
		{20, 5, 10, 64, 5},  // above: scroll up to it
		{0, 63, 10, 64, 54}, // last row at the bottom
		{60, 63, 10, 64, 54},
		{3, 2, 100, 64, 0}, // everything fits
	}
	for _, tt := range tests {
		if got := scrollTop(tt.top, tt.sel, tt.rows, tt.total); got != tt.want {
			t.Errorf("scrollTop(%d,%d,%d,%d) = %d, want %d", tt.top, tt.sel, tt.rows, tt.total, got, tt.want)
		}
	}
}

func TestNextRun(t *testing.T) {
	// 326 sits in the unassigned run 325–332.
	if p, ok := nextRun(testReg, 326, 1, registry.Combined, nil); !ok || p != 333 {
		t.Errorf("] from 326 = %d,%v; want 333", p, ok)
	}
	if p, ok := nextRun(testReg, 326, -1, registry.Combined, nil); !ok || p != testReg.RunAt(324, registry.Combined).Lo {
		t.Errorf("[ from 326 = %d,%v", p, ok)
	}
	// With a status filter, ] skips to the next run of that status.
	unassigned := func(s registry.Status) bool { return s == registry.Unassigned }
	p, ok := nextRun(testReg, 326, 1, registry.Combined, unassigned)
	if !ok || p <= 333 || testReg.Status(p, registry.Combined) != registry.Unassigned {
		t.Errorf("] unassigned from 326 = %d,%v", p, ok)
	}
	if _, ok := nextRun(testReg, 65535, 1, registry.Combined, nil); ok {
		t.Error("] from 65535 found a run")
	}
}

func TestBlockOf(t *testing.T) {
	for _, tt := range [][2]int{{0, 0}, {1023, 0}, {1024, 1024}, {65535, 64512}, {-5, 0}, {70000, 64512}} {
		if got := blockOf(tt[0]); got != tt[1] {
			t.Errorf("blockOf(%d) = %d, want %d", tt[0], got, tt[1])
		}
	}
}
