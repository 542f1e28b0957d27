package report

import (
	"strconv"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/practice"
	"github.com/portui/portui/internal/registry"
)

// This file is the presentation of registry data (moved here from the
// registry package, which keeps types, loading, queries and search):
// people resolved, references turned into links.

// PortInfo is everything the registry knows about one port: one element
// of a lookup document's "ports".
type PortInfo struct {
	Port          int               `json:"port"`
	View          string            `json:"view"` // "combined", "tcp only", …
	Status        string            `json:"status"`
	StatusByProto map[string]string `json:"status_by_proto"`
	Class         ClassInfo         `json:"class"`
	Run           RunInfo           `json:"run"`
	Records       []RecordInfo      `json:"records"`
	Previous      map[string]int    `json:"previous"` // status → nearest port below with it
	Next          map[string]int    `json:"next"`     // status → nearest port above with it
	// Practice are the port's well-established de-facto uses from
	// portui's own curated table (package practice), not IANA's data:
	// what daemons commonly do on the port where the registry says
	// otherwise (323/udp: reserved; chronyd's command port).
	Practice []PracticeUse `json:"practice,omitempty"`
}

// PracticeUse is one de-facto use of a port (portui's table, never
// IANA's).
type PracticeUse struct {
	Proto   string   `json:"proto"`
	Use     string   `json:"use"`     // "chronyd command port"
	Daemons []string `json:"daemons"` // process names that use it so
	Source  string   `json:"source"`  // where that is documented: "chronyd(8)", a URL
	Version string   `json:"version"` // the table's date (practice.Version)
	IANA    string   `json:"iana"`    // what the registry says for the port and proto, beside it: the service name, else the status
}

// ClassInfo is a port's range class (RFC 6335).
type ClassInfo struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Lo      int    `json:"lo"`
	Hi      int    `json:"hi"`
	Explain string `json:"explain"`
}

// RunInfo is the maximal block of consecutive ports with a port's status.
type RunInfo struct {
	Lo     int    `json:"lo"`
	Hi     int    `json:"hi"`
	Status string `json:"status"`
	Length int    `json:"length"`
}

// RecordInfo is a registry record with its people and references resolved.
type RecordInfo struct {
	Service      string       `json:"service,omitempty"`
	Proto        string       `json:"proto,omitempty"` // "" = every transport
	Ports        string       `json:"ports,omitempty"` // "22" or "325-332"; "" = no port (DNS-SD)
	Status       string       `json:"status"`
	Description  string       `json:"description,omitempty"`
	Assignee     []PersonInfo `json:"assignee,omitempty"`
	Contact      []PersonInfo `json:"contact,omitempty"`
	RFCs         []RefInfo    `json:"rfcs,omitempty"`
	Drafts       []RefInfo    `json:"drafts,omitempty"`
	URIs         []string     `json:"uris,omitempty"`
	Texts        []string     `json:"texts,omitempty"`
	Registered   string       `json:"registered,omitempty"`
	Modified     string       `json:"modified,omitempty"`
	Note         string       `json:"note,omitempty"`
	Unauthorized string       `json:"unauthorized,omitempty"`
	ServiceCode  string       `json:"service_code,omitempty"`
}

// PersonInfo is a resolved person reference.
type PersonInfo struct {
	ID      string `json:"id"`
	Display string `json:"display"`
	Name    string `json:"name,omitempty"`
	Org     string `json:"org,omitempty"`
	URI     string `json:"uri,omitempty"` // mailto: with '@' restored, or https:
}

// RefInfo is an RFC or draft reference with its link.
type RefInfo struct {
	ID  string `json:"id"` // "RFC 4251", "draft-ietf-…"
	URL string `json:"url"`
}

