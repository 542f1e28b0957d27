package scan

import (
	"bytes"
	"os"
	"path/filepath"
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
