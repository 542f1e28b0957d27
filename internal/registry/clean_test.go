package registry_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/sanitize"
)

// hostile carries every kind of control a registry file could use against
// a terminal: OSC 52 (clipboard), title sets, a screen clear, DCS, APC,
// BEL, BS, CR, a raw C1 byte (invalid UTF-8), UTF-8 C1 (U+009B), bidi
// overrides and isolates, line separators, DEL, a tab and a newline.
const hostile = "a\x1b]52;c;SGVsbG8=\x07b\x1b]0;PWN\x07\x1b]2;title\x1b\\\x1b[2J" +
	"\x1bPq#0;2;0;0;0\x1b\\\x1b_apc\x1b\\\a\b\rc\x9b31m\u009b2J\u202eevil\u2066x\u2069" +
	"\u2028\x7f\td\ne"

// multiLine are the Record fields that keep line breaks (sanitize.Text);
// every other string is one line (sanitize.Line).
var multiLine = map[string]bool{"Description": true, "Note": true, "Unauthorized": true, "Texts": true}

// fillStrings sets every string field of the struct v points at to s, and
// every []string field to {s}.
func fillStrings(v any, s string) {
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		switch {
		case f.Kind() == reflect.String:
			f.SetString(s)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			f.Set(reflect.ValueOf([]string{s}))
		}
	}
}

// uncleanStrings lists "field: value" for every string of the struct v
// that is not neutralised: one-line fields must be sanitize.IsClean, the
// multi-line ones sanitize.IsCleanText.
func uncleanStrings(v any) []string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	var bad []string
	check := func(name, s string) {
		ok := sanitize.IsClean(s)
		if multiLine[name] {
			ok = sanitize.IsCleanText(s)
		}
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: %q", name, s))
		}
	}
	for i := 0; i < rv.NumField(); i++ {
		f, name := rv.Field(i), rv.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.String:
			check(name, f.String())
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			for j := 0; j < f.Len(); j++ {
				check(name, f.Index(j).String())
			}
		case f.Kind() == reflect.Struct:
			for _, b := range uncleanStrings(f.Interface()) {
				bad = append(bad, name+"."+b)
			}
		}
	}
	return bad
}

// assertCleanRegistry fails t if any string of reg's header, records or
// of the people they reference holds a control. It returns how many
// people it found, so callers can tell the check reached them.
func assertCleanRegistry(t *testing.T, how string, reg *registry.Registry) int {
	t.Helper()
	if !sanitize.IsClean(reg.Updated) {
		t.Errorf("%s: Updated %q", how, reg.Updated)
	}
	for _, b := range uncleanStrings(reg.Source) {
		t.Errorf("%s: Source.%s", how, b)
	}
	people := 0
	for i := 0; i < reg.Len(); i++ {
		rec, err := reg.Record(i)
		if err != nil {
			t.Fatalf("%s: record %d: %v", how, i, err)
		}
		for _, b := range uncleanStrings(rec) {
			t.Errorf("%s: record %d %s", how, i, b)
		}
		for _, id := range append(append([]string{}, rec.Assignee...), rec.Contact...) {
			if p, ok := reg.Person(id); ok {
				people++
				for _, b := range uncleanStrings(p) {
					t.Errorf("%s: person %q %s", how, id, b)
				}
			}
		}
	}
	all, err := reg.Records()
	if err != nil {
		t.Fatalf("%s: Records: %v", how, err)
	}
	for i := range all {
		for _, b := range uncleanStrings(all[i]) {
			t.Errorf("%s: Records()[%d] %s", how, i, b)
		}
	}
	return people
}

// assertCleanData is assertCleanRegistry for a conversion's Data.
func assertCleanData(t *testing.T, how string, d *registry.Data) {
	t.Helper()
	if !sanitize.IsClean(d.Updated) {
		t.Errorf("%s: Updated %q", how, d.Updated)
	}
	for _, b := range uncleanStrings(d.Source) {
		t.Errorf("%s: Source.%s", how, b)
	}
	for i := range d.Records {
		for _, b := range uncleanStrings(d.Records[i]) {
			t.Errorf("%s: record %d %s", how, i, b)
		}
	}
	for id, p := range d.People {
		if !sanitize.IsClean(id) {
			t.Errorf("%s: person id %q", how, id)
		}
		for _, b := range uncleanStrings(p) {
			t.Errorf("%s: person %q %s", how, id, b)
		}
	}
}

// hostileData is a registry whose every string field carries hostile.
func hostileData() *registry.Data {
	var rec registry.Record
	fillStrings(&rec, hostile)
	rec.Lo, rec.Hi, rec.RFCs = 22, 22, []int{4251}
	var p registry.Person
	fillStrings(&p, hostile)
	d := &registry.Data{Schema: registry.SchemaVersion, Updated: hostile, Records: []registry.Record{rec},
		People: map[string]registry.Person{hostile: p}}
	fillStrings(&d.Source, hostile)
	return d
}

