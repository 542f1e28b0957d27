package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portui/portui/internal/registry"
)

// runCLI runs one command line in-process, with an isolated data dir.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if os.Getenv("XDG_DATA_HOME") == "" || !strings.HasPrefix(os.Getenv("XDG_DATA_HOME"), os.TempDir()) {
		t.Setenv("XDG_DATA_HOME", t.TempDir())
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestLookupPort(t *testing.T) {
	out, errOut, code := runCLI(t, "lookup", "326")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Port 326  unassigned",
		"Ports 325–332: the unassigned run containing 326 (8 ports).",
		"binding needs privileges",
		"private use",
		"333 texar →",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lookup 326 lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour written to a pipe")
	}
}

func TestLookupName(t *testing.T) {
	out, _, code := runCLI(t, "lookup", "SSH")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Port 22  assigned", "ssh/tcp", "ssh/udp", "ssh/sctp", "RFC 4251  https://www.rfc-editor.org/rfc/rfc4251", "Randall Stewart", "Registered without a port"} {
		if !strings.Contains(out, want) {
			t.Errorf("lookup ssh lacks %q", want)
		}
	}
	out, _, _ = runCLI(t, "lookup", "finger")
	if !strings.Contains(out, "unauthorized") || !strings.Contains(out, "RFC4146") {
		t.Errorf("lookup finger lacks the unauthorized-use report:\n%s", out)
	}
	out, _, _ = runCLI(t, "lookup", "2")
	if !strings.Contains(out, "De-assigned on 2025-02-13, previously compressnet by Bernie Volz") {
		t.Errorf("lookup 2 lacks the de-assignment note:\n%s", out)
	}
}

func TestLookupNameOnSeveralPorts(t *testing.T) {
	// IANA registers "rap" on 38 and on 256: a name on several ports lists them.
	out, _, code := runCLI(t, "lookup", "rap")
	if code != 0 || !strings.Contains(out, "rap is registered on 2 ports") {
		t.Fatalf("rap: %d\n%s", code, out)
	}
	if !strings.Contains(out, "   38 ") || !strings.Contains(out, "  256 ") {
		t.Fatalf("rap's ports missing:\n%s", out)
	}
}

