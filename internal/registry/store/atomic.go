// Package store keeps the user's own copy of the registry: where it lives
// ($XDG_DATA_HOME/portui), writing it atomically, and choosing between it
// and the embedded one.
package store

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/portui/portui/internal/sanitize"
)

// WriteFileAtomic writes b to path through a temporary file in the same
// directory and a rename, so a reader sees either the old file or the new
// one, never a torn write; a failure leaves the old file in place.
func WriteFileAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	name := sanitize.Line(path) // for messages: paths are untrusted text
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	return nil
}
