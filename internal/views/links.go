package views

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Terminal hyperlinks (OSC 8) for the pane's references: RFCs, drafts and
// IANA's record of a service. The visible text is the same with or
// without them (the URL stays on screen, to be copied); where the
// terminal shows hyperlinks the reference is also clickable. The escapes
// wrap whole spans, like SGR, so they never count in a line's width and
// are never cut.

// ianaSearch is IANA's registry page, searched for a service or a port.
const ianaSearch = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search="

// IANAServiceURL links IANA's registry searched for a service name (URL
// escaped).
func IANAServiceURL(name string) string { return ianaSearch + url.QueryEscape(name) }

// IANAPortURL links IANA's registry searched for a port number.
func IANAPortURL(port int) string { return ianaSearch + strconv.Itoa(port) }

// linkSGR is the hyperlink to u as a pair of escapes around a span (the
// zero SGR when links are off or u is not a plain URL): u must be
// printable ASCII without spaces, so that nothing in it can end the
// sequence or reach the terminal as a control.
func linkSGR(on bool, u string) SGR {
	if !on || !safeURL(u) {
		return SGR{}
	}
	return SGR{On: ansi.SetHyperlink(u), Off: ansi.ResetHyperlink()}
}

// safeURL reports whether u is an http(s) URL of printable ASCII only.
func safeURL(u string) bool {
	if len(u) < len("https://x") || len(u) > 2048 {
		return false
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

// and returns text in both s and t: s outside, t inside (a hyperlink
// around a style).
func (s SGR) and(t SGR) SGR { return SGR{On: s.On + t.On, Off: t.Off + s.Off} }

// Hyperlinks decides, from the environment (getenv is os.Getenv), whether
// the terminal shows OSC 8 hyperlinks; conservatively, since a terminal
// that does not know the sequence may print it. FORCE_HYPERLINK=1 (or 0)
// decides outright. Otherwise: no for TERM unset, dumb, linux (the
// console) and vt*; behind a multiplexer, tmux from 3.4 (it passes
// hyperlinks on), never screen; yes for terminals known to show them
// (iTerm2, WezTerm, VS Code, Ghostty, kitty, foot, Alacritty, Windows
// Terminal, VTE 0.50+ as in GNOME Terminal, Konsole 20.12+); no for
// anything else.
func Hyperlinks(getenv func(string) string) bool {
	switch getenv("FORCE_HYPERLINK") {
	case "1", "true", "yes":
		return true
	case "0", "false", "no":
		return false
	}
	term := getenv("TERM")
	switch {
	case term == "", term == "dumb", term == "linux", strings.HasPrefix(term, "vt"):
		return false
	case getenv("TMUX") != "" || strings.HasPrefix(term, "tmux"):
		return getenv("TERM_PROGRAM") == "tmux" && versionAtLeast(getenv("TERM_PROGRAM_VERSION"), 3, 4)
	case getenv("STY") != "" || strings.HasPrefix(term, "screen"):
		return false
	}
	switch getenv("TERM_PROGRAM") {
	case "iTerm.app", "WezTerm", "vscode", "ghostty":
		return true
	}
	switch {
	case getenv("WT_SESSION") != "", getenv("KITTY_WINDOW_ID") != "",
		strings.Contains(term, "kitty"), strings.Contains(term, "ghostty"), strings.Contains(term, "wezterm"),
		strings.HasPrefix(term, "foot"), term == "alacritty":
		return true
	}
	if v, err := strconv.Atoi(getenv("VTE_VERSION")); err == nil && v >= 5000 {
		return true
	}
	if v, err := strconv.Atoi(getenv("KONSOLE_VERSION")); err == nil && v >= 201200 {
		return true
	}
	return false
}

// versionAtLeast reports whether v ("3.4", "3.3a", "next-3.6") is at
// least major.minor.
func versionAtLeast(v string, major, minor int) bool {
	v = strings.TrimPrefix(v, "next-")
	maj, rest, _ := strings.Cut(v, ".")
	mi := rest
	for i, c := range rest {
		if c < '0' || c > '9' {
			mi = rest[:i]
			break
		}
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(mi)
	if err1 != nil || err2 != nil {
		return false
	}
	return a > major || a == major && b >= minor
}
