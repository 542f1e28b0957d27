// Package prom renders what `portui export prometheus` exports: the
// listeners of this machine and the audit's findings, in the Prometheus
// text exposition format (version 0.0.4) that node_exporter's textfile
// collector reads. Every family is a gauge with HELP and TYPE lines, no
// sample carries a timestamp (node_exporter refuses files with them), and
// identical label sets are one series (two sockets with the same labels,
// SO_REUSEPORT or one per network namespace, are one
// portui_listener_info series; portui_listener_sockets counts them).
//
// The format is written here rather than with client_golang
// (prometheus.WriteToTextfile and its registry): portui exports a dozen
// gauges once per run, which is a few lines of text, while client_golang
// would add about eight modules (protobuf, client_model, common, procfs,
// …) to the binary for it. The file is written atomically by the caller
// with store.WriteFileAtomic (temp file in the same directory, fsync,
// rename, mode 0644 so node_exporter's own user can read it). The tests
// check the output with Prometheus' own parser (expfmt) and promtool.
//
// Label values are untrusted text (process, user, unit and container
// names): the scanner neutralises control bytes where they enter, and
// Write escapes what the format requires (backslash, double quote,
// newline) and replaces invalid UTF-8, so any value gives a valid file.
// No label carries a PID or a command line: they would churn series.
package prom

import (
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
)

// Family is one metric family: a gauge with its label names and samples.
type Family struct {
	Name    string
	Help    string
	Labels  []string // label names, in output order
	Samples []Sample
}

// Sample is one series of a Family: one value per label name, and its value.
type Sample struct {
	Values []string
	Value  float64
}

// Input is what Build turns into families.
type Input struct {
	// Listeners: every listener of the scan, annotated (Service, Status).
	Listeners []audit.Listener
	// Expect is the expectations file in use, nil without one: then every
	// listener's expected label is "unknown".
	Expect *expect.File
	// Findings: the audit's findings (audit.All plus Judge.Missing).
	Findings []audit.Found
	// Kinds: every kind there is, so portui_audit_findings has a 0 for
	// each kind without findings (alerts can rely on the series).
	Kinds []audit.Kind
	// RegistryUpdated is the registry's date as IANA gives it
	// ("2026-01-31"); "" or unreadable: the series is left out.
	RegistryUpdated string
	ScanDuration    time.Duration
	ScanWarnings    int
}

// listenerLabels are portui_listener_info's labels.
var listenerLabels = []string{"proto", "address", "port", "scope", "iana_service", "iana_status", "process", "user", "unit", "container", "expected"}

// Build makes the families of in, in a fixed order, samples sorted by
// their label values (the same scan gives the same text).
func Build(in Input) []Family {
	info := Family{Name: "portui_listener_info", Labels: listenerLabels,
		Help: "A listening socket of this machine (value 1); identical label sets are one series. expected is true or false against the expectations file, unknown without one."}
	socks := Family{Name: "portui_listener_sockets", Labels: listenerLabels,
		Help: "How many sockets have the labels of portui_listener_info (SO_REUSEPORT, one per network namespace)."}
	counts := map[string]int{}
	var order [][]string
	for i := range in.Listeners {
		v := ListenerLabels(in.Listeners[i], in.Expect)
		k := key(v)
		if counts[k] == 0 {
			order = append(order, v)
		}
		counts[k]++
	}
	sortValues(order)
	for _, v := range order {
		info.Samples = append(info.Samples, Sample{Values: v, Value: 1})
		socks.Samples = append(socks.Samples, Sample{Values: v, Value: float64(counts[key(v)])})
	}

	findings := Family{Name: "portui_audit_findings", Labels: []string{"kind"},
		Help: "Audit findings of each kind (0 for a kind without any), as `portui audit` with the same expectations and --range reports them."}
	perKind := map[audit.Kind]int{}
	kinds := slices.Clone(in.Kinds)
	for _, f := range in.Findings {
		perKind[f.Kind]++
		if !slices.Contains(kinds, f.Kind) {
			kinds = append(kinds, f.Kind)
		}
	}
	slices.Sort(kinds)
	for _, k := range slices.Compact(kinds) {
		findings.Samples = append(findings.Samples, Sample{Values: []string{string(k)}, Value: float64(perKind[k])})
	}

	fi := Family{Name: "portui_audit_finding_info", Labels: []string{"kind", "proto", "port", "address", "process"},
		Help: "An audit finding (value 1): its kind, the listener's or published port's proto, port and address, and the process names holding it."}
	seen := map[string]bool{}
	var fv [][]string
	for _, f := range in.Findings {
		proc := ""
		if f.Listener != nil {
			proc = ProcessNames(*f.Listener)
		}
		v := []string{string(f.Kind), f.Proto, strconv.Itoa(f.Port), f.Address, proc}
		if k := key(v); !seen[k] {
			seen[k] = true
			fv = append(fv, v)
		}
	}
	sortValues(fv)
	for _, v := range fv {
		fi.Samples = append(fi.Samples, Sample{Values: v, Value: 1})
	}

	out := []Family{info, socks, findings, fi}
	if t, err := time.Parse(time.DateOnly, in.RegistryUpdated); err == nil {
		out = append(out, Family{Name: "portui_registry_updated_timestamp_seconds",
			Help:    "When IANA last updated the registry portui judges by (its <updated> date, midnight UTC), in seconds since the epoch.",
			Samples: []Sample{{Value: float64(t.Unix())}}})
	}
	entries, loaded := 0.0, 0.0
	if in.Expect != nil {
		entries, loaded = float64(len(in.Expect.Entries)), 1
	}
	out = append(out,
		Family{Name: "portui_scan_duration_seconds", Help: "How long the listener scan took.",
			Samples: []Sample{{Value: in.ScanDuration.Seconds()}}},
		Family{Name: "portui_scan_errors", Help: "Warnings of the scan: namespaces or owners it could not read (run as root to see all).",
			Samples: []Sample{{Value: float64(in.ScanWarnings)}}},
		Family{Name: "portui_expectations_loaded", Help: "1 when an expectations file judged the listeners, 0 when the built-in rules did.",
			Samples: []Sample{{Value: loaded}}},
		Family{Name: "portui_expectations_entries", Help: "Entries of the expectations file in use (0 without one).",
			Samples: []Sample{{Value: entries}}},
	)
	return out
}

