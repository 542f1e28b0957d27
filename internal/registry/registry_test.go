package registry_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
)

const ianaXML = "../../assets/iana/service-names-port-numbers.xml"

var (
	embeddedOnce sync.Once
	embedded     *registry.Registry
	embeddedErr  error
)

func loadEmbedded(t testing.TB) *registry.Registry {
	t.Helper()
	embeddedOnce.Do(func() { embedded, embeddedErr = registry.Load(assets.RegistryJSON) })
	if embeddedErr != nil {
		t.Fatal(embeddedErr)
	}
	return embedded
}

// convertIANA converts the vendored IANA file as `go generate` does,
// returning the file and what it converts to.
func convertIANA(t *testing.T) ([]byte, *registry.Data) {
	t.Helper()
	raw, err := os.ReadFile(ianaXML)
	if err != nil {
		t.Fatal(err)
	}
	d, err := registry.Convert(t.Context(), ianaXML, raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw, d
}

// TestEmbeddedIsRegenerated fails when assets/registry.json is stale: the
// generator run on the vendored IANA file must give the same bytes.
func TestEmbeddedIsRegenerated(t *testing.T) {
	_, data := convertIANA(t)
	b, err := registry.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, assets.RegistryJSON) {
		t.Fatal("assets/registry.json is stale: run `go generate ./...`")
	}
	again, _ := registry.Marshal(data)
	if !bytes.Equal(b, again) {
		t.Fatal("Marshal is not deterministic")
	}
}

