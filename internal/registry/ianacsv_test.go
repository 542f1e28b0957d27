package registry_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portui/portui/internal/registry"
)

func TestParseCSVSample(t *testing.T) {
	raw, err := os.ReadFile("testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, err := registry.Convert(t.Context(), "sample.csv", raw)
	if err != nil {
		t.Fatal(err)
	}
	if data.Source.Format != "csv" || data.Updated != "2025-02-13" || len(data.Records) != 12 {
		t.Fatalf("source %+v updated %q records %d", data.Source, data.Updated, len(data.Records))
	}
	reg, err := registry.New(data)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		port int
		view registry.View
		want registry.Status
	}{
		{22, registry.Combined, registry.Assigned},
		{2, registry.Combined, registry.Reserved},
		{24, registry.Combined, registry.Other},
		{143, registry.TCPOnly, registry.Assigned},
		{143, registry.UDPOnly, registry.Reserved},
		{326, registry.Combined, registry.Unassigned},
	}
	for _, c := range checks {
		if got := reg.Status(c.port, c.view); got != c.want {
			t.Errorf("%d %v: %v, want %v", c.port, c.view, got, c.want)
		}
	}
	imap := data.Records[7]
	if !slices.Equal(imap.RFCs, []int{3501, 9051}) || !slices.Equal(imap.Assignee, []string{"IESG"}) || !slices.Equal(imap.Contact, []string{"IETF_Chair"}) {
		t.Errorf("imap: %+v", imap)
	}
	if d := data.Records[10]; d.ServiceCode != "1145656131" || d.Proto != "dccp" {
		t.Errorf("dccp discard: %+v", d)
	}
	if f := data.Records[6]; !strings.HasPrefix(f.Unauthorized, "Unauthorized use by some mail users") {
		t.Errorf("finger: %+v", f)
	}
	if r := data.Records[9]; r.Lo != 325 || r.Hi != 332 || r.Proto != "" {
		t.Errorf("range row: %+v", r)
	}
}

// toIANACSV writes data the way IANA's CSV export lays it out, so the CSV
// reader can be checked against the whole XML-derived registry.
func toIANACSV(t *testing.T, d *registry.Data) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Service Name", "Port Number", "Transport Protocol", "Description", "Assignee", "Contact",
		"Registration Date", "Modification Date", "Reference", "Service Code", "Unauthorized Use Reported", "Assignment Notes"})
	br := func(ids []string) string {
		var s string
		for _, id := range ids {
			s += "[" + id + "]"
		}
		return s
	}
	for _, r := range d.Records {
		var refs []string
		for _, n := range r.RFCs {
			refs = append(refs, "RFC"+strconv.Itoa(n))
		}
		refs = append(append(refs, r.Drafts...), r.URIs...)
		w.Write([]string{r.Name, r.Ports(), r.Proto, r.Description, br(r.Assignee), br(r.Contact),
			r.Registered, r.Modified, br(refs), r.ServiceCode, r.Unauthorized, r.Note})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSVRoundTripMatchesXML(t *testing.T) {
	_, fromXML := convertIANA(t)
	fromCSV, err := registry.Convert(t.Context(), "x.csv", toIANACSV(t, fromXML))
	if err != nil {
		t.Fatal(err)
	}
	if len(fromCSV.Records) != len(fromXML.Records) {
		t.Fatalf("CSV %d records, XML %d", len(fromCSV.Records), len(fromXML.Records))
	}
	for i := range fromXML.Records {
		a, b := fromXML.Records[i], fromCSV.Records[i]
		if a.Name != b.Name || a.Lo != b.Lo || a.Hi != b.Hi || a.Proto != b.Proto || a.Description != b.Description ||
			!slices.Equal(a.RFCs, b.RFCs) || !slices.Equal(a.Assignee, b.Assignee) || a.Note != b.Note || a.ServiceCode != b.ServiceCode {
			t.Fatalf("record %d:\nXML %+v\nCSV %+v", i, a, b)
		}
	}
	rx, _ := registry.New(fromXML)
	rc, _ := registry.New(fromCSV)
	for p := 0; p <= registry.MaxPort; p++ {
		if rx.Status(p, registry.Combined) != rc.Status(p, registry.Combined) {
			t.Fatalf("port %d: XML %v, CSV %v", p, rx.Status(p, registry.Combined), rc.Status(p, registry.Combined))
		}
	}
}

func TestParseErrorsNameTheProblem(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"port out of range": {`<registry><record><name>x</name><protocol>tcp</protocol><number>70000</number></record></registry>`, `record 1 (name "x", number "70000"): bad port "70000": above 65535`},
		"reversed range":    {`<registry><record><number>9-3</number></record></registry>`, `bad port range "9-3": 9 is above 3`},
		"no records":        {`<registry><updated>2026-01-01</updated></registry>`, "no <record> elements"},
		"not xml":           {`<registry><record>`, "not an IANA port registry XML"},
		"csv header":        {"a,b,c\n1,2,3\n", `no "Service Name" column`},
		"csv bad port":      {"Service Name,Port Number,Transport Protocol,Description\nx,abc,tcp,y\n", `CSV line 2: bad port "abc": not a number`},
		"csv empty":         {"", "empty input"},
	}
	for name, c := range cases {
		_, err := registry.Convert(t.Context(), "in", []byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", name, err)
		}
	}
}

// TestCSVInvalidUTF8 (#19): the rule for invalid UTF-8 in an export is to
// neutralise it like any control, into the visible escape `\xba`, so the
// field survives write→read unchanged (JSON would have turned the raw byte
// into U+FFFD, and the round trip failed).
func TestCSVInvalidUTF8(t *testing.T) {
	in := "Service Name,Port Number,Transport Protocol,Description ,0000000000000000000\n\xba"
	d, err := registry.Convert(t.Context(), "in.csv", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Records) != 1 || d.Records[0].Name != `\xba` {
		t.Fatalf("records %+v, want one named `\\xba`", d.Records)
	}
	roundTrip(t, d) // record 0 comes back unchanged
	// The same for invalid bytes in every text column.
	d, err = registry.Convert(t.Context(), "in.csv", hostileCSV("ok \xff\xfe \xe2\x82 end"))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)
}
