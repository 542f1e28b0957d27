package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// testRegistry writes a registry.json dated updated whose only record is
// 22/tcp ssh: every other port is unassigned in it.
func testRegistry(t *testing.T, updated string) string {
	t.Helper()
	d := &registry.Data{Schema: registry.SchemaVersion, Updated: updated, Source: registry.Source{Format: "xml", File: "f.xml", SHA256: "abc"},
		Records: []registry.Record{{Name: "ssh", Proto: "tcp", Lo: 22, Hi: 22, Description: "SSH"}}}
	b, err := registry.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "registry.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRegistryAgeWarning: a registry older than registry.StaleAfter makes
// audit warn on stderr (text) or in its warnings (JSON), and registry
// info say it; a recent one says nothing.
func TestRegistryAgeWarning(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{fakeListener("tcp", "127.0.0.1", 22, 10, "sshd")}})
	stale := testRegistry(t, "2020-01-01")
	days := int(time.Since(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	want := fmt.Sprintf("the registry is from 2020-01-01 (%d days old): run `portui registry update`", days)

	out, errOut, code := runCLI(t, "--registry", stale, "audit")
	if code != 0 || !strings.Contains(errOut, "portui: warning: "+want+"\n") || strings.Contains(out, "registry is from") {
		t.Errorf("audit with a stale registry: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	out, errOut, _ = runCLI(t, "--registry", stale, "audit", "--json")
	var doc struct{ Warnings []string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Warnings) != 1 || doc.Warnings[0] != want || errOut != "" {
		t.Errorf("audit --json with a stale registry: %v %+v stderr %q", err, doc, errOut)
	}
	out, _, code = runCLI(t, "--registry", stale, "registry", "info")
	if code != 0 || !strings.Contains(out, "warning: "+want+"\n") {
		t.Errorf("registry info with a stale registry: exit %d\n%s", code, out)
	}
	out, _, _ = runCLI(t, "--registry", stale, "registry", "info", "--json")
	doc.Warnings = nil
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Warnings) != 1 || doc.Warnings[0] != want {
		t.Errorf("registry info --json with a stale registry: %v %s", err, out)
	}

	fresh := testRegistry(t, time.Now().AddDate(0, 0, -10).Format(time.DateOnly))
	for _, args := range [][]string{{"audit"}, {"audit", "--json"}, {"registry", "info"}, {"registry", "info", "--json"}} {
		out, errOut, _ := runCLI(t, append([]string{"--registry", fresh}, args...)...)
		if strings.Contains(out+errOut, "days old") || strings.Contains(out, `"warnings"`) {
			t.Errorf("%v with a 10-day-old registry warns:\n%s%s", args, out, errOut)
		}
	}
}

// TestAuditFailOn: --fail-on picks the kinds that make exit 1; every
// finding is still reported; an unknown kind is one line naming the
// valid ones, exit 2.
func TestAuditFailOn(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{
		fakeListener("tcp", "0.0.0.0", 22, 10, "sshd"),       // exposed system port
		fakeListener("tcp", "127.0.0.1", 326, 11, "python3"), // private use
	}})
	for _, tt := range []struct {
		failOn  string
		code    int
		failing int
	}{
		{"", 0, 0}, // --fail-on= : nothing fails
		{"exposed-system-port", 1, 1},
		{"private-use,exposed-system-port", 1, 2},
		{"Private-Use", 1, 1},
		{"unexpected-service,missing-listener", 0, 0},
	} {
		out, errOut, code := runCLI(t, "audit", "--fail-on="+tt.failOn)
		if code != tt.code || errOut != "" || !strings.Contains(out, "326/tcp on 127.0.0.1:326") || !strings.Contains(out, "22/tcp on 0.0.0.0:22") ||
			!strings.HasSuffix(out, "2 findings: 1 private use, 1 exposed system port\n") {
			t.Errorf("--fail-on=%s: exit %d, want %d; stderr %q\n%s", tt.failOn, code, tt.code, errOut, out)
		}
		out, _, _ = runCLI(t, "audit", "--json", "--fail-on="+tt.failOn)
		var doc struct {
			FailOn  []string `json:"fail_on"`
			Failing int
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Failing != tt.failing || doc.FailOn == nil {
			t.Errorf("--fail-on=%s --json: %v %+v", tt.failOn, err, doc)
		}
	}
	out, errOut, code := runCLI(t, "audit", "--fail-on", "private-use,nonsense\x1b[2J")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "\x1b") ||
		!strings.Contains(errOut, `unknown kind "nonsense\x1b[2J"`) || !strings.Contains(errOut, "valid kinds: private-use, exposed-system-port, unexpected-service, unexpected-listener, scope-widened, missing-listener, published-dangling") {
		t.Errorf("unknown kind: exit %d stdout %q stderr %q", code, out, errOut)
	}
	_, _, code = runCLI(t, "audit")
	if code != 1 {
		t.Errorf("without --fail-on: exit %d, want 1 (every kind fails)", code)
	}
}

