package views

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

func tableRowOf(port, proto, addr, svc, proc, queue, where string, look bool) TableRow {
	var c [NumTableCols]string
	c[ColPort], c[ColProto], c[ColAddr], c[ColScope] = port, proto, addr, "all"
	c[ColService], c[ColStatus], c[ColProcess], c[ColUser] = svc, "assigned", proc, "root"
	c[ColQueue], c[ColWhere] = queue, where
	return NewTableRow(c, registry.Assigned, look, proc == "hidden")
}

func tableRows() []TableRow {
	return []TableRow{
		tableRowOf("22", "tcp", "0.0.0.0", "ssh", "sshd 812", "0/128", "", true),
		tableRowOf("5353", "udp", "2001:db8:1234:5678:9abc:def0:1234:5678", "mdns", "avahi-daemon 700", "4K/208K", "netns pdemo", false),
		tableRowOf("40000", "tcp", "0.0.0.0", "safetynetp", "hidden", "", "web1 (podman)", false),
	}
}

// Every line is exactly w columns at every width and height, the
// cursor's row is marked, and the columns go in the documented order.
func TestTableFits(t *testing.T) {
	rows := tableRows()
	for _, g := range []*Glyphs{&UnicodeGlyphs, &ASCIIGlyphs} {
		for _, p := range []colorprofile.Profile{colorprofile.NoTTY, colorprofile.ANSI, colorprofile.TrueColor} {
			sty := NewStyles(p, true, g)
			for _, w := range []int{1, 10, 30, 60, 80, 120, 200} {
				for _, h := range []int{1, 2, 5, 24} {
					st := TableState{Rows: rows, Cursor: 1, Widths: NaturalWidths(rows), Sort: ColPort}
					lines := Table(st, w, h, sty)
					if len(lines) != h {
						t.Fatalf("%dx%d: %d lines", w, h, len(lines))
					}
					for i, l := range lines {
						if n := ansi.StringWidth(l); n != w {
							t.Fatalf("%dx%d %v: line %d is %d wide: %q", w, h, p, i, n, ansi.Strip(l))
						}
					}
					if w >= 30 && h >= 3 && !strings.HasPrefix(ansi.Strip(lines[2]), g.CursorGlyph()) {
						t.Errorf("%dx%d: cursor row not marked: %q", w, h, ansi.Strip(lines[2]))
					}
				}
			}
		}
	}
}

func TestTableWidthsFit(t *testing.T) {
	nw := NaturalWidths(tableRows())
	if nw[ColAddr] != len("2001:db8:1234:5678:9abc:def0:1234:5678") || nw[ColPort] != 5 {
		t.Errorf("natural widths %v", nw)
	}
	wide := nw.Fit(200)
	if wide != nw {
		t.Errorf("200 columns: %v, want the natural widths %v", wide, nw)
	}
	// Narrower: flexible columns shrink first, then where, scope, status,
	// user, queue, clients and proto go, in that order.
	for w := 199; w >= 20; w-- {
		ws := nw.Fit(w)
		if ws.Total() > w && ws[ColProto] != 0 {
			t.Fatalf("%d: total %d", w, ws.Total())
		}
		if ws[ColPort] == 0 || ws[ColAddr] == 0 {
			t.Fatalf("%d: port or address gone: %v", w, ws)
		}
		for i, c := range tableDrop {
			if ws[c] == 0 {
				for _, before := range tableDrop[:i] {
					if ws[before] != 0 {
						t.Fatalf("%d: %s gone before %s", w, c.Title(), before.Title())
					}
				}
			}
		}
	}
	if ws := nw.Fit(80); ws[ColWhere] != 0 || ws[ColScope] != 0 || ws[ColQueue] == 0 {
		t.Errorf("80 columns: %v", ws)
	}
}

func TestTableHeaderMarksSort(t *testing.T) {
	rows := tableRows()
	for _, g := range []*Glyphs{&UnicodeGlyphs, &ASCIIGlyphs} {
		sty := NewStyles(colorprofile.NoTTY, true, g)
		for _, rev := range []bool{false, true} {
			st := TableState{Rows: rows, Cursor: -1, Widths: NaturalWidths(rows), Sort: ColProcess, Reverse: rev}
			head := ansi.Strip(Table(st, 200, 5, sty)[0])
			if !strings.Contains(head, "process"+g.SortGlyph(rev)) || strings.Contains(head, "port"+g.SortGlyph(rev)) {
				t.Errorf("header %q", head)
			}
		}
	}
	// A high queue is in the warning colour, a hidden process dim.
	sty := NewStyles(colorprofile.ANSI, true, nil)
	r := tableRowOf("80", "tcp", "0.0.0.0", "http", "nginx 1", "400/511", "", false)
	r.QueueHigh = true
	line := Table(TableState{Rows: []TableRow{r}, Cursor: -1, Widths: NaturalWidths([]TableRow{r})}, 120, 2, sty)[1]
	if !strings.Contains(line, sty.Warn.Wrap("400/511")) {
		t.Errorf("queue not in the warning colour: %q", line)
	}
	if e := Table(TableState{Empty: "no listeners"}, 40, 3, sty); !strings.Contains(ansi.Strip(e[1]), "no listeners") {
		t.Errorf("empty: %q", e)
	}
}
