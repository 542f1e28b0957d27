package main

import (
	"strings"
	"sync"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/report"
)

func TestParsePortArg(t *testing.T) {
	tests := []struct {
		in      string
		want    portRange
		isPort  bool
		wantErr bool
	}{
		{"443", portRange{443, 443}, true, false},
		{"320-335", portRange{320, 335}, true, false},
		{"0", portRange{0, 0}, true, false},
		{"65535", portRange{65535, 65535}, true, false},
		{"70000", portRange{}, true, true},
		{"10-5", portRange{}, true, true},
		{"abc-", portRange{}, false, false},
		{"kerberos-adm", portRange{}, false, false},
		{"5-", portRange{}, false, false},
		{"-5", portRange{}, false, false},
		{"", portRange{}, false, false},
	}
	for _, tt := range tests {
		got, isPort, err := parsePortArg(tt.in)
		if isPort != tt.isPort || (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("parsePortArg(%q) = %v, %v, %v", tt.in, got, isPort, err)
		}
	}
}

var fuzzReg = sync.OnceValues(func() (*registry.Registry, error) { return registry.Load(assets.RegistryJSON) })

// FuzzLookupQuery: whatever a user types after `portui lookup` gives a
// result or a one-line error, never a panic.
func FuzzLookupQuery(f *testing.F) {
	for _, s := range []string{"326", "ssh", "320-335", "70000", "abc-", "-", "1-2-3", "０", "99999999999999999999", "kerberos-adm", " 22 "} {
		f.Add(s)
	}
	reg, err := fuzzReg()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		res, err := lookup(reg, q, registry.Combined, report.Registry{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error for %q: %q", q, err)
			}
			return
		}
		if len(res.Ports) == 0 && len(res.Unbound) == 0 {
			t.Fatalf("%q: no error and nothing found", q)
		}
	})
}
