package audit

import (
	"slices"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// The kinds judged against an expectations file (Judge.Expect).
const (
	// UnexpectedListener: no entry of the file allows the listener.
	UnexpectedListener Kind = "unexpected-listener"
	// ScopeWidened: an entry matches it, but the listener accepts on wider
	// addresses than the entry allows (loopback → all).
	ScopeWidened Kind = "scope-widened"
	// MissingListener: a required entry has no listener.
	MissingListener Kind = "missing-listener"
)

// Judge is what judging a listener needs beyond the listener: the
// registry and, when the user has one, the expectations file. Without a
// file the built-in rules judge; with one, the file does (a listener an
// entry allows is fine, whatever its IANA status).
type Judge struct {
	Reg    *registry.Registry
	Expect *expect.File // nil: no expectations
}

// One annotates and judges a single listener.
func (j Judge) One(l scan.Listener) Listener { return j.one(l) }

// Annotate judges every listener of snap once, in snapshot order.
func (j Judge) Annotate(snap scan.Snapshot) []Listener {
	out := make([]Listener, len(snap.Listeners))
	for i, l := range snap.Listeners {
		out[i] = j.One(l)
	}
	return out
}

// Missing is a finding of kind MissingListener for each required entry of
// j.Expect with ports in lo..hi that no listener of ann matches; nil
// without a file.
func (j Judge) Missing(ann []Listener, lo, hi int) []Finding { return j.missing(ann, lo, hi) }

// Group is the findings of one kind about one service: one (proto, port,
// owner) with every address it is on (a v4 and a v6 socket of one process
// are one group). Text reports print one line per group.
type Group struct {
	Kind      Kind
	Proto     string
	Port      int
	Owner     string   // who holds it, as Holder says it; "" for a finding no socket holds
	Addresses []string // each member's address, as its Finding.Address, in order
	Message   string   // one line naming every address
	Members   []Found
}

// Groups groups found (as All returns it) by kind, proto, port and owner,
// in first-appearance order.
func Groups(found []Found) []Group { return groups(found) }

func (j Judge) one(l scan.Listener) Listener {
	a := describe(j.Reg, l)
	st := a.Status
	withFile := j.Expect != nil
	if withFile {
		a.Expect = j.Expect.Match(l)
		a.expectPath = j.Expect.Path
	}
	for _, r := range Rules {
		if r.Check == nil || !r.judges(withFile) {
			continue
		}
		if msg := r.Check(&a); msg != "" {
			f := Finding{
				Kind: r.Kind, Port: int(l.Port), Proto: l.Proto, Address: l.Addr.String(), Iface: l.Iface,
				Status: st.String(), Service: a.Service, Message: msg, Listener: l, endpoint: l.Endpoint(),
			}
			if withFile {
				f.Entry, f.ExpectPath = a.Expect.Entry, j.Expect.Path
			}
			a.Findings = append(a.Findings, f)
		}
	}
	return a
}

// describe is what the registry and the table of de-facto uses say of l:
// Service, Status, PrivateUse and Practice; no rule is run.
func describe(reg *registry.Registry, l scan.Listener) Listener {
	var a Listener
	describeInto(&a, reg, &l)
	return a
}

// describeInto is describe written into a, a zero Listener (Describe
// fills its slice in place rather than copy each Listener into it).
func describeInto(a *Listener, reg *registry.Registry, l *scan.Listener) {
	a.Listener = *l
	view, _ := registry.ViewOf(l.Proto)
	a.Status = reg.Status(int(l.Port), view)
	a.Service, a.PrivateUse = ServiceName(reg, int(l.Port), l.Proto), a.Status.PrivateUse()
	if practice.Known(int(l.Port), l.Proto) {
		if u, ok := practice.Explains(int(l.Port), l.Proto, holderNames(*l)); ok {
			a.Practice = &u
		}
	}
}

// holderNames are the names a de-facto use can know the holder by: its
// processes' names and, for pid 1's socket activation, the service it
// starts ("cockpit.service" → "cockpit").
func holderNames(l scan.Listener) []string {
	names := make([]string, 0, len(l.Procs)+1)
	for _, p := range l.Procs {
		names = append(names, p.Name)
	}
	if a := l.Activation; a != nil && a.Service != "" {
		names = append(names, strings.TrimSuffix(a.Service, ".service"))
	}
	return names
}

func (j Judge) missing(ann []Listener, lo, hi int) []Finding {
	if j.Expect == nil {
		return nil
	}
	ls := make([]scan.Listener, len(ann))
	for i := range ann {
		ls[i] = ann[i].Listener
	}
	entries := j.Expect.Missing(ls, lo, hi)
	var out []Finding
	for _, r := range Rules {
		if r.CheckEntry == nil || !r.judges(true) {
			continue
		}
		for _, e := range entries {
			msg := r.CheckEntry(j.Expect.Path, e)
			if msg == "" {
				continue
			}
			view, _ := registry.ViewOf(e.Proto)
			out = append(out, Finding{
				Kind: r.Kind, Port: e.Lo, Proto: e.Proto, Address: e.Address,
				Status: j.Reg.Status(e.Lo, view).String(), Service: ServiceName(j.Reg, e.Lo, e.Proto), Message: msg,
				Entry: e, ExpectPath: j.Expect.Path,
			})
		}
	}
	return out
}

// groupKey is what makes findings one group. The message with the
// member's own endpoint cut out is part of it, so that two findings that
// say different things are never folded into one line.
type groupKey struct {
	kind        Kind
	proto       string
	port        int
	owner, rest string
	entry       *expect.Entry
}

func groups(found []Found) []Group {
	out := make([]Group, 0, len(found))
	index := map[groupKey]int{}
	var endpoints [][]string
	for _, f := range found {
		k := groupKey{kind: f.Kind, proto: f.Proto, port: f.Port, rest: f.Message, entry: f.Entry}
		if f.Listener != nil {
			k.owner = Holder(f.Listener.Listener)
		}
		if f.endpoint != "" {
			k.rest = strings.Replace(f.Message, f.endpoint, "\x00", 1)
		} else {
			// A finding that names no listener (a missing one) stands alone.
			k.rest += "\x00" + strconv.Itoa(len(out))
		}
		if i, ok := index[k]; ok {
			g := &out[i]
			g.Addresses = append(g.Addresses, f.Address)
			g.Members = append(g.Members, f)
			if !slices.Contains(endpoints[i], f.endpoint) {
				endpoints[i] = append(endpoints[i], f.endpoint)
			}
			continue
		}
		index[k] = len(out)
		endpoints = append(endpoints, []string{f.endpoint})
		out = append(out, Group{Kind: f.Kind, Proto: f.Proto, Port: f.Port, Owner: k.owner,
			Addresses: []string{f.Address}, Message: f.Message, Members: []Found{f}})
	}
	for i := range out {
		g := &out[i]
		if e := endpoints[i]; len(e) > 1 {
			g.Message = strings.Replace(g.Message, e[0], andList(e), 1)
		}
	}
	return out
}
