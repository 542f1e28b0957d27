package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// The schema names of the documents. A field may be added within a
// version; renaming or removing one bumps it (docs/json.md).
const (
	SchemaListeners = "portui.listeners/v2"
	SchemaAudit     = "portui.audit/v3"
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
	// Warnings: the registry is older than registry.StaleAfter
	// (audit.RegistryAgeText), and how to update it.
	Warnings []string `json:"warnings,omitempty"`
	hint     string   // text only: where `registry update` would install
}

// NewRegistryDoc describes the active registry; hint (may be "") is a
// line for people about how to change it, already neutralised; warnings
// are portui's own words (a stale registry).
func NewRegistryDoc(info store.Info, hint string, warnings ...string) RegistryDoc {
	return RegistryDoc{SchemaID: SchemaRegistry, Registry: RegistryOf(info), Warnings: warnings, hint: hint}
}

// Schema implements Document.
func (RegistryDoc) Schema() string { return SchemaRegistry }

// ListenersDoc is `portui listeners`.
type ListenersDoc struct {
	SchemaID  string     `json:"schema"`
	Taken     string     `json:"taken"`
	Source    string     `json:"source"` // netlink, procfs or netstat: where the socket table came from
	Owners    string     `json:"owners"` // bpf, procfs, lsof or netstat: how the processes were found
	Registry  Registry   `json:"registry"`
	Listeners []Listener `json:"listeners"` // never null: [] when nothing listens
	// Namespaces are the network namespaces inspected, the host's first
	// ([] when the backend cannot tell them apart); PortMaps every
	// published port found, whether or not a listener is behind it.
	Namespaces []NetNS   `json:"namespaces"`
	PortMaps   []PortMap `json:"port_maps"`
	Warnings   []string  `json:"warnings,omitempty"`
	selection  string    // text only: "on port 5", for the empty case
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

	// Where it lives (schema v2).
	NetNS      NetNS       `json:"netns"`
	Container  *Container  `json:"container,omitempty"`   // nil: not in a container
	Unit       string      `json:"unit,omitempty"`        // systemd unit of its owners
	Published  []Published `json:"published,omitempty"`   // host ports that reach it (a container listener)
	ForwardsTo *Forward    `json:"forwards_to,omitempty"` // a host-side proxy or placeholder: where it forwards
	Activation *Activation `json:"activation,omitempty"`  // pid 1's socket activation: what it starts

	endpoint string   // text only: as ss shows it, 0.0.0.0%v0:444
	where    string   // text only: audit.Place
	details  []string // text only: audit.Details
}

// Process is one process holding a listener.
type Process struct {
	PID     int    `json:"pid"`
	Name    string `json:"name"`
	Cmdline string `json:"cmdline,omitempty"`
	UID     int    `json:"uid"`
	User    string `json:"user,omitempty"`
	Unit    string `json:"unit,omitempty"`   // its systemd unit
	Cgroup  string `json:"cgroup,omitempty"` // its cgroup path, as /proc/PID/cgroup gives it
}

// NetNS is a network namespace. A backend that cannot tell namespaces
// apart reports inode 0 and host true: it sees only its own.
type NetNS struct {
	Inode uint64 `json:"inode"`
	Host  bool   `json:"host"`           // the host's (the scanner's own) namespace
	Path  string `json:"path,omitempty"` // a bind mount that names it: /run/netns/NAME, /run/docker/netns/ID
	PID   int    `json:"pid,omitempty"`  // a process in it (other namespaces than the host's)
}

// Container is the container a listener lives in.
type Container struct {
	Runtime string `json:"runtime"` // docker, podman, containerd, cri-o, lxc
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"` // absent when the runtime's state could not be read
	Pod     string `json:"pod,omitempty"`
}

// Published is one host port that reaches a container listener.
type Published struct {
	HostAddress string `json:"host_address"` // 0.0.0.0 or :: for every address
	HostPort    int    `json:"host_port"`
	Proto       string `json:"proto"`
	Via         string `json:"via"` // nat, docker-proxy, rootlessport or conmon
}

// Forward is where a host-side proxy or placeholder socket forwards.
type Forward struct {
	Proto     string     `json:"proto"`
	Address   string     `json:"address"` // the container's address
	Port      int        `json:"port"`
	Container *Container `json:"container,omitempty"` // absent: no running container has the address
	NetNS     uint64     `json:"netns,omitempty"`     // inode of the namespace of the listener there; absent: none listens
	Via       string     `json:"via"`
}

