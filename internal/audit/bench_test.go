package audit_test

import (
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// manyListeners is bench/manylisteners' namespace: n TCP listeners on
// 127.0.0.1, ports 1024 up, one process holding them all.
func manyListeners(n int) scan.Snapshot {
	var snap scan.Snapshot
	for i := range n {
		l := listener("tcp", "127.0.0.1", uint16(1024+i), "ml")
		l.Inode = uint64(100000 + i)
		l.NetNS = scan.NetNS{Inode: 4026531840, Host: true}
		snap.Listeners = append(snap.Listeners, l)
	}
	return snap
}

// BenchmarkAnnotate is audit.Annotate of 10,000 listeners on distinct
// ports (what `audit` pays per snapshot after the scan) and audit.Describe
// of the same (what `portui listeners` pays: no rule runs):
// go test -run x -bench Annotate ./internal/audit/
func BenchmarkAnnotate(b *testing.B) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		b.Fatal(err)
	}
	snap := manyListeners(10000)
	for _, bc := range []struct {
		name string
		fn   func(*registry.Registry, scan.Snapshot) []audit.Listener
	}{{"annotate", audit.Annotate}, {"describe", audit.Describe}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := bc.fn(reg, snap); len(got) != len(snap.Listeners) {
					b.Fatalf("%d listeners from %s, want %d", len(got), bc.name, len(snap.Listeners))
				}
			}
		})
	}
}
