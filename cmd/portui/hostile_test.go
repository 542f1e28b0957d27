package main

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// hostile is text that would take over a terminal if printed raw: OSC 52
// (write the clipboard), a title change, clear screen, DCS, BEL, BS, CR,
// C1 CSI, the line erase that hid a row (S1), and bidi overrides.
const hostile = "\x1b]52;c;cHduZWQ=\x07" + "\x1b]0;PWNED\x07" + "\x1b[2J\x1b[H" + "\x1bP+q544e\x1b\\" +
	"\x07\x08\r" + "\u009b31m\u0085" + "\r\x1b[2K\x1b[8m" + "\u202eevil\u2066"

// hostileRegistry writes a registry.json whose every string field holds
// hostile text, built with registry.Marshal as the real files are.
func hostileRegistry(t *testing.T) string {
	t.Helper()
	h := func(s string) string { return s + hostile }
	d := &registry.Data{
		Schema:  registry.SchemaVersion,
		Updated: h("2026-01-01"),
		Source:  registry.Source{Format: h("xml"), File: h("f.xml"), SHA256: h("abc")},
		Records: []registry.Record{
			{Name: h("pwn"), Proto: "tcp", Lo: 7, Hi: 7, Description: h("line one") + "\n" + h("line two"),
				Assignee: []string{h("p")}, Contact: []string{h("p")}, RFCs: []int{1}, Drafts: []string{h("draft-x")},
				URIs: []string{h("https://x")}, Texts: []string{h("t")}, Registered: h("2020-01-01"), Modified: h("2021"),
				Note: h("note"), Unauthorized: h("u"), ServiceCode: h("sc")},
			{Name: "pwn", Proto: "udp", Lo: 8, Hi: 8, Description: h("named pwn")},
			{Name: "pwn", Lo: -1, Hi: -1, Description: h("unbound"), Note: h("n")},
			{Proto: "", Lo: 9, Hi: 20, Description: h("Unassigned")},
		},
		People: map[string]registry.Person{h("p"): {Name: h("Mallory"), Org: h("Org"), URI: h("mailto:m&x.org"), Updated: h("2020")}},
	}
	b, err := registry.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hostile.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileSnapshot is what a scanner that forgot to neutralise would
// report: raw control bytes in every string it reads from the system,
// on ports the hostile registry describes.
func hostileSnapshot() scan.Snapshot {
	l := func(proto, addr string, port uint16) scan.Listener {
		a := netip.MustParseAddr(addr)
		return scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 1000, User: "mal" + hostile, Inode: uint64(port),
			Procs: []scan.Process{{PID: 66, Name: "\r\x1b[2K\x1b[8m", Args: []string{"/x/" + hostile, hostile}, Cmdline: "/x/" + hostile + " " + hostile, UID: 1000, User: "mal" + hostile}}}
	}
	iface := l("tcp", "0.0.0.0", 7)
	iface.Iface, iface.Scope = "v0"+hostile, scan.ScopeInterface
	hidden := l("udp", "::1", 9)
	hidden.Procs, hidden.Hidden = nil, "hidden"+hostile
	return scan.Snapshot{Taken: time.Now(), Source: "static" + hostile, Warnings: []string{"warn" + hostile},
		Listeners: []scan.Listener{iface, l("udp", "127.0.0.1", 8), l("tcp", "::1", 8), hidden, l("tcp", "127.0.0.1", 22)}}
}

// hostileCommands are every command that prints something from outside
// portui, with the escaped text its output must show (so a command that
// printed nothing could not pass).
func hostileCommands(reg string) []struct {
	args []string
	want string
} {
	r := []string{"--registry", reg}
	return []struct {
		args []string
		want string
	}{
		{append([]string{"listeners"}, r...), `\x0d\x1b[2K\x1b[8m`},
		{append([]string{"listeners", "--json"}, r...), `\\x1b]52;c;`},
		{append([]string{"audit", "--range", "all"}, r...), `\x1b[2K`},
		{append([]string{"audit", "--range", "all", "--json"}, r...), `\\x1b]0;PWNED\\x07`},
		{append([]string{"lookup", "7"}, r...), `\x1b]52;c;cHduZWQ=\x07`},
		{append([]string{"lookup", "7", "--json"}, r...), `\\u202eevil`},
		{append([]string{"lookup", "6-9"}, r...), `\x1b]0;PWNED\x07`},
		{append([]string{"lookup", "pwn"}, r...), `\x1bP+q544e\x1b\`},
		{append([]string{"lookup", "pwn", "--json"}, r...), `\\x07\\x08\\x0d`},
		{append([]string{"search", "pwn"}, r...), `\u009b31m`},
		{append([]string{"search", "pwn", "--json"}, r...), `\\u0085`},
		{append([]string{"registry", "info"}, r...), `\x1b]52;c;`},
		{append([]string{"registry", "info", "--json"}, r...), `\\x1b[2J`},
		// Error lines: names from the registry, paths from the command line.
		{append([]string{"lookup", "pw"}, r...), `did you mean pwn\x1b]52;c;`},
		{[]string{"--registry", "/nonexistent/" + hostile + ".json", "lookup", "1"}, `/nonexistent/\x1b]52;c;`},
		{[]string{"lookup", "x" + hostile}, `\x1b]52;c;`},
	}
}

// checkOnlyOwnControls fails when out holds a control character the
// program did not produce itself: on a terminal only SGR sequences
// (ESC [ digits ; : m) are allowed, piped nothing but printable text and
// newlines. No C0 but \n, no DEL, no C1, no bidi control, no invalid UTF-8.
func checkOnlyOwnControls(t *testing.T, label string, out []byte, tty bool) {
	t.Helper()
	for i := 0; i < len(out); {
		c := out[i]
		switch {
		case c == '\n' || (c >= 0x20 && c < 0x7f):
			i++
			continue
		case c == 0x1b && tty:
			j := i + 1
			if j < len(out) && out[j] == '[' {
				j++
				for j < len(out) && (out[j] >= '0' && out[j] <= '9' || out[j] == ';' || out[j] == ':') {
					j++
				}
				if j < len(out) && out[j] == 'm' {
					i = j + 1
					continue
				}
			}
			t.Errorf("%s: escape sequence that is not SGR at byte %d: %q", label, i, around(out, i))
			return
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(out[i:])
			if r != utf8.RuneError && sanitize.IsClean(string(out[i:i+n])) {
				i += n
				continue
			}
		}
		t.Errorf("%s: control byte %q at byte %d: %q", label, out[i], i, around(out, i))
		return
	}
}

func around(b []byte, i int) string {
	return string(b[max(0, i-30):min(len(b), i+30)])
}

// TestHostileTextPiped: hostile process names (from a scanner that
// forgot to neutralise them) and a hostile registry file go through every
// command with stdout piped: nothing but printable text and newlines
// comes out, on stdout or stderr, and the hostile text is shown escaped.
func TestHostileTextPiped(t *testing.T) {
	withStaticScanner(t, hostileSnapshot())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	reg := hostileRegistry(t)
	for _, c := range hostileCommands(reg) {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, strings.NewReader(""), &out, &errb)
		label := strings.Join(c.args, " ")
		checkOnlyOwnControls(t, fmt.Sprintf("%q stdout", label), out.Bytes(), false)
		checkOnlyOwnControls(t, fmt.Sprintf("%q stderr", label), errb.Bytes(), false)
		if !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("%q (exit %d) does not show %q:\n%s%s", label, code, c.want, out.String(), errb.String())
		}
		if code == 2 && strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q: error is not one line: %q", label, errb.String())
		}
	}
}
