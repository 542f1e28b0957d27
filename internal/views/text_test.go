package views

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/sanitize"
)

// sgrCheck reports the first escape sequence of line that is not a whole
// SGR sequence ("\x1b[" digits and semicolons "m"), or "" if all are.
func sgrCheck(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] != 0x1b {
			continue
		}
		j := i + 1
		if j >= len(line) || line[j] != '[' {
			return fmt.Sprintf("ESC not followed by [ at %d in %q", i, line)
		}
		j++
		for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == ';') {
			j++
		}
		if j >= len(line) || line[j] != 'm' {
			return fmt.Sprintf("unterminated SGR at %d in %q", i, line)
		}
		i = j
	}
	return ""
}

// styledRunes walks a line and returns each visible non-space rune with
// the SGR active on it (the sequences since the last reset).
func styledRunes(line string) (runes []rune, styles []string) {
	cur := ""
	for i := 0; i < len(line); {
		if line[i] == 0x1b {
			j := strings.IndexByte(line[i:], 'm') + i + 1
			seq := line[i:j]
			if seq == "\x1b[m" || seq == "\x1b[0m" {
				cur = ""
			} else {
				cur += seq
			}
			i = j
			continue
		}
		r, n := rune(line[i]), 1
		if line[i] >= 0x80 {
			for _, rr := range line[i:] {
				r = rr
				break
			}
			n = len(string(r))
		}
		if !unicode.IsSpace(r) && r != 0xa0 {
			runes, styles = append(runes, r), append(styles, cur)
		}
		i += n
	}
	return runes, styles
}

// expected is the visible non-space runes of spans with each one's style.
func expected(sp []span) (runes []rune, styles []string) {
	for _, s := range sp {
		for _, r := range s.text {
			if !unicode.IsSpace(r) && r != 0xa0 {
				runes, styles = append(runes, r), append(styles, s.st.On)
			}
		}
	}
	return runes, styles
}

// checkWrapped asserts that lines (a wrap of sp at width w) keep every
// visible character of sp once, in order and in its own style, that no
// line is wider than w and that every escape sequence is whole.
func checkWrapped(t *testing.T, what string, sp []span, lines []string, w int) {
	t.Helper()
	var got []rune
	var gotSt []string
	for _, l := range lines {
		if msg := sgrCheck(l); msg != "" {
			t.Fatalf("%s, width %d: %s", what, w, msg)
		}
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("%s, width %d: line %q is %d wide", what, w, ansi.Strip(l), n)
		}
		r, s := styledRunes(l)
		got, gotSt = append(got, r...), append(gotSt, s...)
	}
	want, wantSt := expected(sp)
	if string(got) != string(want) {
		t.Fatalf("%s, width %d: text changed\n got %q\nwant %q\nlines %q", what, w, string(got), string(want), lines)
	}
	for i := range want {
		if gotSt[i] != wantSt[i] {
			t.Fatalf("%s, width %d: %q (rune %d) styled %q, want %q", what, w, string(want[i]), i, gotSt[i], wantSt[i])
		}
	}
}

// checkWidths asserts that the widths a pane recorded while building its
// lines (which fit them to the pane without measuring) are their widths.
func checkWidths(t *testing.T, what string, p paneText) {
	t.Helper()
	if len(p.widths) != len(p.lines) {
		t.Fatalf("%s: %d widths for %d lines", what, len(p.widths), len(p.lines))
	}
	for i, l := range p.lines {
		if n := ansi.StringWidth(l); n != p.widths[i] {
			t.Fatalf("%s: line %q is %d wide, recorded %d", what, ansi.Strip(l), n, p.widths[i])
		}
	}
}

