package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"

	"github.com/portui/portui/internal/sanitize"
)

// TestWriteJSONEscapesC1AndBidi: a string holding C1 controls and bidi
// overrides (one that slipped past sanitisation) comes out as \u escapes
// and decodes back to itself. encoding/json alone writes them raw.
func TestWriteJSONEscapesC1AndBidi(t *testing.T) {
	in := map[string]string{"name": "a\u009b31mb\u202ec\u2066d\u061ce\u200ff\u0085g\u2028h\x1bi名"}
	var raw bytes.Buffer
	if err := json.NewEncoder(&raw).Encode(in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(raw.String(), "\u009b") {
		t.Fatal("encoding/json escapes C1 itself now: this test no longer shows anything")
	}
	var out bytes.Buffer
	if err := WriteJSON(&out, in); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{`\u009b`, `\u202e`, `\u2066`, `\u061c`, `\u200f`, `\u0085`, `\u2028`, `\u001b`, "名"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %s: %s", want, s)
		}
	}
	for _, r := range s {
		if r >= 0x80 && !sanitize.IsClean(string(r)) {
			t.Errorf("raw %U in the output: %q", r, s)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back["name"] != in["name"] {
		t.Fatalf("does not decode back: %q %v", back, err)
	}
}

// FuzzWriteJSON: whatever the string, the output is valid JSON holding
// the same value (invalid UTF-8 becomes U+FFFD, as encoding/json does),
// with no raw character sanitize.Line would escape.
func FuzzWriteJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "\u009b", "\u202e\u202c", "\xff\xfe", "😀\u0085", "\x1b]52;c;aGk=\x07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var out bytes.Buffer
		if err := WriteJSON(&out, []string{s}); err != nil {
			t.Fatal(err)
		}
		var back []string
		if err := json.Unmarshal(out.Bytes(), &back); err != nil {
			t.Fatalf("invalid JSON %q: %v", out.String(), err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); len(back) != 1 || (utf8.ValidString(s) && back[0] != want) {
			t.Fatalf("decoded %q, want %q", back, want)
		}
		if !sanitize.IsCleanText(strings.ReplaceAll(out.String(), "\n", "")) {
			t.Fatalf("unsafe character in %q", out.String())
		}
	})
}

// TestTableAlignsByDisplayWidth: wide characters take two columns, escapes
// none; every row's columns start where the header's do, and no line ends
// in a space.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	st := DefaultStyles()
	out := Table(st, "  ", []string{"A", "NAME", "LAST"}, [][]string{
		{"1", "名前名前", "x"},
		{"22", st.Status("assigned"), "yy"},
		{"333", `\x1b[2K`, ""},
	})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	col := func(line string, n int) int { // display column where field n starts
		plain := ansi.Strip(line)
		fields := strings.Fields(plain)
		idx := strings.Index(plain, fields[n])
		return ansi.StringWidth(plain[:idx])
	}
	for i, l := range lines {
		if strings.HasSuffix(ansi.Strip(l), " ") {
			t.Errorf("line %d ends in a space: %q", i, l)
		}
		if i < 3 && (col(l, 1) != col(lines[0], 1) || col(l, 2) != col(lines[0], 2)) {
			t.Errorf("line %d out of line: %q vs %q", i, ansi.Strip(l), ansi.Strip(lines[0]))
		}
	}
	if !strings.HasPrefix(lines[3], "  333  ") {
		t.Errorf("indent or gap: %q", lines[3])
	}
}

