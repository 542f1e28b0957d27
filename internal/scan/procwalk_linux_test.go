package scan

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadRegularGrows: readRegular returns a file whole when it is
// within the limit, however it compares with the first buffer, and
// exactly limit bytes of a longer one.
func TestReadRegularGrows(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, readRegularStart - 1, readRegularStart, readRegularStart + 1, 5*readRegularStart + 17} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte('a' + i%26)
		}
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{10, readRegularStart, 3 * readRegularStart, 8 * readRegularStart} {
			got, err := readRegular(path, limit)
			if err != nil {
				t.Fatal(err)
			}
			want := data[:min(size, limit)]
			if !bytes.Equal(got, want) {
				t.Errorf("size %d limit %d: %d bytes, want %d", size, limit, len(got), len(want))
			}
		}
	}
	if _, err := readRegular(dir, 10); err == nil {
		t.Error("a directory read as a regular file")
	}
}

// TestEntryAddKeepsOwnersSorted: owners added in any order (in order, as
// the census adds them, or not) end sorted by PID then fd, each once, and
// add says whether it was new.
func TestEntryAddKeepsOwnersSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for trial := range 200 {
		var e entry
		if trial%2 == 0 {
			e.owners = make([]owner, 0, 1) // as the census's slab gives it
		}
		want := map[owner]bool{}
		for range r.IntN(40) {
			o := owner{pid: r.IntN(6), fd: r.IntN(6)}
			if trial%3 == 0 && len(e.owners) > 0 { // mostly ascending
				last := e.owners[len(e.owners)-1]
				o = owner{pid: last.pid + r.IntN(2), fd: last.fd + 1 - r.IntN(3)}
			}
			if got := e.add(o); got == want[o] {
				t.Fatalf("add(%v) = %v with owners %v", o, got, e.owners)
			}
			want[o] = true
		}
		if len(e.owners) != len(want) || !slices.IsSortedFunc(e.owners, compareOwner) {
			t.Fatalf("owners %v, want the %d of %v sorted", e.owners, len(want), want)
		}
		for i := 1; i < len(e.owners); i++ {
			if e.owners[i] == e.owners[i-1] {
				t.Fatalf("%v twice", e.owners[i])
			}
		}
	}
}
