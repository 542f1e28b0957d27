package registry

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/portui/portui/assets"
)

// TestDecodeHeaderAgreesWithJSON: the embedded registry's header decodes
// to the same header by parseInts as by encoding/json alone.
func TestDecodeHeaderAgreesWithJSON(t *testing.T) {
	b := assets.RegistryJSON
	nl := 0
	for nl < len(b) && b[nl] != '\n' {
		nl++
	}
	line := append(append([]byte{}, b[:nl-1]...), '}')
	fast, err := decodeHeader(line)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := decodeHeaderJSON(line)
	if err != nil {
		t.Fatal(err)
	}
	if fast.Schema != slow.Schema || fast.Updated != slow.Updated || fast.Source != slow.Source || !slices.Equal(fast.Index, slow.Index) {
		t.Fatalf("fast and encoding/json headers differ")
	}
	if len(fast.Index) < 40000 {
		t.Fatalf("index of %d numbers: the test did not read IANA's file", len(fast.Index))
	}
}

func TestDecodeHeaderOddLayouts(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []int32
		bad  bool
	}{
		{line: `{"schema":1,"index":[1,2,3]}`, want: []int32{1, 2, 3}},
		{line: `{"schema":1,"index":[]}`, want: []int32{}},
		{line: `{"schema":1,"index":[ 1, 2 ]}`, want: []int32{1, 2}},             // spaces: encoding/json
		{line: `{"schema":1,"index":[1e2]}`, bad: true},                          // not an int32 for json either
		{line: `{"schema":1,"index":[2147483648]}`, bad: true},                   // overflows int32
		{line: `{"schema":1,"index":[-2147483648]}`, want: []int32{-2147483648}}, // the edge fits
		{line: `{"index":[9],"schema":1,"index":[1]}`, want: []int32{1}},         // duplicate: last wins, as json
		{line: `{"updated":",\"index\":[7]","index":[1]}`, want: []int32{1}},
	} {
		h, err := decodeHeader([]byte(tc.line))
		var ref header
		refErr := json.Unmarshal([]byte(tc.line), &ref)
		if (err != nil) != (refErr != nil) || (err != nil) != tc.bad {
			t.Errorf("%s: err %v, encoding/json %v, want bad=%v", tc.line, err, refErr, tc.bad)
			continue
		}
		if err == nil && (!slices.Equal(h.Index, tc.want) || !slices.Equal(h.Index, ref.Index) || h.Updated != ref.Updated) {
			t.Errorf("%s: index %v updated %q, encoding/json %v %q, want %v", tc.line, h.Index, h.Updated, ref.Index, ref.Updated, tc.want)
		}
	}
}

// FuzzParseInts: whatever parseInts accepts, encoding/json reads as the
// same []int32.
func FuzzParseInts(f *testing.F) {
	for _, s := range []string{"", "0", "1,2,3", "-1,0,2147483647", "-2147483648", "01", "1,", ",1", "-0", "1,,2", "1e3", " 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseInts(b)
		if !ok {
			return
		}
		var want []int32
		if err := json.Unmarshal(append(append([]byte("["), b...), ']'), &want); err != nil {
			t.Fatalf("parseInts(%q) = %v, but encoding/json refuses it: %v", b, got, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("parseInts(%q) = %v, encoding/json %v", b, got, want)
		}
	})
}
