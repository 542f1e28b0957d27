package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/registry"
)

// portRange is an inclusive range of ports given on the command line.
type portRange struct{ lo, hi int }

func (r portRange) String() string {
	if r.lo == r.hi {
		return strconv.Itoa(r.lo)
	}
	return fmt.Sprintf("%d-%d", r.lo, r.hi)
}

// parsePortArg reads "443" or "320-335". ok is false when s is not made of
// digits and at most one dash (then it may be a service name); err is set
// when it is, but out of range.
func parsePortArg(s string) (r portRange, ok bool, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if !allDigits(a) || (isRange && !allDigits(b)) {
		return r, false, nil
	}
	lo, hi, err := registry.ParseRange(s)
	if err != nil {
		return r, true, fmt.Errorf("%w (ports are 0-65535)", err)
	}
	return portRange{lo, hi}, true, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseProtoFlag validates --proto.
func parseProtoFlag(s string, allowed ...string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	for _, p := range allowed {
		if s == p {
			return s, nil
		}
	}
	want := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	return "", fmt.Errorf("bad --proto %q: want %s", s, want)
}
