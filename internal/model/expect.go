package model

import (
	"path/filepath"

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

// The pane's wording of verdicts, entries and de-facto uses: audit's
// (words.go), so the pane and `portui audit` say an entry the same way.

// expectText is how listener l stands against the file named name:
// "expected · expected.toml:12 (443/tcp from nginx on all addresses)",
// "unexpected · no entry allows it", "unexpected · expected.toml:4
// expects nginx here", "scope widened · expected on loopback only
// (expected.toml:7)"; "" for NoFile.
func expectText(name string, m expect.Match) string {
	e := m.Entry
	switch m.Verdict {
	case expect.Matched:
		if e == nil {
			return "expected"
		}
		return "expected · " + audit.ExpectText(name, m)
	case expect.Widened:
		if e == nil {
			return "scope widened"
		}
		return "scope widened · expected " + audit.ScopeText(e.Scope, e.Address) + " (" + audit.EntryPlace(name, e) + ")"
	case expect.Unexpected:
		if e == nil {
			return "unexpected · no entry allows it"
		}
		return "unexpected · " + audit.EntryPlace(name, e) + " expects " + whoText(e) + " here"
	}
	return ""
}

// missingText is a required entry nothing listens for: "nginx ·
// expected.toml:4".
func missingText(name string, e *expect.Entry) string {
	return whoText(e) + " · " + audit.EntryPlace(name, e)
}

// whoText is audit.EntryOwner, "anyone" for an entry that names no one.
func whoText(e *expect.Entry) string {
	if who := audit.EntryOwner(e); who != "" {
		return who
	}
	return "anyone"
}

// practiceAt is the de-facto uses of port for the transports the pane
// shows, deduplicated (a use listed for tcp and udp shows once).
func practiceAt(port int, protos []views.ProtoStatus) []string {
	var out []string
	for _, ps := range protos {
		for _, u := range practice.At(port, ps.Proto) {
			if s := audit.PracticeText(u); !contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
