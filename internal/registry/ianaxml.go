package registry

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// The XML shapes below mirror IANA's file (see assets/iana/README.md);
// xmlRegistry is filled by decodeRegistry, one child element at a time.
// Free text (description, note, unauthorized) is mixed content with
// inline <xref/> and <br/>, so it is kept as raw inner XML and flattened
// once the <people> table, which comes last, is known.
type xmlRegistry struct {
	Updated   string
	Records   []xmlRecord
	People    []xmlPerson
	Footnotes []xmlFootnote
}

type xmlRecord struct {
	Date         string    `xml:"date,attr"`
	Updated      string    `xml:"updated,attr"`
	Name         string    `xml:"name"`
	Protocol     string    `xml:"protocol"`
	Number       *string   `xml:"number"`
	Description  xmlMixed  `xml:"description"`
	Note         xmlMixed  `xml:"note"`
	Unauthorized xmlMixed  `xml:"unauthorized"`
	SC           string    `xml:"sc"`
	Xrefs        []xmlXref `xml:"xref"`
	Assignee     []xmlXref `xml:"assignee>xref"`
	Contact      []xmlXref `xml:"contact>xref"`
}

type xmlXref struct {
	Type string `xml:"type,attr"`
	Data string `xml:"data,attr"`
	Text string `xml:",chardata"`
}

type xmlMixed struct {
	Inner string `xml:",innerxml"`
}

type xmlPerson struct {
	ID      string `xml:"id,attr"`
	Name    string `xml:"name"`
	Org     string `xml:"org"`
	URI     string `xml:"uri"`
	Updated string `xml:"updated"`
}

type xmlFootnote struct {
	Anchor string `xml:"anchor,attr"`
	Inner  string `xml:",innerxml"`
}

// ParseXML reads IANA's service-names-port-numbers.xml. Every record is
// validated (port numbers, ranges, protocol names); the first bad one is
// reported by its position and content. It stops with ctx's error when
// ctx is cancelled. The text is as the file has it: Convert neutralises
// it.
func ParseXML(ctx context.Context, r io.Reader) (*Data, error) {
	var doc xmlRegistry
	dec := xml.NewDecoder(r)
	dec.Strict = true
	if err := decodeRegistry(ctx, dec, &doc); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err // checkCtx's "conversion stopped"
		}
		return nil, fmt.Errorf("not an IANA port registry XML: %w", err)
	}
	if len(doc.Records) == 0 {
		return nil, errors.New("not an IANA port registry XML: no <record> elements")
	}
	people := make(map[string]Person, len(doc.People))
	for _, p := range doc.People {
		if p.ID == "" {
			continue
		}
		people[p.ID] = Person{
			Name:    cleanSpace(p.Name),
			Org:     cleanSpace(p.Org),
			URI:     strings.TrimSpace(p.URI),
			Updated: strings.TrimSpace(p.Updated),
		}
	}
	notes := make(map[string]string, len(doc.Footnotes))
	for _, f := range doc.Footnotes {
		// The footnote is hand-wrapped mid-word ("explicitly-\nconfigured").
		notes[f.Anchor] = flattenMixed(hyphenWrap.ReplaceAllString(f.Inner, "$1-$2"), people)
	}
	data := &Data{
		Schema:  SchemaVersion,
		Updated: strings.TrimSpace(doc.Updated),
		Records: make([]Record, 0, len(doc.Records)),
		People:  people,
	}
	for i, xr := range doc.Records {
		if err := checkCtx(ctx, i); err != nil {
			return nil, err
		}
		rec, err := convertXMLRecord(xr, people, notes)
		if err != nil {
			return nil, fmt.Errorf("record %d (%s): %w", i+1, describeXMLRecord(xr), err)
		}
		data.Records = append(data.Records, rec)
	}
	// Drop people nobody references: the table is large and only the
	// referenced entries are ever shown.
	used := make(map[string]bool)
	for _, r := range data.Records {
		for _, id := range r.Assignee {
			used[id] = true
		}
		for _, id := range r.Contact {
			used[id] = true
		}
	}
	for id := range data.People {
		if !used[id] {
			delete(data.People, id)
		}
	}
	return data, nil
}

