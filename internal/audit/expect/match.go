package expect

import (
	"strconv"
	"strings"

	"github.com/portui/portui/internal/scan"
)

// index is what Parse precompiles for Match: the entries by port (an
// entry for one port is found by a map look-up; ranges and "*" are few
// and walked) and every pattern in compiled form.
type index struct {
	entries *Entry // &Entries[0] when built: a replaced slice is not this index's
	n       int
	byPort  map[uint16][]int32 // single-port entries, in file order
	ranges  []int32            // the others, in file order
	pats    []compiled         // per entry
}

// compiled are one entry's patterns.
type compiled struct {
	address, process, user, unit, container pattern
}

func buildIndex(es []Entry) *index {
	x := &index{n: len(es), byPort: make(map[uint16][]int32), pats: make([]compiled, len(es))}
	if len(es) > 0 {
		x.entries = &es[0]
	}
	for i := range es {
		e := &es[i]
		if e.Lo == e.Hi {
			x.byPort[uint16(e.Lo)] = append(x.byPort[uint16(e.Lo)], int32(i))
		} else {
			x.ranges = append(x.ranges, int32(i))
		}
		x.pats[i] = compile(e)
	}
	return x
}

func compile(e *Entry) compiled {
	return compiled{
		address:   newPattern(e.Address),
		process:   newPattern(e.Process),
		user:      newPattern(e.User),
		unit:      newPattern(e.Unit),
		container: newPattern(e.Container),
	}
}

// current is f's index when it still describes f.Entries, else nil.
func (f *File) current() *index {
	x := f.idx
	if x == nil || x.n != len(f.Entries) || (x.n > 0 && x.entries != &f.Entries[0]) {
		return nil
	}
	return x
}

// result of judging one entry against one listener.
type result int

const (
	none    result = iota // proto, port or an owner key differ
	widened               // all but the scope
	matched
)

func (f *File) match(l scan.Listener) Match {
	if f == nil {
		return Match{}
	}
	x := f.current()
	if x == nil {
		return f.matchSlow(l)
	}
	// Walk the entries on l's port and the ranges, merged in file order:
	// the first entry that matches wins; failing that the first one
	// widened; failing that the closest.
	single, ranges := x.byPort[l.Port], x.ranges
	p := picker{f: f, widen: -1, sameSingle: -1, sameRange: -1}
	for len(single) > 0 || len(ranges) > 0 {
		var i int
		if len(ranges) == 0 || (len(single) > 0 && single[0] < ranges[0]) {
			i, single = int(single[0]), single[1:]
		} else {
			i, ranges = int(ranges[0]), ranges[1:]
		}
		if m, ok := p.see(i, &x.pats[i], l); ok {
			return m
		}
	}
	return f.verdict(p.widen, p.sameSingle, p.sameRange)
}

// matchSlow is match for a File whose index is missing or stale.
func (f *File) matchSlow(l scan.Listener) Match {
	p := picker{f: f, widen: -1, sameSingle: -1, sameRange: -1}
	for i := range f.Entries {
		if !f.Entries[i].covers(l) {
			continue // no need to compile its patterns
		}
		c := compile(&f.Entries[i])
		if m, ok := p.see(i, &c, l); ok {
			return m
		}
	}
	return f.verdict(p.widen, p.sameSingle, p.sameRange)
}

// picker walks entries in file order for match and matchSlow: the first
// that matches wins; it remembers the first widened one and the first
// single-port and range entries on the port (for the closest).
type picker struct {
	f                            *File
	widen, sameSingle, sameRange int
}

// see judges entry i (its patterns c); ok when it matched.
func (p *picker) see(i int, c *compiled, l scan.Listener) (Match, bool) {
	e := &p.f.Entries[i]
	if !e.covers(l) {
		return Match{}, false
	}
	switch e.judge(c, l) {
	case matched:
		return Match{Verdict: Matched, Entry: e}, true
	case widened:
		if p.widen < 0 {
			p.widen = i
		}
	default:
		if e.Lo == e.Hi && p.sameSingle < 0 {
			p.sameSingle = i
		} else if e.Lo != e.Hi && p.sameRange < 0 {
			p.sameRange = i
		}
	}
	return Match{}, false
}

func (f *File) verdict(widen, sameSingle, sameRange int) Match {
	switch {
	case widen >= 0:
		return Match{Verdict: Widened, Entry: &f.Entries[widen]}
	case sameSingle >= 0:
		return Match{Verdict: Unexpected, Entry: &f.Entries[sameSingle]}
	case sameRange >= 0:
		return Match{Verdict: Unexpected, Entry: &f.Entries[sameRange]}
	}
	return Match{Verdict: Unexpected}
}

func (f *File) missing(ls []scan.Listener, lo, hi int) []*Entry {
	if f == nil {
		return nil
	}
	x := f.current()
	var byPort map[uint16][]int
	var out []*Entry
	for i := range f.Entries {
		e := &f.Entries[i]
		if !e.Required() || e.Lo < lo || e.Lo > hi {
			continue
		}
		if byPort == nil {
			byPort = make(map[uint16][]int)
			for j := range ls {
				byPort[ls[j].Port] = append(byPort[ls[j].Port], j)
			}
		}
		var c compiled
		if x != nil {
			c = x.pats[i]
		} else {
			c = compile(e)
		}
		found := false
		for _, j := range byPort[uint16(e.Lo)] {
			if e.covers(ls[j]) && e.judge(&c, ls[j]) != none {
				found = true
				break
			}
		}
		if !found {
			out = append(out, e)
		}
	}
	return out
}

