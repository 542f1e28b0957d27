package views

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

func TestHyperlinks(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"TERM": "dumb"}, false},
		{map[string]string{"TERM": "linux"}, false},
		{map[string]string{"TERM": "vt100"}, false},
		{map[string]string{"TERM": "xterm-256color"}, false}, // xterm itself does not
		{map[string]string{"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, true},
		{map[string]string{"TERM": "xterm-256color", "VTE_VERSION": "7600"}, true},
		{map[string]string{"TERM": "xterm-256color", "VTE_VERSION": "4600"}, false},
		{map[string]string{"TERM": "xterm-kitty"}, true},
		{map[string]string{"TERM": "foot"}, true},
		{map[string]string{"TERM": "xterm-256color", "WT_SESSION": "x"}, true},
		{map[string]string{"TERM": "xterm-256color", "KONSOLE_VERSION": "230804"}, true},
		{map[string]string{"TERM": "tmux-256color", "TMUX": "/tmp/x", "TERM_PROGRAM": "tmux", "TERM_PROGRAM_VERSION": "3.4"}, true},
		{map[string]string{"TERM": "screen-256color", "TMUX": "/tmp/x", "TERM_PROGRAM": "tmux", "TERM_PROGRAM_VERSION": "3.5a"}, true},
		{map[string]string{"TERM": "tmux-256color", "TMUX": "/tmp/x", "TERM_PROGRAM": "tmux", "TERM_PROGRAM_VERSION": "3.3a"}, false},
		{map[string]string{"TERM": "tmux-256color", "TMUX": "/tmp/x", "TERM_PROGRAM": "tmux", "TERM_PROGRAM_VERSION": "next-3.6"}, true},
		// Inside tmux what the outer terminal is does not count.
		{map[string]string{"TERM": "tmux-256color", "TMUX": "/tmp/x", "VTE_VERSION": "7600"}, false},
		{map[string]string{"TERM": "screen", "STY": "1.pts", "TERM_PROGRAM": "iTerm.app"}, false},
		{map[string]string{"TERM": "linux", "FORCE_HYPERLINK": "1"}, true},
		{map[string]string{"TERM": "xterm-kitty", "FORCE_HYPERLINK": "0"}, false},
	} {
		if got := Hyperlinks(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}

// osc8 matches a hyperlink's opening sequence and captures its URL.
var osc8 = regexp.MustCompile("\x1b\\]8;;([^\x07\x1b]*)\x07")

// TestPaneLinks: with links on, the RFC, the draft and the service name
// are hyperlinks, every line is exactly the pane's width (the escapes
// take no columns) and every link opened on a line is closed on it, cut
// lines included; with links off no OSC 8 is written at all.
func TestPaneLinks(t *testing.T) {
	sty := darkANSI()
	d := DetailState{
		Port: 22, Status: registry.Assigned, Run: registry.Run{Lo: 22, Hi: 22, Status: registry.Assigned},
		Class: registry.ClassOf(22),
		Records: []registry.Record{{Name: "ssh", Proto: "tcp", Lo: 22, Hi: 22, Description: "The Secure Shell (SSH) Protocol",
			RFCs: []int{4251}, Drafts: []string{"draft-ietf-x-y"}}},
		Names: []string{"ssh"},
	}
	for _, w := range []int{20, 33, 50, 90, 150} {
		d.Links = true
		lines := Detail(d, w, 30, sty)
		all := strings.Join(lines, "\n")
		var urls []string
		for i, l := range lines {
			if n := ansi.StringWidth(l); n != w {
				t.Errorf("w %d: line %d is %d wide: %q", w, i, n, l)
			}
			opened := 0
			for _, m := range osc8.FindAllStringSubmatch(l, -1) {
				if m[1] == "" {
					opened--
				} else {
					opened++
					urls = append(urls, m[1])
				}
				if opened < 0 || opened > 1 {
					t.Errorf("w %d: line %d: links not balanced: %q", w, i, l)
				}
			}
			if opened != 0 {
				t.Errorf("w %d: line %d leaves a link open: %q", w, i, l)
			}
		}
		for _, want := range []string{"https://www.rfc-editor.org/rfc/rfc4251", "https://datatracker.ietf.org/doc/draft-ietf-x-y", IANAServiceURL("ssh")} {
			found := false
			for _, u := range urls {
				found = found || u == want
			}
			if !found {
				t.Errorf("w %d: no link to %s in %q", w, want, all)
			}
		}
		d.Links = false
		off := strings.Join(Detail(d, w, 30, sty), "\n")
		if strings.Contains(off, "\x1b]8;") {
			t.Errorf("w %d: links off, OSC 8 written", w)
		}
		if ansi.Strip(off) != ansi.Strip(all) {
			t.Errorf("w %d: the text differs with links on:\n%s\n---\n%s", w, ansi.Strip(off), ansi.Strip(all))
		}
	}
}

// TestLinkURLs: a service name with spaces, quotes or control bytes is
// escaped into the URL; a URL that is not plain printable http(s) gets no
// link at all.
func TestLinkURLs(t *testing.T) {
	u := IANAServiceURL("a b\x1b]8;;evil\x07\"'")
	if !safeURL(u) || strings.ContainsAny(u, " \x1b\x07\"'") {
		t.Errorf("escaped %q", u)
	}
	for _, bad := range []string{"https://x/\x1b]8;;y", "https://x/ y", "javascript:alert(1)", "file:///etc/passwd", "https://x/é", ""} {
		if s := linkSGR(true, bad); s != (SGR{}) {
			t.Errorf("%q: linked %q", bad, s.On)
		}
	}
	if s := linkSGR(false, "https://example.org/"); s != (SGR{}) {
		t.Error("links off: linked")
	}
}

// FuzzLinks: whatever the service name, its IANA link is a plain URL
// (linked, with nothing in it that could end the sequence), and
// versionAtLeast reads any version string without failing.
func FuzzLinks(f *testing.F) {
	for _, s := range []string{"ssh", "a b", "\x1b]8;;x\x07", "é", "3.4", "next-3.6", "3.", ".4", "99999999999999999999.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := IANAServiceURL(s)
		if len(u) <= 2048 && !safeURL(u) {
			t.Fatalf("%q: %q is not a plain URL", s, u)
		}
		if sg := linkSGR(true, u); sg.On != "" && strings.ContainsAny(sg.On[4:len(sg.On)-1], "\x1b\x07") {
			t.Fatalf("%q: the link's URL holds a terminator: %q", s, sg.On)
		}
		_ = versionAtLeast(s, 3, 4)
	})
}
