package audit_test

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

func listener(proto, addr string, port uint16, procs ...string) scan.Listener {
	a := netip.MustParseAddr(addr)
	l := scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 0, User: "root"}
	for i, name := range procs {
		l.Procs = append(l.Procs, scan.Process{PID: 100 + i, Name: name})
	}
	if len(procs) == 0 {
		l.Hidden = "owner root (uid 0) · process hidden"
	}
	return l
}

func TestListenerFindings(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		l    scan.Listener
		want []audit.Kind
	}{
		{listener("tcp", "127.0.0.1", 22, "sshd"), nil},
		{listener("tcp", "0.0.0.0", 22, "sshd"), []audit.Kind{audit.ExposedSystemPort}},
		{listener("tcp", "::", 22, "python3"), []audit.Kind{audit.ExposedSystemPort, audit.UnexpectedService}},
		{listener("tcp", "127.0.0.1", 22), nil}, // hidden process: cannot judge the service
		{listener("tcp", "127.0.0.1", 326, "python3"), []audit.Kind{audit.PrivateUse}},
		{listener("udp", "127.0.0.1", 143, "x"), []audit.Kind{audit.PrivateUse}}, // 143/udp reserved
		{listener("tcp", "127.0.0.1", 143, "dovecot"), nil},
		{listener("tcp", "127.0.0.1", 24, "x"), []audit.Kind{audit.PrivateUse}}, // "other"
		{listener("tcp", "10.0.0.1", 80, "nginx", "nginx"), nil},
		{listener("tcp", "10.0.0.1", 80, "gunicorn"), []audit.Kind{audit.UnexpectedService}},
		{listener("tcp", "0.0.0.0", 8080, "java"), nil}, // user port, assigned, not judged
		{listener("tcp", "0.0.0.0", 50000, "java"), []audit.Kind{audit.PrivateUse}},
	}
	for _, tt := range tests {
		got := audit.Check(reg, scan.Snapshot{Listeners: []scan.Listener{tt.l}}, 0, registry.MaxPort)
		var kinds []audit.Kind
		for _, f := range got {
			kinds = append(kinds, f.Kind)
			if f.Message == "" || strings.Contains(f.Message, "\n") {
				t.Errorf("%v: bad message %q", tt.l.Key(), f.Message)
			}
		}
		if strings.Join(kindStrings(kinds), ",") != strings.Join(kindStrings(tt.want), ",") {
			t.Errorf("%s %v: findings %v, want %v", tt.l.Key(), tt.l.Procs, kinds, tt.want)
		}
	}
}

func kindStrings(ks []audit.Kind) []string {
	var out []string
	for _, k := range ks {
		out = append(out, string(k))
	}
	return out
}

func TestInterfaceBoundIsNotAllAddresses(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	l := listener("tcp", "0.0.0.0", 444, "python3")
	l.Iface, l.Scope = "v0", scan.ScopeInterface
	got := audit.Check(reg, scan.Snapshot{Listeners: []scan.Listener{l}}, 0, 1023)
	if len(got) != 0 {
		t.Errorf("0.0.0.0%%v0:444 judged as %+v", got)
	}
	l.Iface, l.Scope = "", scan.ScopeAll
	got = audit.Check(reg, scan.Snapshot{Listeners: []scan.Listener{l}}, 0, 1023)
	if len(got) != 1 || got[0].Kind != audit.ExposedSystemPort {
		t.Errorf("0.0.0.0:444: %+v", got)
	}
}

// The service shown for a listener is the one registered for its own
// transport: 323/udp is reserved, 323/tcp is rpki-rtr.
func TestServiceIsForTheListenersTransport(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		proto   string
		port    uint16
		service string
		status  registry.Status
	}{
		{"udp", 323, "", registry.Reserved},
		{"tcp", 323, "rpki-rtr", registry.Assigned},
		{"tcp", 22, "ssh", registry.Assigned},
		{"udp", 53, "domain", registry.Assigned},
		{"tcp", 326, "", registry.Unassigned},
	} {
		a := audit.AnnotateOne(reg, listener(tc.proto, "127.0.0.1", tc.port, "chronyd"))
		if a.Service != tc.service || a.Status != tc.status || a.PrivateUse != (tc.status != registry.Assigned) {
			t.Errorf("%d/%s: service %q status %v private %v, want %q %v", tc.port, tc.proto, a.Service, a.Status, a.PrivateUse, tc.service, tc.status)
		}
		for _, f := range a.Findings {
			if f.Service != tc.service {
				t.Errorf("%d/%s finding names service %q", tc.port, tc.proto, f.Service)
			}
		}
	}
}

// Two sockets of one process (v4 and v6) give two findings that say which
// address each is about.
func TestMessagesNameTheirAddress(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	snap := scan.Snapshot{Listeners: []scan.Listener{
		listener("tcp", "127.0.0.1", 326, "python3"),
		listener("tcp", "::1", 326, "python3"),
	}}
	got := audit.Check(reg, snap, 0, 1023)
	if len(got) != 2 {
		t.Fatalf("%d findings", len(got))
	}
	if got[0].Message == got[1].Message {
		t.Errorf("identical messages: %q", got[0].Message)
	}
	for i, want := range []string{"127.0.0.1:326", "[::1]:326"} {
		if !strings.Contains(got[i].Message, want) {
			t.Errorf("message %q does not name %s", got[i].Message, want)
		}
	}
}