// TestAuditPractice: without a file, chronyd on its command port
// (323/udp, reserved) is explained by the practice table; another
// program there is private use.
func TestAuditPractice(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{
		fakeListener("udp", "127.0.0.1", 323, 20, "chronyd"),
		fakeListener("udp", "::1", 323, 20, "chronyd"),
	}})
	out, errOut, code := runCLI(t, "audit")
	if code != 0 || errOut != "" || out != "nothing found in 0–1023 (2 listeners)\n" {
		t.Errorf("chronyd on 323/udp: exit %d %q\n%s", code, errOut, out)
	}
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{
		fakeListener("udp", "127.0.0.1", 323, 21, "python3"),
	}})
	out, _, code = runCLI(t, "audit")
	if code != 1 || !strings.Contains(out, "323/udp on 127.0.0.1:323: the port is reserved in the IANA registry, so python3 (pid 21) listening there is private use") {
		t.Errorf("python3 on 323/udp: exit %d\n%s", code, out)
	}
}

// TestAuditGroupsRealDualStack: a v4 and a v6 socket this test opens on
// one port are one group naming both addresses (the real scanner; a test
// registry where the port is unassigned, so it is private use).
func TestAuditGroupsRealDualStack(t *testing.T) {
	ln4, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln4.Close() })
	port := ln4.Addr().(*net.TCPAddr).Port
	ln6, err := net.Listen("tcp6", "[::1]:"+strconv.Itoa(port))
	if err != nil {
		t.Skipf("no IPv6 loopback on port %d: %v", port, err)
	}
	t.Cleanup(func() { ln6.Close() })
	reg := testRegistry(t, time.Now().Format(time.DateOnly))
	p := strconv.Itoa(port)
	out, errOut, code := runCLI(t, "--registry", reg, "audit", "--range", p+"-"+p)
	want := p + "/tcp on 127.0.0.1:" + p + " and [::1]:" + p + ": the port is unassigned in the IANA registry, so "
	if code != 1 || !strings.Contains(out, want) || strings.Count(out, "/tcp on ") != 1 || !strings.HasSuffix(out, "1 finding: 1 private use\n") {
		t.Errorf("exit %d (stderr %q):\n%s\nwant one line with %q", code, errOut, out, want)
	}
	out, _, _ = runCLI(t, "--registry", reg, "audit", "--range", p+"-"+p, "--json")
	var doc struct {
		Groups []struct {
			Owner     string
			Addresses []string
			Listeners []struct{ Address string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Groups) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	g := doc.Groups[0]
	if strings.Join(g.Addresses, ",") != "127.0.0.1,::1" || len(g.Listeners) != 2 || !strings.Contains(g.Owner, fmt.Sprintf("(pid %d)", os.Getpid())) {
		t.Errorf("group: %+v", g)
	}
}

// expectImplemented: the expect package parses entries (its branch has
// landed); until then the tests of audit against a file skip.
func expectImplemented(t *testing.T) {
	t.Helper()
	f, err := expect.Parse("probe.toml", []byte("[[listener]]\nproto = \"tcp\"\nport = 1\n"))
	if err != nil || f == nil || len(f.Entries) != 1 {
		t.Skip("expect.Parse is still the seam's stub: needs the expect branch")
	}
}

// TestAuditExpectDrift: against an expectations file, with listeners this
// test opens: as saved → exit 0 and "as expected"; an unexpected one, a
// missing one and a widened one each reported once; --fail-on narrows.
// Needs the expect branch (it skips until expect.Parse is implemented).
func TestAuditExpectDrift(t *testing.T) {
	expectImplemented(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	// Three consecutive ports: A and B expected on loopback, C for an
	// unexpected listener; the audit's range is just these, so nothing
	// else on the machine gets in.
	a, lnA, lnB := 0, net.Listener(nil), net.Listener(nil)
	for range 50 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		if p+2 > registry.MaxPort {
			ln.Close()
			continue
		}
		lb, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(p+1))
		if err != nil {
			ln.Close()
			continue
		}
		a, lnA, lnB = p, ln, lb
		break
	}
	if lnA == nil {
		t.Skip("no two consecutive free ports")
	}
	t.Cleanup(func() { lnA.Close(); lnB.Close() })
	b, c := a+1, a+2
	reopen := func(addr string, port int) net.Listener {
		ln, err := net.Listen("tcp4", addr+":"+strconv.Itoa(port))
		if err != nil {
			t.Fatalf("reopen %s:%d: %v", addr, port, err)
		}
		t.Cleanup(func() { ln.Close() })
		return ln
	}
	reg := testRegistry(t, time.Now().Format(time.DateOnly))
	file := filepath.Join(t.TempDir(), "expected.toml")
	body := fmt.Sprintf("version = 1\n\n[[listener]]\nproto = \"tcp\"\nport = %d\nscope = \"loopback\"\n\n[[listener]]\nproto = \"tcp\"\nport = %d\nscope = \"loopback\"\n", a, b)
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	rng := strconv.Itoa(a) + "-" + strconv.Itoa(c)
	audit := func(args ...string) (string, int) {
		out, errOut, code := runCLI(t, append([]string{"--registry", reg, "audit", "--expect", file, "--range", rng}, args...)...)
		for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
			if l != "" && !strings.HasPrefix(l, "portui: warning: ") { // the machine's scan warnings may come
				t.Errorf("stderr: %q", l)
			}
		}
		return out, code
	}
	if out, code := audit(); code != 0 || out != "as expected: 2 listeners match "+file+"\n" {
		t.Fatalf("as saved: exit %d\n%s", code, out)
	}

	// Missing: close A.
	lnA.Close()
	out, code := audit()
	if code != 1 || !regexpLine(out, fmt.Sprintf(`^  %d/tcp: expected on loopback only \(expected\.toml:\d+\), nothing listens$`, a)) || !strings.HasSuffix(out, "drift: 1 missing\n") {
		t.Errorf("missing: exit %d\n%s", code, out)
	}
	if _, code := audit("--fail-on", "unexpected-listener"); code != 0 {
		t.Errorf("missing with --fail-on unexpected-listener: exit %d", code)
	}
	lnA = reopen("127.0.0.1", a)

	// Unexpected: C, which no entry has.
	if ln, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(c)); err == nil {
		out, code := audit()
		ln.Close()
		if code != 1 || !strings.Contains(out, fmt.Sprintf("%d/tcp on 127.0.0.1:%d: not expected: no entry in %s allows it, held by ", c, c, file)) ||
			!strings.HasSuffix(out, "drift: 1 unexpected listener\n") {
			t.Errorf("unexpected: exit %d\n%s", code, out)
		}
	}

	// Widened: B moves from loopback to 0.0.0.0.
	lnB.Close()
	lnW := reopen("0.0.0.0", b)
	out, code = audit()
	lnW.Close()
	if code != 1 || !regexpLine(out, fmt.Sprintf(`^  %d/tcp on 0\.0\.0\.0:%d: expected on loopback only \(expected\.toml:\d+\), now on all addresses, held by `, b, b)) ||
		!strings.HasSuffix(out, "drift: 1 scope widened\n") {
		t.Errorf("widened: exit %d\n%s", code, out)
	}
	lnB = reopen("127.0.0.1", b)
	if out, code := audit(); code != 0 {
		t.Errorf("back as saved: exit %d\n%s", code, out)
	}
}