// ListenerLabels are the values of portui_listener_info's labels for l,
// in listenerLabels order; f is the expectations file in use (nil: none).
//
// expected comes from f.Match (the expect seam) rather than a field of
// audit.Listener, so export does not depend on how audit stores it.
func ListenerLabels(l audit.Listener, f *expect.File) []string {
	expected := "unknown"
	if f != nil {
		if f.Match(l.Listener).Verdict == expect.Matched {
			expected = "true"
		} else {
			expected = "false"
		}
	}
	user := l.User
	if user == "" && l.UID >= 0 {
		user = strconv.Itoa(l.UID)
	}
	container := ""
	if l.Container != nil {
		container = l.Container.Label()
	}
	return []string{l.Proto, l.Addr.String(), strconv.Itoa(int(l.Port)), l.Scope.String(), l.Service, l.Status.String(),
		ProcessNames(l), user, l.Unit, container, expected}
}

// ProcessNames is the distinct process names (comm) holding l, sorted and
// joined with ","; "" when the owners are hidden.
func ProcessNames(l audit.Listener) string {
	names := make([]string, 0, len(l.Procs))
	for _, p := range l.Procs {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ",")
}

func key(v []string) string { return strings.Join(v, "\x00") }

func sortValues(vs [][]string) {
	slices.SortFunc(vs, func(a, b []string) int {
		for i := range min(len(a), len(b)) {
			if c := cmpLabel(a[i], b[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a), len(b))
	})
}

// cmpLabel orders numbers (ports) numerically, everything else as text.
func cmpLabel(a, b string) int {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// Write renders fams in the text exposition format: HELP and TYPE for
// every family (also one without samples), no timestamps.
func Write(w io.Writer, fams []Family) error {
	// strings.Builder cannot fail: the one write to w is the only error.
	var bw strings.Builder
	for _, f := range fams {
		bw.WriteString("# HELP " + f.Name + " " + escapeHelp(f.Help) + "\n")
		bw.WriteString("# TYPE " + f.Name + " gauge\n")
		for _, s := range f.Samples {
			bw.WriteString(f.Name)
			if len(f.Labels) > 0 {
				bw.WriteByte('{')
				for i, n := range f.Labels {
					if i > 0 {
						bw.WriteByte(',')
					}
					v := ""
					if i < len(s.Values) {
						v = s.Values[i]
					}
					bw.WriteString(n + `="` + EscapeLabel(v) + `"`)
				}
				bw.WriteByte('}')
			}
			bw.WriteString(" " + formatValue(s.Value) + "\n")
		}
	}
	_, err := io.WriteString(w, bw.String())
	return err
}

// EscapeLabel escapes a label value for the text format: backslash,
// double quote and line feed, with invalid UTF-8 replaced by U+FFFD.
func EscapeLabel(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return labelEscaper.Replace(s)
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeHelp(s string) string { return helpEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }

// formatValue writes whole numbers as integers (a timestamp reads as
// 1786924800, not 1.7869248e+09), others in Go's shortest form; NaN and
// ±Inf are spelt as the format wants ("NaN", "+Inf", "-Inf").
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
