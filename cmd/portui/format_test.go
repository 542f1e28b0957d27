package main

import (
	"strings"
	"testing"
)

// --format json is --json; they may not disagree.
func TestFormatFlag(t *testing.T) {
	a, _, _ := runCLI(t, "lookup", "22", "--json")
	b, _, _ := runCLI(t, "lookup", "22", "--format", "json")
	if a != b || !strings.HasPrefix(a, "{") {
		t.Errorf("--format json differs from --json")
	}
	for _, bad := range [][]string{{"lookup", "22", "--format", "yaml"}, {"lookup", "22", "--json", "--format", "text"}} {
		if out, errOut, code := runCLI(t, bad...); code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d %q %q", bad, code, out, errOut)
		}
	}
}
