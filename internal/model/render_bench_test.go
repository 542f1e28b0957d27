package model

import (
	"fmt"
	"testing"
)

// BenchmarkRender measures one frame (what View returns) of the explorer
// at 200×60 (grid and pane side by side, two-column pane) and 120×40,
// with the goldens' machine polled and the private-use listener on 326
// selected.
func BenchmarkRender(b *testing.B) {
	for _, sz := range [][2]int{{200, 60}, {120, 40}} {
		m := newTest(b, sz[0], sz[1], 326, with326(t0))
		m = poll(b, m)
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
