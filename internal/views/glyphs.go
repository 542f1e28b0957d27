package views

import (
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Glyphs is every symbol the UI draws that is not a letter, digit or
// ASCII punctuation of the text itself: grid markers, rules, the help
// box border, arrows, ellipses, the dash in ranges, separators and the
// input cursor. Views take them from here and nowhere else, so a console
// without UTF-8 (LANG=C) gets the ASCII table and no garbage.
type Glyphs struct {
	// ASCII is set for the ASCII table: frames are then passed through
	// Text as a last safety net for text from outside (registry, process
	// names) that may hold other characters.
	ASCII bool

	// Grid markers, right of a cell's number.
	Selected, Private, Match, Reserved, Unassigned, Other string

	VRule, HRule string // "│" between grid and pane, "─" above a pane below
	Ellipsis     string // end of cut text: "…" (1 column) or "..." (3)
	Dash         string // in ranges: "0–1023"
	Sep          string // between items on a line: " · "
	Up, Down     string // scroll hints
	Arrow        string // where something leads: "ssh.socket → ssh.service"
	Minus        string // a listener that vanished
	Times        string // in sizes: "80×24"
	Cursor       string // after a port number being typed
	// BarFull and BarEmpty draw the map's share bars: "█░", "#.".
	BarFull, BarEmpty string
	Border            lipgloss.Border
	// Spark is the sparkline's eight levels, lowest first.
	Spark [8]string
}

// UnicodeGlyphs is the table for UTF-8 terminals.
var UnicodeGlyphs = Glyphs{
	Selected: "◂", Private: "!", Match: "*", Reserved: "×", Unassigned: "·", Other: "~",
	VRule: "│", HRule: "─", Ellipsis: "…", Dash: "–", Sep: " · ", Up: "↑", Down: "↓", Arrow: "→",
	Minus: "−", Times: "×", Cursor: "▏", BarFull: "█", BarEmpty: "░", Border: lipgloss.RoundedBorder(),
	Spark: [8]string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"},
}

// ASCIIGlyphs is the table for consoles whose locale is not UTF-8. Every
// glyph keeps the marker semantics of its Unicode twin; none can be read
// as a digit.
var ASCIIGlyphs = Glyphs{
	ASCII:    true,
	Selected: "<", Private: "!", Match: "*", Reserved: "x", Unassigned: ".", Other: "~",
	VRule: "|", HRule: "-", Ellipsis: "...", Dash: "-", Sep: ", ", Up: "^", Down: "v", Arrow: "->",
	Minus: "-", Times: "x", Cursor: "_", BarFull: "#", BarEmpty: ".", Border: lipgloss.ASCIIBorder(),
	Spark: [8]string{"_", ".", ",", "-", "~", "=", "+", "#"},
}

// GlyphsFor returns the ASCII table when ascii is set, else the Unicode one.
func GlyphsFor(ascii bool) *Glyphs {
	if ascii {
		return &ASCIIGlyphs
	}
	return &UnicodeGlyphs
}

// UTF8Locale reports whether the locale named by the environment uses
// UTF-8, from the values of LC_ALL, LC_CTYPE and LANG (in that order of
// precedence, as setlocale reads them: the first one set and not empty
// decides). When all three are empty or unset the locale is POSIX "C",
// which is ASCII: false (tmux decides the same way). A codeset counts as
// UTF-8 when it is spelled "UTF-8" or "utf8" in any case ("en_US.UTF-8",
// "C.utf8").
func UTF8Locale(lcAll, lcCtype, lang string) bool {
	for _, v := range []string{lcAll, lcCtype, lang} {
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
	}
	return false
}

// asciiLike maps the non-ASCII characters the program itself or common
// text uses to an ASCII character of the same width (1 column).
var asciiLike = map[rune]byte{
	'–': '-', '—': '-', '−': '-', '‐': '-', '‑': '-',
	'·': '.', '•': '.', '…': '.', '×': 'x',
	'←': '<', '→': '>', '↑': '^', '↓': 'v', '◂': '<', '▸': '>',
	'▏': '|', '█': '#', '░': '.', '│': '|', '─': '-', '╭': '+', '╮': '+', '╰': '+', '╯': '+',
	'\u00a0': ' ', '“': '"', '”': '"', '«': '"', '»': '"', '‘': '\'', '’': '\'',
}

// Text returns s unchanged for the Unicode table. For the ASCII table it
// replaces every non-ASCII grapheme outside escape sequences with ASCII of
// the same width: a look-alike for the characters in asciiLike, "?" per
// column otherwise (a combining mark on its own vanishes). Widths are kept,
// so it can run over lines already fitted to the screen.
func (g *Glyphs) Text(s string) string {
	if !g.ASCII {
		return s
	}
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		cl, w := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if cl == "" {
			cl = s[i : i+1]
		}
		i += len(cl)
		r, _ := utf8.DecodeRuneInString(cl)
		if a, ok := asciiLike[r]; ok && w == 1 {
			b.WriteByte(a)
			continue
		}
		b.WriteString(strings.Repeat("?", w))
	}
	return b.String()
}
