package registry_test

import (
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
)

// BenchmarkLoadEmbedded is the start-up cost of the registry: decoding the
// embedded registry.json and building every port table (budget: 15 ms).
func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.Load(assets.RegistryJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordsAll is the one-off cost of decoding every record, paid
// in the background before the first search or name lookup.
func BenchmarkRecordsAll(b *testing.B) {
	for b.Loop() {
		reg, err := registry.Load(assets.RegistryJSON)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Records(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		b.Fatal(err)
	}
	reg.Warm()
	for b.Loop() {
		if _, err := reg.Search("kerb", 50); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupName is what `portui lookup ssh` pays in the registry: a
// fresh load, then the records named "ssh".
func BenchmarkLookupName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		reg, err := registry.Load(assets.RegistryJSON)
		if err != nil {
			b.Fatal(err)
		}
		recs, err := reg.ByName("ssh")
		if err != nil || len(recs) == 0 {
			b.Fatal(len(recs), err)
		}
	}
}

// BenchmarkLookupPort is the same for `portui lookup 22`: a fresh load,
// then the records on port 22.
func BenchmarkLookupPort(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		reg, err := registry.Load(assets.RegistryJSON)
		if err != nil {
			b.Fatal(err)
		}
		recs, err := reg.RecordsAt(22)
		if err != nil || len(recs) == 0 {
			b.Fatal(len(recs), err)
		}
	}
}