// Activation is systemd socket activation: pid 1 holds the socket and
// starts service on the first connection.
type Activation struct {
	Socket  string `json:"socket"`
	Service string `json:"service"`
	Running bool   `json:"running"`
}

// PortMap is one published port: traffic to the host address and port
// reaches the target, through a NAT rule or a userland proxy.
type PortMap struct {
	Proto         string     `json:"proto"`
	HostAddress   string     `json:"host_address"`
	HostPort      int        `json:"host_port"`
	TargetAddress string     `json:"target_address"`
	TargetPort    int        `json:"target_port"`
	Via           string     `json:"via"`
	Container     *Container `json:"container,omitempty"`    // absent: no running container has the target
	TargetNetNS   uint64     `json:"target_netns,omitempty"` // absent: nothing listens at the target
}

func netnsOf(n scan.NetNS) NetNS {
	return NetNS{Inode: n.Inode, Host: n.Host || n.Inode == 0, Path: n.Path, PID: n.PID}
}

func containerOf(c *scan.Container) *Container {
	if c == nil {
		return nil
	}
	return &Container{Runtime: c.Runtime, ID: c.ID, Name: c.Name, Pod: c.Pod}
}

func portMapOf(m scan.PortMap) PortMap {
	return PortMap{
		Proto: m.Proto, HostAddress: m.Host.Addr().Unmap().String(), HostPort: int(m.Host.Port()),
		TargetAddress: m.Target.Addr().Unmap().String(), TargetPort: int(m.Target.Port()),
		Via: m.Via, Container: containerOf(m.Container), TargetNetNS: m.TargetNetNS,
	}
}

// ListenerOf is the document form of one annotated listener. The service,
// status and private use are the annotation's (the service registered
// for the listener's own transport). Its strings are the scanner's and
// the registry's, both neutralised where they were read.
func ListenerOf(a *audit.Listener) Listener {
	var out Listener
	listenerInto(&out, a, make([]Process, 0, len(a.Procs)))
	return out
}

// listenerInto is ListenerOf written into out, a zero Listener, with
// procs (empty, room for a's processes) as its Processes: NewListeners
// builds every listener in place, their processes in one slice.
func listenerInto(out *Listener, a *audit.Listener, procs []Process) {
	l := &a.Listener
	out.Proto, out.Interface, out.Port = l.Proto, l.Iface, int(l.Port)
	out.endpoint, out.Address = endpointAndAddress(l)
	out.Scope, out.DualStack, out.UID, out.User, out.Inode = l.Scope.String(), l.DualStack, l.UID, l.User, l.Inode
	out.Hidden, out.Service, out.Status, out.Private = l.Hidden, a.Service, a.Status.String(), a.PrivateUse
	out.NetNS, out.Container, out.Unit = netnsOf(l.NetNS), containerOf(l.Container), l.Unit
	out.where, out.details = audit.Place(*l), audit.Details(*l)
	for _, p := range l.Procs {
		procs = append(procs, Process{PID: p.PID, Name: p.Name, Cmdline: p.Cmdline, UID: p.UID, User: p.User, Unit: p.Unit, Cgroup: p.Cgroup})
	}
	out.Processes = procs
	for _, m := range l.Published {
		out.Published = append(out.Published, Published{HostAddress: m.Host.Addr().Unmap().String(), HostPort: int(m.Host.Port()), Proto: m.Proto, Via: m.Via})
	}
	if f := l.Forward; f != nil {
		out.ForwardsTo = &Forward{
			Proto: f.Proto, Address: f.Target.Addr().Unmap().String(), Port: int(f.Target.Port()),
			Container: containerOf(f.Container), NetNS: f.TargetNetNS, Via: f.Via,
		}
	}
	if a := l.Activation; a != nil {
		out.Activation = &Activation{Socket: a.Socket, Service: a.Service, Running: a.Running}
	}
}

// endpointAndAddress are l.Endpoint() and l.Addr.String() in one
// string: the address is a part of the endpoint where no device is
// named ("127.0.0.1" of "127.0.0.1:22", "::1" of "[::1]:631").
func endpointAndAddress(l *scan.Listener) (endpoint, address string) {
	if l.Iface != "" || !l.Addr.IsValid() {
		return l.Endpoint(), l.Addr.String()
	}
	var buf [64]byte
	b := buf[:0]
	v6 := !l.Addr.Is4()
	if v6 {
		b = append(b, '[')
	}
	b = l.Addr.AppendTo(b)
	end := len(b)
	if v6 {
		b = append(b, ']')
	}
	b = append(b, ':')
	b = strconv.AppendUint(b, uint64(l.Port), 10)
	endpoint = string(b)
	if v6 {
		return endpoint, endpoint[1:end]
	}
	return endpoint, endpoint[:end]
}

