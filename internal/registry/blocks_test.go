package registry_test

import (
	"testing"

	"github.com/portui/portui/internal/registry"
)

// TestBlockCounts checks every block's tally against counting its ports
// one by one with Status, in every view.
func TestBlockCounts(t *testing.T) {
	reg := loadEmbedded(t)
	for _, v := range []registry.View{registry.Combined, registry.TCPOnly, registry.UDPOnly} {
		got := reg.BlockCounts(v)
		total := 0
		for b := range registry.NumBlocks {
			var want [4]int
			for p := b * registry.BlockPorts; p < (b+1)*registry.BlockPorts; p++ {
				want[reg.Status(p, v)]++
			}
			if got[b] != want {
				t.Errorf("%v block %d: %v, counted %v", v, b, got[b], want)
			}
			total += got[b][0] + got[b][1] + got[b][2] + got[b][3]
		}
		if total != registry.MaxPort+1 {
			t.Errorf("%v: %d ports in all", v, total)
		}
	}
	// The system block holds assigned ports; the last block (dynamic) none.
	c := reg.BlockCounts(registry.Combined)
	if c[0][registry.Assigned] < 500 || c[registry.NumBlocks-1][registry.Assigned] != 0 {
		t.Errorf("block 0 %v, block 63 %v", c[0], c[registry.NumBlocks-1])
	}
}