// DescribePort gathers PortInfo for port under view v: with a transport
// view, status, run and neighbours are that transport's, and only its
// records (and those for every transport) are listed.
func DescribePort(reg *registry.Registry, port int, v registry.View) (PortInfo, error) {
	port = max(0, min(registry.MaxPort, port))
	all, err := reg.RecordsAt(port)
	if err != nil {
		return PortInfo{}, err
	}
	run := reg.RunAt(port, v)
	c := registry.ClassOf(port)
	info := PortInfo{
		Port:          port,
		View:          v.String(),
		Status:        reg.Status(port, v).String(),
		StatusByProto: make(map[string]string, len(registry.Protocols)),
		Class:         ClassInfo{c.Name, c.Title, c.Lo, c.Hi, c.Explain},
		Run:           RunInfo{run.Lo, run.Hi, run.Status.String(), run.Len()},
		Records:       []RecordInfo{},
		Previous:      map[string]int{},
		Next:          map[string]int{},
	}
	for _, p := range registry.Protocols {
		pv, _ := registry.ViewOf(p)
		info.StatusByProto[p] = reg.Status(port, pv).String()
	}
	for i := range all {
		if all[i].Covers(port, v.Proto()) {
			info.Records = append(info.Records, DescribeRecord(reg, &all[i]))
		}
	}
	for _, p := range registry.Protocols {
		if v.Proto() != "" && v.Proto() != p {
			continue
		}
		for _, u := range practice.At(port, p) {
			info.Practice = append(info.Practice, PracticeUse{
				Proto: u.Proto, Use: u.What, Daemons: u.Daemons, Source: u.Source, Version: practice.Version,
				IANA: audit.IANAText(reg, port, u.Proto),
			})
		}
	}
	for _, st := range registry.Statuses {
		if p, ok := reg.Nearest(port, st, v, -1); ok {
			info.Previous[st.String()] = p
		}
		if p, ok := reg.Nearest(port, st, v, +1); ok {
			info.Next[st.String()] = p
		}
	}
	return info, nil
}

// DescribeRecord resolves one record's people and references. The
// record's strings are used as they are: the registry neutralised them
// when it read them (sanitize.Text for the description, note, texts and
// unauthorized text, which may hold line breaks; sanitize.Line for the
// rest), and so did it for the people. The record's slices are shared,
// not copied: a document never changes them.
func DescribeRecord(reg *registry.Registry, rec *registry.Record) RecordInfo {
	ri := RecordInfo{
		Service:      rec.Name,
		Proto:        rec.Proto,
		Ports:        rec.Ports(),
		Status:       rec.Status().String(),
		Description:  rec.Description,
		Assignee:     people(reg, rec.Assignee),
		Contact:      people(reg, rec.Contact),
		URIs:         rec.URIs,
		Texts:        rec.Texts,
		Registered:   rec.Registered,
		Modified:     rec.Modified,
		Note:         rec.Note,
		Unauthorized: rec.Unauthorized,
		ServiceCode:  rec.ServiceCode,
	}
	for _, n := range rec.RFCs {
		ri.RFCs = append(ri.RFCs, RefInfo{ID: "RFC " + strconv.Itoa(n), URL: registry.RFCURL(n)})
	}
	for _, d := range rec.Drafts {
		ri.Drafts = append(ri.Drafts, RefInfo{ID: d, URL: registry.DraftURL(d)})
	}
	return ri
}

// PracticeLines are the lines lookup prints for pi's de-facto uses, one
// per transport: "323/udp  IANA: reserved · commonly: chronyd command
// port (chronyd(8))" (audit.PracticeLine).
func PracticeLines(pi PortInfo) []string {
	var out []string
	for _, proto := range registry.Protocols {
		var uses []practice.Use
		iana := ""
		for _, u := range pi.Practice {
			if u.Proto == proto {
				uses = append(uses, practice.Use{Port: pi.Port, Proto: u.Proto, What: u.Use, Daemons: u.Daemons, Source: u.Source})
				iana = u.IANA
			}
		}
		if l := audit.PracticeLine(iana, uses); l != "" {
			out = append(out, strconv.Itoa(pi.Port)+"/"+proto+"  "+l)
		}
	}
	return out
}

func people(reg *registry.Registry, ids []string) []PersonInfo {
	var out []PersonInfo
	for _, id := range ids {
		p, _ := reg.Person(id)
		out = append(out, PersonInfo{ID: id, Display: p.Display(id), Name: p.Name, Org: p.Org, URI: p.Contact()})
	}
	return out
}
