package store_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
)

const ianaXML = "../../../assets/iana/service-names-port-numbers.xml"

func readIANA(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(ianaXML)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDirFollowsXDG(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/tmp/xdg-test")
	if d, _ := store.Dir(); d != "/tmp/xdg-test/portui" {
		t.Fatalf("Dir = %q", d)
	}
	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/someone")
	if d, _ := store.Dir(); !strings.HasPrefix(d, "/home/someone/") {
		t.Fatalf("Dir with relative XDG_DATA_HOME = %q", d)
	}
}

func TestUpdateInstallsAndOpenPrefersIt(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	_, info, err := store.Open(t.Context(), "")
	if err != nil || info.Kind != "embedded" {
		t.Fatalf("before update: %+v %v", info, err)
	}
	// A "newer" IANA file: same registry with a changed date.
	raw := bytes.Replace(readIANA(t), []byte("<updated>2026-08-17</updated>"), []byte("<updated>2026-11-01</updated>"), 1)
	dir, _ := store.Dir()
	got, err := store.Update(t.Context(), dir, "new.xml", raw, store.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "user" || got.Updated != "2026-11-01" || got.Path != filepath.Join(xdg, "portui", "registry.json") {
		t.Fatalf("update info %+v", got)
	}
	reg, info, err := store.Open(t.Context(), "")
	if err != nil || info.Kind != "user" || reg.Updated != "2026-11-01" {
		t.Fatalf("after update: %+v %v", info, err)
	}
	if reg.Status(326, registry.Combined) != registry.Unassigned {
		t.Fatal("user registry lost its data")
	}
}

func TestFailedUpdateKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	if _, err := store.Update(t.Context(), dir, "good.xml", readIANA(t), store.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, store.FileName))
	bad := map[string][]byte{
		"truncated.xml": readIANA(t)[:100000],
		"garbage.csv":   []byte("no,registry,here\n"),
		"excerpt.csv":   []byte("Service Name,Port Number,Transport Protocol,Description\nssh,22,tcp,SSH\n"),
	}
	for name, raw := range bad {
		_, err := store.Update(t.Context(), dir, name, raw, store.UpdateOptions{})
		if err == nil {
			t.Fatalf("%s: update accepted", name)
		}
		if !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
		after, _ := os.ReadFile(filepath.Join(dir, store.FileName))
		if !bytes.Equal(before, after) {
			t.Fatalf("%s: previous registry was changed", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("stray files left in %s: %v", dir, entries)
	}
}

func TestOpenReportsCorruptUserFile(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	os.MkdirAll(filepath.Join(xdg, "portui"), 0o755)
	os.WriteFile(filepath.Join(xdg, "portui", "registry.json"), []byte("{oops"), 0o644)
	_, _, err := store.Open(t.Context(), "")
	if err == nil || !strings.Contains(err.Error(), "registry.json") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("corrupt user registry: %v", err)
	}
	if _, _, err := store.Open(t.Context(), "/nonexistent/registry.json"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing --registry file: %v", err)
	}
}

func TestDownload(t *testing.T) {
	iana := readIANA(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/registry.xml":
			w.Write(iana)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			// Never an empty 200: the client is gone or far too late. (A
			// plain return sent one, and once on a loaded CI machine it
			// reached the client before its own deadline did.)
			panic(http.ErrAbortHandler)
		case "/huge":
			for i := 0; i < 100; i++ {
				if _, err := w.Write(make([]byte, 1<<16)); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	b, err := store.Download(ctx, srv.Client(), srv.URL+"/registry.xml", store.DefaultMaxBytes, 5*time.Second)
	if err != nil || !bytes.Equal(b, iana) {
		t.Fatalf("download: %d bytes, %v", len(b), err)
	}
	cases := []struct {
		path    string
		max     int64
		timeout time.Duration
		want    string
	}{
		{"/missing", store.DefaultMaxBytes, 5 * time.Second, "HTTP 404"},
		{"/slow", store.DefaultMaxBytes, 200 * time.Millisecond, "timed out"},
		{"/huge", 1 << 20, 5 * time.Second, "over the 1048576-byte limit"},
		{"/registry.xml", 1000, 5 * time.Second, "limit"},
	}
	for _, c := range cases {
		_, err := store.Download(ctx, srv.Client(), srv.URL+c.path, c.max, c.timeout)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.path, err, c.want)
		}
	}
	plain := strings.Replace(srv.URL, "https://", "http://", 1)
	if _, err := store.Download(ctx, srv.Client(), plain+"/registry.xml", store.DefaultMaxBytes, time.Second); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("plain http: %v", err)
	}
}

