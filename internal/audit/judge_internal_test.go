package audit

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

func testReg(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func hostListener(proto, addr string, port uint16, pid int, name string) scan.Listener {
	a := netip.MustParseAddr(addr)
	return scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), User: "root",
		Procs: []scan.Process{{PID: pid, Name: name}}}
}

// judged annotates l as Judge.one does, with the verdict m given (the
// expect package's matching is its own; these tests are about the rules
// and their words).
func judged(t *testing.T, l scan.Listener, path string, m expect.Match) Listener {
	t.Helper()
	reg := testReg(t)
	view, _ := registry.ViewOf(l.Proto)
	st := reg.Status(int(l.Port), view)
	a := Listener{Listener: l, Service: ServiceName(reg, int(l.Port), l.Proto), Status: st, PrivateUse: st.PrivateUse(),
		Expect: m, expectPath: path}
	if u, ok := practice.Explains(int(l.Port), l.Proto, holderNames(l)); ok {
		a.Practice = &u
	}
	return a
}

func TestExpectRuleMessages(t *testing.T) {
	const path = "/root/.config/portui/expected.toml"
	redis := &expect.Entry{Line: 12, Proto: "tcp", Lo: 6379, Hi: 6379, Scope: expect.ScopeLoopback, Process: "redis-server"}
	nginx := &expect.Entry{Line: 4, Proto: "tcp", Lo: 443, Hi: 443, Scope: expect.ScopeAll, Process: "nginx"}
	tests := []struct {
		name  string
		l     scan.Listener
		m     expect.Match
		check func(*Listener) string
		want  string
	}{
		{"widened", hostListener("tcp", "0.0.0.0", 6379, 9, "redis-server"), expect.Match{Verdict: expect.Widened, Entry: redis}, checkWidened,
			"6379/tcp on 0.0.0.0:6379: expected on loopback only (expected.toml:12), now on all addresses, held by redis-server (pid 9)"},
		{"widened to one address", hostListener("tcp", "10.0.0.5", 6379, 9, "redis-server"), expect.Match{Verdict: expect.Widened, Entry: redis}, checkWidened,
			"6379/tcp on 10.0.0.5:6379: expected on loopback only (expected.toml:12), now on 10.0.0.5, held by redis-server (pid 9)"},
		{"unexpected, closest", hostListener("tcp", "0.0.0.0", 443, 42, "python3"), expect.Match{Verdict: expect.Unexpected, Entry: nginx}, checkUnexpected,
			"443/tcp on 0.0.0.0:443: not expected; expected.toml:4 expects it from nginx on all addresses, held by python3 (pid 42) (IANA: https)"},
		{"unexpected, none", hostListener("udp", "127.0.0.1", 326, 42, "python3"), expect.Match{Verdict: expect.Unexpected}, checkUnexpected,
			"326/udp on 127.0.0.1:326: not expected: no entry in /root/.config/portui/expected.toml allows it, held by python3 (pid 42) (IANA: unassigned)"},
		{"unexpected chronyd", hostListener("udp", "127.0.0.1", 323, 7, "chronyd"), expect.Match{Verdict: expect.Unexpected}, checkUnexpected,
			"323/udp on 127.0.0.1:323: not expected: no entry in /root/.config/portui/expected.toml allows it, held by chronyd (pid 7) (IANA: reserved; commonly: chronyd command port (chronyd(8)))"},
		{"matched: not unexpected", hostListener("tcp", "0.0.0.0", 443, 1, "nginx"), expect.Match{Verdict: expect.Matched, Entry: nginx}, checkUnexpected, ""},
		{"matched: not widened", hostListener("tcp", "0.0.0.0", 443, 1, "nginx"), expect.Match{Verdict: expect.Matched, Entry: nginx}, checkWidened, ""},
		{"no file", hostListener("tcp", "0.0.0.0", 443, 1, "nginx"), expect.Match{}, checkUnexpected, ""},
	}
	for _, tt := range tests {
		a := judged(t, tt.l, path, tt.m)
		if got := tt.check(&a); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	if got, want := checkMissing(path, nginx), "443/tcp: expected from nginx on all addresses (expected.toml:4), nothing listens"; got != want {
		t.Errorf("missing:\n got %q\nwant %q", got, want)
	}
	if got, want := checkMissing(path, &expect.Entry{Line: 3, Proto: "udp", Lo: 53, Hi: 53}), "53/udp: expected (expected.toml:3), nothing listens"; got != want {
		t.Errorf("missing, anyone:\n got %q\nwant %q", got, want)
	}
	if got, want := ExpectText(path, expect.Match{Verdict: expect.Matched, Entry: nginx}), "expected.toml:4 (443/tcp from nginx on all addresses)"; got != want {
		t.Errorf("ExpectText %q, want %q", got, want)
	}
	if got := ExpectText(path, expect.Match{Verdict: expect.Unexpected}); got != "" {
		t.Errorf("ExpectText without an entry: %q", got)
	}
	e := &expect.Entry{Line: 9, Proto: "*", Lo: 8000, Hi: 8099, User: "www-data", Unit: "app*.service"}
	if got, want := EntryText(e), "8000-8099/* from user www-data, unit app*.service"; got != want {
		t.Errorf("EntryText %q, want %q", got, want)
	}
}

// TestJudgeWithFileRules: with a file only the WithFile and Always rules
// judge: a private-use port an entry matches has no finding.
func TestJudgeWithFileRules(t *testing.T) {
	for _, r := range Rules {
		if r.judges(true) && r.judges(false) != (r.Mode == Always) {
			t.Errorf("%s: mode %d", r.Kind, r.Mode)
		}
	}
	a := judged(t, hostListener("tcp", "127.0.0.1", 326, 3, "python3"), "f.toml", expect.Match{Verdict: expect.Matched, Entry: &expect.Entry{Line: 1, Proto: "tcp", Lo: 326, Hi: 326}})
	for _, r := range Rules {
		if r.Check != nil && r.judges(true) {
			if msg := r.Check(&a); msg != "" {
				t.Errorf("%s judges a matched listener: %q", r.Kind, msg)
			}
		}
	}
	if msg := checkPrivateUse(&a); msg == "" {
		t.Error("the built-in private-use rule no longer sees 326/tcp")
	}
}

// TestPracticeExplains: without a file, chronyd on 323/udp is explained
// (no private use), anything else there is private use, and chronyd's
// port bound to all addresses says what it commonly is.
func TestPracticeExplains(t *testing.T) {
	j := Judge{Reg: testReg(t)}
	if got := j.One(hostListener("udp", "127.0.0.1", 323, 7, "chronyd")); len(got.Findings) != 0 || got.Practice == nil || got.Practice.What != "chronyd command port" {
		t.Errorf("chronyd on 323/udp: %+v practice %v", got.Findings, got.Practice)
	}
	if got := j.One(hostListener("udp", "127.0.0.1", 323, 8, "python3")); len(got.Findings) != 1 || got.Findings[0].Kind != PrivateUse || got.Practice != nil {
		t.Errorf("python3 on 323/udp: %+v", got.Findings)
	}
	got := j.One(hostListener("udp", "0.0.0.0", 323, 7, "chronyd"))
	if len(got.Findings) != 1 || got.Findings[0].Kind != ExposedSystemPort ||
		!strings.HasSuffix(got.Findings[0].Message, "by chronyd (pid 7); commonly: chronyd command port (chronyd(8))") {
		t.Errorf("chronyd on 0.0.0.0:323/udp: %+v", got.Findings)
	}
}

func TestGroups(t *testing.T) {
	j := Judge{Reg: testReg(t)}
	ann := j.Annotate(scan.Snapshot{Listeners: []scan.Listener{
		hostListener("udp", "127.0.0.1", 326, 5, "python3"),
		hostListener("udp", "::1", 326, 5, "python3"),
		hostListener("udp", "10.0.0.1", 326, 5, "python3"),
		hostListener("udp", "127.0.0.1", 327, 6, "python3"), // another port
		hostListener("udp", "127.0.0.2", 326, 6, "python3"), // another process
		hostListener("tcp", "0.0.0.0", 22, 10, "sshd"),
		hostListener("tcp", "::", 22, 10, "sshd"),
	}})
	gs := Groups(All(ann, nil, 0, registry.MaxPort))
	var got []string
	for _, g := range gs {
		got = append(got, string(g.Kind)+" "+g.Owner+" "+strings.Join(g.Addresses, ",")+" | "+g.Message)
	}
	want := []string{
		"private-use python3 (pid 5) 127.0.0.1,::1,10.0.0.1 | 326/udp on 127.0.0.1:326, [::1]:326 and 10.0.0.1:326: the port is unassigned in the IANA registry, so python3 (pid 5) listening there is private use",
		"private-use python3 (pid 6) 127.0.0.1 | 327/udp on 127.0.0.1:327: the port is unassigned in the IANA registry, so python3 (pid 6) listening there is private use",
		"private-use python3 (pid 6) 127.0.0.2 | 326/udp on 127.0.0.2:326: the port is unassigned in the IANA registry, so python3 (pid 6) listening there is private use",
		"exposed-system-port sshd (pid 10) 0.0.0.0,:: | 22/tcp on 0.0.0.0:22 and [::]:22: a system port bound to all addresses by sshd (pid 10)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(gs) == 4 && (len(gs[0].Members) != 3 || gs[0].Members[1].Listener != &ann[1]) {
		t.Errorf("members of the first group: %+v", gs[0].Members)
	}
	// A missing listener names no address: each stands alone.
	e1 := &expect.Entry{Line: 1, Proto: "tcp", Lo: 80, Hi: 80}
	e2 := &expect.Entry{Line: 2, Proto: "tcp", Lo: 80, Hi: 80, Process: "nginx"}
	miss := []Found{
		{Finding: Finding{Kind: MissingListener, Port: 80, Proto: "tcp", Message: checkMissing("f", e1), Entry: e1}},
		{Finding: Finding{Kind: MissingListener, Port: 80, Proto: "tcp", Message: checkMissing("f", e2), Entry: e2}},
	}
	if gs := Groups(miss); len(gs) != 2 {
		t.Errorf("missing groups: %+v", gs)
	}
}
