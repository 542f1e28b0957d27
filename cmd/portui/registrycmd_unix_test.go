//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runCLIWithin is runCLI that fails t instead of hanging when the command
// blocks (a FIFO used to block `lookup` in open(2) until SIGKILL).
func runCLIWithin(t *testing.T, d time.Duration, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	type result struct {
		out, err string
		code     int
	}
	done := make(chan result, 1)
	go func() {
		o, e, c := runCLI(t, args...)
		done <- result{o, e, c}
	}()
	select {
	case r := <-done:
		return r.out, r.err, r.code
	case <-time.After(d):
		t.Fatalf("portui %s still blocked after %s", strings.Join(args, " "), d)
	}
	return "", "", 0
}

// TestLookupRefusesFIFORegistry: a FIFO as the user registry or as
// --registry is refused at once with one line naming it, exit 2.
func TestLookupRefusesFIFORegistry(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	user := filepath.Join(xdg, "portui", "registry.json")
	if err := os.MkdirAll(filepath.Dir(user), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(user, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, errOut, code := runCLIWithin(t, time.Second, "lookup", "22")
	if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, user+" is a named pipe (FIFO), not a regular file") {
		t.Fatalf("user FIFO: exit %d, stderr %q", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "fifo.json")
	if err := syscall.Mkfifo(other, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCLIWithin(t, time.Second, "--registry", other, "lookup", "22")
	if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, other+" is a named pipe (FIFO)") {
		t.Fatalf("--registry FIFO: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runCLIWithin(t, time.Second, "registry", "update", other)
	if code != 2 || !strings.Contains(errOut, "named pipe (FIFO)") || !strings.Contains(errOut, "previous registry is unchanged") {
		t.Fatalf("update from a FIFO: exit %d, stderr %q", code, errOut)
	}
}