func TestLookupRangeJSON(t *testing.T) {
	out, _, code := runCLI(t, "lookup", "320-335", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var res struct {
		Schema   string `json:"schema"`
		Registry struct {
			Updated string `json:"updated"`
			SHA256  string `json:"sha256"`
			Kind    string `json:"kind"`
		} `json:"registry"`
		Ports []struct {
			Port          int               `json:"port"`
			Status        string            `json:"status"`
			StatusByProto map[string]string `json:"status_by_proto"`
			Run           struct{ Lo, Hi, Length int }
			Class         struct{ Name string }
			Records       []struct {
				Service string `json:"service"`
				RFCs    []struct{ ID, URL string }
			}
		} `json:"ports"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Schema != "portui.lookup/v1" || res.Registry.Updated != "2026-08-17" || res.Registry.Kind != "embedded" || len(res.Registry.SHA256) != 64 {
		t.Fatalf("header %+v", res)
	}
	if len(res.Ports) != 16 || res.Ports[0].Port != 320 || res.Ports[15].Port != 335 {
		t.Fatalf("%d ports", len(res.Ports))
	}
	p326 := res.Ports[6]
	if p326.Port != 326 || p326.Status != "unassigned" || p326.Run.Lo != 325 || p326.Run.Hi != 332 || p326.Run.Length != 8 || p326.Class.Name != "system" {
		t.Fatalf("326: %+v", p326)
	}
	p323 := res.Ports[3]
	if p323.StatusByProto["tcp"] != "assigned" || p323.StatusByProto["udp"] != "reserved" || p323.Records[0].Service != "rpki-rtr" {
		t.Fatalf("323: %+v", p323)
	}
}

func TestBadInputIsOneLineExit2(t *testing.T) {
	cases := map[string][]string{
		"port out of range": {"lookup", "70000"},
		"dangling dash":     {"lookup", "abc-"},
		"unknown name":      {"lookup", "no-such-service-xyz"},
		"reversed range":    {"lookup", "10-5"},
		"no argument":       {"lookup"},
		"bad proto":         {"lookup", "22", "--proto", "icmp"},
		"huge range":        {"lookup", "0-65535"},
		"unknown flag":      {"lookup", "22", "--nope"},
		"unknown command":   {"frobnicate"},
		"bad interval":      {"--interval", "1ms"},
		"bad range flag":    {"--range", "x"},
		"no terminal":       {},
		"missing file":      {"registry", "update", "/nonexistent.xml"},
		"bad registry flag": {"--registry", "/nonexistent.json", "lookup", "22"},
	}
	for name, args := range cases {
		out, errOut, code := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", name, code, errOut)
		}
		if out != "" {
			t.Errorf("%s: wrote to stdout: %q", name, out)
		}
		lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "portui: ") || strings.Contains(errOut, "goroutine") {
			t.Errorf("%s: stderr is not one line: %q", name, errOut)
		}
	}
	_, errOut, _ := runCLI(t)
	if !strings.Contains(errOut, "portui lookup") || !strings.Contains(errOut, "terminal") {
		t.Errorf("no-terminal message: %q", errOut)
	}
}

func TestRegistryInfoAndUpdate(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	out, _, code := runCLI(t, "registry", "info")
	if code != 0 || !strings.Contains(out, "embedded") || !strings.Contains(out, "2026-08-17") || !strings.Contains(out, "4bbf00ef") {
		t.Fatalf("info: %d\n%s", code, out)
	}
	xml, err := os.ReadFile("../../assets/iana/service-names-port-numbers.xml")
	if err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(t.TempDir(), "newer.xml")
	os.WriteFile(newer, bytes.Replace(xml, []byte("<updated>2026-08-17</updated>"), []byte("<updated>2026-11-20</updated>"), 1), 0o644)
	out, errOut, code := runCLI(t, "registry", "update", newer)
	if code != 0 || !strings.Contains(out, "2026-11-20") {
		t.Fatalf("update: %d %q %q", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, xml[:5000], 0o644)
	_, errOut, code = runCLI(t, "registry", "update", bad)
	if code != 2 || !strings.Contains(errOut, "bad.xml") || !strings.Contains(errOut, "previous registry is unchanged") {
		t.Fatalf("bad update: %d %q", code, errOut)
	}
	out, _, _ = runCLI(t, "registry", "info", "--json")
	var info struct{ Kind, Updated string }
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Kind != "user" || info.Updated != "2026-11-20" {
		t.Fatalf("info after update: %+v %v", info, err)
	}
	out, _, _ = runCLI(t, "lookup", "326", "--json")
	if !strings.Contains(out, `"kind": "user"`) {
		t.Fatal("lookup does not prefer the user's registry")
	}
}

func TestRegistryUpdateDownload(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	xml, err := os.ReadFile("../../assets/iana/service-names-port-numbers.xml")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok.xml" {
			w.Write(xml)
			return
		}
		w.Write([]byte("<html>not the registry</html>"))
	}))
	defer srv.Close()
	old := httpClient
	httpClient = srv.Client()
	defer func() { httpClient = old }()

	_, errOut, code := runCLI(t, "registry", "update", "--download", "--url", srv.URL+"/wrong.html")
	if code != 2 || !strings.Contains(errOut, "previous registry is unchanged") {
		t.Fatalf("bad download: %d %q", code, errOut)
	}
	out, _, _ := runCLI(t, "registry", "info", "--json")
	if !strings.Contains(out, `"kind": "embedded"`) {
		t.Fatalf("a failed download changed the registry: %s", out)
	}
	out, errOut, code = runCLI(t, "registry", "update", "--download", "--url", srv.URL+"/ok.xml")
	if code != 0 || !strings.Contains(out, "installed") {
		t.Fatalf("download: %d %q %q", code, out, errOut)
	}
	_, errOut, code = runCLI(t, "registry", "update", "--download", "--url", srv.URL+"/ok.xml", "--max-bytes", "1000")
	if code != 2 || !strings.Contains(errOut, "limit") {
		t.Fatalf("size limit: %d %q", code, errOut)
	}
}

// TestLookupMultiLineText: a record's texts, note and unauthorized text
// may span lines (the registry keeps their line breaks, as the explorer
// shows them); lookup prints each line under its field, not the break
// escaped as \x0a, and no line ends in a space.
func TestLookupMultiLineText(t *testing.T) {
	d := &registry.Data{Schema: registry.SchemaVersion, Updated: "2026-01-01", Source: registry.Source{Format: "xml", File: "f.xml", SHA256: "abc"},
		Records: []registry.Record{{Name: "multi", Proto: "tcp", Lo: 22, Hi: 22, Description: "first line\nsecond line",
			Texts: []string{"text one\ntext two"}, Note: "note one\nnote two", Unauthorized: "unauth one\nunauth two longer"}}}
	b, err := registry.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "registry.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "--registry", path, "lookup", "22")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "" +
		"      references   text one\n" +
		"                   text two\n" +
		"      note         note one\n" +
		"                   note two\n" +
		"      unauthorized unauth one\n" +
		"                   unauth two longer\n"
	if !strings.Contains(out, want) || strings.Contains(out, `\x0a`) {
		t.Errorf("lookup 22 does not print the lines as lines:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("line ends in a space: %q", l)
		}
	}
	js, _, _ := runCLI(t, "--registry", path, "lookup", "22", "--json")
	for _, w := range []string{`"text one\ntext two"`, `"unauthorized": "unauth one\nunauth two longer"`} {
		if !strings.Contains(js, w) {
			t.Errorf("--json lacks %s:\n%s", w, js)
		}
	}
}

// BenchmarkLookupNameCmd is `portui lookup ssh` in-process, output
// discarded: the registry's load, the name lookup and the text report
// (issue 12: lookup NAME ≤ 30 ms; process start-up is not included).
func BenchmarkLookupNameCmd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"lookup", "ssh"}, strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("lookup ssh: exit %d", code)
		}
	}
}

// BenchmarkLookupPortCmd is `portui lookup 22`, for comparison.
func BenchmarkLookupPortCmd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"lookup", "22"}, strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("lookup 22: exit %d", code)
		}
	}
}