func TestSourceChecksumMatchesSHA256SUMS(t *testing.T) {
	sums, err := os.ReadFile("../../assets/iana/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(sums))[0]
	reg := loadEmbedded(t)
	if reg.Source.SHA256 != want || reg.Updated != "2026-08-17" || reg.Source.Format != "xml" {
		t.Fatalf("source = %+v updated %q, want sha %s updated 2026-08-17", reg.Source, reg.Updated, want)
	}
}

// xmlRecord is a deliberately naive regexp reading of the IANA file, an
// oracle independent of the encoding/xml-based reader under test.
type xmlRecord struct {
	name, proto, desc string
	lo, hi            int
}

var (
	recordRE = regexp.MustCompile(`(?s)<record[^>]*>.*?</record>`)
	fieldRE  = func(tag string) *regexp.Regexp { return regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`) }
	nameRE   = fieldRE("name")
	protoRE  = fieldRE("protocol")
	descRE   = fieldRE("description")
	numberRE = fieldRE("number")
)

func naiveRecords(t testing.TB) []xmlRecord {
	raw, err := os.ReadFile(ianaXML)
	if err != nil {
		t.Fatal(err)
	}
	var out []xmlRecord
	for _, r := range recordRE.FindAllString(string(raw), -1) {
		get := func(re *regexp.Regexp) string {
			if m := re.FindStringSubmatch(r); m != nil {
				return strings.TrimSpace(m[1])
			}
			return ""
		}
		rec := xmlRecord{name: get(nameRE), proto: get(protoRE), desc: get(descRE), lo: -1, hi: -1}
		if n := get(numberRE); n != "" {
			lo, hi, _ := strings.Cut(n, "-")
			rec.lo, _ = strconv.Atoi(lo)
			rec.hi = rec.lo
			if hi != "" {
				rec.hi, _ = strconv.Atoi(hi)
			}
		}
		out = append(out, rec)
	}
	return out
}

func naiveStatus(recs []xmlRecord, port int, proto string) registry.Status {
	rank := map[registry.Status]int{registry.Assigned: 4, registry.Reserved: 3, registry.Unassigned: 2, registry.Other: 1}
	best, bestRank := registry.Unassigned, 0
	for _, r := range recs {
		if port < r.lo || port > r.hi || (proto != "" && r.proto != "" && r.proto != proto) {
			continue
		}
		st := registry.Other
		d := strings.ToLower(r.desc)
		switch {
		case r.name != "":
			st = registry.Assigned
		case strings.HasPrefix(d, "reserved"):
			st = registry.Reserved
		case strings.HasPrefix(d, "unassigned"):
			st = registry.Unassigned
		}
		if rank[st] > bestRank {
			best, bestRank = st, rank[st]
		}
	}
	return best
}

// TestStatusesAgreeWithIANAFile checks every system port, overall and per
// transport, against the naive reading of the IANA file.
func TestStatusesAgreeWithIANAFile(t *testing.T) {
	recs := naiveRecords(t)
	reg := loadEmbedded(t)
	if reg.Len() != len(recs) {
		t.Fatalf("registry has %d records, the IANA file %d", reg.Len(), len(recs))
	}
	views := map[registry.View]string{registry.Combined: "", registry.TCPOnly: "tcp", registry.UDPOnly: "udp"}
	for p := 0; p <= 1023; p++ {
		for v, proto := range views {
			if got, want := reg.Status(p, v), naiveStatus(recs, p, proto); got != want {
				t.Errorf("port %d %v: status %v, IANA file says %v", p, v, got, want)
			}
		}
	}
}

func TestSystemPortCounts(t *testing.T) {
	reg := loadEmbedded(t)
	c := reg.Counts(0, 1023, registry.Combined)
	want := map[registry.Status]int{registry.Assigned: 686, registry.Unassigned: 282, registry.Reserved: 46, registry.Other: 10}
	for st, n := range want {
		if c[st] != n {
			t.Errorf("%v ports in 0-1023: %d, want %d", st, c[st], n)
		}
	}
}

func TestPortFacts(t *testing.T) {
	reg := loadEmbedded(t)
	tests := []struct {
		port      int
		view      registry.View
		status    registry.Status
		run       registry.Run
		wantField func(t *testing.T, recs []registry.Record)
	}{
		{326, registry.Combined, registry.Unassigned, registry.Run{Lo: 325, Hi: 332, Status: registry.Unassigned}, nil},
		{22, registry.Combined, registry.Assigned, registry.Run{Lo: 17, Hi: 23, Status: registry.Assigned}, func(t *testing.T, recs []registry.Record) {
			for _, r := range recs {
				if r.Name != "ssh" || !slices.Contains(r.RFCs, 4251) && r.Proto != "sctp" {
					t.Errorf("22: record %+v, want ssh with RFC 4251", r)
				}
			}
			if len(recs) != 3 {
				t.Errorf("22: %d records, want tcp, udp and sctp", len(recs))
			}
		}},
		{2, registry.Combined, registry.Reserved, registry.Run{Lo: 2, Hi: 3, Status: registry.Reserved}, func(t *testing.T, recs []registry.Record) {
			for _, r := range recs {
				if r.Note != "De-assigned on 2025-02-13, previously compressnet by Bernie Volz" {
					t.Errorf("2: note %q", r.Note)
				}
			}
		}},
		{143, registry.TCPOnly, registry.Assigned, registry.Run{Lo: 115, Hi: 224, Status: registry.Assigned}, nil},
		{143, registry.UDPOnly, registry.Reserved, registry.Run{Lo: 143, Hi: 143, Status: registry.Reserved}, nil},
		{24, registry.Combined, registry.Other, registry.Run{Lo: 24, Hi: 24, Status: registry.Other}, nil},
		{585, registry.Combined, registry.Other, registry.Run{Lo: 585, Hi: 585, Status: registry.Other}, nil},
		{659, registry.Combined, registry.Other, registry.Run{Lo: 659, Hi: 659, Status: registry.Other}, nil},
		{114, registry.Combined, registry.Unassigned, registry.Run{Lo: 114, Hi: 114, Status: registry.Unassigned}, nil},
		{79, registry.Combined, registry.Assigned, registry.Run{Lo: 78, Hi: 80, Status: registry.Assigned}, func(t *testing.T, recs []registry.Record) {
			for _, r := range recs {
				if r.Name != "finger" || r.Unauthorized != "Unauthorized use by some mail users (see [RFC4146] for details)" {
					t.Errorf("79: %+v", r)
				}
			}
		}},
		{50000, registry.Combined, registry.Unassigned, registry.Run{Lo: 49152, Hi: 65535, Status: registry.Unassigned}, nil},
	}
	for _, tt := range tests {
		if got := reg.Status(tt.port, tt.view); got != tt.status {
			t.Errorf("%d %v: status %v, want %v", tt.port, tt.view, got, tt.status)
		}
		if got := reg.RunAt(tt.port, tt.view); got != tt.run {
			t.Errorf("%d %v: run %+v, want %+v", tt.port, tt.view, got, tt.run)
		}
		if tt.wantField != nil {
			recs, err := reg.RecordsAt(tt.port)
			if err != nil {
				t.Fatal(err)
			}
			tt.wantField(t, recs)
		}
	}
	if s := reg.RunAt(326, registry.Combined).String(); s != "325–332: unassigned run, 8 ports" {
		t.Errorf("run string %q", s)
	}
}

func TestPeopleResolved(t *testing.T) {
	reg := loadEmbedded(t)
	recs, err := reg.RecordsAt(143)
	if err != nil {
		t.Fatal(err)
	}
	tcp := recs[0]
	if tcp.Name != "imap" || !slices.Equal(tcp.Assignee, []string{"IESG"}) || !slices.Equal(tcp.Contact, []string{"IETF_Chair"}) {
		t.Fatalf("143/tcp: %+v", tcp)
	}
	p, ok := reg.Person("IESG")
	if !ok || p.Display("IESG") != "IESG" || p.Contact() != "mailto:iesg@ietf.org" {
		t.Fatalf("IESG: %+v %v (contact %q)", p, ok, p.Contact())
	}
	if _, ok := reg.Person("no-such-person"); ok {
		t.Fatal("unknown person resolved")
	}
}

func TestNearestAndClasses(t *testing.T) {
	reg := loadEmbedded(t)
	if p, ok := reg.Nearest(326, registry.Assigned, registry.Combined, +1); !ok || p != 333 {
		t.Errorf("next assigned after 326: %d %v", p, ok)
	}
	if p, ok := reg.Nearest(326, registry.Assigned, registry.Combined, -1); !ok || p != 324 {
		t.Errorf("previous assigned before 326: %d %v", p, ok)
	}
	if _, ok := reg.Nearest(65535, registry.Assigned, registry.Combined, +1); ok {
		t.Error("found a port above 65535")
	}
	for port, want := range map[int]string{0: "system", 1023: "system", 1024: "user", 49151: "user", 49152: "dynamic", 65535: "dynamic"} {
		if got := registry.ClassOf(port).Name; got != want {
			t.Errorf("class of %d: %s, want %s", port, got, want)
		}
	}
}

func TestByName(t *testing.T) {
	reg := loadEmbedded(t)
	recs, err := reg.ByName("SSH")
	if err != nil {
		t.Fatal(err)
	}
	// Three on port 22 (tcp, udp, sctp) and the DNS-SD name without a port.
	if len(recs) != 4 || recs[0].Lo != 22 || recs[2].Lo != 22 || recs[3].HasPort() {
		t.Fatalf("ByName(SSH) = %+v", recs)
	}
	recs, _ = reg.ByName("no-such-service")
	if len(recs) != 0 {
		t.Fatal("unknown name found")
	}
}

func TestSearchRanking(t *testing.T) {
	reg := loadEmbedded(t)
	m, err := reg.Search("443", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 || m[0].Port != 443 {
		t.Fatalf("search 443: %+v", m)
	}
	m, _ = reg.Search("kerb", 10)
	if len(m) < 3 || m[0].Port != 88 {
		t.Fatalf("search kerb: %+v", m)
	}
	for _, x := range m[:3] {
		if !strings.HasPrefix(x.Name, "kerberos") {
			t.Errorf("search kerb ranks %+v in the top 3", x)
		}
	}
	m, _ = reg.Search("328", 3)
	if len(m) == 0 || m[0].Port != 328 {
		t.Fatalf("search 328 (inside an unassigned range): %+v", m)
	}
	m, _ = reg.Search("secure shell", 3)
	if len(m) == 0 || m[0].Port != 22 {
		t.Fatalf("search 'secure shell': %+v", m)
	}
	if m, _ := reg.Search("   ", 3); len(m) != 0 {
		t.Fatal("blank query matched")
	}
}

// TestLazyAgreesWithFull compares the lazily decoded registry with one
// built from fully decoded data, record by record and port by port.
func TestLazyAgreesWithFull(t *testing.T) {
	lazy := loadEmbedded(t)
	data, err := registry.UnmarshalData(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	full, err := registry.New(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < full.Len(); i += 97 {
		a, err1 := lazy.Record(i)
		b, err2 := full.Record(i)
		if err1 != nil || err2 != nil || !recordsEqual(a, b) {
			t.Fatalf("record %d: lazy %+v (%v), full %+v (%v)", i, a, err1, b, err2)
		}
	}
	for p := 0; p <= registry.MaxPort; p++ {
		for v := registry.Combined; v <= registry.DCCPOnly; v++ {
			if lazy.Status(p, v) != full.Status(p, v) {
				t.Fatalf("port %d %v differs", p, v)
			}
		}
	}
	for id, want := range data.People {
		if got, ok := lazy.Person(id); !ok || got != want {
			t.Fatalf("person %q: %+v %v, want %+v", id, got, ok, want)
		}
	}
}

func recordsEqual(a, b registry.Record) bool {
	return a.Name == b.Name && a.Proto == b.Proto && a.Lo == b.Lo && a.Hi == b.Hi &&
		a.Description == b.Description && a.Note == b.Note && slices.Equal(a.RFCs, b.RFCs) &&
		slices.Equal(a.Assignee, b.Assignee) && slices.Equal(a.Contact, b.Contact) &&
		a.Registered == b.Registered && a.Modified == b.Modified && a.ServiceCode == b.ServiceCode
}

// TestLoadFallsBackToFullDecode accepts a valid registry.json that is not
// in the generator's line layout (reformatted by hand).
func TestLoadFallsBackToFullDecode(t *testing.T) {
	data, err := registry.UnmarshalData(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	data.Records = data.Records[:50]
	var buf bytes.Buffer
	b, _ := registry.Marshal(data)
	buf.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\n  ")))
	reg, err := registry.Load(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if reg.Len() != 50 || reg.Status(22, registry.Combined) != registry.Assigned {
		t.Fatalf("fallback load: %d records", reg.Len())
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	good := assets.RegistryJSON
	cases := map[string][]byte{
		"empty":        nil,
		"not json":     []byte("hello"),
		"wrong schema": bytes.Replace(good, []byte(`"schema":1`), []byte(`"schema":99`), 1),
		"bad range":    []byte(`{"schema":1,"records":[{"lo":5,"hi":2}]}`),
		"no records":   []byte(`{"schema":1,"records":[]}`),
		"short index":  bytes.Replace(good, []byte(`"index":[0,0,6,`), []byte(`"index":[`), 1),
	}
	for name, b := range cases {
		if _, err := registry.Load(b); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}

func TestGeneratedFileIsPlainJSON(t *testing.T) {
	// Scripts may read registry.json with any JSON tool: it must decode
	// fully, not only through Load's line layout.
	d, err := registry.UnmarshalData(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Records) < 14000 || len(d.People) < 1000 {
		t.Fatalf("%d records, %d people", len(d.Records), len(d.People))
	}
}

// cancelAfter is a context whose Err turns context.Canceled on its n+1st
// call: it shows a conversion checks its context inside its loops, not
// only once before starting.
type cancelAfter struct {
	context.Context
	n, calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

// TestConvertStopsWhenCancelled: a cancelled context aborts a large
// conversion between records, for both formats.
func TestConvertStopsWhenCancelled(t *testing.T) {
	raw, d := convertIANA(t)
	csv := toIANACSV(t, d)
	for name, in := range map[string][]byte{"x.xml": raw, "x.csv": csv} {
		ctx := &cancelAfter{Context: t.Context(), n: 5}
		_, err := registry.Convert(ctx, name, in)
		if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want a one-line error wrapping context.Canceled", name, err)
		}
		if ctx.calls != 6 {
			t.Errorf("%s: Err called %d times, want it to stop at the first cancelled check (6)", name, ctx.calls)
		}
		// A conversion that runs to the end checks many times: every 256
		// records of 14,533.
		ctx = &cancelAfter{Context: t.Context(), n: 1 << 30}
		if _, err := registry.Convert(ctx, name, in); err != nil || ctx.calls < 14533/256 {
			t.Errorf("%s: %v, %d checks", name, err, ctx.calls)
		}
	}
}

// TestByNameMatchesAllRecords: ByName, which reads names without decoding
// the records, finds exactly what filtering every decoded record finds.
func TestByNameMatchesAllRecords(t *testing.T) {
	all, err := loadEmbedded(t).Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ssh", "HTTP", "rap", "http-alt", "kerberos", "discard", "  postgresql ", "", "no-such"} {
		reg, err := registry.Load(assets.RegistryJSON) // fresh: nothing decoded yet
		if err != nil {
			t.Fatal(err)
		}
		got, err := reg.ByName(q)
		if err != nil {
			t.Fatal(err)
		}
		var want []registry.Record
		for _, r := range all {
			if r.Name != "" && strings.EqualFold(r.Name, strings.TrimSpace(q)) {
				want = append(want, r)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ByName(%q): %d records, want %d", q, len(got), len(want))
		}
	}
}
