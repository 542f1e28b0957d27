// Package registry holds IANA's Service Name and Transport Protocol Port
// Number Registry: the data model, readers for IANA's XML and CSV exports,
// the compact JSON form portui embeds, and the queries the CLI and the TUI
// ask (status of a port, the run it sits in, lookups by name, search).
package registry

import (
	"strconv"
	"strings"
)

// Status is IANA's assignment status of a port, derived from the records
// covering it (see statusOf for the precedence rules).
type Status uint8

// The statuses, in precedence order: a port is Assigned if any record names
// a service, else Reserved, else Unassigned, else Other.
const (
	Unassigned Status = iota
	Assigned
	Reserved
	Other
)

// Statuses lists every status in display order.
var Statuses = []Status{Assigned, Reserved, Unassigned, Other}

func (s Status) String() string {
	switch s {
	case Assigned:
		return "assigned"
	case Reserved:
		return "reserved"
	case Unassigned:
		return "unassigned"
	case Other:
		return "other"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// PrivateUse reports whether a listener on a port of this status is
// private use: nothing registered there would explain it.
func (s Status) PrivateUse() bool { return s != Assigned }

// Transport protocols named by the registry. A record without a protocol
// (some range rows) applies to all of them.
const (
	TCP  = "tcp"
	UDP  = "udp"
	SCTP = "sctp"
	DCCP = "dccp"
)

// Protocols lists the registry's transports in display order.
var Protocols = []string{TCP, UDP, SCTP, DCCP}

// protoIndex maps a transport to its slot in per-protocol tables; -1 if unknown.
func protoIndex(p string) int {
	switch p {
	case TCP:
		return 0
	case UDP:
		return 1
	case SCTP:
		return 2
	case DCCP:
		return 3
	}
	return -1
}

// Record is one row of the registry: a service name (or an Unassigned /
// Reserved row) on a port or port range for one transport.
type Record struct {
	Name  string `json:"name,omitempty"`
	Proto string `json:"proto,omitempty"` // "" = every transport
	// Lo and Hi bound the port range; both are -1 for service names
	// registered without a port (DNS-SD names).
	Lo           int      `json:"lo"`
	Hi           int      `json:"hi"`
	Description  string   `json:"desc,omitempty"`
	Assignee     []string `json:"assignee,omitempty"` // person ids, see Registry.People
	Contact      []string `json:"contact,omitempty"`
	RFCs         []int    `json:"rfcs,omitempty"`
	Drafts       []string `json:"drafts,omitempty"`
	URIs         []string `json:"uris,omitempty"`
	Texts        []string `json:"texts,omitempty"` // free-text references
	Registered   string   `json:"date,omitempty"`  // registration date, YYYY-MM-DD
	Modified     string   `json:"updated,omitempty"`
	Note         string   `json:"note,omitempty"`
	Unauthorized string   `json:"unauthorized,omitempty"` // reported unauthorized use
	ServiceCode  string   `json:"sc,omitempty"`           // DCCP service code
}

// HasPort reports whether the record is bound to a port number.
func (r *Record) HasPort() bool { return r.Lo >= 0 }

// Covers reports whether the record applies to port on transport proto
// ("" matches any transport).
func (r *Record) Covers(port int, proto string) bool {
	if port < r.Lo || port > r.Hi {
		return false
	}
	return proto == "" || r.Proto == "" || r.Proto == proto
}

// Ports renders the record's port or range ("22", "325-332").
func (r *Record) Ports() string {
	if !r.HasPort() {
		return ""
	}
	if r.Lo == r.Hi {
		return strconv.Itoa(r.Lo)
	}
	return strconv.Itoa(r.Lo) + "-" + strconv.Itoa(r.Hi)
}

// Status is the status this record alone gives the ports it covers.
func (r *Record) Status() Status {
	switch {
	case r.Name != "":
		return Assigned
	case hasPrefixFold(r.Description, "reserved"):
		return Reserved
	case hasPrefixFold(r.Description, "unassigned"):
		return Unassigned
	}
	return Other
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Person is an entry of the registry's <people> table.
type Person struct {
	Name    string `json:"name,omitempty"`
	Org     string `json:"org,omitempty"`
	URI     string `json:"uri,omitempty"` // mailto: or https:
	Updated string `json:"updated,omitempty"`
}

// Display is the most useful short label for the person: name, else
// organisation, else the id with underscores as spaces.
func (p Person) Display(id string) string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Org != "":
		return p.Org
	}
	return strings.ReplaceAll(id, "_", " ")
}

// Contact returns the person's URI with IANA's "&" obfuscation of e-mail
// addresses undone ("mailto:joe&example.com" → "mailto:joe@example.com").
func (p Person) Contact() string {
	if rest, ok := strings.CutPrefix(p.URI, "mailto:"); ok {
		return "mailto:" + strings.Replace(rest, "&", "@", 1)
	}
	return p.URI
}

// Source says where a registry came from.
type Source struct {
	Format string `json:"format"` // "xml" or "csv"
	File   string `json:"file"`   // base name of the input
	SHA256 string `json:"sha256"` // of the input file
}

// Data is the registry as stored in registry.json: what the generator
// writes and Load reads.
type Data struct {
	Schema  int               `json:"schema"`
	Updated string            `json:"updated"` // the registry's own <updated> date
	Source  Source            `json:"source"`
	Records []Record          `json:"records"`
	People  map[string]Person `json:"people,omitempty"`
}

// SchemaVersion is the registry.json layout version this code reads and writes.
const SchemaVersion = 1

// MaxPort is the highest port number.
const MaxPort = 65535

// RFCURL is the canonical link for an RFC number.
func RFCURL(n int) string { return "https://www.rfc-editor.org/rfc/rfc" + strconv.Itoa(n) }

// DraftURL links an Internet-Draft (or an RFC-to-be) name to the datatracker.
func DraftURL(name string) string {
	return "https://datatracker.ietf.org/doc/" + strings.TrimPrefix(name, "RFC-")
}
