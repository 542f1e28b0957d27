package registry_test

import (
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
)

// TestNameAtAgreesWithRecords checks NameAt against the first named
// record covering the port that RecordsAt decodes, for every port and
// transport of the embedded registry (and a transport no record has).
func TestNameAtAgreesWithRecords(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	protos := []string{"", "tcp", "udp", "sctp", "dccp", "quic"}
	named := 0
	for port := 0; port <= registry.MaxPort; port++ {
		recs, err := reg.RecordsAt(port)
		if err != nil {
			t.Fatal(err)
		}
		for _, proto := range protos {
			want := ""
			for _, r := range recs {
				if r.Name != "" && r.Covers(port, proto) {
					want = r.Name
					break
				}
			}
			got, err := reg.NameAt(port, proto)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("NameAt(%d, %q) = %q, RecordsAt says %q", port, proto, got, want)
			}
			if got != "" {
				named++
			}
		}
	}
	if named < 10000 {
		t.Fatalf("only %d named (port, proto) pairs: the test saw too little", named)
	}
	if got, _ := reg.NameAt(22, "tcp"); got != "ssh" {
		t.Fatalf("NameAt(22, tcp) = %q, want ssh", got)
	}
}

// BenchmarkNameAt is the SERVICE column of 10,000 listeners on distinct
// ports (the cost `portui listeners` pays for names).
func BenchmarkNameAt(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		reg, err := registry.Load(assets.RegistryJSON)
		if err != nil {
			b.Fatal(err)
		}
		for p := 1024; p < 11024; p++ {
			if _, err := reg.NameAt(p, "tcp"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkNameAtFresh is BenchmarkNameAt without the Load: each pass
// asks a registry nothing has asked before (names read, none decoded
// yet), as `portui listeners` does once.
func BenchmarkNameAtFresh(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		reg, err := registry.Load(assets.RegistryJSON)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for p := 1024; p < 11024; p++ {
			if _, err := reg.NameAt(p, "tcp"); err != nil {
				b.Fatal(err)
			}
		}
	}
}
