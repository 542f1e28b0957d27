package audit_test

import (
	"net/netip"
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
