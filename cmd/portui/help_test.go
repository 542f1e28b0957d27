package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func trimmed(chunks ...string) string {
	var b bytes.Buffer
	h := &helpWriter{out: &outStream{w: &b}, trim: true}
	for _, c := range chunks {
		if n, err := h.Write([]byte(c)); err != nil || n != len(c) {
			panic(err)
		}
	}
	if err := h.Flush(); err != nil {
		panic(err)
	}
	return b.String()
}

// TestHelpWriterTrims: trailing spaces go, also inside a styled span
// (fang pads inside its SGR), the sequences stay; inner spaces stay;
// chunks may split a line or a sequence anywhere.
func TestHelpWriterTrims(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"a b   \n  c  \n"}, "a b\n  c\n"},
		{[]string{"\x1b[1mtitle    \x1b[m   \n"}, "\x1b[1mtitle\x1b[m\n"},
		{[]string{"x  ", "  \x1b[", "2m  y \n"}, "x    \x1b[2m  y\n"},
		{[]string{"end   "}, "end   "},
	} {
		if got := trimmed(tt.in...); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
	}
	// On a colour terminal nothing is touched (fang's blocks have a
	// background there).
	var b bytes.Buffer
	h := newHelpWriter(&outStream{w: &b, profile: colorprofile.TrueColor})
	_, _ = h.Write([]byte("\x1b[48;5;236m  code  \x1b[m  \n"))
	if b.String() != "\x1b[48;5;236m  code  \x1b[m  \n" {
		t.Errorf("colour terminal: %q", b.String())
	}
}

// FuzzHelpWriter: whatever the input and however it is split, the output
// is the input without some spaces, and no line ends in a space.
func FuzzHelpWriter(f *testing.F) {
	for _, s := range []string{"a  \n", "\x1b[1m a \x1b[m \n", "\x1b", "\x1b[", " \x1b]0;x\x07 \n", "\n\n  "} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, s string, split int) {
		var chunks []string
		if split > 0 && split < len(s) {
			chunks = []string{s[:split], s[split:]}
		} else {
			chunks = []string{s}
		}
		got := trimmed(chunks...)
		if strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(s, " ", "") {
			t.Fatalf("%q → %q changed more than spaces", s, got)
		}
		lines := strings.Split(got, "\n")
		for _, l := range lines[:len(lines)-1] {
			if strings.HasSuffix(l, " ") {
				t.Fatalf("%q → line %q ends in a space", s, l)
			}
		}
	})
}
