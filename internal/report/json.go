package report

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/portui/portui/internal/sanitize"
)

// WriteJSON writes v as one indented JSON document and a newline, in a
// single Write. encoding/json already escapes C0 controls, U+2028/9 and
// invalid UTF-8; WriteJSON also escapes every other character that
// sanitize.Line would neutralise — DEL, C1 controls, bidirectional
// formatting characters — as \uXXXX, so a string that slipped past sanitisation
// still cannot reach a terminal that displays the JSON raw. The escapes
// are valid JSON: a decoder gets the same strings back.
func WriteJSON(w io.Writer, v any) error {
	// The Encoder hands its whole compact document to indenter.Write,
	// which indents (and escapes) it into a buffer made once: the
	// Encoder's own indenting grows its buffer by doubling, which for
	// 10,000 listeners (10 MB) cost more than the encoding itself, and so
	// did json.Indent's byte-by-byte scanner and bytes.Buffer's zeroing.
	var out indenter
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(out.b)
	return err
}

// indenter is WriteJSON's output: what it is given, escaped
// (escapeUnsafe) and indented by two spaces as json.Indent would.
type indenter struct{ b []byte }

func (d *indenter) Write(p []byte) (int, error) {
	src := p
	if hasHighOrDEL(src) {
		src = escapeUnsafe(src) // inside strings only, which indenting copies as they are
	}
	// make, not a grown buffer: capacity it does not write is never
	// touched (2.4× is the listeners document's expansion).
	out := make([]byte, len(d.b), len(d.b)+len(src)*5/2+64)
	copy(out, d.b)
	b, ok := appendIndented(out, src)
	if !ok {
		var buf bytes.Buffer
		if err := json.Indent(&buf, src, "", "  "); err != nil {
			return 0, err
		}
		b = append(out, buf.Bytes()...)
	}
	d.b = b
	return len(p), nil
}

// appendIndented appends src, valid JSON as encoding/json writes it
// (compact: no white space but after the value), indented as
// json.Indent(dst, src, "", "  ") does: strings and literals are copied
// in one piece rather than stepped through byte by byte. ok is false, and
// dst unchanged, for a src with white space elsewhere or a string that
// does not end (the caller then asks json.Indent); src is not otherwise
// validated.
func appendIndented(dst, src []byte) (_ []byte, ok bool) {
	orig := len(dst)
	depth, needIndent, done := 0, false, false
	for i := 0; i < len(src); {
		c := src[i]
		if done || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			// Only after the value, where json.Indent copies it.
			if !done || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return dst[:orig], false
			}
			dst = append(dst, c)
			i++
			continue
		}
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			dst = appendNewline(dst, depth)
		}
		switch c {
		case '"':
			n := stringLen(src[i:])
			if n < 0 {
				return dst[:orig], false
			}
			dst = append(dst, src[i:i+n]...)
			i += n
			done = depth == 0
			continue
		case '{', '[':
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = appendNewline(dst, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false // {} and [] stay as they are
			} else {
				depth--
				dst = appendNewline(dst, depth)
			}
			dst = append(dst, c)
			done = depth == 0
		default: // a number, true, false, null: up to the next delimiter
			j := i + 1
			for j < len(src) && !isDelim(src[j]) {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
			done = depth == 0
			continue
		}
		i++
	}
	return dst, true
}

func isDelim(c byte) bool {
	switch c {
	case ',', ':', '{', '}', '[', ']', '"', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// indentSpaces serves appendNewline.
const indentSpaces = "                                                                "

func appendNewline(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for n := 2 * depth; n > 0; {
		k := min(n, len(indentSpaces))
		dst = append(dst, indentSpaces[:k]...)
		n -= k
	}
	return dst
}

// stringLen is the length of the JSON string b starts with (b[0] is its
// quote), closing quote included; -1 if it does not end.
func stringLen(b []byte) int {
	for i := 1; ; {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		k := q // the quote is escaped by an odd run of backslashes before it
		for b[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// hasHighOrDEL reports whether b holds a byte >= 0x7f (DEL or part of a
// non-ASCII character), eight bytes at a time.
func hasHighOrDEL(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		x := w ^ 0x7f7f7f7f7f7f7f7f // a zero byte where w has DEL
		if w&highs != 0 || (x-ones)&^x&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x7f {
			return true
		}
	}
	return false
}

// escapeUnsafe rewrites DEL and every non-ASCII character sanitize.Line
// would escape (encoding/json escapes the C0 controls itself) as a JSON
// \u escape. Such characters can only occur inside strings of
// encoding/json's output (outside strings it writes only printable
// ASCII and whitespace), so the result is the same JSON value.
func escapeUnsafe(b []byte) []byte {
	first := -1
	for i := 0; i < len(b); {
		if b[i] == 0x7f {
			first = i
			break
		}
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, n := utf8.DecodeRune(b[i:])
		if !sanitize.IsClean(string(b[i : i+n])) {
			first = i
			break
		}
		i += n
	}
	if first < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:first]...)
	for i := first; i < len(b); {
		if b[i] == 0x7f {
			out = append(out, `\u007f`...)
			i++
			continue
		}
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if sanitize.IsClean(string(b[i : i+n])) {
			out = append(out, b[i:i+n]...)
		} else {
			out = appendUnicodeEscape(out, r)
		}
		i += n
	}
	return out
}

func appendUnicodeEscape(out []byte, r rune) []byte {
	if r > 0xffff {
		// Outside the BMP: a surrogate pair, as JSON requires.
		r -= 0x10000
		out = appendUnicodeEscape(out, 0xd800+(r>>10))
		return appendUnicodeEscape(out, 0xdc00+(r&0x3ff))
	}
	h := strconv.FormatInt(int64(r), 16)
	out = append(out, `\u`...)
	for range 4 - len(h) {
		out = append(out, '0')
	}
	return append(out, h...)
}
