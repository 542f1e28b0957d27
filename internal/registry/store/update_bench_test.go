package store

import (
	"os"
	"sync"
	"testing"
)

// BenchmarkUpdateXML is one whole `registry update FILE.xml` as a fresh
// process runs it: nothing of the embedded registry cached yet, the file
// converted, checked and installed.
func BenchmarkUpdateXML(b *testing.B) {
	raw, err := os.ReadFile("../../../assets/iana/service-names-port-numbers.xml")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		embedded = sync.OnceValues(loadEmbedded)
		embeddedNewest = sync.OnceValues(newestEmbedded)
		if _, err := Update(b.Context(), dir, "iana.xml", raw, UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
