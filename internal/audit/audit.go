// Package audit annotates a listener snapshot with what the registry says
// about each listener's port and judges which listeners deserve a look. It
// is pure (no I/O) so the CLI, the explorer and the tests share one
// definition: Annotate once per snapshot, then read Service, Status,
// PrivateUse and Findings from the result.
//
// Rules are a table (rules.go): a new rule is one entry there, and every
// output — `portui audit`, its JSON, the explorer's status bar and marks —
// picks it up.
package audit

import (
	"fmt"
	"strings"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// Kind names a class of finding.
type Kind string

// Finding is one thing worth a look.
type Finding struct {
	Kind    Kind   `json:"kind"`
	Port    int    `json:"port"`
	Proto   string `json:"proto"`
	Address string `json:"address"`             // the local address, without port or device
	Iface   string `json:"interface,omitempty"` // SO_BINDTODEVICE device, if any
	Status  string `json:"status"`              // the port's registry status for Proto
	Service string `json:"service,omitempty"`   // the service registered on the port for Proto
	// Message is one line naming the listener's address, what is wrong and
	// who holds it.
	Message  string        `json:"message"`
	Listener scan.Listener `json:"-"`
	// PortMap is the published port a finding of Rule.CheckMap is about
	// (then Listener is zero: no socket holds it); nil otherwise.
	PortMap *scan.PortMap `json:"-"`
	// Entry is the expectations entry the finding is about (the one a
	// missing listener is expected by, the one a listener widens, the
	// closest one for an unexpected listener); nil otherwise. ExpectPath
	// is its file.
	Entry      *expect.Entry `json:"-"`
	ExpectPath string        `json:"-"`

	// endpoint is the listener's endpoint as the message names it (the
	// part Groups replaces with every address of a group); "" when the
	// message names no listener.
	endpoint string
}

// Listener is one listener of a snapshot with its annotation: everything
// the outputs show about it beyond what the scanner saw.
type Listener struct {
	scan.Listener
	// Service is the service registered on the port for the listener's own
	// transport ("" if none: 323/udp is reserved even though 323/tcp is
	// rpki-rtr).
	Service string
	// Status is the port's registry status for the listener's transport.
	Status registry.Status
	// PrivateUse: nothing is registered on this port for this transport.
	PrivateUse bool
	// Findings are the rules' findings for this listener, in rule order.
	Findings []Finding
	// Expect is the listener's verdict against the expectations file and
	// the entry behind it (Verdict NoFile without a file). ExpectText says
	// it in words.
	Expect expect.Match
	// Practice is the de-facto use of the port that the listener's
	// process accounts for (package practice: chronyd on 323/udp), nil if
	// none. PracticeText says it in words; it is portui's table, not
	// IANA's.
	Practice *practice.Use

	expectPath string // the file's path, for messages
}

// Annotate judges every listener of snap once, in snapshot order. The
// registry is asked once per listener.
func Annotate(reg *registry.Registry, snap scan.Snapshot) []Listener {
	out := make([]Listener, len(snap.Listeners))
	for i, l := range snap.Listeners {
		out[i] = AnnotateOne(reg, l)
	}
	return out
}

// Describe annotates every listener of snap as Annotate does but runs no
// rule: Service, Status, PrivateUse and Practice are set, Findings is nil.
// It is what a listing needs (report.NewListeners reads no finding) at a
// fraction of the cost: the rules' messages, one per private-use listener
// at least, are most of Annotate's work and allocations (BenchmarkAnnotate).
func Describe(reg *registry.Registry, snap scan.Snapshot) []Listener {
	out := make([]Listener, len(snap.Listeners))
	for i := range snap.Listeners {
		describeInto(&out[i], reg, &snap.Listeners[i])
	}
	return out
}

// AnnotateOne annotates a single listener by the built-in rules:
// Judge{Reg: reg}.One(l).
func AnnotateOne(reg *registry.Registry, l scan.Listener) Listener { return Judge{Reg: reg}.One(l) }

// Found is a finding with the annotated listener it is about.
type Found struct {
	Finding
	// Listener points into the slice given to Findings. (The embedded
	// Finding.Listener is the same listener as the scanner saw it.) It is
	// nil for a finding about a published port no socket holds
	// (Finding.PortMap).
	Listener *Listener
}

// Findings returns the findings of the listeners on ports lo..hi, grouped
// by kind in Rules order, listeners in ls order within a kind, each with
// its listener.
func Findings(ls []Listener, lo, hi int) []Found {
	return All(ls, nil, lo, hi)
}

// All is Findings of ls plus, within each kind after the listeners'
// findings, the findings of maps (CheckPortMaps' published ports, in
// order): what `portui audit` reports.
func All(ls []Listener, maps []Finding, lo, hi int) []Found {
	var out []Found
	for _, r := range Rules {
		for i := range ls {
			l := &ls[i]
			if port := int(l.Port); port < lo || port > hi {
				continue
			}
			for _, f := range l.Findings {
				if f.Kind == r.Kind {
					out = append(out, Found{Finding: f, Listener: l})
				}
			}
		}
		for _, f := range maps {
			if f.Kind == r.Kind && f.Port >= lo && f.Port <= hi {
				out = append(out, Found{Finding: f})
			}
		}
	}
	return out
}

// CheckPortMaps judges the published ports of snap that no host socket
// of snap holds (a NAT rule alone; a socket that holds one is judged as
// a listener, through its Forward) with host ports in lo..hi, by the
// rules' CheckMap, in Rules order then snapshot order.
func CheckPortMaps(reg *registry.Registry, snap scan.Snapshot, lo, hi int) []Finding {
	var out []Finding
	for _, r := range Rules {
		if r.CheckMap == nil {
			continue
		}
		for i := range snap.PortMaps {
			m := &snap.PortMaps[i]
			if port := int(m.Host.Port()); port < lo || port > hi || heldBySocket(snap.Listeners, *m) {
				continue
			}
			msg := r.CheckMap(*m)
			if msg == "" {
				continue
			}
			view, _ := registry.ViewOf(m.Proto)
			port := int(m.Host.Port())
			out = append(out, Finding{
				Kind: r.Kind, Port: port, Proto: m.Proto, Address: m.Host.Addr().Unmap().String(),
				Status: reg.Status(port, view).String(), Service: ServiceName(reg, port, m.Proto), Message: msg, PortMap: m,
				endpoint: addrPortText(m.Host),
			})
		}
	}
	return out
}

// heldBySocket: a host listener forwards m's host port to m's target.
func heldBySocket(ls []scan.Listener, m scan.PortMap) bool {
	for _, l := range ls {
		f := l.Forward
		if f != nil && l.NetNS.IsHost() && f.Proto == m.Proto && f.Host.Port() == m.Host.Port() && f.Target == m.Target &&
			(f.Host.Addr() == m.Host.Addr() || f.Host.Addr().IsUnspecified() || m.Host.Addr().IsUnspecified()) {
			return true
		}
	}
	return false
}

// Check is the Finding of each of All(Annotate(reg, snap),
// CheckPortMaps(reg, snap, lo, hi), lo, hi).
func Check(reg *registry.Registry, snap scan.Snapshot, lo, hi int) []Finding {
	var out []Finding
	for _, f := range All(Annotate(reg, snap), CheckPortMaps(reg, snap, lo, hi), lo, hi) {
		out = append(out, f.Finding)
	}
	return out
}

// ServiceName is the service registered on port for transport proto: a
// record of that transport, or one for every transport; "" if none. A
// record of another transport does not count (323/udp is not rpki-rtr).
func ServiceName(reg *registry.Registry, port int, proto string) string {
	name, err := reg.NameAt(port, proto)
	if err != nil {
		return ""
	}
	return name
}

// Owner names who holds l for a message: "python3 (pid 4242)", "nginx
// (pid 10), nginx (pid 11)", "a process of www-data (hidden)".
func Owner(l scan.Listener) string {
	if len(l.Procs) == 0 {
		if l.User != "" {
			return fmt.Sprintf("a process of %s (hidden)", l.User)
		}
		return "a hidden process"
	}
	names := make([]string, 0, len(l.Procs))
	for _, p := range l.Procs {
		names = append(names, fmt.Sprintf("%s (pid %d)", p.Name, p.PID))
		if len(names) == 3 && len(l.Procs) > 3 {
			names = append(names, fmt.Sprintf("and %d more", len(l.Procs)-3))
			break
		}
	}
	return strings.Join(names, ", ")
}