// The IPv6 listener of issue 7 #1 and text of every kind: wrapping at any
// width loses, duplicates or restyles no character and splits no escape
// sequence.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	sty := NewStyles(colorprofile.TrueColor, true, nil)
	cases := map[string][]span{
		"ipv6 listener": {sty.Bold.of("tcp"), txt(" [2001:db8:1234:5678:9abc:def0:1234:5678]:326 "),
			sty.Dim.of("address"), txt(" "), sty.Private.of("private" + glue + "use")},
		"command": {sty.Dim.of("python3 /srv/app/server.py --port 326 --config=/etc/app/a-very-long-configuration-file-name.yaml")},
		"mixed": {txt("Jürgen Groß "), sty.Warn.of("note: 端口 is port in Chinese, "), txt("e\u0301t\u00e9 "),
			sty.Err.of("x"), sty.Listen.of("y"), txt("  spaces\tand\nnewlines  ")},
		"one long word": {sty.Title.of(strings.Repeat("abcdefghij", 12))},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		var sp []span
		for range 1 + rng.IntN(12) {
			word := strings.Repeat(string(rune('a'+rng.IntN(26))), 1+rng.IntN(15))
			st := []SGR{{}, sty.Bold, sty.Dim, sty.Private}[rng.IntN(4)]
			sep := []string{" ", "", glue, "  "}[rng.IntN(4)]
			sp = append(sp, st.of(word+sep))
		}
		cases[fmt.Sprintf("random %d", i)] = sp
	}
	for name, sp := range cases {
		for w := 1; w <= 70; w++ {
			for _, ih := range [][2]int{{0, 0}, {0, 2}, {2, 2}, {4, 0}} {
				p := newPane(w, sty)
				p.wrap(ih[0], ih[1], sp...)
				if w > ih[0]+ih[1]+1 { // room for text on every line
					checkWrapped(t, fmt.Sprintf("%s indent %v", name, ih), sp, p.lines, w)
				}
				checkWidths(t, fmt.Sprintf("%s indent %v width %d", name, ih, w), p)
				q := newPane(w, sty)
				q.line(sp...)
				q.fitRight(sp[:1], sp[1:])
				checkWidths(t, fmt.Sprintf("%s line width %d", name, w), q)
			}
		}
	}
}

// Words stay whole when they fit on a line.
func TestWrapBreaksAtSpaces(t *testing.T) {
	sty := NewStyles(colorprofile.ANSI, true, nil)
	text := "the quick brown fox jumps over the lazy dog again and again"
	for w := 6; w <= 40; w++ {
		p := newPane(w, sty)
		p.wrap(0, 0, txt(text))
		var words []string
		for _, l := range p.lines {
			words = append(words, strings.Fields(l)...)
		}
		if strings.Join(words, " ") != text {
			t.Fatalf("width %d: words %q", w, words)
		}
	}
}

// ipv6Detail is the pane of issue 7 #1: a private-use listener on a long
// IPv6 address, with a long command line.
func ipv6Detail() DetailState {
	return DetailState{
		Port: 326, Status: registry.Unassigned, Class: registry.ClassOf(326),
		Run:    registry.Run{Lo: 325, Hi: 332, Status: registry.Unassigned},
		Protos: []ProtoStatus{{"tcp", registry.Unassigned}, {"udp", registry.Unassigned}},
		Listen: ListenState{Polled: "12:00", Rows: []ListenerRow{{
			Proto: "tcp", Addr: "[2001:db8:1234:5678:9abc:def0:1234:5678]:326", Scope: "address", Private: true,
			Procs: []ProcRow{{PID: 4242, Name: "python3", User: "root",
				Command: "python3 /srv/app/server.py --bind 2001:db8:1234:5678:9abc:def0:1234:5678 --port 326"}},
		}}},
	}
}

// squash is the pane's visible text without any white space, so that
// what a wrap split over lines reads as one string again.
func squash(lines []string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, ansi.Strip(strings.Join(lines, "")))
}

// The pane shows the whole address, the scope and the whole command line
// at every width and under every profile, and never a broken sequence.
func TestDetailIPv6(t *testing.T) {
	for _, prof := range []colorprofile.Profile{colorprofile.NoTTY, colorprofile.Ascii, colorprofile.ANSI, colorprofile.TrueColor} {
		sty := NewStyles(prof, true, nil)
		for w := 20; w <= 150; w++ {
			lines := Detail(ipv6Detail(), w, 60, sty)
			for _, l := range lines {
				if msg := sgrCheck(l); msg != "" {
					t.Fatalf("%v width %d: %s", prof, w, msg)
				}
				if ansi.StringWidth(l) != w {
					t.Fatalf("%v width %d: line %q", prof, w, ansi.Strip(l))
				}
			}
			if w >= minTwoCol { // the listeners are in the left column
				lw, _ := twoColWidths(w)
				for i, l := range lines {
					lines[i] = ansi.Cut(l, 0, lw)
				}
			}
			s := squash(lines)
			for _, want := range []string{
				"tcp[2001:db8:1234:5678:9abc:def0:1234:5678]:326addressprivateuse",
				"python3pid4242·root",
				"python3/srv/app/server.py--bind2001:db8:1234:5678:9abc:def0:1234:5678--port326",
			} {
				if !strings.Contains(s, want) {
					t.Fatalf("%v width %d: pane lacks %q:\n%s", prof, w, want, strings.Join(lines, "\n"))
				}
			}
		}
	}
}

