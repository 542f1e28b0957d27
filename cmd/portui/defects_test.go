package main

import (
	"encoding/json"
	"io"
	"net"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/scan"
)

// #14: udp/323 is reserved; rpki-rtr is registered on 323 for tcp only.
// Every output takes the service registered for the listener's own
// transport.
func TestServiceIsTheListenersOwnTransport(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{
		fakeListener("udp", "127.0.0.1", 323, 20, "python3"), // not chronyd: its use of 323/udp explains it (TestAuditPractice)
		fakeListener("tcp", "127.0.0.1", 323, 21, "rtrd"),
	}})
	res := listenersJSON(t, "--port", "323")
	if len(res.Listeners) != 2 {
		t.Fatalf("%+v", res.Listeners)
	}
	for _, l := range res.Listeners {
		switch l.Proto {
		case "udp":
			if l.Service != "" || l.Status != "reserved" || !l.Private {
				t.Errorf("udp/323: service %q status %q private %v, want none, reserved, true", l.Service, l.Status, l.Private)
			}
		case "tcp":
			if l.Service != "rpki-rtr" || l.Status != "assigned" || l.Private {
				t.Errorf("tcp/323: service %q status %q private %v", l.Service, l.Status, l.Private)
			}
		}
	}
	out, _, _ := runCLI(t, "listeners", "--port", "323", "--proto", "udp")
	if strings.Contains(out, "rpki-rtr") || !regexpLine(out, `^udp +127\.0\.0\.1:323 +- +reserved `) ||
		!strings.Contains(out, "1 listener(s) on ports IANA has not assigned for their transport: private use") {
		t.Errorf("udp/323 row:\n%s", out)
	}
	out, _, _ = runCLI(t, "audit", "--range", "323-323", "--json")
	var a struct {
		Groups []struct {
			Proto, Service string
			Listeners      []struct{ Service string }
		}
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Groups) != 1 || len(a.Groups[0].Listeners) != 1 {
		t.Fatalf("%v %s", err, out)
	}
	if f := a.Groups[0]; f.Proto != "udp" || f.Service != "" || f.Listeners[0].Service != "" {
		t.Errorf("audit finding for udp/323: %+v", f)
	}
}

// #15: --port 0 selects port 0, where nothing can listen; it used to list
// every listener. Checked with real sockets of this process.
func TestListenersPortZeroSelectsPortZero(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if res := listenersJSON(t); !hasPort(res, port) {
		t.Fatalf("without --port our listener on %d is missing", port)
	}
	for _, arg := range []string{"0", "0-0"} {
		res := listenersJSON(t, "--port", arg)
		if len(res.Listeners) != 0 {
			t.Errorf("--port %s lists %d listeners (e.g. port %d)", arg, len(res.Listeners), res.Listeners[0].Port)
		}
	}
	out, _, code := runCLI(t, "listeners", "--port", "0")
	if code != 0 || out != "No listeners on port 0.\n" {
		t.Errorf("--port 0: exit %d %q", code, out)
	}
	// A range from 0 still reaches the ports above 0.
	if res := listenersJSON(t, "--port", "0-"+strconv.Itoa(port)); !hasPort(res, port) {
		t.Errorf("--port 0-%d misses %d", port, port)
	}
}

func hasPort(res listenersOut, port int) bool {
	for _, l := range res.Listeners {
		if l.Port == port {
			return true
		}
	}
	return false
}

// #18: nothing on the port asked for is exit 0, says so, and the JSON
// still has its list — empty, not missing.
func TestListenersNothingThere(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{fakeListener("tcp", "127.0.0.1", 22, 1, "sshd")}})
	out, errOut, code := runCLI(t, "listeners", "--port", "5", "--proto", "udp")
	if code != 0 || out != "No listeners on port 5 (udp).\n" || errOut != "" {
		t.Errorf("exit %d %q %q", code, out, errOut)
	}
	out, _, code = runCLI(t, "listeners", "--port", "5", "--json")
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil || code != 0 {
		t.Fatalf("%v exit %d", err, code)
	}
	if string(raw["listeners"]) != "[]" {
		t.Errorf(`"listeners" is %q, want []`, raw["listeners"])
	}
	help, _, _ := runCLI(t, "listeners", "--help")
	if !strings.Contains(help, "exit status is still 0") || !strings.Contains(help, "empty list") {
		t.Errorf("--help does not say what nothing listening gives:\n%s", help)
	}
}

