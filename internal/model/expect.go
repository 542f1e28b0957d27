package model

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// How the explorer judges listeners (issue 9): by the audit.Judge of the
// config — the registry and, when the user has one, the expectations file.
// A cell is marked ! ("needs a look") when one of its listeners has a
// finding, or the file does not expect it (unexpected, scope widened);
// an expected listener is marked t/u/b like any other.

// expectations is what the explorer asks of an expectations file
// (*expect.File); tests stand in for it.
type expectations interface {
	Match(l scan.Listener) expect.Match
	Missing(ls []scan.Listener, lo, hi int) []*expect.Entry
}

// judging annotates one listener: the Judge's annotation and findings,
// and its verdict against the file (the zero Match, NoFile, without one).
type judging struct {
	judge audit.Judge
	exp   expectations // nil: no file
	name  string       // the file's base name, for the pane ("expected.toml")
}

// newJudging is the judging of cfg: cfg.Judge, its registry defaulting
// to cfg.Registry.
func newJudging(cfg *Config) *judging {
	j := &judging{judge: cfg.Judge}
	if j.judge.Reg == nil {
		j.judge.Reg = cfg.Registry
	}
	if f := j.judge.Expect; f != nil {
		j.exp, j.name = f, filepath.Base(f.Path)
	}
	return j
}

// one judges l.
func (j *judging) one(l scan.Listener) (audit.Listener, expect.Match) {
	a := j.judge.One(l)
	if j.exp == nil {
		return a, expect.Match{}
	}
	return a, j.exp.Match(l)
}

// flagged reports whether the verdict alone makes a listener need a look.
func flagged(v expect.Match) bool {
	return v.Verdict == expect.Unexpected || v.Verdict == expect.Widened
}

// verdictKind is the finding kind a verdict stands for ("" for none).
func verdictKind(v expect.Match) audit.Kind {
	switch v.Verdict {
	case expect.Unexpected:
		return audit.UnexpectedListener
	case expect.Widened:
		return audit.ScopeWidened
	}
	return ""
}

// lookCount is how many findings a listener counts for: its own, plus
// one for a verdict of the file that its findings do not already carry.
func lookCount(l *audit.Listener, v expect.Match) int {
	n := len(l.Findings)
	if k := verdictKind(v); k != "" && !hasKind(l, k) {
		n++
	}
	return n
}

func hasKind(l *audit.Listener, k audit.Kind) bool {
	for i := range l.Findings {
		if l.Findings[i].Kind == k {
			return true
		}
	}
	return false
}

// needsLook reports whether l (with verdict v) is marked !.
func needsLook(l *audit.Listener, v expect.Match) bool { return len(l.Findings) > 0 || flagged(v) }

// looks are the kinds of l's findings the verdict line does not say.
func looks(l *audit.Listener, v expect.Match) []string {
	var out []string
	for i := range l.Findings {
		k := l.Findings[i].Kind
		if k == audit.UnexpectedListener || k == audit.ScopeWidened {
			if v.Verdict != expect.NoFile {
				continue // the verdict line says it
			}
		}
		if s := string(k); !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, t := range ss {
		if t == s {
			return true
		}
	}
	return false
}

// The pane's wording of verdicts, entries and de-facto uses. Owner audit
// adds shared helpers for these to internal/audit (audit.ExpectText,
// audit.PracticeText); each is one function here so that it can be
// swapped for the shared one.

// expectText is how listener l stands against the file named name:
// "expected · expected.toml:12 (443/tcp from nginx)", "unexpected · no
// entry allows it", "unexpected · expected.toml:4 expects nginx here",
// "scope widened · expected on loopback (expected.toml:7)"; "" for
// NoFile.
func expectText(name string, m expect.Match) string {
	e := m.Entry
	switch m.Verdict {
	case expect.Matched:
		if e == nil {
			return "expected"
		}
		return "expected · " + entryAt(name, e) + " (" + entryText(e) + ")"
	case expect.Widened:
		if e == nil {
			return "scope widened"
		}
		return "scope widened · expected on " + scopeText(e) + " (" + entryAt(name, e) + ")"
	case expect.Unexpected:
		if e == nil {
			return "unexpected · no entry allows it"
		}
		return "unexpected · " + entryAt(name, e) + " expects " + whoText(e) + " here"
	}
	return ""
}

// missingText is a required entry nothing listens for: "nginx ·
// expected.toml:4".
func missingText(name string, e *expect.Entry) string {
	return whoText(e) + " · " + entryAt(name, e)
}

// entryAt is "expected.toml:12".
func entryAt(name string, e *expect.Entry) string { return name + ":" + strconv.Itoa(e.Line) }

// entryText is "443/tcp from nginx", "8000-8099/any from anyone".
func entryText(e *expect.Entry) string {
	port := strconv.Itoa(e.Lo)
	if e.Hi != e.Lo {
		port += "-" + strconv.Itoa(e.Hi)
	}
	proto := e.Proto
	if proto == "*" || proto == "" {
		proto = "any"
	}
	return port + "/" + proto + " from " + whoText(e)
}

// whoText names who an entry lets hold its ports: its process, unit,
// container and user patterns, "anyone" when it names none.
func whoText(e *expect.Entry) string {
	var parts []string
	if e.Process != "" {
		parts = append(parts, e.Process)
	}
	if e.Unit != "" {
		parts = append(parts, "unit "+e.Unit)
	}
	if e.Container != "" {
		parts = append(parts, "container "+e.Container)
	}
	if e.User != "" {
		parts = append(parts, "user "+e.User)
	}
	if len(parts) == 0 {
		return "anyone"
	}
	return strings.Join(parts, ", ")
}

// scopeText is where an entry allows listening: "loopback", "127.0.0.2",
// "one address", "all addresses".
func scopeText(e *expect.Entry) string {
	switch e.Scope {
	case expect.ScopeLoopback:
		return "loopback"
	case expect.ScopeAddress:
		if e.Address != "" {
			return e.Address
		}
		return "one address"
	}
	return "all addresses"
}

// practiceText is a de-facto use as the pane says it after "commonly:":
// "chronyd command port (chronyd(8))".
func practiceText(u practice.Use) string {
	if u.Source == "" {
		return u.What
	}
	return u.What + " (" + u.Source + ")"
}

// practiceAt is the de-facto uses of port for the transports the pane
// shows, deduplicated (a use listed for tcp and udp shows once).
func practiceAt(port int, protos []views.ProtoStatus) []string {
	var out []string
	for _, ps := range protos {
		for _, u := range practice.At(port, ps.Proto) {
			if s := practiceText(u); !contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