// decodeRegistry reads the <registry> element into doc one child at a
// time, so that a cancelled ctx stops a large file between records.
func decodeRegistry(ctx context.Context, dec *xml.Decoder, doc *xmlRegistry) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "registry" {
				return fmt.Errorf("expected element type <registry> but have <%s>", se.Name.Local)
			}
			break
		}
	}
	for n := 0; ; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement: // the root's: children are consumed whole
			return nil
		case xml.StartElement:
			switch t.Name.Local {
			case "record":
				if err := checkCtx(ctx, n); err != nil {
					return err
				}
				n++
				var xr xmlRecord
				if err := dec.DecodeElement(&xr, &t); err != nil {
					return err
				}
				doc.Records = append(doc.Records, xr)
			case "people":
				var ps struct {
					Person []xmlPerson `xml:"person"`
				}
				if err := dec.DecodeElement(&ps, &t); err != nil {
					return err
				}
				doc.People = append(doc.People, ps.Person...)
			case "footnote":
				var f xmlFootnote
				if err := dec.DecodeElement(&f, &t); err != nil {
					return err
				}
				doc.Footnotes = append(doc.Footnotes, f)
			case "updated":
				if err := dec.DecodeElement(&doc.Updated, &t); err != nil {
					return err
				}
			default:
				if err := dec.Skip(); err != nil {
					return err
				}
			}
		}
	}
}

// checkCtx returns ctx's error every 256th step of a conversion loop
// (ctx.Err takes a lock; 256 records take well under a millisecond).
func checkCtx(ctx context.Context, i int) error {
	if i%256 != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("conversion stopped: %w", err)
	}
	return nil
}

func describeXMLRecord(xr xmlRecord) string {
	var parts []string
	if xr.Name != "" {
		parts = append(parts, "name "+strconv.Quote(xr.Name))
	}
	if xr.Number != nil {
		parts = append(parts, "number "+strconv.Quote(*xr.Number))
	}
	if len(parts) == 0 {
		return "no name or number"
	}
	return strings.Join(parts, ", ")
}

func convertXMLRecord(xr xmlRecord, people map[string]Person, notes map[string]string) (Record, error) {
	rec := Record{
		Name:         strings.TrimSpace(xr.Name),
		Lo:           -1,
		Hi:           -1,
		Description:  flattenMixed(xr.Description.Inner, people),
		Note:         flattenMixed(xr.Note.Inner, people),
		Unauthorized: flattenMixed(xr.Unauthorized.Inner, people),
		ServiceCode:  strings.TrimSpace(xr.SC),
		Registered:   strings.TrimSpace(xr.Date),
		Modified:     strings.TrimSpace(xr.Updated),
	}
	proto, err := parseProto(xr.Protocol)
	if err != nil {
		return rec, err
	}
	rec.Proto = proto
	if xr.Number != nil {
		if rec.Lo, rec.Hi, err = ParseRange(*xr.Number); err != nil {
			return rec, err
		}
	}
	for _, x := range xr.Assignee {
		rec.Assignee = appendUnique(rec.Assignee, strings.TrimSpace(x.Data))
	}
	for _, x := range xr.Contact {
		rec.Contact = appendUnique(rec.Contact, strings.TrimSpace(x.Data))
	}
	var persons []string
	for _, x := range xr.Xrefs {
		data := strings.TrimSpace(x.Data)
		switch x.Type {
		case "person":
			persons = appendUnique(persons, data)
		case "rfc":
			n, err := parseRFC(data)
			if err != nil {
				return rec, err
			}
			rec.RFCs = appendUnique(rec.RFCs, n)
		case "draft":
			rec.Drafts = appendUnique(rec.Drafts, data)
		case "uri":
			rec.URIs = appendUnique(rec.URIs, data)
		case "note":
			if text, ok := notes[data]; ok {
				rec.Texts = appendUnique(rec.Texts, text)
			}
		default: // "text" and anything newer: keep what a person can read
			text := cleanSpace(x.Text)
			if text == "" {
				text = data
			}
			if text != "" && text != "n/a" {
				rec.Texts = appendUnique(rec.Texts, text)
			}
		}
	}
	// IANA's own rendering shows a record-level person xref as both the
	// assignee and the contact when the record names neither explicitly.
	if len(rec.Assignee) == 0 {
		rec.Assignee = persons
	}
	if len(rec.Contact) == 0 {
		rec.Contact = persons
	}
	return rec, nil
}

