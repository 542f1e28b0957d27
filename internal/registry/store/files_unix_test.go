//go:build unix

package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/sanitize"
)

// within fails t if f does not return within d: a guard against a hang
// (a FIFO blocks open(2) until a writer comes), not a timing of f.
func within[T any](t *testing.T, d time.Duration, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(d):
		t.Fatalf("still blocked after %s", d)
	}
	var zero T
	return zero
}

func userRegistryPath(t *testing.T) string {
	t.Helper()
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	dir := filepath.Join(xdg, "portui")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, store.FileName)
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

func assertOneLine(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !sanitize.IsClean(msg) {
		t.Errorf("error is not one clean line: %q", msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

// TestOpenRefusesFIFO: a FIFO as the user registry or as --registry used
// to block `lookup` forever in open(2); it is refused at once, named.
func TestOpenRefusesFIFO(t *testing.T) {
	user := userRegistryPath(t)
	mkfifo(t, user)
	err := within(t, time.Second, func() error { _, _, err := store.Open(t.Context(), ""); return err })
	assertOneLine(t, err, user, "named pipe (FIFO)", "not a regular file", "registry reset")
	if !errors.Is(err, store.ErrNotRegular) {
		t.Errorf("not ErrNotRegular: %v", err)
	}
	override := filepath.Join(t.TempDir(), "fifo.json")
	mkfifo(t, override)
	err = within(t, time.Second, func() error { _, _, err := store.Open(t.Context(), override); return err })
	assertOneLine(t, err, override, "named pipe (FIFO)")
	dir := t.TempDir()
	err = within(t, time.Second, func() error {
		_, err := store.UpdateFile(t.Context(), dir, override, store.UpdateOptions{})
		return err
	})
	assertOneLine(t, err, override, "named pipe (FIFO)")
}

// TestOpenRefusesDevicesAndDirectories: a symlink to /dev/zero used to be
// read until the OOM killer came.
func TestOpenRefusesDevicesAndDirectories(t *testing.T) {
	user := userRegistryPath(t)
	if err := os.Symlink("/dev/zero", user); err != nil {
		t.Fatal(err)
	}
	_, _, err := store.Open(t.Context(), "")
	assertOneLine(t, err, user, "is a character device, not a regular file")
	_, _, err = store.Open(t.Context(), t.TempDir())
	assertOneLine(t, err, "is a directory, not a regular file")
	_, err = store.UpdateFile(t.Context(), t.TempDir(), "/dev/zero", store.UpdateOptions{})
	assertOneLine(t, err, "/dev/zero is a character device")
}

// sparse makes a file of size bytes that occupies no disk.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Skipf("truncate: %v", err)
	}
}

// allocated is how many bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestOversizeRefusedFromItsSize: `registry update` on a 2 GB file peaked
// at 11.6 GB before refusing it; now it is refused from its size without
// reading it (a few kB allocated, not gigabytes), as is an oversize user
// registry.
func TestOversizeRefusedFromItsSize(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.xml")
	sparse(t, big, 2<<30)
	dir := t.TempDir()
	var err error
	n := allocated(func() { _, err = store.UpdateFile(t.Context(), dir, big, store.UpdateOptions{}) })
	assertOneLine(t, err, big, "2.0 GiB", "over the size limit of 32 MiB")
	if !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("not ErrTooLarge: %v", err)
	}
	if n > 1<<20 {
		t.Errorf("refusing a 2 GB file allocated %d bytes: it was read", n)
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something was installed: %v", err)
	}

	user := userRegistryPath(t)
	sparse(t, user, store.MaxRegistryBytes+1)
	n = allocated(func() { _, _, err = store.Open(t.Context(), "") })
	assertOneLine(t, err, user, "over the size limit of 32 MiB")
	if n > 1<<20 {
		t.Errorf("refusing an oversize registry allocated %d bytes: it was read", n)
	}
	// Just under the cap is read (and refused as not a registry).
	if err := os.Truncate(user, store.MaxRegistryBytes); err != nil {
		t.Fatal(err)
	}
	_, _, err = store.Open(t.Context(), "")
	if err == nil || errors.Is(err, store.ErrTooLarge) {
		t.Errorf("a file at the cap: %v", err)
	}
}

// TestPathsInErrorsAreNeutralised: a path is untrusted text too.
func TestPathsInErrorsAreNeutralised(t *testing.T) {
	dir := t.TempDir()
	evil := filepath.Join(dir, "evil\x1b]0;PWN\x07\u202e.json")
	if err := os.WriteFile(evil, []byte("{oops"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := store.Open(t.Context(), evil)
	assertOneLine(t, err, `evil\x1b]0;PWN\x07\u202e.json`)
	_, err = store.UpdateFile(t.Context(), t.TempDir(), evil, store.UpdateOptions{})
	assertOneLine(t, err, `evil\x1b]0;PWN\x07\u202e.json`)
	_, _, err = store.Open(t.Context(), evil+".missing")
	assertOneLine(t, err, `\x1b]0;PWN\x07`, "no such file")
}

// TestCancelledUpdateWritesNothing: Ctrl-C during an update stops it and
// leaves the previous registry.
func TestCancelledUpdateWritesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := store.Update(ctx, dir, "x.xml", readIANA(t), store.UpdateOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled update: %v", err)
	}
	path := filepath.Join(t.TempDir(), "iana.xml")
	if err := os.WriteFile(path, readIANA(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateFile(ctx, dir, path, store.UpdateOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled update from a file: %v", err)
	}
	if _, _, err := store.Open(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled open: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a cancelled update wrote %v", entries)
	}
}