// TestLoadNeutralisesControls: a hand-made registry.json carrying controls
// in every string field gives none of them to anything downstream, in
// either layout Load reads.
func TestLoadNeutralisesControls(t *testing.T) {
	lines, err := registry.Marshal(hostileData())
	if err != nil {
		t.Fatal(err)
	}
	compact, err := json.Marshal(hostileData())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(compact, []byte("\n")) != 0 {
		t.Fatal("compact JSON has line breaks: it would not take the slow path")
	}
	for how, b := range map[string][]byte{"line layout": lines, "compact JSON": compact} {
		reg, err := registry.Load(b)
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		if n := assertCleanRegistry(t, how, reg); n == 0 {
			t.Errorf("%s: the hostile person was not found by its (neutralised) id", how)
		}
	}
	d := hostileData()
	reg, err := registry.New(d)
	if err != nil {
		t.Fatal(err)
	}
	assertCleanRegistry(t, "New", reg)
}

// hostileCSV is an IANA CSV export carrying s in every column that can
// hold text.
func hostileCSV(s string) []byte {
	q := func(v string) string { return `"` + strings.ReplaceAll(v, `"`, `""`) + `"` }
	var b strings.Builder
	b.WriteString("Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n")
	cells := []string{q(s), "22", "tcp", q(s), q("[" + s + "]"), q("[" + s + "]"), q(s), q(s),
		q("[RFC4251][draft-" + s + "][https://" + s + "][" + s + "]"), q(s), q(s), q(s)}
	b.WriteString(strings.Join(cells, ",") + "\n")
	return []byte(b.String())
}

// hostileXML is an IANA XML export carrying s in every element and
// attribute that can hold text; s must be what XML can carry.
func hostileXML(s string) []byte {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r", "&#13;", "\t", "&#9;", "\n", "&#10;")
	e := r.Replace(s)
	return []byte(`<?xml version="1.0"?><registry xmlns="http://www.iana.org/assignments"><updated>` + e + `</updated>
<record date="` + e + `" updated="` + e + `"><name>` + e + `</name><protocol>tcp</protocol><number>22</number>
<description>` + e + `<br/><xref type="person" data="` + e + `"/> ` + e + `</description>
<note>` + e + `</note><unauthorized>` + e + `</unauthorized><sc>` + e + `</sc>
<xref type="rfc" data="rfc4251"/><xref type="draft" data="` + e + `"/><xref type="uri" data="` + e + `"/>
<xref type="text">` + e + `</xref><xref type="note" data="1"/><xref type="person" data="` + e + `"/>
<assignee><xref type="person" data="` + e + `"/></assignee><contact><xref type="person" data="` + e + `"/></contact></record>
<footnote anchor="1">` + e + `</footnote>
<people><person id="` + e + `"><name>` + e + `</name><org>` + e + `</org><uri>` + e + `</uri><updated>` + e + `</updated></person></people>
</registry>`)
}

// TestConvertNeutralisesControls: IANA exports (CSV and XML) carrying
// controls in every field convert to a registry without any, and so does
// the file name they are stamped with.
func TestConvertNeutralisesControls(t *testing.T) {
	// XML 1.0 cannot carry C0 controls but tab, CR and LF, not even as
	// character references: what it can carry is tested as accepted, the
	// rest as refused.
	xmlSafe := "a\u009b2J\u202eevil\u2066x\u2069\u200f\r\tb\u0085c"
	inputs := []struct {
		name   string
		raw    []byte
		accept bool
	}{
		{"evil\x1b]0;t\x07.csv", hostileCSV(hostile), true},
		{"evil\x1b]0;t\x07.xml", hostileXML(xmlSafe), true},
		{"evil.xml", hostileXML(hostile), false},
	}
	for _, in := range inputs {
		d, err := registry.Convert(t.Context(), in.name, in.raw)
		if !in.accept {
			if err == nil {
				assertCleanData(t, in.name, d)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", in.name, err)
		}
		assertCleanData(t, in.name, d)
		if len(d.Records) != 1 || d.Records[0].Name == "" || len(d.Records[0].Texts) == 0 {
			t.Fatalf("%q: not converted as expected: %+v", in.name, d.Records)
		}
		if strings.HasSuffix(in.name, ".xml") && len(d.People) == 0 {
			t.Fatalf("%q: the person was dropped", in.name)
		}
		assertCleanRegistry(t, in.name+" loaded", roundTrip(t, d))
	}
}
