package registry_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/sanitize"
)

// The readers take files users hand to `portui registry update`: any input
// must give a registry or an error, never a panic, and whatever they accept
// must survive Marshal and Load. They are fuzzed through Convert, where an
// export enters and its text is neutralised (the seeds pick the reader).

func FuzzParseXML(f *testing.F) {
	f.Add([]byte(`<registry><updated>2026-08-17</updated><record><name>ssh</name><protocol>tcp</protocol><number>22</number><xref type="rfc" data="rfc4251"/><description>SSH</description></record></registry>`))
	f.Add([]byte(`<registry><record><description>Unassigned</description><number>325-332</number><note>x<br/>y <xref type="person" data="a"/></note></record><people><person id="a"><name>A</name></person></people></registry>`))
	f.Add([]byte(`<registry><record><number>1-0</number></record></registry>`))
	f.Add([]byte(`<?xml version="1.0"?><registry xmlns="http://www.iana.org/assignments"><record><number>65536</number></record></registry>`))
	raw, _ := os.ReadFile(ianaXML)
	if len(raw) > 4000 {
		f.Add(append(bytes.Clone(raw[:4000]), "</record></registry>"...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := registry.Convert(t.Context(), "fuzz.xml", in)
		if err != nil {
			return
		}
		assertCleanData(t, "Convert", d)
		roundTrip(t, d)
	})
}

func FuzzParseCSV(f *testing.F) {
	sample, _ := os.ReadFile("testdata/sample.csv")
	f.Add(sample)
	f.Add([]byte("Service Name,Port Number,Transport Protocol,Description\nx,1-2,tcp,\"quoted\"\"\"\n"))
	f.Add([]byte("Service Name,Port Number,Transport Protocol,Description,Reference\nx,5,tcp,d,[RFC][x\n"))
	f.Add([]byte("Service Name,Port Number,Transport Protocol,Description ,0000000000000000000\n\xba")) // #19
	f.Add(hostileCSV(hostile))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := registry.Convert(t.Context(), "fuzz.csv", in)
		if err != nil {
			return
		}
		assertCleanData(t, "Convert", d)
		roundTrip(t, d)
	})
}

func FuzzLoad(f *testing.F) {
	f.Add(assets.RegistryJSON[:2000])
	f.Add([]byte(`{"schema":1,"updated":"x","source":{},"index":[22,22,5],` + "\n" + `"records":[` + "\n" + `{"name":"ssh","lo":22,"hi":22}` + "\n" + `],` + "\n" + `"people":{` + "\n" + `"a":{"name":"A"}` + "\n}}\n"))
	f.Add([]byte(`{"schema":1,"records":[{"lo":-1,"hi":-1}]}`))
	if b, err := registry.Marshal(hostileData()); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		reg, err := registry.Load(in)
		if err != nil {
			return
		}
		// Nothing Load hands out may carry a control, whatever the file.
		if !sanitize.IsClean(reg.Updated) {
			t.Errorf("Updated %q", reg.Updated)
		}
		for _, b := range uncleanStrings(reg.Source) {
			t.Errorf("Source.%s", b)
		}
		for i := 0; i < reg.Len(); i++ {
			rec, err := reg.Record(i)
			if err != nil {
				continue
			}
			for _, b := range uncleanStrings(rec) {
				t.Errorf("record %d %s", i, b)
			}
			for _, id := range append(append([]string{}, rec.Assignee...), rec.Contact...) {
				if p, ok := reg.Person(id); ok {
					for _, b := range uncleanStrings(p) {
						t.Errorf("person %q %s", id, b)
					}
				}
			}
		}
		_, _ = reg.Person("a")
		_, _ = reg.Search("a 1", 3)
		_ = reg.RunAt(22, registry.Combined)
	})
}

// roundTrip checks that write→read is an identity on what a reader
// accepted: Marshal then Load gives back every record, every person the
// records reference, the date and the source, unchanged. It returns the
// loaded registry.
func roundTrip(t *testing.T, d *registry.Data) *registry.Registry {
	t.Helper()
	b, err := registry.Marshal(d)
	if err != nil {
		t.Fatalf("Marshal of accepted input: %v", err)
	}
	reg, err := registry.Load(b)
	if err != nil {
		t.Fatalf("Load of marshalled input: %v", err)
	}
	if reg.Len() != len(d.Records) {
		t.Fatalf("Load: %d records, want %d", reg.Len(), len(d.Records))
	}
	if reg.Updated != d.Updated || reg.Source != d.Source {
		t.Fatalf("header changed: %q %+v, want %q %+v", reg.Updated, reg.Source, d.Updated, d.Source)
	}
	for i := range d.Records {
		rec, err := reg.Record(i)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(rec, d.Records[i]) {
			t.Fatalf("record %d changed:\n got %#v\nwant %#v", i, rec, d.Records[i])
		}
	}
	for id, want := range d.People {
		got, ok := reg.Person(id)
		if !ok || got != want {
			t.Fatalf("person %q: got %+v (%v), want %+v", id, got, ok, want)
		}
	}
	return reg
}

// TestPersonIDWithQuoteColon: a person id holding `":{` (escaped in the
// line layout) is found again by Load.
func TestPersonIDWithQuoteColon(t *testing.T) {
	id := `a":{b\"`
	d := &registry.Data{Schema: registry.SchemaVersion, Records: []registry.Record{{Name: "x", Lo: 1, Hi: 1, Assignee: []string{id}}},
		People: map[string]registry.Person{id: {Name: "A"}}}
	roundTrip(t, d)
}