func TestRulesTable(t *testing.T) {
	seen := map[audit.Kind]bool{}
	for _, r := range audit.Rules {
		if r.Kind == "" || r.Title == "" || r.Check == nil && r.CheckEntry == nil || seen[r.Kind] {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.Kind] = true
		if got, ok := audit.RuleOf(r.Kind); !ok || got.Title != r.Title {
			t.Errorf("RuleOf(%s)", r.Kind)
		}
	}
	if len(audit.Kinds) != len(audit.Rules) {
		t.Errorf("Kinds %v", audit.Kinds)
	}
}

// TestFindingsCarryTheirListener: Findings groups by kind in Rules order,
// listeners in order within a kind, keeps to the range, and hands each
// finding with the annotated listener it is about (a pointer into the
// slice given, whose own findings hold it).
func TestFindingsCarryTheirListener(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	ls := audit.Annotate(reg, scan.Snapshot{Listeners: []scan.Listener{
		listener("tcp", "::", 22, "python3"),         // exposed, unexpected service
		listener("tcp", "127.0.0.1", 326, "python3"), // private use
		listener("tcp", "0.0.0.0", 50000, "java"),    // private use, out of range
		listener("tcp", "0.0.0.0", 23, "python3"),    // exposed (telnet: unexpected service)
	}})
	got := audit.Findings(ls, 0, 1023)
	want := []struct {
		kind audit.Kind
		l    int
	}{
		{audit.PrivateUse, 1}, {audit.ExposedSystemPort, 0}, {audit.ExposedSystemPort, 3},
		{audit.UnexpectedService, 0}, {audit.UnexpectedService, 3},
	}
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		f := got[i]
		if f.Kind != w.kind || f.Listener != &ls[w.l] {
			t.Errorf("finding %d: %s about %p, want %s about listener %d (%p)", i, f.Kind, f.Listener, w.kind, w.l, &ls[w.l])
			continue
		}
		if f.Finding.Listener.Key() != f.Listener.Key() || !slices.ContainsFunc(f.Listener.Findings, func(g audit.Finding) bool { return g.Kind == f.Kind && g.Message == f.Message }) {
			t.Errorf("finding %d (%s) is not one of its listener's: %+v", i, f.Message, f.Listener.Findings)
		}
	}
	check := audit.Check(reg, scan.Snapshot{Listeners: []scan.Listener{ls[0].Listener, ls[1].Listener, ls[2].Listener, ls[3].Listener}}, 0, 1023)
	if len(check) != len(got) {
		t.Fatalf("Check: %d findings, Findings %d", len(check), len(got))
	}
	for i := range got {
		if check[i].Message != got[i].Message {
			t.Fatalf("Check differs from Findings at %d: %+v", i, check)
		}
	}
}

// TestDescribeIsAnnotateWithoutFindings: Describe sets what Annotate sets
// of each listener (service, status, private use, de-facto use) and no
// finding, in the same order; the listing relies on it.
func TestDescribeIsAnnotateWithoutFindings(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	inPod := listener("tcp", "0.0.0.0", 80, "httpd")
	inPod.NetNS, inPod.Container = scan.NetNS{Inode: 4026532301, PID: 4242}, &scan.Container{Runtime: "podman", ID: strings.Repeat("a1", 32), Name: "web1"}
	snap := scan.Snapshot{Listeners: []scan.Listener{
		listener("tcp", "0.0.0.0", 22, "sshd"),
		listener("tcp", "::", 22, "python3"),
		listener("tcp", "127.0.0.1", 22),
		listener("tcp", "127.0.0.1", 326, "python3"),
		listener("udp", "127.0.0.1", 143, "x"),
		listener("udp", "0.0.0.0", 323, "chronyd"),
		listener("tcp", "10.0.0.1", 80, "gunicorn"),
		listener("tcp", "0.0.0.0", 50000, "java"),
		inPod,
	}}
	ann, desc := audit.Annotate(reg, snap), audit.Describe(reg, snap)
	if len(desc) != len(ann) {
		t.Fatalf("Describe gave %d listeners, Annotate %d", len(desc), len(ann))
	}
	findings, practices, private, services := 0, 0, 0, 0
	for i := range ann {
		findings += len(ann[i].Findings)
		if ann[i].Practice != nil {
			practices++
		}
		if ann[i].PrivateUse {
			private++
		}
		if ann[i].Service != "" {
			services++
		}
		if desc[i].Findings != nil {
			t.Errorf("%s: Describe found %d findings, want none", snap.Listeners[i].Key(), len(desc[i].Findings))
		}
		want := ann[i]
		want.Findings = nil
		if !reflect.DeepEqual(desc[i], want) {
			t.Errorf("%s: Describe\n%+v\nwant Annotate's without findings\n%+v", snap.Listeners[i].Key(), desc[i], want)
		}
	}
	// The snapshot must exercise what Describe keeps and what it drops.
	if findings == 0 || practices == 0 || private == 0 || services == 0 {
		t.Fatalf("fixture too tame: %d findings, %d de-facto uses, %d private use, %d services", findings, practices, private, services)
	}
}