func TestTrimRight(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"a  ":                     "a",
		"a \x1b[m":                "a\x1b[m",
		"\x1b[1ma   \x1b[m  ":     "\x1b[1ma\x1b[m",
		"term":                    "term",
		"x \x1b[1m12m":            "x \x1b[1m12m",
		"   ":                     "",
		"a\x1b[38;5;2m \x1b[m \t": "a\x1b[38;5;2m \x1b[m \t",
	} {
		if got := TrimRight(in); got != want {
			t.Errorf("TrimRight(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzTrimRight: the visible text loses only trailing spaces, and the
// escapes stay in order.
func FuzzTrimRight(f *testing.F) {
	for _, s := range []string{"a  ", "\x1b[1ma \x1b[m ", "\x1b[", "m", "\x1b[;m  ", "x\x1b[12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := TrimRight(s)
		if strings.HasSuffix(got, " ") {
			t.Fatalf("%q ends in a space", got)
		}
		if strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(s, " ", "") && !strings.HasPrefix(s, got) {
			t.Fatalf("TrimRight(%q) = %q removed more than spaces", s, got)
		}
	})
}

// FuzzIndented: appendIndented indents valid JSON exactly as json.Indent
// does, or declines (ok false); what encoding/json writes it never
// declines.
func FuzzIndented(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2,{}],"b":{"c":[]},"d":"x\"y\\","e":null,"f":true,"g":-1.5e3}`,
		`[[[]],[{}],"",0]`, `"top"`, `17`, ` {"a" : 1} `, `{"a":"\\\\"}`, `{"k":"\u2028 é"}`, `[1,2]  `, `[1] [2]`, `"open`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		var want bytes.Buffer
		wantErr := json.Indent(&want, in, "", "  ")
		got, ok := appendIndented([]byte("prefix"), in)
		if !bytes.HasPrefix(got, []byte("prefix")) {
			t.Fatalf("%q: dst's bytes lost: %q", s, got)
		}
		// Invalid JSON is never given (encoding/json wrote it): only
		// valid JSON has an answer to match.
		if ok && wantErr == nil && string(got[len("prefix"):]) != want.String() {
			t.Fatalf("%q: appendIndented %q, json.Indent %q (%v)", s, got[len("prefix"):], want.String(), wantErr)
		}
		// What encoding/json writes (compact, then a newline) must never
		// need the fallback.
		if json.Valid(in) {
			var compact bytes.Buffer
			if err := json.Compact(&compact, in); err != nil {
				t.Fatal(err)
			}
			compact.WriteByte('\n')
			want.Reset()
			if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
				t.Fatal(err)
			}
			got, ok := appendIndented(nil, compact.Bytes())
			if !ok || string(got) != want.String() {
				t.Fatalf("compact %q: appendIndented %q (ok %v), json.Indent %q", compact.Bytes(), got, ok, want.String())
			}
		}
	})
}

// TestHasHighOrDEL: every position and value of the byte that matters.
func TestHasHighOrDEL(t *testing.T) {
	for n := range 20 {
		for i := range n {
			for _, c := range []byte{0x7e, 0x7f, 0x80, 0xff, 0x00, 'a'} {
				b := bytes.Repeat([]byte{'x'}, n)
				b[i] = c
				if got, want := hasHighOrDEL(b), c >= 0x7f; got != want {
					t.Fatalf("%q: %v, want %v", b, got, want)
				}
			}
		}
	}
}

// FuzzCellWidth: the table measures every cell as x/ansi does, also
// through its fast paths (plain ASCII, ASCII with SGR sequences).
func FuzzCellWidth(f *testing.F) {
	st := DefaultStyles()
	for _, s := range []string{"", "tcp", "127.0.0.1:8080", st.Status("assigned"), st.Header.Render("PID/PROCESS"),
		"\x1b[1;32massigned\x1b[m", "\x1b[38:5:2mx", "\x1b[", "\x1b[1", "\x1b[?25lx", "\x1b[2K", "a\x1b]8;;u\x07b",
		"名前サーバ", "\x1b[1m名前\x1b[m", "e\u0301", "\x7f", "\t", "\x1b[m\x1b[m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Fatalf("cellWidth(%q) = %d, x/ansi says %d", s, got, want)
		}
	})
}

func TestFormats(t *testing.T) {
	if _, err := LookupFormat("JSON"); err != nil {
		t.Fatal(err)
	}
	if _, err := LookupFormat("yaml"); err == nil || !strings.Contains(err.Error(), "text or json") {
		t.Fatalf("unknown format: %v", err)
	}
	doc := RegistryDoc{SchemaID: SchemaRegistry}
	var b bytes.Buffer
	for _, f := range Formats {
		b.Reset()
		if err := f.Write(&b, DefaultStyles(), doc); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v, %d bytes", f.Name, err, b.Len())
		}
	}
}

type failWriter struct{ n int }

var errFull = errors.New("no space left on device")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n <= 0 {
		return 0, errFull
	}
	w.n--
	return len(p), nil
}

// TestTextRenderersReturnWriteErrors: every document's text form reports
// a failed write, wherever it happens.
func TestTextRenderersReturnWriteErrors(t *testing.T) {
	docs := []Document{
		ListenersDoc{Listeners: []Listener{{Proto: "tcp", Address: "127.0.0.1", Port: 1, Processes: []Process{}}}},
		ListenersDoc{},
		AuditDoc{Groups: []Group{{Kind: "private-use", Message: "m"}}, Verdict: "1 finding: 1 private use"},
		AuditDoc{},
		LookupDoc{Ports: []PortInfo{{Port: 1, Records: []RecordInfo{{Service: "s", Description: "d"}}}}, Unbound: []RecordInfo{{Service: "u"}}},
		SearchDoc{Matches: []SearchMatch{{Port: 1}}, Total: 2},
		SearchDoc{},
		RegistryDoc{hint: "h"},
	}
	for i, d := range docs {
		count := &failWriter{n: 1 << 30}
		if err := d.WriteText(count, DefaultStyles()); err != nil {
			t.Fatal(err)
		}
		writes := 1<<30 - count.n
		for n := range writes {
			if err := d.WriteText(&failWriter{n: n}, DefaultStyles()); !errors.Is(err, errFull) {
				t.Errorf("doc %d (%T): write %d of %d failed, WriteText returned %v", i, d, n+1, writes, err)
			}
		}
	}
}

