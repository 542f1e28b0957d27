package prom

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

func listener(proto, addr string, port uint16, procs ...string) audit.Listener {
	a := netip.MustParseAddr(addr)
	l := scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 0, User: "root"}
	for i, p := range procs {
		l.Procs = append(l.Procs, scan.Process{PID: 100 + i, Name: p})
	}
	return audit.Listener{Listener: l, Service: "http", Status: registry.Assigned}
}

// parse reads text with Prometheus' own parser, as node_exporter does.
func parse(t testing.TB, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("expfmt rejects the output: %v\n%s", err, text)
	}
	return fams
}

func render(t testing.TB, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, Build(in)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

func TestBuildSeries(t *testing.T) {
	in := Input{
		Listeners: []audit.Listener{
			listener("tcp", "0.0.0.0", 80, "nginx", "nginx"),
			listener("tcp", "0.0.0.0", 80, "nginx"), // SO_REUSEPORT: same labels
			listener("tcp", "::", 80, "nginx"),
			listener("udp", "127.0.0.1", 323, "chronyd"),
		},
		Findings: []audit.Found{
			{Finding: audit.Finding{Kind: audit.PrivateUse, Proto: "udp", Port: 323, Address: "127.0.0.1"}},
			{Finding: audit.Finding{Kind: audit.MissingListener, Proto: "tcp", Port: 22, Address: ""}},
		},
		Kinds:           []audit.Kind{audit.PrivateUse, audit.UnexpectedListener, audit.MissingListener},
		RegistryUpdated: "2026-08-17",
		ScanDuration:    1500 * time.Millisecond,
		ScanWarnings:    2,
	}
	in.Findings[0].Listener = &in.Listeners[3]
	text := render(t, in)
	fams := parse(t, text)

	for name, f := range fams {
		if f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
			t.Errorf("%s: type %v, help %q", name, f.GetType(), f.GetHelp())
		}
		for _, m := range f.GetMetric() {
			if m.TimestampMs != nil {
				t.Errorf("%s has a timestamp", name)
			}
			if _, ok := labels(m)["pid"]; ok {
				t.Errorf("%s has a pid label", name)
			}
		}
	}
	info := fams["portui_listener_info"].GetMetric()
	if len(info) != 3 {
		t.Fatalf("want 3 listener series (two identical sockets are one), got %d:\n%s", len(info), text)
	}
	l0 := labels(info[0])
	want := map[string]string{"proto": "tcp", "address": "0.0.0.0", "port": "80", "scope": "all", "iana_service": "http",
		"iana_status": "assigned", "process": "nginx", "user": "root", "unit": "", "container": "", "expected": "unknown"}
	for k, v := range want {
		if l0[k] != v {
			t.Errorf("listener_info %s = %q, want %q", k, l0[k], v)
		}
	}
	if got := fams["portui_listener_sockets"].GetMetric()[0].GetGauge().GetValue(); got != 2 {
		t.Errorf("sockets of 0.0.0.0:80 = %v, want 2", got)
	}
	counts := map[string]float64{}
	for _, m := range fams["portui_audit_findings"].GetMetric() {
		counts[labels(m)["kind"]] = m.GetGauge().GetValue()
	}
	if counts["private-use"] != 1 || counts["missing-listener"] != 1 || len(counts) != 3 {
		t.Errorf("findings per kind = %v", counts)
	}
	if v, ok := counts["unexpected-listener"]; !ok || v != 0 {
		t.Errorf("a kind without findings must be 0, not absent: %v", counts)
	}
	fi := fams["portui_audit_finding_info"].GetMetric()
	if len(fi) != 2 || labels(fi[1])["process"] != "chronyd" || labels(fi[1])["port"] != "323" {
		t.Errorf("finding_info: %v", fi)
	}
	if v := fams["portui_registry_updated_timestamp_seconds"].GetMetric()[0].GetGauge().GetValue(); v != float64(time.Date(2026, 8, 17, 0, 0, 0, 0, time.UTC).Unix()) {
		t.Errorf("registry timestamp %v", v)
	}
	if !strings.Contains(text, "portui_registry_updated_timestamp_seconds 1786924800\n") {
		t.Errorf("timestamp not written as an integer:\n%s", text)
	}
	if v := fams["portui_scan_duration_seconds"].GetMetric()[0].GetGauge().GetValue(); v != 1.5 {
		t.Errorf("scan duration %v", v)
	}
	if v := fams["portui_scan_errors"].GetMetric()[0].GetGauge().GetValue(); v != 2 {
		t.Errorf("scan errors %v", v)
	}
	if v := fams["portui_expectations_loaded"].GetMetric()[0].GetGauge().GetValue(); v != 0 {
		t.Errorf("expectations loaded %v without a file", v)
	}
	// The same input gives the same text.
	if again := render(t, in); again != text {
		t.Error("output not deterministic")
	}
}