// #13: a socket bound to one device is shown as ss shows it (the address
// says its scope; the JSON names it), and the audit does not call it
// bound to all addresses.
func TestInterfaceBoundListener(t *testing.T) {
	l := fakeListener("tcp", "0.0.0.0", 444, 30, "snppd")
	l.Iface, l.Scope = "v0", scan.ScopeInterface
	l6 := fakeListener("tcp", "::", 446, 31, "ddm")
	l6.Iface, l6.Scope = "v0", scan.ScopeInterface
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{l, l6}})
	out, _, _ := runCLI(t, "listeners")
	if !regexpLine(out, `^tcp +0\.0\.0\.0%v0:444 +snpp `) || !regexpLine(out, `^tcp +\[::\]%v0:446 +ddm-rdb `) {
		t.Errorf("table:\n%s", out)
	}
	res := listenersJSON(t)
	var iface []string
	for _, l := range res.Listeners {
		iface = append(iface, l.Address+"%"+l.Interface+" "+l.Scope)
	}
	if strings.Join(iface, ",") != "0.0.0.0%v0 interface,::%v0 interface" {
		t.Errorf("JSON: %v", iface)
	}
	out, _, _ = runCLI(t, "audit")
	if strings.Contains(out, "all addresses") && strings.Contains(out, "444") {
		t.Errorf("audit calls an interface-bound socket bound to all addresses:\n%s", out)
	}
}

// #17: the 127.0.0.1 and ::1 sockets of one process are one finding (one
// group, issue 9) naming both addresses.
func TestAuditNamesEachAddress(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{
		fakeListener("tcp", "127.0.0.1", 326, 40, "python3"),
		fakeListener("tcp", "::1", 326, 40, "python3"),
	}})
	out, _, code := runCLI(t, "audit")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "python3 (pid 40)") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "326/tcp on 127.0.0.1:326 and [::1]:326: ") {
		t.Errorf("findings: %q", lines)
	}
}

