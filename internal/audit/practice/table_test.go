package practice_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/registry"
)

// TestTableNotIANA: the table never repeats what IANA's registry says
// already. For each use, the port is either not assigned for its
// transport, or assigned to a service whose name is none of the use's
// daemons nor a word of what it is; and each use names its source.
func TestTableNotIANA(t *testing.T) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	all := practice.All()
	if len(all) < 5 {
		t.Fatalf("%d uses: the table is gone", len(all))
	}
	for _, u := range all {
		name := u.What
		if u.Source == "" || !(strings.HasPrefix(u.Source, "https://") || strings.HasSuffix(u.Source, ")")) {
			t.Errorf("%d/%s %s: source %q is neither a URL nor a man page", u.Port, u.Proto, name, u.Source)
		}
		if u.Proto != "tcp" && u.Proto != "udp" || u.Port < 1 || u.Port > registry.MaxPort || u.What == "" || len(u.Daemons) == 0 {
			t.Errorf("bad use %+v", u)
		}
		view, _ := registry.ViewOf(u.Proto)
		if reg.Status(u.Port, view) != registry.Assigned {
			continue
		}
		svc := strings.ToLower(audit.ServiceName(reg, u.Port, u.Proto))
		words := strings.Fields(strings.ToLower(u.What))
		for _, d := range u.Daemons {
			words = append(words, strings.ToLower(d), strings.TrimSuffix(strings.ToLower(d), "d"))
		}
		if svc == "" || slices.Contains(words, svc) {
			t.Errorf("%d/%s %s: IANA assigns it as %q already: no entry needed", u.Port, u.Proto, name, svc)
		}
	}
	if _, err := time.Parse(time.DateOnly, practice.Version); err != nil {
		t.Errorf("Version %q is not a date: %v", practice.Version, err)
	}
}

func TestAtExplains(t *testing.T) {
	if us := practice.At(323, "udp"); len(us) != 1 || us[0].What != "chronyd command port" || us[0].Source != "chronyd(8)" {
		t.Errorf("At(323, udp) = %+v", us)
	}
	if us := practice.At(323, "tcp"); len(us) != 0 {
		t.Errorf("At(323, tcp) = %+v: 323/tcp is IANA's rpki-rtr, not chronyd's", us)
	}
	if us := practice.At(9090, "tcp"); len(us) != 2 {
		t.Errorf("At(9090, tcp) = %+v, want cockpit and prometheus", us)
	}
	for _, tt := range []struct {
		port  int
		proto string
		procs []string
		want  string
	}{
		{323, "udp", []string{"chronyd"}, "chronyd command port"},
		{323, "udp", []string{"python3"}, ""},
		{323, "udp", nil, ""},
		{323, "tcp", []string{"chronyd"}, ""},
		{9100, "tcp", []string{"prometheus-node"}, "Prometheus node_exporter"}, // comm cut at 15 bytes
		{9100, "tcp", []string{"prometheus-nod"}, ""},                          // not a cut name: a different program
		{9090, "tcp", []string{"sh", "prometheus"}, "Prometheus server"},
		{9090, "tcp", []string{"cockpit-tls"}, "Cockpit web console"},
		{326, "tcp", []string{"chronyd"}, ""},
	} {
		u, ok := practice.Explains(tt.port, tt.proto, tt.procs)
		if ok != (tt.want != "") || u.What != tt.want {
			t.Errorf("Explains(%d, %s, %v) = %+v, %v; want %q", tt.port, tt.proto, tt.procs, u, ok, tt.want)
		}
	}
}

// TestKnownIsAtNotEmpty: Known answers what At would, every port of
// both transports (and a case that is not lower).
func TestKnownIsAtNotEmpty(t *testing.T) {
	for port := 0; port <= 65535; port++ {
		for _, proto := range []string{"tcp", "udp", "UDP"} {
			if got, want := practice.Known(port, proto), len(practice.At(port, proto)) > 0; got != want {
				t.Fatalf("Known(%d, %s) = %v, At has %d uses", port, proto, got, len(practice.At(port, proto)))
			}
		}
	}
	if !practice.Known(323, "udp") {
		t.Fatal("323/udp (chronyd) not known: the table changed, fix the test")
	}
}