func TestBuildExpected(t *testing.T) {
	f := &expect.File{Path: "x.toml", Entries: []expect.Entry{{Line: 1, Proto: "tcp", Lo: 80, Hi: 80, Process: "nginx"}}}
	l := listener("tcp", "0.0.0.0", 80, "nginx")
	v := ListenerLabels(l, f)
	got := v[slices.Index(listenerLabels, "expected")]
	// The verdict is the expect seam's: whatever it says, the label is
	// "true" exactly when it says Matched.
	want := "false"
	if f.Match(l.Listener).Verdict == expect.Matched {
		want = "true"
	}
	if got != want {
		t.Errorf("expected = %q, want %q", got, want)
	}
	fams := parse(t, render(t, Input{Listeners: []audit.Listener{l}, Expect: f}))
	if v := fams["portui_expectations_entries"].GetMetric()[0].GetGauge().GetValue(); v != 1 {
		t.Errorf("entries %v", v)
	}
	if v := fams["portui_expectations_loaded"].GetMetric()[0].GetGauge().GetValue(); v != 1 {
		t.Errorf("loaded %v", v)
	}
}

func TestEmptyScanIsValid(t *testing.T) {
	fams := parse(t, render(t, Input{Kinds: audit.Kinds}))
	if len(fams["portui_audit_findings"].GetMetric()) != len(audit.Kinds) {
		t.Errorf("every kind needs a series")
	}
}

// checkRoundTrip: whatever the label values, the output parses and gives
// back the values (valid UTF-8 as they are, invalid bytes as U+FFFD).
func checkRoundTrip(t testing.TB, proc, user, unit string) {
	l := listener("tcp", "127.0.0.1", 8080, proc)
	l.User, l.Unit, l.UID = user, unit, -1
	l.Container = &scan.Container{Name: proc + unit}
	text := render(t, Input{Listeners: []audit.Listener{l},
		Findings: []audit.Found{{Finding: audit.Finding{Kind: audit.Kind(unit), Proto: "tcp", Port: 8080, Address: "127.0.0.1"}, Listener: &l}}})
	fams := parse(t, text)
	info := fams["portui_listener_info"].GetMetric()
	if len(info) != 1 {
		t.Fatalf("listener series: %d\n%s", len(info), text)
	}
	got := labels(info[0])
	for k, v := range map[string]string{"process": proc, "user": user, "unit": unit, "container": proc + unit} {
		if w := strings.ToValidUTF8(v, "\uFFFD"); got[k] != w {
			t.Errorf("%s: %q came back as %q", k, w, got[k])
		}
	}
	if k := labels(fams["portui_audit_finding_info"].GetMetric()[0])["kind"]; !utf8.ValidString(k) {
		t.Errorf("kind %q", k)
	}
}

func TestHostileLabelValues(t *testing.T) {
	for _, s := range []string{``, `"`, `\`, `\"`, "a\nb", "}", `x="y"`, "# HELP", "\xff\xfe", "тест", "a\\nb", "\\", "\r\t\x00"} {
		checkRoundTrip(t, s, s, s)
	}
}

func FuzzLabelValues(f *testing.F) {
	for _, s := range []string{"nginx", `"`, `\`, "a\nb", "\xff", "}{", `a\"b`, "\x00"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, proc, user, unit string) {
		checkRoundTrip(t, proc, user, unit)
	})
}