// #20: search on the explorer's ranking; lookup points to it.
func TestSearch(t *testing.T) {
	out, errOut, code := runCLI(t, "search", "kerb")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d %q", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if !regexpLine(lines[0], `^ PORT +SERVICE +STATUS +MATCH +DESCRIPTION$`) || !regexpLine(lines[1], `^ +88 +kerberos +assigned +name +Kerberos$`) {
		t.Errorf("search kerb:\n%s", out)
	}
	// Words as one argument or as several are the same query.
	for _, args := range [][]string{{"search", "http", "alt"}} {
		out, _, _ = runCLI(t, append(args, "--json")...)
		var res struct {
			Schema  string
			Query   string
			Total   int
			Matches []struct {
				Port    int
				Service string
				Match   string
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if res.Schema != "portui.search/v1" || res.Query != "http alt" || len(res.Matches) == 0 || res.Matches[0].Service != "http-alt" {
			t.Errorf("%v: %+v", args, res)
		}
	}
	out, _, _ = runCLI(t, "search", "kerb", "--limit", "2")
	if !strings.Contains(out, "more: --limit 0 lists all") || strings.Count(out, "\n") != 4 {
		t.Errorf("--limit 2:\n%s", out)
	}
	out, _, code = runCLI(t, "search", "zzqqxx", "--json")
	if code != 0 || !strings.Contains(out, `"matches": []`) {
		t.Errorf("no match: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{{"search"}, {"search", " "}, {"search", "x", "--limit", "-1"}} {
		if _, errOut, code := runCLI(t, bad...); code != 2 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d %q", bad, code, errOut)
		}
	}
	_, errOut, code = runCLI(t, "lookup", "kerb")
	if code != 2 || !strings.Contains(errOut, "did you mean kerberos") || !strings.Contains(errOut, "portui search kerb") {
		t.Errorf("lookup kerb: %q", errOut)
	}
	_, errOut, code = runCLI(t, "lookup", "http alt")
	if code != 2 || !strings.Contains(errOut, "portui search 'http alt'") {
		t.Errorf("lookup 'http alt': %q", errOut)
	}
}

// #22: help read from a pipe has no trailing spaces, its Long texts are
// paragraphs (not hard-wrapped lines), and the man page has a proper
// header and keeps each paragraph one paragraph.
func TestHelpAndMan(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"listeners", "--help"}, {"registry", "update", "--help"}, {"help", "audit"}} {
		out, _, code := runCLI(t, args...)
		if code != 0 || out == "" {
			t.Fatalf("%q: exit %d", args, code)
		}
		for i, l := range strings.Split(out, "\n") {
			if strings.HasSuffix(l, " ") {
				t.Errorf("%q line %d ends in spaces: %q", args, i+1, l)
			}
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%q: escape sequences on a pipe", args)
		}
	}
	out, _, _ := runCLI(t, "--help")
	if !strings.Contains(out, "grid coloured by IANA assignment status, with the processes listening") {
		t.Errorf("root Long still hard-wrapped:\n%s", out)
	}
	man, _, code := runCLI(t, "man")
	if code != 0 {
		t.Fatalf("man: exit %d", code)
	}
	head, _, _ := strings.Cut(man, "\n")
	if !regexpLine(head, `^\.TH "PORTUI" 1 "\d{4}-\d\d-\d\d" "portui" "User Commands"$`) {
		t.Errorf("man header %q", head)
	}
	if strings.Contains(man, "with the\n.PP\nprocesses") || strings.Contains(man, "\\fB--port\\fP\nselect this port at start (its block is shown)\n.TP\n.TP") {
		t.Errorf("man splits a paragraph:\n%s", man[:min(len(man), 1500)])
	}
	for _, want := range []string{".SH EXIT STATUS", ".SH EXAMPLES", "portui search kerb", "search"} {
		if !strings.Contains(man, want) {
			t.Errorf("man lacks %q", want)
		}
	}
}

// #23: the version comes from the build info: module version, else the
// VCS revision and time, marked when the tree was modified.
func TestBuildVersion(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"go install @v1.2.0", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"checkout, go 1.24+ pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201120000-0123456789ab+dirty"},
			Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-01T12:00:00Z", "vcs.modified", "true")}, "v0.0.0-20261201120000-0123456789ab+dirty"},
		{"checkout, devel", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-01T12:00:00Z", "vcs.modified", "false")}, "devel 0123456789ab 2026-12-01T12:00:00Z"},
		{"checkout, modified", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-01T12:00:00Z", "vcs.modified", "true")}, "devel 0123456789ab 2026-12-01T12:00:00Z (modified)"},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.7", Main: debug.Module{Version: "(devel)"}}, "devel (built from source without VCS information; go1.26.7)"},
	} {
		if got := buildVersion(tt.info, true); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := buildVersion(nil, false); !strings.HasPrefix(got, "unknown") {
		t.Errorf("no build info: %q", got)
	}
	out, _, _ := runCLI(t, "--version")
	if strings.Contains(out, "(devel)") && !strings.Contains(out, "devel ") {
		t.Errorf("--version: %q", out)
	}
}

func regexpLine(s, re string) bool {
	for _, l := range strings.Split(ansi.Strip(s), "\n") {
		if regexp.MustCompile(re).MatchString(l) {
			return true
		}
	}
	return false
}

// TestLongTextsAreParagraphs: every command's Long text is paragraphs of
// one line each, separated by a blank line: fang and the man page reflow
// a paragraph to the width at hand, and a hard line break inside one
// would show as a short line.
func TestLongTextsAreParagraphs(t *testing.T) {
	a := newApp(strings.NewReader(""), io.Discard, io.Discard)
	root := a.rootCmd()
	root.AddCommand(a.searchCmd(), a.manCmd())
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, p := range strings.Split(c.Long, "\n\n") {
			if strings.Contains(p, "\n") || p != strings.TrimSpace(p) {
				t.Errorf("%s: Long has a line break or space at the edge of a paragraph: %q", c.CommandPath(), p)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
