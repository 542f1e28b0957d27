package report

import (
	"strings"
	"time"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// The schema names of the documents. A field may be added within a
// version; renaming or removing one bumps it (docs/json.md).
const (
	SchemaListeners = "portui.listeners/v1"
	SchemaAudit     = "portui.audit/v1"
	SchemaLookup    = "portui.lookup/v1"
	SchemaSearch    = "portui.search/v1"
	SchemaRegistry  = "portui.registry/v1"
)

// Documents lists one zero value of every document type: what the schema
// test compares with docs/json.md.
var Documents = []Document{ListenersDoc{}, AuditDoc{}, LookupDoc{}, SearchDoc{}, RegistryDoc{}}

// timeLayout is how documents write times: UTC, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Registry says which registry answered: part of every document.
type Registry struct {
	Kind    string `json:"kind"`           // embedded, user or file
	Path    string `json:"path,omitempty"` // the file, for user and file
	Updated string `json:"updated"`        // IANA's <updated> date
	Records int    `json:"records"`
	Format  string `json:"format"` // the IANA export it was made from: xml or csv
	File    string `json:"file"`
	SHA256  string `json:"sha256"` // of that export
}

// RegistryOf describes the registry store opened (its strings are clean:
// the store and the registry neutralise them).
func RegistryOf(info store.Info) Registry {
	return Registry{
		Kind: info.Kind, Path: info.Path, Updated: info.Updated, Records: info.Records,
		Format: info.Source.Format, File: info.Source.File, SHA256: info.Source.SHA256,
	}
}

// RegistryDoc is `portui registry info`.
type RegistryDoc struct {
	SchemaID string `json:"schema"`
	Registry
	hint string // text only: where `registry update` would install
}

// NewRegistryDoc describes the active registry; hint (may be "") is a
// line for people about how to change it, already neutralised.
func NewRegistryDoc(info store.Info, hint string) RegistryDoc {
	return RegistryDoc{SchemaID: SchemaRegistry, Registry: RegistryOf(info), hint: hint}
}

// Schema implements Document.
func (RegistryDoc) Schema() string { return SchemaRegistry }

// ListenersDoc is `portui listeners`.
type ListenersDoc struct {
	SchemaID  string     `json:"schema"`
	Taken     string     `json:"taken"`
	Source    string     `json:"source"` // netlink, procfs or netstat: where the socket table came from
	Registry  Registry   `json:"registry"`
	Listeners []Listener `json:"listeners"` // never null: [] when nothing listens
	Warnings  []string   `json:"warnings,omitempty"`
	selection string     // text only: "on port 5", for the empty case
}

// Schema implements Document.
func (ListenersDoc) Schema() string { return SchemaListeners }

// Listener is one listening socket with its annotation.
type Listener struct {
	Proto     string    `json:"proto"`
	Address   string    `json:"address"`             // 0.0.0.0 or :: for all addresses
	Interface string    `json:"interface,omitempty"` // the device a socket is bound to (SO_BINDTODEVICE)
	Port      int       `json:"port"`
	Scope     string    `json:"scope"` // loopback, address, interface or all
	DualStack bool      `json:"dual_stack,omitempty"`
	UID       int       `json:"uid"`
	User      string    `json:"user,omitempty"`
	Inode     uint64    `json:"inode,omitempty"`
	Processes []Process `json:"processes"` // never null
	Hidden    string    `json:"hidden,omitempty"`
	Service   string    `json:"service,omitempty"` // registered for this transport
	Status    string    `json:"status"`            // for this transport
	Private   bool      `json:"private_use"`
	endpoint  string    // text only: as ss shows it, 0.0.0.0%v0:444
}

// Process is one process holding a listener.
type Process struct {
	PID     int    `json:"pid"`
	Name    string `json:"name"`
	Cmdline string `json:"cmdline,omitempty"`
	UID     int    `json:"uid"`
	User    string `json:"user,omitempty"`
}

// ListenerOf is the document form of one annotated listener. The service,
// status and private use are the annotation's (the service registered
// for the listener's own transport). Its strings are the scanner's and
// the registry's, both neutralised where they were read.
func ListenerOf(a *audit.Listener) Listener {
	l := a.Listener
	out := Listener{
		Proto: l.Proto, Address: l.Addr.String(), Interface: l.Iface, Port: int(l.Port),
		Scope: l.Scope.String(), DualStack: l.DualStack, UID: l.UID, User: l.User, Inode: l.Inode,
		Processes: make([]Process, 0, len(l.Procs)), Hidden: l.Hidden,
		Service: a.Service, Status: a.Status.String(), Private: a.PrivateUse,
		endpoint: l.Endpoint(),
	}
	for _, p := range l.Procs {
		out.Processes = append(out.Processes, Process{PID: p.PID, Name: p.Name, Cmdline: p.Cmdline, UID: p.UID, User: p.User})
	}
	return out
}

// NewListeners builds the listeners document from a snapshot and its
// annotation (audit.Annotate(reg, snap)). selection names what was asked
// for ("on port 5"; "" for everything) for the text form's empty case.
func NewListeners(snap scan.Snapshot, ann []audit.Listener, reg Registry, selection string) ListenersDoc {
	d := ListenersDoc{
		SchemaID: SchemaListeners, Taken: formatTime(snap.Taken), Source: snap.Source,
		Registry: reg, Listeners: make([]Listener, 0, len(ann)), Warnings: snap.Warnings,
		selection: selection,
	}
	for i := range ann {
		d.Listeners = append(d.Listeners, ListenerOf(&ann[i]))
	}
	return d
}

// AuditDoc is `portui audit`.
type AuditDoc struct {
	SchemaID  string    `json:"schema"`
	Range     [2]int    `json:"range"`
	Taken     string    `json:"taken"`
	Registry  Registry  `json:"registry"`
	Listeners int       `json:"listeners"` // listeners in the range
	Findings  []Finding `json:"findings"`  // never null
	Warnings  []string  `json:"warnings,omitempty"`
}

// Schema implements Document.
func (AuditDoc) Schema() string { return SchemaAudit }

// Finding is one thing worth a look.
type Finding struct {
	Kind      string   `json:"kind"` // a rule's kind: private-use, exposed-system-port, unexpected-service
	Port      int      `json:"port"`
	Proto     string   `json:"proto"`
	Address   string   `json:"address"` // without port or device
	Interface string   `json:"interface,omitempty"`
	Status    string   `json:"status"`
	Service   string   `json:"service,omitempty"`
	Message   string   `json:"message"` // one line for people, naming the address
	Listener  Listener `json:"listener"`
}

// NewAudit builds the audit document of the annotated listeners of a
// snapshot taken for ports lo..hi (the scan selected them: every
// listener counts): findings grouped by kind in audit.Rules order,
// listeners in snapshot order within a kind, as audit.Findings orders
// them.
func NewAudit(snap scan.Snapshot, ann []audit.Listener, lo, hi int, reg Registry) AuditDoc {
	d := AuditDoc{
		SchemaID: SchemaAudit, Range: [2]int{lo, hi}, Taken: formatTime(snap.Taken), Registry: reg,
		Listeners: len(ann), Findings: []Finding{}, Warnings: snap.Warnings,
	}
	for _, r := range audit.Rules {
		for i := range ann {
			for _, f := range ann[i].Findings {
				if f.Kind == r.Kind {
					d.Findings = append(d.Findings, Finding{
						Kind: string(f.Kind), Port: f.Port, Proto: f.Proto, Address: f.Address, Interface: f.Iface,
						Status: f.Status, Service: f.Service, Message: f.Message, Listener: ListenerOf(&ann[i]),
					})
				}
			}
		}
	}
	return d
}

// LookupDoc is `portui lookup`.
type LookupDoc struct {
	SchemaID string       `json:"schema"`
	Query    string       `json:"query"`
	Registry Registry     `json:"registry"`
	Ports    []PortInfo   `json:"ports"`             // one per port: the port, a range's ports, a name's ports
	Unbound  []RecordInfo `json:"unbound,omitempty"` // a name's records without a port (DNS-SD)
	byName   bool         // text only: the query was a service name
	services map[int]string
}

// Schema implements Document.
func (LookupDoc) Schema() string { return SchemaLookup }

// NewLookup describes ports (in order) and unbound records under view v.
// byName says the query was a service name, not a port or a range. The
// query is command-line text: it is neutralised here, where it enters a
// document (registry text is already clean).
func NewLookup(reg *registry.Registry, query string, byName bool, ports []int, unbound []registry.Record, v registry.View, info Registry) (LookupDoc, error) {
	d := LookupDoc{SchemaID: SchemaLookup, Query: sanitize.Line(query), Registry: info, Ports: make([]PortInfo, 0, len(ports)), byName: byName}
	for _, p := range ports {
		pi, err := DescribePort(reg, p, v)
		if err != nil {
			return LookupDoc{}, err
		}
		d.Ports = append(d.Ports, pi)
	}
	for i := range unbound {
		d.Unbound = append(d.Unbound, DescribeRecord(reg, &unbound[i]))
	}
	if len(d.Ports) == 1 {
		// The page names the service on each neighbour.
		d.services = map[int]string{}
		for _, m := range []map[string]int{d.Ports[0].Previous, d.Ports[0].Next} {
			for _, p := range m {
				d.services[p] = serviceAt(reg, p)
			}
		}
	}
	return d, nil
}

func serviceAt(reg *registry.Registry, port int) string {
	recs, err := reg.RecordsAt(port)
	if err != nil {
		return ""
	}
	for _, r := range recs {
		if r.Name != "" {
			return r.Name
		}
	}
	return ""
}

// SearchDoc is `portui search`: the explorer's ranked search.
type SearchDoc struct {
	SchemaID string        `json:"schema"`
	Query    string        `json:"query"`
	Registry Registry      `json:"registry"`
	Limit    int           `json:"limit"`   // at most this many matches; 0: no limit
	Total    int           `json:"total"`   // ports that match, before the limit
	Matches  []SearchMatch `json:"matches"` // best first; never null
}

// Schema implements Document.
func (SearchDoc) Schema() string { return SchemaSearch }

// SearchMatch is one port the search found.
type SearchMatch struct {
	Port        int    `json:"port"`
	Service     string `json:"service,omitempty"` // the best-matching record's service name
	Status      string `json:"status"`            // the port's status, all transports combined
	Match       string `json:"match"`             // what matched best: port, port prefix, name or description
	Score       int    `json:"score"`
	Description string `json:"description,omitempty"` // first line of that record's description
}

// NewSearch runs registry.Search for query and keeps the best limit
// matches (0: all). The search sees the query as typed; the document
// holds it neutralised (command-line text enters a document here).
func NewSearch(reg *registry.Registry, query string, limit int, info Registry) (SearchDoc, error) {
	all, err := reg.Search(query, 0)
	if err != nil {
		return SearchDoc{}, err
	}
	d := SearchDoc{SchemaID: SchemaSearch, Query: sanitize.Line(query), Registry: info, Limit: limit, Total: len(all), Matches: []SearchMatch{}}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	for _, m := range all {
		d.Matches = append(d.Matches, SearchMatch{
			Port: m.Port, Service: m.Name, Status: reg.Status(m.Port, registry.Combined).String(),
			Match: m.Why, Score: m.Score, Description: matchDescription(reg, m),
		})
	}
	return d, nil
}

// matchDescription is the first line of the description of the record m
// names on its port (the first record with a description when m names
// none).
func matchDescription(reg *registry.Registry, m registry.Match) string {
	recs, err := reg.RecordsAt(m.Port)
	if err != nil {
		return ""
	}
	desc := ""
	for _, r := range recs {
		if r.Description == "" {
			continue
		}
		if r.Name == m.Name {
			desc = r.Description
			break
		}
		if desc == "" && m.Name == "" {
			desc = r.Description
		}
	}
	first, _, _ := strings.Cut(desc, "\n")
	return strings.TrimSpace(first)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}
