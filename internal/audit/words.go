package audit

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// This file is the wording of expectations and de-facto uses, shared by
// `portui audit`, `portui lookup` and the explorer's pane so that they
// say the same: "chronyd command port (chronyd(8))", "expected.toml:12
// (443/tcp from nginx)".

// PracticeText is a de-facto use in words, with its source: "chronyd
// command port (chronyd(8))". It is portui's table, never IANA's: print
// it after "commonly: ", beside (not instead of) the registry's record.
func PracticeText(u practice.Use) string {
	return u.What + " (" + u.Source + ")"
}

// PracticeLine is the line lookup and the pane show for a port and
// transport: "IANA: reserved · commonly: chronyd command port
// (chronyd(8))", "IANA: websm · commonly: Cockpit web console (…),
// Prometheus server (…)"; "" when the practice table has nothing there.
// iana is what the registry says (the service name, else the status).
func PracticeLine(iana string, uses []practice.Use) string {
	if len(uses) == 0 {
		return ""
	}
	texts := make([]string, len(uses))
	for i, u := range uses {
		texts[i] = PracticeText(u)
	}
	return "IANA: " + iana + " · commonly: " + strings.Join(texts, ", ")
}

// IANAText is what the registry says about port for proto in a word or
// two: the service registered for that transport ("https"), else its
// status ("reserved", "unassigned").
func IANAText(reg *registry.Registry, port int, proto string) string {
	if s := ServiceName(reg, port, proto); s != "" {
		return s
	}
	view, _ := registry.ViewOf(proto)
	return reg.Status(port, view).String()
}

// ExpectText names the entry behind a verdict with its place in the file
// and what it expects: "expected.toml:12 (443/tcp from nginx)"; "" when
// the match has no entry (NoFile, or Unexpected with no closest entry).
// path is the file's path (expect.File.Path); only its base name is
// shown.
func ExpectText(path string, m expect.Match) string {
	if m.Entry == nil {
		return ""
	}
	return EntryPlace(path, m.Entry) + " (" + EntryText(m.Entry) + ")"
}

// EntryPlace is "expected.toml:12": the base name of path and the
// entry's line.
func EntryPlace(path string, e *expect.Entry) string {
	return filepath.Base(path) + ":" + strconv.Itoa(e.Line)
}

// EntryText is what an entry expects, in a few words: "443/tcp from
// nginx", "6379/tcp from redis-server on loopback only", "8000-8099/*
// from user www-data", "53/udp".
func EntryText(e *expect.Entry) string {
	s := entryPorts(e)
	if who := EntryOwner(e); who != "" {
		s += " from " + who
	}
	if sc := ScopeText(e.Scope, e.Address); sc != "" {
		s += " " + sc
	}
	return s
}

// entryPorts is "443/tcp", "8000-8099/tcp", "*/udp", "443/*".
func entryPorts(e *expect.Entry) string {
	var p string
	switch {
	case e.Lo == 0 && e.Hi == registry.MaxPort:
		p = "*"
	case e.Lo == e.Hi:
		p = strconv.Itoa(e.Lo)
	default:
		p = strconv.Itoa(e.Lo) + "-" + strconv.Itoa(e.Hi)
	}
	proto := e.Proto
	if proto == "" {
		proto = "*"
	}
	return p + "/" + proto
}

// EntryOwner is who an entry allows to hold it: "nginx", "nginx, user
// www-data", "unit nginx.service", "container web1"; "" when anyone may.
func EntryOwner(e *expect.Entry) string {
	var parts []string
	if e.Process != "" {
		parts = append(parts, e.Process)
	}
	if e.User != "" {
		parts = append(parts, "user "+e.User)
	}
	if e.Unit != "" {
		parts = append(parts, "unit "+e.Unit)
	}
	if e.Container != "" {
		parts = append(parts, "container "+e.Container)
	}
	return strings.Join(parts, ", ")
}

// ScopeText is an entry's scope in words: "on loopback only", "on
// 10.0.0.1", "on one address", "on all addresses"; "" for ScopeAny.
func ScopeText(s expect.Scope, address string) string {
	switch s {
	case expect.ScopeLoopback:
		return "on loopback only"
	case expect.ScopeAddress:
		if address != "" {
			return "on " + address
		}
		return "on one address"
	case expect.ScopeAll:
		return "on all addresses"
	}
	return ""
}

// listenerScopeText is where a listener accepts, in the words of
// ScopeText: "on all addresses", "on 10.0.0.1", "only on eth0".
func listenerScopeText(l scan.Listener) string {
	switch l.Scope {
	case scan.ScopeLoopback:
		return "on loopback only"
	case scan.ScopeSpecific:
		return "on " + l.Addr.Unmap().String()
	case scan.ScopeInterface:
		return fmt.Sprintf("on every address of %s", l.Iface)
	}
	return "on all addresses"
}

// andList joins "a", "a and b", "a, b and c".
func andList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// RegistryAgeText is the warning for a registry older than
// registry.StaleAfter at now: "the registry is from 2026-01-01 (335 days
// old): run `portui registry update`"; "" when it is recent enough or
// its date cannot be read. `portui audit`, `portui registry info` and
// the explorer's status bar say it in these words.
func RegistryAgeText(reg *registry.Registry, now time.Time) string {
	age, ok := reg.Age(now)
	if !ok || age <= registry.StaleAfter {
		return ""
	}
	return fmt.Sprintf("the registry is from %s (%d days old): run `portui registry update`", reg.Updated, int(age.Hours()/24))
}