// ianaCSV writes records the way IANA's CSV export lays them out.
func ianaCSV(t *testing.T, recs []registry.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Service Name", "Port Number", "Transport Protocol", "Description", "Assignee", "Contact",
		"Registration Date", "Modification Date", "Reference", "Service Code", "Unauthorized Use Reported", "Assignment Notes"})
	for _, r := range recs {
		w.Write([]string{r.Name, r.Ports(), r.Proto, r.Description, "", "", r.Registered, r.Modified, "", r.ServiceCode, r.Unauthorized, r.Note})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUpdateRequiresACompleteRegistry (S2): what used to install and is
// now refused, each with the check it fails named in one line; and what a
// real export looks like still installs.
func TestUpdateRequiresACompleteRegistry(t *testing.T) {
	raw := readIANA(t)
	mid := 0 // just after the 7,266th of 14,533 records
	for range 14533 / 2 {
		mid += bytes.Index(raw[mid:], []byte("</record>")) + len("</record>")
	}
	halfXML := append(bytes.Clone(raw[:mid]), "\n</registry>\n"...)
	d, err := registry.Convert(t.Context(), "iana.xml", raw)
	if err != nil {
		t.Fatal(err)
	}
	fullCSV := ianaCSV(t, d.Records)
	halfCSV := ianaCSV(t, d.Records[:len(d.Records)/2])
	oldRecs := slices.Clone(d.Records)
	for i := range oldRecs {
		oldRecs[i].Registered, oldRecs[i].Modified = min(oldRecs[i].Registered, "2020-01-01"), min(oldRecs[i].Modified, "2020-01-01")
	}
	olderCSV := ianaCSV(t, oldRecs)
	oneRecord := []byte(`<registry><updated>2027-01-01</updated><record><name>x</name><protocol>tcp</protocol><number>0-1023</number></record></registry>`)
	noRedis := bytes.Replace(raw, []byte("<name>redis</name>"), []byte("<name>rediz</name>"), 1)
	older := bytes.Replace(raw, []byte("<updated>2026-08-17</updated>"), []byte("<updated>2020-01-01</updated>"), 1)
	undated := bytes.Replace(raw, []byte("<updated>2026-08-17</updated>"), nil, 1)
	if bytes.Equal(noRedis, raw) || bytes.Equal(older, raw) || bytes.Equal(undated, raw) {
		t.Fatal("the IANA file changed: adapt the edits")
	}
	refused := []struct {
		name  string
		raw   []byte
		force bool
		want  string
	}{
		{"half.xml", halfXML, true, "not the complete registry: 7,266 records"},
		{"half.csv", halfCSV, true, "not the complete registry: 7,266 records, where a real IANA export has at least 13,079 (90% of the embedded registry's 14,533)"},
		{"one.xml", oneRecord, true, "not the complete registry: 1 record, where"},
		{"noredis.xml", noRedis, true, "not the complete registry: no record of 6379/tcp redis"},
		{"older.xml", older, false, "its registry date 2020-01-01 is older than the embedded registry's 2026-08-17; use --force"},
		{"undated.xml", undated, false, `its registry date "" is not a date YYYY-MM-DD; use --force`},
		{"older.csv", olderCSV, false, "its newest record date (a CSV has no registry date) 2020-01-01 is older than the embedded registry's 2026-"},
	}
	for _, c := range refused {
		dir := t.TempDir()
		_, err := store.Update(t.Context(), dir, c.name, c.raw, store.UpdateOptions{Force: c.force})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: refused, yet wrote %v", c.name, entries)
		}
	}
	accepted := []struct {
		name  string
		raw   []byte
		force bool
	}{
		{"iana.csv", fullCSV, false}, // its newest record is as new as the embedded one's
		{"older.xml", older, true},
	}
	for _, c := range accepted {
		info, err := store.Update(t.Context(), t.TempDir(), c.name, c.raw, store.UpdateOptions{Force: c.force})
		if err != nil || info.Records != 14533 {
			t.Errorf("%s (force %v): %+v %v", c.name, c.force, info, err)
		}
	}
}