// TestAuditBadExpectFile: a bad file is one line path:line, exit 2.
// Needs the expect branch.
func TestAuditBadExpectFile(t *testing.T) {
	expectImplemented(t)
	file := filepath.Join(t.TempDir(), "expected.toml")
	if err := os.WriteFile(file, []byte("[[listener]]\nproto = \"tcp\"\nport = 70000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "audit", "--expect", file)
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, file+":3: ") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}

// TestLookupPractice: lookup 323 shows chronyd's de-facto use beside
// IANA's status for udp, with its source, and the JSON keeps it apart
// from IANA's records.
func TestLookupPractice(t *testing.T) {
	out, _, code := runCLI(t, "lookup", "323")
	if code != 0 || !strings.Contains(out, "  323/udp  IANA: reserved · commonly: chronyd command port (chronyd(8))\n") {
		t.Errorf("lookup 323: exit %d\n%s", code, out)
	}
	out, _, _ = runCLI(t, "lookup", "323", "--json")
	var doc struct {
		Ports []struct {
			Records  []struct{ Service string }
			Practice []struct{ Proto, Use, Source, Version, IANA string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Ports) != 1 || len(doc.Ports[0].Practice) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	u := doc.Ports[0].Practice[0]
	if u.Proto != "udp" || u.Use != "chronyd command port" || u.Source != "chronyd(8)" || u.Version == "" || u.IANA != "reserved" {
		t.Errorf("practice: %+v", u)
	}
	for _, r := range doc.Ports[0].Records {
		if strings.Contains(r.Service, "chrony") {
			t.Errorf("a practice use among IANA's records: %+v", r)
		}
	}
	if out, _, _ := runCLI(t, "lookup", "323", "--proto", "tcp"); strings.Contains(out, "chronyd") {
		t.Errorf("lookup 323 --proto tcp shows chronyd's udp use:\n%s", out)
	}
}