// TestAlignRowsIsLipglossLayout: Table's one-pass layout gives the same
// bytes as lipgloss/table (the reference, kept here only: it costs about
// 100 times as much a row, see Table), for plain, wide, styled, escaped
// and empty cells, ragged rows, with and without headers.
func TestAlignRowsIsLipglossLayout(t *testing.T) {
	st := DefaultStyles()
	cells := []string{"", "a", "tcp", "127.0.0.1:22", "名前", "é", st.Status("assigned"), st.Dim.Render("x y"), `\x1b[2K`, "😀 ok", "  lead", "a  b", strings.Repeat("w", 150)}
	rng := uint32(1)
	next := func(n int) int { rng = rng*1664525 + 1013904223; return int(rng>>8) % n }
	for trial := range 300 {
		var headers []string
		if trial%3 != 0 {
			for range 1 + next(5) {
				headers = append(headers, st.Header.Render(cells[1+next(len(cells)-1)]))
			}
		}
		var rows [][]string
		for range 1 + next(6) {
			var r []string
			for range 1 + next(5) {
				r = append(r, cells[next(len(cells))])
			}
			rows = append(rows, r)
		}
		if a, b := lipglossTable("  ", headers, rows), alignRows("  ", headers, rows); a != b {
			t.Fatalf("headers %q rows %q:\nlipgloss %q\nalign    %q", headers, rows, a, b)
		}
	}
}

// lipglossTable is Table's layout done by lipgloss/table: borderless,
// columnGap spaces of padding after every column but the last, lines
// trimmed as Table trims them.
func lipglossTable(indent string, headers []string, rows [][]string) string {
	cols := len(headers)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	gap := lipgloss.NewStyle().PaddingRight(columnGap)
	plain := lipgloss.NewStyle()
	t := table.New().
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).BorderRow(false).
		Wrap(false).
		StyleFunc(func(_, col int) lipgloss.Style {
			if col < cols-1 {
				return gap
			}
			return plain
		})
	if len(headers) > 0 {
		t.Headers(headers...)
	}
	t.Rows(rows...)
	var b strings.Builder
	for _, line := range strings.Split(t.Render(), "\n") {
		b.WriteString(TrimRight(indent + line))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestPlainStylesAreStrippedDefault: what a command writes to a pipe with
// PlainStyles is, byte for byte, what DefaultStyles writes once the colour
// writer has stripped it, for every text document (so `portui … | grep`
// reads the same as before PlainStyles).
func TestPlainStylesAreStrippedDefault(t *testing.T) {
	docs := []Document{
		ListenersDoc{Listeners: []Listener{
			{Proto: "tcp", Address: "127.0.0.1", Port: 326, Scope: "loopback", User: "root", Status: "unassigned", Private: true,
				Processes: []Process{{PID: 4242, Name: "python3"}}, endpoint: "127.0.0.1:326"},
			{Proto: "udp", Address: "0.0.0.0", Port: 53, Scope: "all", User: "root", Status: "assigned", Service: "domain",
				Processes: []Process{{PID: 7, Name: "dnsmasq"}}, endpoint: "0.0.0.0:53"},
			{Proto: "tcp", Address: "::", Port: 1023, Scope: "all", Status: "reserved", Processes: []Process{}, endpoint: "[::]:1023"},
		}},
		ListenersDoc{},
		AuditDoc{Groups: []Group{{Kind: "private-use", Message: "m"}, {Kind: "exposed", Message: "n"}}, Verdict: "2 findings"},
		AuditDoc{},
		LookupDoc{Ports: []PortInfo{{Port: 22, Records: []RecordInfo{{Service: "ssh", Description: "The Secure Shell (SSH) Protocol", Status: "assigned"}}}},
			Unbound: []RecordInfo{{Service: "u"}}},
		SearchDoc{Matches: []SearchMatch{{Port: 1, Service: "tcpmux"}}, Total: 2},
		RegistryDoc{hint: "h"},
	}
	for i, d := range docs {
		var styled, plain strings.Builder
		if err := d.WriteText(&styled, DefaultStyles()); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteText(&plain, PlainStyles()); err != nil {
			t.Fatal(err)
		}
		if i == 0 && !strings.Contains(styled.String(), "\x1b[") {
			t.Fatalf("the default styles wrote no escape: the comparison would prove nothing")
		}
		if want := ansi.Strip(styled.String()); plain.String() != want {
			t.Errorf("doc %d (%T): plain\n%q\nstripped default\n%q", i, d, plain.String(), want)
		}
		if strings.Contains(plain.String(), "\x1b") {
			t.Errorf("doc %d (%T): plain output holds an escape", i, d)
		}
	}
}