// A huge description (S5) is capped: the pane shows its first maxText
// bytes, says how much more there is and where to read it, and still
// fits its rectangle.
func TestDetailHugeDescription(t *testing.T) {
	sty := darkANSI()
	desc := strings.Repeat("lorem ipsum dolor sit amet ", 2<<20/27)
	d := DetailState{Port: 4000, Status: registry.Assigned, Class: registry.ClassOf(4000),
		Run:     registry.Run{Lo: 4000, Hi: 4000, Status: registry.Assigned},
		Records: []registry.Record{{Name: "big", Proto: "tcp", Lo: 4000, Hi: 4000, Description: desc, Note: desc}}}
	over := DetailOverflow(d, 40, 20, sty)
	if over <= 0 || over > 2*maxText/20 {
		t.Fatalf("overflow %d: want the capped text's lines", over)
	}
	d.Scroll = over
	s := squash(Detail(d, 40, 20, sty))
	more := fmt.Sprintf("(%s morebytes,seeportuilookup4000)", groupDigits(len(desc)-maxText))
	if !strings.Contains(s, strings.ReplaceAll(more, " ", "")) {
		t.Fatalf("no note on the cut text, scrolled to the end:\n%s", s)
	}
}

// benchText is n bytes of words.
func benchText(n int) string {
	return strings.Repeat("lorem ipsum dolor sit amet, consectetur adipiscing elit ", n/56+1)[:n]
}

// BenchmarkBreakLines wraps 20 kB, 300 kB and 2 MB of plain text, uncapped:
// ns/op grows with the length (compare the MB/s, which stay level), where
// the wrapper before issue 7 re-measured the rest of the text for every
// line and grew with its square.
func BenchmarkBreakLines(b *testing.B) {
	for _, n := range []int{20 << 10, 300 << 10, 2 << 20} {
		s := newPara([]span{txt(benchText(n))}, false).text
		b.Run(fmt.Sprintf("%dkB", n>>10), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				breakLines(s, 33, 31, 0)
			}
		})
	}
}

// BenchmarkDetailDescription renders a pane whose record has a 20 kB,
// 300 kB or 2 MB description: the cost is the same for all three, as only
// the first maxText bytes are wrapped.
func BenchmarkDetailDescription(b *testing.B) {
	sty := darkANSI()
	for _, n := range []int{20 << 10, 300 << 10, 2 << 20} {
		d := DetailState{Port: 4000, Status: registry.Assigned, Class: registry.ClassOf(4000),
			Records: []registry.Record{{Name: "big", Proto: "tcp", Lo: 4000, Hi: 4000, Description: benchText(n)}}}
		b.Run(fmt.Sprintf("%dkB", n>>10), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Detail(d, 33, 20, sty)
			}
		})
	}
}

// FuzzWrap: any text at any width keeps its characters and widths. The
// text is neutralised first, as everything from outside is where it
// enters the program (the scanner, the registry): spans hold no control
// bytes.
func FuzzWrap(f *testing.F) {
	f.Add("[2001:db8:1234:5678:9abc:def0:1234:5678]:326 address", 33, 2)
	f.Add("端口 e\u0301 \x1b[31m red \u202e", 5, 0)
	f.Add(strings.Repeat("x", 100), 1, 0)
	sty := NewStyles(colorprofile.TrueColor, false, nil)
	f.Fuzz(func(t *testing.T, s string, w, hang int) {
		w, hang = 1+abs(w)%80, abs(hang)%4
		s = sanitize.Text(s)
		sp := []span{sty.Bold.of(s), txt(" "), sty.Dim.of(s)}
		p := newPane(w+hang+1, sty)
		p.wrap(0, hang, sp...)
		// The pane collapses white space: compare with its text.
		pa := newPara(sp, false)
		var want []span
		for k := range pa.styles {
			want = append(want, pa.styles[k].of(pa.text[pa.starts[k]:pa.starts[k+1]]))
		}
		checkWrapped(t, "fuzz", want, p.lines, w+hang+1)
		checkWidths(t, "fuzz", p)
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
