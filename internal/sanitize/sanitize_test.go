package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"nginx", "nginx"},
		{"python3 -m http.server", "python3 -m http.server"},
		{"café ü 日本", "café ü 日本"},
		{"\r\x1b[2K\x1b[8m", `\x0d\x1b[2K\x1b[8m`},
		{"\x1b]0;PWN\x07", `\x1b]0;PWN\x07`},
		{"\x1b]52;c;SGVsbG8=\x07", `\x1b]52;c;SGVsbG8=\x07`},
		{"a\tb\nc", `a\x09b\x0ac`},
		{"del\x7f", `del\x7f`},
		{"bs\x08", `bs\x08`},
		{"raw c1 \x9b31m", `raw c1 \x9b31m`},       // a lone byte: invalid UTF-8
		{"utf8 c1 \u009b31m", `utf8 c1 \u009b31m`}, // U+009B encoded properly
		{"\u0085nel", `\u0085nel`},
		{"abc\u202edcba", `abc\u202edcba`}, // right-to-left override
		{"\u2066iso\u2069", `\u2066iso\u2069`},
		{"\u200f\u200e\u061c", `\u200f\u200e\u061c`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"half \xe2\x82", `half \xe2\x82`},
		{`already \x1b escaped`, `already \x1b escaped`}, // backslashes are left alone
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Line(Line(tc.in)); got != tc.want {
			t.Errorf("Line is not idempotent on %q: %q", tc.in, got)
		}
		if IsClean(tc.in) != (tc.in == tc.want) {
			t.Errorf("IsClean(%q) = %v", tc.in, IsClean(tc.in))
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"whois++\n\nIANA assigned", "whois++\n\nIANA assigned"},
		{"tab\there", "tab here"},
		{"cr\r\nlf", `cr\x0d` + "\nlf"},
		{"\x1b[2J\x1b[Hclear", `\x1b[2J\x1b[Hclear`},
		{"\x1bP1$r\x1b\\dcs", `\x1bP1$r\x1b\dcs`},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanStringIsNotCopied(t *testing.T) {
	s := strings.Repeat("nginx: worker process ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = Line(s) }); n != 0 {
		t.Errorf("Line allocates %v times on clean input", n)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"日本語", 4, "日…"},           // never half a rune
		{`ab\x1bcd`, 4, "ab…"},     // never half an escape
		{`ab\x1bcd`, 6, `ab\x1b…`}, // a whole escape stays
		{`ab\u202ecd`, 5, "ab…"},
		{`ab\u202ecd`, 8, `ab\u202e…`},
		{"x", 0, "…"},
	} {
		if got := Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// FuzzLine checks the properties every output path relies on.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "nginx", "\x1b[31mred", "\x9b", "\u202e", "a\nb\tc", "\xff", `\x1b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multi := range []bool{false, true} {
			out := clean(s, multi)
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
			}
			for _, r := range out {
				if unsafeRune(r) && (!multi || r != '\n') {
					t.Fatalf("unsafe %U survives in %q (from %q)", r, out, s)
				}
			}
			if again := clean(out, multi); again != out {
				t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
			}
			if firstUnsafe(s, multi) < 0 && out != s {
				t.Fatalf("clean input changed: %q -> %q", s, out)
			}
			if multi && strings.Count(out, "\n") != strings.Count(s, "\n") {
				t.Fatalf("Text changed the line count: %q -> %q", s, out)
			}
		}
		tr := Truncate(Line(s), 7)
		if !utf8.ValidString(tr) {
			t.Fatalf("Truncate made invalid UTF-8: %q", tr)
		}
	})
}
