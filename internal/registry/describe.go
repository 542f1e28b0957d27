package registry

import "strconv"

// PortInfo is everything the registry knows about one port, with people
// resolved and references turned into links: what `portui lookup` prints
// and what its --json emits (schema in docs/json.md).
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
}

// ClassInfo is the JSON form of Class.
type ClassInfo struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Lo      int    `json:"lo"`
	Hi      int    `json:"hi"`
	Explain string `json:"explain"`
}

// RunInfo is the JSON form of Run.
type RunInfo struct {
	Lo     int    `json:"lo"`
	Hi     int    `json:"hi"`
	Status string `json:"status"`
	Length int    `json:"length"`
}

// RecordInfo is a record with its people and references resolved.
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

// Describe gathers PortInfo for port under view v: with a transport view,
// status, run and neighbours are that transport's, and only its records
// (and those for every transport) are listed.
func (r *Registry) Describe(port int, v View) (PortInfo, error) {
	port = clampPort(port)
	all, err := r.RecordsAt(port)
	if err != nil {
		return PortInfo{}, err
	}
	recs := all[:0:0]
	for i := range all {
		if all[i].Covers(port, v.Proto()) {
			recs = append(recs, all[i])
		}
	}
	run := r.RunAt(port, v)
	c := ClassOf(port)
	info := PortInfo{
		Port:          port,
		View:          v.String(),
		Status:        r.Status(port, v).String(),
		StatusByProto: make(map[string]string, len(Protocols)),
		Class:         ClassInfo{c.Name, c.Title, c.Lo, c.Hi, c.Explain},
		Run:           RunInfo{run.Lo, run.Hi, run.Status.String(), run.Len()},
		Records:       make([]RecordInfo, 0, len(recs)),
		Previous:      map[string]int{},
		Next:          map[string]int{},
	}
	for i, p := range Protocols {
		info.StatusByProto[p] = r.Status(port, View(i+1)).String()
	}
	for i := range recs {
		info.Records = append(info.Records, r.DescribeRecord(&recs[i]))
	}
	for _, st := range Statuses {
		if p, ok := r.Nearest(port, st, v, -1); ok {
			info.Previous[st.String()] = p
		}
		if p, ok := r.Nearest(port, st, v, +1); ok {
			info.Next[st.String()] = p
		}
	}
	return info, nil
}

// DescribeRecord resolves one record's people and references.
func (r *Registry) DescribeRecord(rec *Record) RecordInfo {
	ri := RecordInfo{
		Service:      rec.Name,
		Proto:        rec.Proto,
		Ports:        rec.Ports(),
		Status:       rec.Status().String(),
		Description:  rec.Description,
		Assignee:     r.people(rec.Assignee),
		Contact:      r.people(rec.Contact),
		URIs:         rec.URIs,
		Texts:        rec.Texts,
		Registered:   rec.Registered,
		Modified:     rec.Modified,
		Note:         rec.Note,
		Unauthorized: rec.Unauthorized,
		ServiceCode:  rec.ServiceCode,
	}
	for _, n := range rec.RFCs {
		ri.RFCs = append(ri.RFCs, RefInfo{ID: "RFC " + strconv.Itoa(n), URL: RFCURL(n)})
	}
	for _, d := range rec.Drafts {
		ri.Drafts = append(ri.Drafts, RefInfo{ID: d, URL: DraftURL(d)})
	}
	return ri
}

func (r *Registry) people(ids []string) []PersonInfo {
	var out []PersonInfo
	for _, id := range ids {
		p, _ := r.Person(id)
		out = append(out, PersonInfo{ID: id, Display: p.Display(id), Name: p.Name, Org: p.Org, URI: p.Contact()})
	}
	return out
}
