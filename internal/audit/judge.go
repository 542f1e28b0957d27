package audit

import (
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

// keep the practice seam referenced until the rules use it.
var _ = practice.At

// SEAM (branch audit replaces these).
func (j Judge) missing(ann []Listener, lo, hi int) []Finding { return nil }

func groups(found []Found) []Group {
	out := make([]Group, 0, len(found))
	for _, f := range found {
		g := Group{Kind: f.Kind, Proto: f.Proto, Port: f.Port, Addresses: []string{f.Address}, Message: f.Message, Members: []Found{f}}
		if f.Listener != nil {
			g.Owner = Holder(f.Listener.Listener)
		}
		out = append(out, g)
	}
	return out
}
