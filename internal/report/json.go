package report

import (
	"bytes"
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
	// Compact first, then indented into a buffer sized once: the
	// Encoder's own indenting grows its buffer by doubling, which for
	// 10,000 listeners (10 MB) cost more than the encoding itself.
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	var out bytes.Buffer
	out.Grow(3 * compact.Len()) // json.Indent asks for 2×; the indentation of a deep document can pass it
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return err
	}
	_, err := w.Write(escapeUnsafe(out.Bytes()))
	return err
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
