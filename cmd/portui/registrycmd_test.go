package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegistryUpdateForce: an export older than the embedded registry is
// refused, naming the date check and --force; with --force it installs.
func TestRegistryUpdateForce(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	xml, err := os.ReadFile("../../assets/iana/service-names-port-numbers.xml")
	if err != nil {
		t.Fatal(err)
	}
	older := filepath.Join(t.TempDir(), "older.xml")
	if err := os.WriteFile(older, bytes.Replace(xml, []byte("<updated>2026-08-17</updated>"), []byte("<updated>2019-05-01</updated>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, "registry", "update", older)
	want := "portui: older.xml: its registry date 2019-05-01 is older than the embedded registry's 2026-08-17; use --force to install it anyway; the previous registry is unchanged\n"
	if code != 2 || errOut != want {
		t.Fatalf("older without --force: exit %d, stderr %q, want %q", code, errOut, want)
	}
	out, errOut, code := runCLI(t, "registry", "update", "--force", older)
	if code != 0 || !strings.Contains(out, "IANA registry of 2019-05-01, 14533 records") {
		t.Fatalf("older with --force: exit %d %q %q", code, out, errOut)
	}
}
