package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
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

// TestMaxBytesOnlyLowersTheCap: --max-bytes above the update cap is a
// usage error at once, in one line, before anything is downloaded (it used
// to download, then fail); the help says it can only lower the cap.
func TestMaxBytesOnlyLowersTheCap(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	old := httpClient
	httpClient = srv.Client()
	defer func() { httpClient = old }()
	over := strconv.Itoa(store.MaxExportBytes + 1)
	_, errOut, code := runCLI(t, "registry", "update", "--download", "--url", srv.URL+"/x.xml", "--max-bytes", over)
	want := "portui: --max-bytes " + over + " is over the 32 MiB (33554432 bytes) an update takes: it can only lower that cap\n"
	if code != 2 || errOut != want {
		t.Fatalf("exit %d, stderr %q, want %q", code, errOut, want)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server was asked %d times", n)
	}
	out, _, _ := runCLI(t, "registry", "update", "--help")
	if !strings.Contains(out, "it can only lower the 32 MiB cap of an update") {
		t.Fatalf("help does not say --max-bytes only lowers the cap:\n%s", out)
	}
}

// TestRegistryReset (#21): reset says what it removed, or that there was
// nothing, exit 0 both times; a failure is one line, exit 2.
func TestRegistryReset(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	path := filepath.Join(xdg, "portui", "registry.json")
	xml, err := os.ReadFile("../../assets/iana/service-names-port-numbers.xml")
	if err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(t.TempDir(), "newer.xml")
	if err := os.WriteFile(newer, bytes.Replace(xml, []byte("<updated>2026-08-17</updated>"), []byte("<updated>2026-12-24</updated>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, "registry", "update", newer); code != 0 {
		t.Fatalf("update: %d %q", code, errOut)
	}
	out, errOut, code := runCLI(t, "registry", "reset")
	if want := "removed " + path + ": the embedded registry (IANA 2026-08-17) is active again\n"; code != 0 || out != want || errOut != "" {
		t.Fatalf("reset: exit %d, %q %q, want %q", code, out, errOut, want)
	}
	if out, _, _ := runCLI(t, "registry", "info", "--json"); !strings.Contains(out, `"kind": "embedded"`) {
		t.Fatalf("after reset: %s", out)
	}
	out, _, code = runCLI(t, "registry", "reset")
	if want := "no registry of yours at " + path + ": the embedded registry (IANA 2026-08-17) is already active\n"; code != 0 || out != want {
		t.Fatalf("second reset: exit %d, %q, want %q", code, out, want)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI(t, "registry", "reset")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, path+": it is a directory") {
		t.Fatalf("reset of a directory: exit %d, %q %q", code, out, errOut)
	}
}

// TestHostileRegistryThroughCLI (S1): a registry.json carrying terminal
// controls in every text field reaches `lookup` and `registry info`, text
// and JSON, without a single control byte but the output's own newlines.
func TestHostileRegistryThroughCLI(t *testing.T) {
	evil := "x\x1b]52;c;SGVsbG8=\x07\x1b]0;PWN\x07\x1b[2J\x1bPq\x1b\\\x1b_a\x1b\\\a\b\r\x9b1m\u009b2J\u202e\u2066\x7f\ty\nz"
	rec := registry.Record{Name: evil, Proto: "tcp", Lo: 22, Hi: 22, Description: evil, Assignee: []string{evil}, Contact: []string{evil},
		RFCs: []int{4251}, Drafts: []string{evil}, URIs: []string{evil}, Texts: []string{evil}, Registered: evil, Modified: evil,
		Note: evil, Unauthorized: evil, ServiceCode: evil}
	d := &registry.Data{Schema: registry.SchemaVersion, Updated: evil, Source: registry.Source{Format: evil, File: evil, SHA256: evil},
		Records: []registry.Record{rec}, People: map[string]registry.Person{evil: {Name: evil, Org: evil, URI: evil, Updated: evil}}}
	b, err := registry.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "registry.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--registry", path, "lookup", "22"},
		{"--registry", path, "lookup", "22", "--json"},
		{"--registry", path, "lookup", "20-23"},
		{"--registry", path, "registry", "info"},
		{"--registry", path, "registry", "info", "--json"},
	} {
		out, errOut, code := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, `\x1b]52;c;`) {
			t.Fatalf("%v: exit %d, stderr %q, out %q", args, code, errOut, out)
		}
		if !utf8.ValidString(out + errOut) {
			t.Errorf("%v: invalid UTF-8 in the output", args)
		}
		for i, r := range out + errOut {
			if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
				(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Errorf("%v: control %U at byte %d: %q", args, r, i, out[max(0, i-20):min(len(out), i+20)])
				break
			}
		}
	}
}

// TestRegistryInfoText pins `registry info`'s text, embedded (with the
// hint where `registry update` would install) and for a --registry file
// whose strings are hostile (shown escaped, no hint), and its JSON.
func TestRegistryInfoText(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	out, errOut, code := runCLI(t, "registry", "info")
	want := "active     embedded (embedded in this binary)\n" +
		"IANA date  2026-08-17\n" +
		"records    14533\n" +
		"source     service-names-port-numbers.xml (xml)\n" +
		"sha256     4bbf00ef4dd194ea3098d090b42a832c0f8aef704699956a4a7e24576a49631b\n" +
		"`portui registry update FILE` would install a newer one in " + filepath.Join(xdg, "portui") + "\n"
	if code != 0 || errOut != "" || out != want {
		t.Errorf("registry info: exit %d, stderr %q\n%q\nwant\n%q", code, errOut, out, want)
	}
	reg := hostileRegistry(t)
	esc := `\x1b]52;c;cHduZWQ=\x07\x1b]0;PWNED\x07\x1b[2J\x1b[H\x1bP+q544e\x1b\\x07\x08\x0d\u009b31m\u0085\x0d\x1b[2K\x1b[8m\u202eevil\u2066`
	out, _, code = runCLI(t, "--registry", reg, "registry", "info")
	want = "active     file (" + reg + ")\n" +
		"IANA date  2026-01-01" + esc + "\n" +
		"records    4\n" +
		"source     f.xml" + esc + " (xml" + esc + ")\n" +
		"sha256     abc" + esc + "\n"
	if code != 0 || out != want {
		t.Errorf("registry info of a hostile file: exit %d\n%q\nwant\n%q", code, out, want)
	}
	out, _, code = runCLI(t, "registry", "info", "--json")
	want = "{\n" +
		`  "schema": "portui.registry/v1",` + "\n" +
		`  "kind": "embedded",` + "\n" +
		`  "updated": "2026-08-17",` + "\n" +
		`  "records": 14533,` + "\n" +
		`  "format": "xml",` + "\n" +
		`  "file": "service-names-port-numbers.xml",` + "\n" +
		`  "sha256": "4bbf00ef4dd194ea3098d090b42a832c0f8aef704699956a4a7e24576a49631b"` + "\n" +
		"}\n"
	if code != 0 || out != want {
		t.Errorf("registry info --json: exit %d\n%s", code, out)
	}
}