// NewListeners builds the listeners document from a snapshot and its
// annotation (audit.Describe or audit.Annotate of reg and snap: it reads
// no finding). selection names what was asked for ("on port 5"; "" for
// everything) for the text form's empty case.
func NewListeners(snap scan.Snapshot, ann []audit.Listener, reg Registry, selection string) ListenersDoc {
	d := ListenersDoc{
		SchemaID: SchemaListeners, Taken: formatTime(snap.Taken), Source: snap.Source, Owners: snap.Owners,
		Registry: reg, Listeners: make([]Listener, len(ann)), Warnings: snap.Warnings,
		Namespaces: make([]NetNS, 0, len(snap.NetNS)), PortMaps: make([]PortMap, 0, len(snap.PortMaps)),
		selection: selection,
	}
	n := 0
	for i := range ann {
		n += len(ann[i].Procs)
	}
	procs := make([]Process, n)
	for i := range ann {
		k := len(ann[i].Procs)
		listenerInto(&d.Listeners[i], &ann[i], procs[:0:k])
		procs = procs[k:]
	}
	for _, n := range snap.NetNS {
		d.Namespaces = append(d.Namespaces, netnsOf(n))
	}
	for _, m := range snap.PortMaps {
		d.PortMaps = append(d.PortMaps, portMapOf(m))
	}
	return d
}

// AuditDoc is `portui audit`.
type AuditDoc struct {
	SchemaID  string   `json:"schema"`
	Range     [2]int   `json:"range"`
	Taken     string   `json:"taken"`
	Registry  Registry `json:"registry"`
	Listeners int      `json:"listeners"` // listeners in the range
	// Expect is the expectations file the audit judged against; null:
	// none, the built-in rules judged.
	Expect *ExpectFile `json:"expect"`
	// Groups are the findings, one per kind, proto, port and owner with
	// every address (a v4 and a v6 socket of one process are one group),
	// by kind in audit.Rules order; never null.
	Groups []Group `json:"groups"`
	// Verdict is the report's last line: "as expected: 9 listeners match
	// …", "drift: 1 unexpected listener, 1 missing", "3 findings: …",
	// "nothing found in 0–1023".
	Verdict string `json:"verdict"`
	// FailOn are the kinds that make the exit status 1 (--fail-on);
	// Failing is how many groups are of those kinds.
	FailOn   []string `json:"fail_on"`
	Failing  int      `json:"failing"`
	Warnings []string `json:"warnings,omitempty"` // scan problems, a stale registry
}

// Schema implements Document.
func (AuditDoc) Schema() string { return SchemaAudit }

// ExpectFile is the expectations file an audit used.
type ExpectFile struct {
	Path    string `json:"path"`
	Entries int    `json:"entries"`
}

// Group is the findings of one kind about one service: one proto, port
// and owner, on every address listed.
type Group struct {
	Kind      string   `json:"kind"` // a rule's kind (audit.Kinds)
	Proto     string   `json:"proto"`
	Port      int      `json:"port"`
	Owner     string   `json:"owner,omitempty"` // who holds it, in words; absent when no socket does
	Addresses []string `json:"addresses"`       // each member's address, without port or device
	Message   string   `json:"message"`         // one line for people, naming every address
	Status    string   `json:"status"`          // the port's registry status for proto
	Service   string   `json:"service,omitempty"`
	// Listeners are the listeners the group is about ([] for a missing
	// listener or a published port no socket holds).
	Listeners []Listener `json:"listeners"`
	PortMaps  []PortMap  `json:"port_maps,omitempty"` // published ports no socket holds (a NAT rule)
	Entry     *Entry     `json:"entry,omitempty"`     // the expectations entry it is about
}

// Entry is one entry of an expectations file, as a finding names it.
type Entry struct {
	Path      string `json:"path"`
	Line      int    `json:"line"`
	Text      string `json:"text"` // audit.EntryText: "443/tcp from nginx on all addresses"
	Proto     string `json:"proto"`
	Ports     string `json:"ports"` // "443", "8000-8099"
	Scope     string `json:"scope,omitempty"`
	Address   string `json:"address,omitempty"`
	Process   string `json:"process,omitempty"`
	User      string `json:"user,omitempty"`
	Unit      string `json:"unit,omitempty"`
	Container string `json:"container,omitempty"`
	Optional  bool   `json:"optional,omitempty"`
}

