// Package sanitize neutralises control characters in text that comes from
// outside the program: process names and command lines, user and interface
// names, registry text, file paths, container names.
//
// The rule of the project: every such string passes through Line or Text
// once, where it enters the program (the scanner, the registry loader, the
// CLI's argument handling), so that no output path — terminal, detail pane,
// JSON, clipboard, metrics — can forget to. What a control character was is
// kept visible as an escape, the way `ss` and `ps` show what is there:
// ESC becomes `\x1b`, a lone 0x9b byte `\x9b`, the C1 character U+009B
// `\u009b`, a right-to-left override `\u202e`.
//
// The escapes are printable ASCII and backslashes are left alone, so both
// functions are idempotent: Line(Line(s)) == Line(s). Output layers may
// therefore apply them again as a safety net at no risk of double escaping.
package sanitize

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line makes s safe to print on one line: every C0 control (tab, newline and
// carriage return included), DEL, C1 control, bidirectional formatting
// character, line or paragraph separator and invalid UTF-8 byte is replaced
// by a visible escape.
func Line(s string) string { return clean(s, false) }

// Text is Line for multi-line text (registry descriptions and notes): it
// keeps '\n' and turns tabs into a space; everything else Line escapes is
// escaped.
func Text(s string) string { return clean(s, true) }

// Lines applies Line to every element of ss in place and returns ss.
func Lines(ss []string) []string {
	for i, s := range ss {
		ss[i] = Line(s)
	}
	return ss
}

// IsClean reports whether Line would return s unchanged.
func IsClean(s string) bool { return firstUnsafe(s, false) < 0 }

// IsCleanText reports whether Text would return s unchanged.
func IsCleanText(s string) bool { return firstUnsafe(s, true) < 0 }

func clean(s string, multiline bool) string {
	i := firstUnsafe(s, multiline)
	if i < 0 {
		return s // the common case: no allocation
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			writeByteEscape(&b, s[i])
		case multiline && r == '\n':
			b.WriteByte('\n')
		case multiline && r == '\t':
			b.WriteByte(' ')
		case unsafeRune(r):
			writeRuneEscape(&b, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// firstUnsafe is the byte offset of the first character clean would
// change, or -1.
func firstUnsafe(s string, multiline bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 || c == 0x7f) && (!multiline || c != '\n') {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n <= 1) || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports the characters that change how a terminal or a text
// renderer treats what follows: controls (C0, DEL, C1), the bidirectional
// embeddings, overrides, isolates and marks (CVE-2021-42574 "Trojan
// Source"), and the Unicode line and paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // ALM, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

func writeByteEscape(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func writeRuneEscape(b *strings.Builder, r rune) {
	if r < 0x80 {
		writeByteEscape(b, byte(r))
		return
	}
	s := strconv.FormatInt(int64(r), 16)
	b.WriteString(`\u`)
	b.WriteString(strings.Repeat("0", max(0, 4-len(s))))
	b.WriteString(s)
}

// Truncate cuts s to at most n bytes without splitting a UTF-8 sequence or
// an escape Line produced, adding "…" when it cut. It is for bounding the
// size of untrusted strings (a 2 MB command line) before they are stored.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(0, n)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// Do not leave half an escape ("\x1" or "\u20") at the end.
	if j := strings.LastIndexByte(s[:cut], '\\'); j >= 0 && cut-j < 6 {
		rest := s[j:]
		switch {
		case strings.HasPrefix(rest, `\x`) && j+4 > cut, strings.HasPrefix(rest, `\u`) && j+6 > cut:
			cut = j
		}
	}
	return s[:cut] + "…"
}
