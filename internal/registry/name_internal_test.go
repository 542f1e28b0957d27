package registry

import (
	"bytes"
	"testing"

	"github.com/portui/portui/assets"
)

// lazyOne is a registry.json in the line layout holding the one record
// line, for checking how the lazy source reads it.
func lazyOne(line []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"schema":1,"updated":"","source":{"format":"","file":"","sha256":""},"index":[1,1,0],` + "\n")
	b.WriteString(recordsOpen)
	b.Write(line)
	b.WriteString("\n" + peopleOpen + "}}\n")
	return b.Bytes()
}

// checkName fails t unless the name the lazy source reads from record
// i's line, before anything decoded it, is the decoded record's Name.
func checkName(t *testing.T, b []byte, i int) {
	t.Helper()
	fresh, _, err := newLazySource(b)
	if err != nil {
		t.Fatal(err)
	}
	name, nerr := fresh.name(i)
	decoded, _, _ := newLazySource(b)
	rec, rerr := decoded.record(i)
	if rerr != nil {
		return // a line that does not decode: ByName reports it when it matches
	}
	if nerr != nil || name != rec.Name {
		t.Errorf("record %d: name %q (%v), decoded %q", i, name, nerr, rec.Name)
	}
}

// TestNameFastPathAgreesWithDecoding: reading names without decoding
// gives what decoding gives, for every record of the embedded registry and
// for lines made to mislead a scan.
func TestNameFastPathAgreesWithDecoding(t *testing.T) {
	names, _, err := newLazySource(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	records, _, _ := newLazySource(assets.RegistryJSON)
	for i := 0; i < names.len(); i++ {
		name, err := names.name(i)
		if err != nil {
			t.Fatal(err)
		}
		if rec, err := records.record(i); err != nil || name != rec.Name {
			t.Fatalf("record %d: name %q, decoded %q (%v)", i, name, rec.Name, err)
		}
	}
	decoded := 0
	names.cache.Range(func(any, any) bool { decoded++; return true })
	if decoded > 50 {
		t.Errorf("reading names decoded %d of %d records", decoded, names.len())
	}
	for _, line := range []string{
		`{"name":"a","NAME":"b","lo":1,"hi":1}`,                     // the last duplicate wins, any case
		`{"name":"a","lo":1,"hi":1,"n\u0061me":"c"}`,                // an escaped key
		`{"lo":1,"hi":1,"\u006E\u0041\u006d\u0065":"d"}`,            // only an escaped key
		`{"name":"a\u0062","lo":1,"hi":1}`,                          // an escaped name
		`{"name":"a\\","lo":1,"hi":1}`,                              // a backslash in the name
		`{"name":"x\u202ey","lo":1,"hi":1}`,                         // neutralised on decoding
		"{\"name\":\"x\u202ey\",\"lo\":1,\"hi\":1}",                 // raw bidi
		`{"name":"a","lo":1,"hi":1,"desc":"the \"name\" is \\"}`,    // quotes and backslashes in a value
		`{"lo":1,"hi":1,"desc":"name"}`,                             // "name" as a value
		`{"lo":1,"hi":1,"desc":"\\\"name\\\""}`,                     // escaped quotes around it
		`{"name":"ssh","proto":"tcp","lo":22,"hi":22,"name":"ftp"}`, // a duplicate in the same case
		`{"name":"time","lo":1,"hi":1}`,                             // a name ending in me
		`{"name":"NaMe","lo":1,"hi":1}`,                             // a name that reads "name"
		`{"name":"a","lo":1,"hi":1,"desc":"Name"}`,                  // a value that does
		`{"name":"a","lo":1,"hi":1,"desc":"a name and a time"}`,     // "name" inside a value
		`{"name":"a","lo":1,"hi":1,"desc":"open}`,                   // a string that does not end
	} {
		checkName(t, lazyOne([]byte(line)), 0)
	}
}

// FuzzNameFastPath: whatever a record line holds, the name read without
// decoding is the decoded record's.
func FuzzNameFastPath(f *testing.F) {
	f.Add([]byte(`{"name":"ssh","proto":"tcp","lo":22,"hi":22,"desc":"x"}`))
	f.Add([]byte(`{"name":"a","lo":1,"hi":1,"n\u0061me":"c"}`))
	f.Add([]byte(`{"lo":1,"hi":1,"desc":"\\\"name\\\""}`))
	f.Add([]byte(`{"name":"a","lo":1,"hi":1,"x":"NAME"}`))
	f.Add([]byte(`{"name":"a","lo":1,"hi":1,"desc":"open}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.IndexByte(line, '\n') >= 0 {
			return
		}
		checkName(t, lazyOne(line), 0)
	})
}