var hyphenWrap = regexp.MustCompile(`(\w)-\n\s*(\w)`)

var protoRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// parseProto accepts the registry's transports and, so that a newer file
// naming a new transport still loads, any short lowercase token.
func parseProto(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || protoRE.MatchString(s) {
		return s, nil
	}
	return "", fmt.Errorf("bad transport protocol %q", s)
}

func parseRFC(s string) (int, error) {
	digits := strings.TrimPrefix(strings.ToLower(s), "rfc")
	n, err := strconv.Atoi(strings.TrimSpace(digits))
	if err != nil || n <= 0 || n > 99999 {
		return 0, fmt.Errorf("bad RFC reference %q", s)
	}
	return n, nil
}

// ParseRange parses "22" or "325-332" into inclusive bounds within 0–65535.
func ParseRange(s string) (lo, hi int, err error) {
	s = strings.TrimSpace(s)
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePort(a); err != nil {
		return 0, 0, fmt.Errorf("bad port %q: %w", s, err)
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = parsePort(b); err != nil {
		return 0, 0, fmt.Errorf("bad port range %q: %w", s, err)
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("bad port range %q: %d is above %d", s, lo, hi)
	}
	return lo, hi, nil
}

func parsePort(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
	}
	if len(s) > 5 {
		return 0, errors.New("above 65535")
	}
	n, _ := strconv.Atoi(s)
	if n > MaxPort {
		return 0, errors.New("above 65535")
	}
	return n, nil
}

// flattenMixed turns an element's inner XML into plain text: <br/> becomes
// a line break, source line wrapping becomes a space, and inline <xref/>s
// become readable text (a person's name, "RFC 4146", a URI).
func flattenMixed(inner string, people map[string]Person) string {
	if strings.TrimSpace(inner) == "" {
		return ""
	}
	if !strings.ContainsRune(inner, '<') && !strings.ContainsRune(inner, '&') {
		return cleanSpace(inner)
	}
	dec := xml.NewDecoder(strings.NewReader("<x>" + inner + "</x>"))
	var lines []string
	var cur strings.Builder
	flush := func() {
		lines = append(lines, cleanSpace(cur.String()))
		cur.Reset()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break // io.EOF, or a fragment the strict parse already accepted
		}
		switch t := tok.(type) {
		case xml.CharData:
			cur.Write(t)
		case xml.StartElement:
			switch t.Name.Local {
			case "br":
				flush()
			case "xref":
				cur.WriteString(xrefText(t, people))
			}
		}
	}
	flush()
	// Drop leading/trailing blank lines but keep intended blank lines inside.
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

func xrefText(t xml.StartElement, people map[string]Person) string {
	var typ, data string
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "type":
			typ = a.Value
		case "data":
			data = a.Value
		}
	}
	switch typ {
	case "person":
		return people[data].Display(data)
	case "rfc":
		if n, err := parseRFC(data); err == nil {
			return "RFC " + strconv.Itoa(n)
		}
	}
	return data
}

// cleanSpace collapses runs of white space (including source line breaks)
// into single spaces and trims the ends.
func cleanSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func appendUnique[T comparable](list []T, v T) []T {
	var zero T
	if v == zero {
		return list
	}
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}
