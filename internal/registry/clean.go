package registry

import (
	"maps"
	"slices"

	"github.com/portui/portui/internal/sanitize"
)

// Registry text is untrusted: a user's registry.json or an IANA export can
// be hand-made to carry terminal controls. It is neutralised once, where it
// enters: in Convert (an IANA export, after the XML or CSV reader), in New
// (also Load's slow path), and in Load's header and each record and person
// as it is decoded, so nothing downstream ever sees a control byte. Free
// text that may span lines goes through sanitize.Text, everything else
// through sanitize.Line. Both are idempotent and do not allocate for clean
// text, so the real registry (which has no controls) costs a scan and
// comes out unchanged.

// neutralise makes every string of the record safe to print.
func (r *Record) neutralise() {
	r.Name = sanitize.Line(r.Name)
	r.Proto = sanitize.Line(r.Proto)
	r.Description = sanitize.Text(r.Description)
	sanitize.Lines(r.Assignee)
	sanitize.Lines(r.Contact)
	sanitize.Lines(r.Drafts)
	sanitize.Lines(r.URIs)
	for i, s := range r.Texts {
		r.Texts[i] = sanitize.Text(s)
	}
	r.Registered = sanitize.Line(r.Registered)
	r.Modified = sanitize.Line(r.Modified)
	r.Note = sanitize.Text(r.Note)
	r.Unauthorized = sanitize.Text(r.Unauthorized)
	r.ServiceCode = sanitize.Line(r.ServiceCode)
}

// neutralise makes every string of the person safe to print.
func (p *Person) neutralise() {
	p.Name = sanitize.Line(p.Name)
	p.Org = sanitize.Line(p.Org)
	p.URI = sanitize.Line(p.URI)
	p.Updated = sanitize.Line(p.Updated)
}

// neutralise makes every string of the source safe to print.
func (s *Source) neutralise() {
	s.Format = sanitize.Line(s.Format)
	s.File = sanitize.Line(s.File)
	s.SHA256 = sanitize.Line(s.SHA256)
}

// neutralise makes every string of d safe to print, in place: header,
// records, and people with their ids (the records' Assignee and Contact
// ids are neutralised the same way, so references still resolve).
func (d *Data) neutralise() {
	d.Updated = sanitize.Line(d.Updated)
	d.Source.neutralise()
	for i := range d.Records {
		d.Records[i].neutralise()
	}
	dirty := false
	for id, p := range d.People {
		p.neutralise()
		d.People[id] = p
		dirty = dirty || !sanitize.IsClean(id)
	}
	if !dirty {
		return
	}
	// Re-key the people by neutralised id. Should two ids neutralise to the
	// same text, the one that was already clean wins, else the first in
	// byte order, so the outcome does not depend on map order.
	ids := slices.Sorted(maps.Keys(d.People))
	people := make(map[string]Person, len(d.People))
	for _, id := range ids {
		if sanitize.IsClean(id) {
			people[id] = d.People[id]
		}
	}
	for _, id := range ids {
		if clean := sanitize.Line(id); clean != id {
			if _, dup := people[clean]; !dup {
				people[clean] = d.People[id]
			}
		}
	}
	d.People = people
}