// TestDownloadRefusesRedirectOffHTTPS (S3): an https URL redirecting to
// plain http is refused, naming the hop, and the http server is never
// asked; a redirect to another https URL is followed.
func TestDownloadRefusesRedirectOffHTTPS(t *testing.T) {
	iana := readIANA(t)
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		w.Write(iana)
	}))
	defer plain.Close()
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(iana) }))
	defer other.Close()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-http":
			http.Redirect(w, r, plain.URL+"/registry.xml", http.StatusFound)
		case "/to-https":
			http.Redirect(w, r, other.URL+"/registry.xml", http.StatusMovedPermanently)
		case "/hop-then-http":
			http.Redirect(w, r, "/to-http", http.StatusFound)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	for _, path := range []string{"/to-http", "/hop-then-http"} {
		_, err := store.Download(t.Context(), srv.Client(), srv.URL+path, store.DefaultMaxBytes, 5*time.Second)
		want := "download from " + host + " refused: redirect from " + srv.URL + "/to-http to " + plain.URL + "/registry.xml is not HTTPS"
		if err == nil || err.Error() != want || !errors.Is(err, store.ErrInsecureRedirect) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain http server was asked %d times", n)
	}
	b, err := store.Download(t.Context(), srv.Client(), srv.URL+"/to-https", store.DefaultMaxBytes, 5*time.Second)
	if err != nil || !bytes.Equal(b, iana) {
		t.Fatalf("redirect to another https URL: %d bytes, %v", len(b), err)
	}
}

// TestReset (#21): reset removes the user's registry, so Open falls back
// to the embedded one; with none it says so and is not an error; a
// directory in its place is refused in one line and left alone.
func TestReset(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	dir, _ := store.Dir()
	want := filepath.Join(dir, store.FileName)
	newer := bytes.Replace(readIANA(t), []byte("<updated>2026-08-17</updated>"), []byte("<updated>2026-12-01</updated>"), 1)
	if _, err := store.Update(t.Context(), dir, "new.xml", newer, store.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, info, _ := store.Open(t.Context(), ""); info.Kind != "user" {
		t.Fatalf("before reset: %+v", info)
	}
	path, removed, err := store.Reset(dir)
	if err != nil || !removed || path != want {
		t.Fatalf("reset: %q %v %v", path, removed, err)
	}
	if _, info, err := store.Open(t.Context(), ""); err != nil || info.Kind != "embedded" || info.Updated != "2026-08-17" {
		t.Fatalf("after reset: %+v %v", info, err)
	}
	path, removed, err = store.Reset(dir)
	if err != nil || removed || path != want {
		t.Fatalf("reset with nothing to remove: %q %v %v", path, removed, err)
	}
	if _, _, err := store.Reset(filepath.Join(t.TempDir(), "never-created")); err != nil {
		t.Fatalf("reset without a data dir: %v", err)
	}
	if err := os.Mkdir(want, 0o755); err != nil {
		t.Fatal(err)
	}
	_, removed, err = store.Reset(dir)
	if err == nil || removed || !strings.Contains(err.Error(), want+": it is a directory") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("reset of a directory: %v %v", removed, err)
	}
	if fi, err := os.Stat(want); err != nil || !fi.IsDir() {
		t.Fatalf("the directory was not left alone: %v", err)
	}
}
