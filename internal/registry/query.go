package registry

import (
	"fmt"
	"strings"
)

// Status is the port's status under view v. Ports no record covers (the
// dynamic range) are Unassigned.
func (r *Registry) Status(port int, v View) Status {
	if port < 0 || port > MaxPort || v >= numViews {
		return Unassigned
	}
	return r.ports.status[v][port]
}

// Covered reports whether any record (of the view's transport) covers port.
func (r *Registry) Covered(port int, v View) bool {
	if port < 0 || port > MaxPort || v >= numViews {
		return false
	}
	return r.ports.covered[v][port]
}

// RecordIndexes lists the indexes of the records covering port, in file order.
func (r *Registry) RecordIndexes(port int) []int32 {
	if port < 0 || port > MaxPort {
		return nil
	}
	return r.ports.recs[r.ports.start[port]:r.ports.start[port+1]]
}

// RecordsAt decodes the records covering port, in file order (tcp before
// udp for a service, as IANA lists them).
func (r *Registry) RecordsAt(port int) ([]Record, error) {
	idx := r.RecordIndexes(port)
	out := make([]Record, 0, len(idx))
	for _, i := range idx {
		rec, err := r.recs.record(int(i))
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// Run is a maximal block of consecutive ports sharing one status.
type Run struct {
	Lo, Hi int
	Status Status
}

// Len is the number of ports in the run.
func (r Run) Len() int { return r.Hi - r.Lo + 1 }

func (r Run) String() string {
	if r.Lo == r.Hi {
		return fmt.Sprintf("%d: %s, 1 port", r.Lo, r.Status)
	}
	return fmt.Sprintf("%d–%d: %s run, %d ports", r.Lo, r.Hi, r.Status, r.Len())
}

// RunAt returns the run containing port under view v
// (326 → the unassigned run 325–332).
func (r *Registry) RunAt(port int, v View) Run {
	port = clampPort(port)
	st := r.Status(port, v)
	lo, hi := port, port
	for lo > 0 && r.Status(lo-1, v) == st {
		lo--
	}
	for hi < MaxPort && r.Status(hi+1, v) == st {
		hi++
	}
	return Run{Lo: lo, Hi: hi, Status: st}
}

// Nearest finds the closest port before (dir < 0) or after (dir > 0)
// port whose status under v is st.
func (r *Registry) Nearest(port int, st Status, v View, dir int) (int, bool) {
	step := 1
	if dir < 0 {
		step = -1
	}
	for p := clampPort(port) + step; p >= 0 && p <= MaxPort; p += step {
		if r.Status(p, v) == st {
			return p, true
		}
	}
	return 0, false
}

// Counts tallies the statuses of ports lo..hi under view v, indexed by Status.
func (r *Registry) Counts(lo, hi int, v View) [4]int {
	var c [4]int
	for p := clampPort(lo); p <= clampPort(hi); p++ {
		c[r.Status(p, v)]++
	}
	return c
}

func clampPort(p int) int { return max(0, min(MaxPort, p)) }

// Class is one of RFC 6335's three port ranges.
type Class struct {
	Name    string // "system", "user", "dynamic"
	Title   string // "System Ports"
	Lo, Hi  int
	Explain string // one line on what it means for a user of the port
	Brief   string // the same in ~60 characters, for narrow panes
}

// Classes are RFC 6335 §6's ranges.
var Classes = []Class{
	{"system", "System Ports", 0, 1023,
		"binding needs privileges on Unix (root or CAP_NET_BIND_SERVICE); assigned by IETF Review or IESG Approval",
		"binding needs root · assigned by IETF Review or IESG Approval"},
	{"user", "User Ports", 1024, 49151,
		"any user may bind; assigned by IANA through IETF Review, IESG Approval or Expert Review",
		"any user may bind · assigned by IETF/IESG/Expert Review"},
	{"dynamic", "Dynamic and/or Private Ports", 49152, 65535,
		"never assigned; used for ephemeral client ports and private services",
		"never assigned · ephemeral ports and private services"},
}

// ClassOf returns the range class of port.
func ClassOf(port int) Class {
	for _, c := range Classes {
		if port <= c.Hi {
			return c
		}
	}
	return Classes[len(Classes)-1]
}

// ByName finds the records whose service name equals name, any case, in
// file order. It reads every record's name once (a scan of the file, not a
// decoding of every record) and decodes only the records it returns.
func (r *Registry) ByName(name string) ([]Record, error) {
	r.namesOnce.Do(func() {
		names := make([]string, r.recs.len())
		for i := range names {
			n, err := r.recs.name(i)
			if err != nil {
				r.namesErr = err
				return
			}
			names[i] = n
		}
		r.names = names
	})
	if r.namesErr != nil {
		return nil, r.namesErr
	}
	name = strings.TrimSpace(name)
	var out []Record
	for i, n := range r.names {
		if n == "" || !strings.EqualFold(n, name) {
			continue
		}
		rec, err := r.recs.record(i)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// NameAt is the service name of the first record, in file order, that
// covers port for proto (Record.Covers) and has a name; "" if none. It is
// what a listener's SERVICE column shows, and costs no record decoding
// where the index tells the record's transport and the record's line
// holds its name plainly (lazySource.name): `portui listeners` asks it once
// per listener, 10,000 times on a busy host.
func (r *Registry) NameAt(port int, proto string) (string, error) {
	want := protoCode(proto)
	for _, i := range r.RecordIndexes(port) {
		code := int(r.kinds[i] >> 2)
		if want == protoOther || code == protoOther {
			// Which transport it is, the code does not say: decode.
			rec, err := r.recs.record(int(i))
			if err != nil {
				return "", err
			}
			if rec.Name != "" && rec.Covers(port, proto) {
				return rec.Name, nil
			}
			continue
		}
		if proto != "" && code != protoAll && code != want {
			continue
		}
		n, err := r.recs.name(int(i))
		if err != nil {
			return "", err
		}
		if n != "" {
			return n, nil
		}
	}
	return "", nil
}
