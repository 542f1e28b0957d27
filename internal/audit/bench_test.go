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
// ports (what `portui listeners` pays per snapshot after the scan):
// go test -run x -bench Annotate ./internal/audit/
func BenchmarkAnnotate(b *testing.B) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		b.Fatal(err)
	}
	snap := manyListeners(10000)
	b.ReportAllocs()
	for b.Loop() {
		if got := audit.Annotate(reg, snap); len(got) != len(snap.Listeners) {
			b.Fatalf("%d annotated, want %d", len(got), len(snap.Listeners))
		}
	}
}

// BenchmarkDescribe is audit.Describe of the same 10,000 listeners: what
// `portui listeners` pays (no rule runs).
func BenchmarkDescribe(b *testing.B) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		b.Fatal(err)
	}
	snap := manyListeners(10000)
	b.ReportAllocs()
	for b.Loop() {
		if got := audit.Describe(reg, snap); len(got) != len(snap.Listeners) {
			b.Fatalf("%d described, want %d", len(got), len(snap.Listeners))
		}
	}
}