// covers: e's proto and ports include l's.
func (e *Entry) covers(l scan.Listener) bool {
	return (e.Proto == "*" || e.Proto == l.Proto) && int(l.Port) >= e.Lo && int(l.Port) <= e.Hi
}

// judge compares the owner keys and the scope (proto and port are the
// caller's).
func (e *Entry) judge(c *compiled, l scan.Listener) result {
	if !c.process.any() && !anyProc(l, func(p *scan.Process) bool { return c.process.match(p.Name) }) {
		return none
	}
	if !c.user.any() && !matchUser(c.user, l) {
		return none
	}
	if !c.unit.any() && !matchUnit(c.unit, l) {
		return none
	}
	if !c.container.any() && !matchContainer(c.container, l.Container) {
		return none
	}
	if e.within(c, l) {
		return matched
	}
	return widened
}

// within: l's scope is e's or narrower (loopback ⊂ address ⊂ all; an
// interface-bound socket counts as "address"), and on e's own scope
// level l's address is the one e names, when it names one.
func (e *Entry) within(c *compiled, l scan.Listener) bool {
	if e.Scope == ScopeAny {
		return c.address.any() || matchAddress(c.address, l)
	}
	lr, er := rank(l.Scope), scopeRank(e.Scope)
	if lr > er {
		return false
	}
	if lr == er && !c.address.any() {
		return matchAddress(c.address, l)
	}
	return true
}

func rank(s scan.Scope) int {
	switch s {
	case scan.ScopeLoopback:
		return 0
	case scan.ScopeSpecific, scan.ScopeInterface:
		return 1
	}
	return 2
}

func scopeRank(s Scope) int {
	switch s {
	case ScopeLoopback:
		return 0
	case ScopeAddress:
		return 1
	}
	return 2
}

func anyProc(l scan.Listener, ok func(*scan.Process) bool) bool {
	for i := range l.Procs {
		if ok(&l.Procs[i]) {
			return true
		}
	}
	return false
}

// matchUser: the socket's owner or a holder's user, by name or, when the
// name is unknown, by uid.
func matchUser(p pattern, l scan.Listener) bool {
	if userMatch(p, l.User, l.UID) {
		return true
	}
	return anyProc(l, func(q *scan.Process) bool { return userMatch(p, q.User, q.UID) })
}

func userMatch(p pattern, name string, uid int) bool {
	if name != "" {
		return p.match(name)
	}
	return uid >= 0 && p.match(strconv.Itoa(uid))
}

// matchUnit: the listener's unit, a holder's, or for a socket pid 1
// holds, the .socket unit and the service it activates.
func matchUnit(p pattern, l scan.Listener) bool {
	if l.Unit != "" && p.match(l.Unit) {
		return true
	}
	if a := l.Activation; a != nil && (p.match(a.Socket) || p.match(a.Service)) {
		return true
	}
	return anyProc(l, func(q *scan.Process) bool { return q.Unit != "" && p.match(q.Unit) })
}

// matchContainer: the container's name, its pod's, or (for a pattern of
// at least 4 hex digits without *) the start of its id.
func matchContainer(p pattern, c *scan.Container) bool {
	if c == nil {
		return false
	}
	if (c.Name != "" && p.match(c.Name)) || (c.Pod != "" && p.match(c.Pod)) {
		return true
	}
	return p.idPrefix && strings.HasPrefix(c.ID, p.lit)
}

// matchAddress: the address as portui shows it without brackets
// ("127.0.0.1", "::1", "0.0.0.0"), or the device an interface-bound
// socket is bound to ("eth0").
func matchAddress(p pattern, l scan.Listener) bool {
	if p.match(l.Addr.String()) {
		return true
	}
	return l.Iface != "" && p.match(l.Iface)
}

// pattern is a compiled pattern: "" (or "*") matches anything, a literal
// itself, else * matches any run of characters (no other special
// characters: ? and [ are themselves).
type pattern struct {
	kind     patternKind
	lit      string   // the literal (patLiteral)
	parts    []string // the pattern split at * (patGlob)
	idPrefix bool     // a literal of 4+ lowercase hex digits: may be a container id's start
}

type patternKind uint8

const (
	patAny patternKind = iota
	patLiteral
	patGlob
)

func newPattern(s string) pattern {
	switch {
	case s == "" || strings.Trim(s, "*") == "":
		return pattern{kind: patAny}
	case !strings.Contains(s, "*"):
		return pattern{kind: patLiteral, lit: s, idPrefix: len(s) >= 4 && strings.Trim(s, "0123456789abcdef") == ""}
	}
	return pattern{kind: patGlob, parts: strings.Split(s, "*")}
}

func (p pattern) any() bool { return p.kind == patAny }

func (p pattern) match(s string) bool {
	switch p.kind {
	case patAny:
		return true
	case patLiteral:
		return s == p.lit
	}
	return globMatch(p.parts, s)
}

// globMatch: parts is a pattern split at its stars (at least two parts):
// s starts with the first, ends with the last, and holds the others in
// order between. Leftmost matching of each middle part is enough with
// only *: no backtracking.
func globMatch(parts []string, s string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}

// PatternMatch reports whether pattern matches s the way the keys
// address, process, user, unit and container do: * matches any run of
// characters (none included), every other character itself.
func PatternMatch(pattern, s string) bool { return newPattern(pattern).match(s) }