func entryOf(path string, e *expect.Entry) *Entry {
	ports := strconv.Itoa(e.Lo)
	if e.Hi != e.Lo {
		ports += "-" + strconv.Itoa(e.Hi)
	}
	return &Entry{
		Path: path, Line: e.Line, Text: audit.EntryText(e), Proto: e.Proto, Ports: ports, Scope: string(e.Scope),
		Address: e.Address, Process: e.Process, User: e.User, Unit: e.Unit, Container: e.Container, Optional: e.Optional,
	}
}

// AuditInput is what an audit document is made of.
type AuditInput struct {
	Snap  scan.Snapshot
	Ann   []audit.Listener // the snapshot's listeners as the judge annotated them (every one counts)
	Extra []audit.Finding  // findings no listener has: audit.CheckPortMaps, then Judge.Missing
	Lo    int
	Hi    int
	Reg   Registry
	// Expect is the file judged against (nil: the built-in rules).
	Expect *expect.File
	// FailOn are the kinds that fail the audit (nil: every kind).
	FailOn []audit.Kind
	// Warnings are more warnings than the snapshot's (a stale registry).
	Warnings []string
}

// NewAudit builds the audit document: the findings of the annotated
// listeners and the extra ones grouped (audit.Groups) in audit.All's
// order, and the verdict.
func NewAudit(in AuditInput) AuditDoc {
	d := AuditDoc{
		SchemaID: SchemaAudit, Range: [2]int{in.Lo, in.Hi}, Taken: formatTime(in.Snap.Taken), Registry: in.Reg,
		Listeners: len(in.Ann), Groups: []Group{}, FailOn: []string{},
		Warnings: append(slices.Clone(in.Snap.Warnings), in.Warnings...),
	}
	if in.Expect != nil {
		d.Expect = &ExpectFile{Path: in.Expect.Path, Entries: len(in.Expect.Entries)}
	}
	failOn := in.FailOn
	if failOn == nil {
		failOn = audit.Kinds
	}
	for _, k := range failOn {
		d.FailOn = append(d.FailOn, string(k))
	}
	counts := map[audit.Kind]int{}
	for _, g := range audit.Groups(audit.All(in.Ann, in.Extra, 0, registry.MaxPort)) {
		out := Group{
			Kind: string(g.Kind), Proto: g.Proto, Port: g.Port, Owner: g.Owner, Addresses: g.Addresses,
			Message: g.Message, Listeners: []Listener{},
		}
		for _, f := range g.Members {
			out.Status, out.Service = f.Status, f.Service
			if f.Listener != nil {
				out.Listeners = append(out.Listeners, ListenerOf(f.Listener))
			}
			if f.PortMap != nil {
				out.PortMaps = append(out.PortMaps, portMapOf(*f.PortMap))
			}
			if f.Entry != nil && out.Entry == nil {
				out.Entry = entryOf(f.ExpectPath, f.Entry)
			}
		}
		if slices.Contains(failOn, g.Kind) {
			d.Failing++
		}
		counts[g.Kind]++
		d.Groups = append(d.Groups, out)
	}
	d.Verdict = verdict(in, len(d.Groups), counts)
	return d
}

// kindWords are how the verdict counts each kind: singular, plural.
var kindWords = map[audit.Kind][2]string{
	audit.PrivateUse:         {"private use", "private use"},
	audit.ExposedSystemPort:  {"exposed system port", "exposed system ports"},
	audit.UnexpectedService:  {"unexpected service", "unexpected services"},
	audit.UnexpectedListener: {"unexpected listener", "unexpected listeners"},
	audit.ScopeWidened:       {"scope widened", "scopes widened"},
	audit.MissingListener:    {"missing", "missing"},
	audit.PublishedDangling:  {"dangling published port", "dangling published ports"},
}

// verdict is the report's one-line conclusion.
func verdict(in AuditInput, groups int, counts map[audit.Kind]int) string {
	if groups == 0 {
		if in.Expect != nil {
			return fmt.Sprintf("as expected: %s match %s", plural(len(in.Ann), "listener", "listeners"), in.Expect.Path)
		}
		return fmt.Sprintf("nothing found in %d–%d (%s)", in.Lo, in.Hi, plural(len(in.Ann), "listener", "listeners"))
	}
	var parts []string
	for _, k := range audit.Kinds {
		n := counts[k]
		if n == 0 {
			continue
		}
		w, ok := kindWords[k]
		if !ok {
			w = [2]string{string(k), string(k)}
		}
		parts = append(parts, plural(n, w[0], w[1]))
	}
	if in.Expect != nil {
		return "drift: " + strings.Join(parts, ", ")
	}
	return plural(groups, "finding", "findings") + ": " + strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
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
