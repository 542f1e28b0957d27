package expect

import (
	"bytes"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portui/portui/internal/scan"
)

const good = `# a comment
version = 1

[[listener]]
proto = "tcp"
port = 22
scope = "all"
unit = "ssh.service"

[[listener]]
proto = "udp"
port = 323
scope = "loopback"
process = "chronyd"
user = "_chrony"

[[listener]]
proto = "*"
port = "8000-8099"
process = "python*"

[[listener]]
proto = "tcp"
port = 80
container = "web1"
process = "nginx"
optional = true

[[listener]]
proto = "tcp"
port = 9100
scope = "address"
address = "192.0.2.10"
`

func mustParse(t testing.TB, s string) *File {
	t.Helper()
	f, err := Parse("expected.toml", []byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestParseGood(t *testing.T) {
	f := mustParse(t, good)
	want := []Entry{
		{Line: 4, Proto: "tcp", Lo: 22, Hi: 22, Scope: ScopeAll, Unit: "ssh.service"},
		{Line: 10, Proto: "udp", Lo: 323, Hi: 323, Scope: ScopeLoopback, Process: "chronyd", User: "_chrony"},
		{Line: 17, Proto: "*", Lo: 8000, Hi: 8099, Process: "python*"},
		{Line: 22, Proto: "tcp", Lo: 80, Hi: 80, Container: "web1", Process: "nginx", Optional: true},
		{Line: 29, Proto: "tcp", Lo: 9100, Hi: 9100, Scope: ScopeAddress, Address: "192.0.2.10"},
	}
	if len(f.Entries) != len(want) {
		t.Fatalf("%d entries: %+v", len(f.Entries), f.Entries)
	}
	for i := range want {
		if f.Entries[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, f.Entries[i], want[i])
		}
	}
	req := []bool{true, true, false, false, true}
	for i, r := range req {
		if f.Entries[i].Required() != r {
			t.Errorf("entry %d required %v", i, !r)
		}
	}
	if _, err := Parse("e.toml", nil); err != nil {
		t.Errorf("an empty file: %v", err)
	}
	f = mustParse(t, "[[listener]]\nproto = \"TCP\"\nport = \"*\"\naddress = \"::1\"\n[[listener]]\nproto='udp'\nport=0x35\n")
	if e := f.Entries[0]; e.Proto != "tcp" || e.Lo != 0 || e.Hi != 65535 || e.Scope != ScopeAddress {
		t.Errorf("%+v", e)
	}
	if e := f.Entries[1]; e.Lo != 53 {
		t.Errorf("%+v", e)
	}
}

func TestParseErrors(t *testing.T) {
	head := "version = 1\n[[listener]]\nproto = \"tcp\"\n" // the entry is on line 2
	cases := []struct{ name, text, want string }{
		{"port too big", head + "port = 70000\n", "expected.toml:4: port 70000 is not a port (0-65535)"},
		{"negative port", head + "port = -1\n", "expected.toml:4: port -1 is not a port (0-65535)"},
		{"huge port", head + "port = 99999999999999999999999\n", "expected.toml:4: port 9223372036854775807 is not a port (0-65535)"},
		{"range too big", head + "port = \"1-70000\"\n", "expected.toml:4: port \"1-70000\": 70000 is not a port (0-65535)"},
		{"reversed range", head + "port = \"9000-8000\"\n", "expected.toml:4: port \"9000-8000\": the range is reversed"},
		{"bad port string", head + "port = \"ssh\"\n", "expected.toml:4: port \"ssh\" is not a port, a range LO-HI or \"*\""},
		{"float port", head + "port = 22.5\n", "expected.toml:4: port must be an integer or a string (22, \"8000-8099\" or \"*\"), not a float"},
		{"unknown key", head + "port = 22\nprot = \"tcp\"\n", "expected.toml:5: unknown key \"prot\" (keys: proto, port, scope, address, process, user, unit, container, optional)"},
		{"dotted key", head + "port = 22\nport.x = 1\n", "expected.toml:5: duplicate key \"port.x\"" /* prefix */},
		{"duplicate key", head + "port = 22\nport = 23\n", "expected.toml:5: duplicate key \"port\" (first on line 4)"},
		{"bad proto", "[[listener]]\nproto = \"sctp\"\nport = 1\n", "expected.toml:2: proto \"sctp\" is not one of tcp, udp, *"},
		{"bad scope", head + "port = 1\nscope = \"public\"\n", "expected.toml:5: scope \"public\" is not one of loopback, address, all"},
		{"no port", head, "expected.toml:2: [[listener]] has no port (port = 22, \"8000-8099\" or \"*\")"},
		{"no proto", "[[listener]]\nport = 1\n", "expected.toml:1: [[listener]] has no proto (proto = \"tcp\", \"udp\" or \"*\")"},
		{"empty pattern", head + "port = 1\nprocess = \"\"\n", "expected.toml:5: process is empty (leave the key out to allow any)"},
		{"optional not bool", head + "port = 1\noptional = \"yes\"\n", "expected.toml:5: optional must be true or false, not a string"},
		{"address with all", head + "port = 1\nscope = \"all\"\naddress = \"::1\"\n", "expected.toml:6: address with scope \"all\" allows nothing more: drop the address, or use scope \"address\" or \"loopback\""},
		{"version 2", "version = 2\n", "expected.toml:1: version 2 is not supported (this portui reads version 1)"},
		{"unknown top key", "vrsion = 1\n", "expected.toml:1: unknown key \"vrsion\" (before the first [[listener]]: version)"},
		{"plain table", "[listener]\nproto = \"tcp\"\n", "expected.toml:1: [listener] must be [[listener]] (one table per expected service)"},
		{"unknown table", "\n[[listeners]]\nproto = \"tcp\"\n", "expected.toml:2: unknown table \"listeners\" (the file has [[listener]] tables only)"},
		{"syntax error", head + "port = 22\nprocess = nginx\n", "expected.toml:5: syntax error: "},
		{"unterminated string", head + "port = 22\nprocess = \"nginx\n", "expected.toml:5: syntax error: "},
		{"control bytes", head + "port = 1\n\"\\u001b]0;x\\u0007\" = 1\n", "expected.toml:5: unknown key \"\\x1b]0;x\\x07\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("expected.toml", []byte(c.text))
			if err == nil {
				t.Fatalf("no error; %+v", f)
			}
			if f != nil {
				t.Errorf("a File with the error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *Error", err)
			}
			if c.name == "dotted key" {
				// port.x after port: TOML itself calls that redefining port.
				if !strings.HasPrefix(err.Error(), "expected.toml:5: ") {
					t.Fatalf("%q", err)
				}
				return
			}
			if !strings.HasPrefix(err.Error(), c.want) || (!strings.HasSuffix(c.want, " ") && !strings.HasSuffix(c.want, "\"") && err.Error() != c.want) {
				t.Fatalf("got  %q\nwant %q", err, c.want)
			}
			if strings.ContainsAny(err.Error(), "\x1b\x07\n") {
				t.Errorf("raw control bytes or several lines: %q", err)
			}
		})
	}
}

func TestParseEveryErrorInLineOrder(t *testing.T) {
	text := "[[listener]]\nproto = \"tcp\"\nport = 70000\n\n[[listener]]\nprot = \"tcp\"\nport = 1\n\n[[listener]]\nproto = \"udp\"\nport = \"9000-8000\"\n\n[[listener]]\nproto = \"udp\"\nport = 5\n"
	_, err := Parse("x/expected.toml", []byte(text))
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"x/expected.toml:3: port 70000 is not a port (0-65535)",
		"x/expected.toml:5: [[listener]] has no proto (proto = \"tcp\", \"udp\" or \"*\")",
		"x/expected.toml:6: unknown key \"prot\" (keys: proto, port, scope, address, process, user, unit, container, optional)",
		"x/expected.toml:11: port \"9000-8000\": the range is reversed",
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	// Many bad lines: the first ones and a count.
	_, err = Parse("e", []byte(strings.Repeat("x = 1\n", 1000)))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || !strings.HasSuffix(lines[maxErrors], "and 950 more errors") {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

// l is a fixture listener.
func l(proto, addr string, port uint16, procs ...scan.Process) scan.Listener {
	a := netip.MustParseAddr(addr)
	return scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: -1, Procs: procs}
}

func proc(name, user string, pid int) scan.Process {
	return scan.Process{PID: pid, Name: name, User: user, UID: 1000}
}

func TestMatch(t *testing.T) {
	f := mustParse(t, good+`
[[listener]]
proto = "tcp"
port = 443
process = "nginx"

[[listener]]
proto = "tcp"
port = 444
scope = "address"
address = "eth*"

[[listener]]
proto = "udp"
port = 5353
user = "1001"
`)
	sshd := l("tcp", "0.0.0.0", 22, proc("sshd", "root", 1))
	sshd.Unit = "ssh.service"
	web := l("tcp", "10.88.0.5", 80, proc("nginx", "root", 5))
	web.Container = &scan.Container{Runtime: "podman", ID: "3f2a9c0123456789", Name: "web1"}
	webByID := web
	webByID.Container = &scan.Container{Runtime: "podman", ID: "3f2a9c0123456789"}
	ifaceBound := l("tcp", "0.0.0.0", 444)
	ifaceBound.Scope, ifaceBound.Iface = scan.ScopeInterface, "eth0"
	byUID := l("udp", "0.0.0.0", 5353)
	byUID.UID = 1001
	cases := []struct {
		name  string
		l     scan.Listener
		v     Verdict
		entry int // line of the entry, 0 for none
	}{
		{"unit", sshd, Matched, 4},
		{"unit of a process", func() scan.Listener {
			x := l("tcp", "::", 22, proc("sshd", "root", 1))
			x.Procs[0].Unit = "ssh.service"
			return x
		}(), Matched, 4},
		{"loopback on loopback", l("udp", "127.0.0.1", 323, proc("chronyd", "_chrony", 9)), Matched, 10},
		{"loopback widened", l("udp", "0.0.0.0", 323, proc("chronyd", "_chrony", 9)), Widened, 10},
		{"other owner", l("udp", "127.0.0.1", 323, proc("ntpd", "ntp", 9)), Unexpected, 10},
		{"range and *", l("udp", "::", 8042, proc("python3", "u", 3)), Matched, 17},
		{"range, other owner: closest is the range", l("tcp", "::", 8042, proc("node", "u", 3)), Unexpected, 17},
		{"container", web, Matched, 22},
		{"container by id", func() scan.Listener {
			f2 := mustParse(t, "[[listener]]\nproto=\"tcp\"\nport=80\ncontainer=\"3f2a9c\"\n")
			if m := f2.Match(webByID); m.Verdict != Matched {
				t.Errorf("by id: %v", m.Verdict)
			}
			return web
		}(), Matched, 22},
		{"container on the host", l("tcp", "0.0.0.0", 80, proc("nginx", "root", 5)), Unexpected, 22},
		{"address", l("tcp", "192.0.2.10", 9100), Matched, 29},
		{"address: loopback is narrower", l("tcp", "127.0.0.1", 9100), Matched, 29},
		{"other address", l("tcp", "192.0.2.11", 9100), Widened, 29},
		{"address widened", l("tcp", "::", 9100), Widened, 29},
		{"no scope: any", l("tcp", "::", 443, proc("nginx", "www", 7)), Matched, 35},
		{"held by another", l("tcp", "::", 443, proc("python3", "www", 7)), Unexpected, 35},
		{"hidden holder", l("tcp", "::", 443), Unexpected, 35},
		{"interface", ifaceBound, Matched, 40},
		{"uid", byUID, Matched, 46},
		{"nothing on the port", l("tcp", "::", 3000), Unexpected, 0},
		{"other proto", l("udp", "0.0.0.0", 22), Unexpected, 0},
	}
	for _, c := range cases {
		m := f.Match(c.l)
		line := 0
		if m.Entry != nil {
			line = m.Entry.Line
		}
		if m.Verdict != c.v || line != c.entry {
			t.Errorf("%s: verdict %d entry line %d, want %d line %d", c.name, m.Verdict, line, c.v, c.entry)
		}
		// A File built by hand judges alike.
		h := &File{Path: f.Path, Entries: append([]Entry(nil), f.Entries...)}
		mh := f.Match(c.l)
		if hm := h.Match(c.l); hm.Verdict != mh.Verdict || (hm.Entry == nil) != (mh.Entry == nil) || (hm.Entry != nil && hm.Entry.Line != mh.Entry.Line) {
			t.Errorf("%s: by hand %+v, parsed %+v", c.name, hm, mh)
		}
	}
	var nilFile *File
	if m := nilFile.Match(sshd); m.Verdict != NoFile || m.Entry != nil {
		t.Errorf("nil file: %+v", m)
	}
	if nilFile.Missing([]scan.Listener{sshd}, 0, 65535) != nil {
		t.Error("nil file misses something")
	}
}

func TestFirstMatchWins(t *testing.T) {
	f := mustParse(t, "[[listener]]\nproto=\"tcp\"\nport=\"*\"\nprocess=\"a\"\n[[listener]]\nproto=\"tcp\"\nport=7\nscope=\"loopback\"\n[[listener]]\nproto=\"tcp\"\nport=7\n")
	if m := f.Match(l("tcp", "::", 7, proc("b", "u", 1))); m.Verdict != Matched || m.Entry.Line != 9 {
		t.Errorf("%+v", m)
	}
	if m := f.Match(l("tcp", "::", 7, proc("a", "u", 1))); m.Verdict != Matched || m.Entry.Line != 1 {
		t.Errorf("%+v", m)
	}
}

func TestMissing(t *testing.T) {
	f := mustParse(t, good)
	chrony := l("udp", "0.0.0.0", 323, proc("chronyd", "_chrony", 9)) // widened still counts as there
	got := f.Missing([]scan.Listener{chrony, l("tcp", "::", 8000, proc("python3", "u", 1))}, 0, 65535)
	var lines []int
	for _, e := range got {
		lines = append(lines, e.Line)
	}
	if len(lines) != 2 || lines[0] != 4 || lines[1] != 29 {
		t.Errorf("missing %v, want [4 29] (ssh, 9100; not the range or the optional one)", lines)
	}
	if got := f.Missing(nil, 0, 1023); len(got) != 2 || got[0].Line != 4 || got[1].Line != 10 {
		t.Errorf("in 0-1023: %+v", got)
	}
}

func TestPattern(t *testing.T) {
	for _, c := range []struct {
		p, s string
		ok   bool
	}{
		{"", "x", true}, {"*", "", true}, {"nginx", "nginx", true}, {"nginx", "nginx2", false},
		{"python*", "python3", true}, {"python*", "python", true}, {"*d", "sshd", true}, {"*d", "ssh", false},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "abc", true}, {"a*b*c", "acb", false}, {"a*a", "a", false},
		{"web-?", "web-1", false}, {"web-[12]", "web-1", false}, {"web-[12]", "web-[12]", true},
	} {
		if got := PatternMatch(c.p, c.s); got != c.ok {
			t.Errorf("%q ~ %q = %v", c.p, c.s, got)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "expected.toml")
	if err := os.WriteFile(p, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil || len(f.Entries) != 5 || f.Path != p {
		t.Fatalf("%v %+v", err, f)
	}
	_, err = Load(filepath.Join(dir, "none.toml"))
	var e *Error
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &e) || e.Line != 0 || !strings.HasSuffix(err.Error(), "none.toml: cannot read: no such file or directory") {
		t.Fatalf("missing: %v", err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(link); err == nil || !strings.HasSuffix(err.Error(), "link.toml: is a symbolic link, not a regular file (name the file it points to)") {
		t.Fatalf("symlink: %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.HasSuffix(err.Error(), "is a directory, not a regular file") {
		t.Fatalf("directory: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(fifo); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("fifo: %v", err) // and it did not block
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("big: %v", err)
	}
	bad := filepath.Join(dir, "bad\x1b.toml")
	if err := os.WriteFile(bad, []byte("[[listener]]\nproto = \"tcp\"\nport = 70000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || err.Error() != filepath.Join(dir, `bad\x1b.toml`)+":3: port 70000 is not a port (0-65535)" {
		t.Fatalf("bad: %v", err)
	}
}

func TestDefaultPaths(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/conf")
	t.Setenv("HOME", "/home/u")
	if got := DefaultPaths(); len(got) != 2 || got[0] != "/x/conf/portui/expected.toml" || got[1] != "/etc/portui/expected.toml" {
		t.Errorf("%q", got)
	}
	t.Setenv("XDG_CONFIG_HOME", "relative")
	if got := DefaultPaths(); got[0] != "/home/u/.config/portui/expected.toml" {
		t.Errorf("%q", got)
	}
	t.Setenv("HOME", "")
	if got := DefaultPaths(); len(got) != 1 || got[0] != SystemPath {
		t.Errorf("%q", got)
	}
}

func fixtureListeners() []scan.Listener {
	sshd4 := l("tcp", "0.0.0.0", 22, proc("sshd", "root", 800))
	sshd6 := l("tcp", "::", 22, proc("sshd", "root", 800))
	sshd4.Unit, sshd6.Unit = "ssh.service", "ssh.service"
	chrony4 := l("udp", "127.0.0.1", 323, proc("chronyd", "_chrony", 600))
	chrony6 := l("udp", "::1", 323, proc("chronyd", "_chrony", 600))
	chrony4.Unit, chrony6.Unit = "chrony.service", "chrony.service"
	web := l("tcp", "0.0.0.0", 80, proc("nginx", "root", 900), proc("nginx", "www-data", 901))
	web.Container = &scan.Container{Runtime: "podman", ID: "3f2a9c0123456789abcdef", Name: "web1"}
	web.NetNS = scan.NetNS{Inode: 4026532999}
	anon := l("tcp", "0.0.0.0", 81, proc("nginx", "root", 910))
	anon.Container = &scan.Container{Runtime: "docker", ID: "abcdef0123456789abcdef"}
	act := l("tcp", "::", 631, proc("systemd", "root", 1))
	act.Activation = &scan.Activation{Socket: "cups.socket", Service: "cups.service"}
	hidden := l("tcp", "127.0.0.1", 5432)
	hidden.Hidden, hidden.UID = "hidepid", 105
	user := l("tcp", "127.0.0.1", 8080, proc("python3", "alice", 4000))
	user.Unit = "user@1000.service"
	user6 := l("tcp", "192.0.2.4", 8080, proc("python3", "alice", 4000))
	iface := l("udp", "0.0.0.0", 67, proc("dnsmasq", "dnsmasq", 700))
	iface.Scope, iface.Iface = scan.ScopeInterface, "br0"
	odd := l("tcp", "::1", 9999, proc(`we"ird\x1b *`, "bob", 5000))
	return []scan.Listener{web, sshd4, sshd6, anon, act, chrony4, chrony6, hidden, user, user6, iface, odd}
}

func TestWriteRoundTrip(t *testing.T) {
	ls := fixtureListeners()
	var b bytes.Buffer
	n, err := Write(&b, ls, Header{Host: "host1", Time: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	text := b.String()
	f, err := Parse("expected.toml", b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if n != len(f.Entries) || n != 9 {
		t.Errorf("wrote %d, parsed %d entries, want 9 (dual stack is one)\n%s", n, len(f.Entries), text)
	}
	for _, x := range ls {
		if m := f.Match(x); m.Verdict != Matched {
			t.Errorf("%s %s: verdict %d\n%s", x.Proto, x.Endpoint(), m.Verdict, text)
		}
	}
	if miss := f.Missing(ls, 0, 65535); len(miss) != 0 {
		t.Errorf("missing %+v", miss)
	}
	for _, want := range []string{
		"on host1 at 2026-12-02 10:00 UTC: 9 entries from 12 sockets.",
		"version = 1\n",
		"# seen on 0.0.0.0:22, [::]:22\nproto = \"tcp\"\nport = 22\nscope = \"all\"\nunit = \"ssh.service\"\n",
		"port = 323\nscope = \"loopback\"\nunit = \"chrony.service\"\n",
		"scope = \"all\"\ncontainer = \"web1\"\nprocess = \"nginx\"\n",
		"container = \"abcdef012345\"\nprocess = \"nginx\"\n",
		"unit = \"cups.socket\"\n",
		"port = 5432\nscope = \"loopback\"\nuser = \"105\"\n",
		"port = 8080\nscope = \"address\"\naddress = \"192.0.2.4\"\nprocess = \"python3\"\nuser = \"alice\"\n",
		"scope = \"address\"\naddress = \"br0\"\nprocess = \"dnsmasq\"\n",
		`process = "we\"ird\\x1b *"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q\n%s", want, text)
		}
	}
	for _, k := range Keys {
		if !strings.Contains(text, "#   "+k+" ") {
			t.Errorf("header does not explain %s", k)
		}
	}
	// tcp before udp, ports in order.
	if strings.Index(text, "port = 9999") > strings.Index(text, "port = 67") || strings.Index(text, "port = 22") > strings.Index(text, "port = 80") {
		t.Errorf("order\n%s", text)
	}
	// Deterministic: the same listeners in another order, the same file.
	rev := append([]scan.Listener(nil), ls...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	var b2 bytes.Buffer
	if _, err := Write(&b2, rev, Header{Host: "host1", Time: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if b2.String() != text {
		t.Errorf("order-dependent output:\n%s\n---\n%s", b2.String(), text)
	}
	if es := FromListeners(ls); len(es) != n {
		t.Errorf("FromListeners: %d", len(es))
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(""))
	f.Add([]byte("[[listener]]\nproto = \"tcp\"\nport = 70000\n"))
	f.Add([]byte("[[listener]]\nproto = \"tcp\"\nport = \"9000-8000\"\n"))
	f.Add([]byte("[[listener]]\nprot = \"tcp\"\nport = 1\n"))
	f.Add([]byte("[[listener]]\nproto = tcp\n"))
	f.Add([]byte("[listener]\nx=1\n[a.b]\n[[listener]]\nport=[1,{a=2}]\n"))
	f.Add([]byte("version = 2\n[[listener]]\nproto='*'\nport='*'\nscope='all'\naddress='::'\noptional=1\n"))
	f.Add([]byte("[[listener]]\nproto=\"udp\"\nport=0x10000\nprocess=\"\\u001b\"\nport=1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("f.toml", b)
		if err != nil {
			if file != nil {
				t.Fatal("a File and an error")
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.toml:") {
					t.Fatalf("line %q lacks the path", line)
				}
			}
			if strings.ContainsAny(err.Error(), "\x1b\r\x00") {
				t.Fatalf("control bytes in %q", err)
			}
			return
		}
		for _, e := range file.Entries {
			if e.Lo < 0 || e.Hi > 65535 || e.Lo > e.Hi || e.Line < 1 {
				t.Fatalf("bad entry %+v", e)
			}
			file.Match(l("tcp", "::", uint16(e.Lo), proc(e.Process, e.User, 1)))
		}
		file.Missing(nil, 0, 65535)
	})
}

func BenchmarkMatch(b *testing.B) {
	var sb strings.Builder
	for p := 1; p <= 200; p++ {
		sb.WriteString("[[listener]]\nproto = \"tcp\"\nport = " + itoa(p*10) + "\nscope = \"loopback\"\nprocess = \"svc*\"\n")
	}
	sb.WriteString("[[listener]]\nproto = \"*\"\nport = \"30000-40000\"\nuser = \"app\"\n")
	f := mustParse(b, sb.String())
	ls := make([]scan.Listener, 0, 400)
	for p := 1; p <= 400; p++ {
		ls = append(ls, l("tcp", "127.0.0.1", uint16(p*5), proc("svc"+itoa(p), "app", p)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range ls {
			f.Match(ls[i])
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestDocExamples: every TOML example of docs/expect.md is a good file.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/expect.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("no examples")
	}
	for _, m := range blocks {
		if f, err := Parse("docs/expect.md", m[1]); err != nil || len(f.Entries) == 0 {
			t.Errorf("example: %v\n%s", err, m[1])
		}
	}
}

// A UDP socket in the ephemeral range is a client's (a resolver's query
// socket): its entry allows its owner the whole range, so the port the
// kernel gives it after a restart is not drift. A TCP listener there, and
// a UDP one below the range, stay exact.
func TestWriteEphemeralUDP(t *testing.T) {
	dns := proc("dnsmasq", "dnsmasq", 10)
	ls := []scan.Listener{
		l("udp", "0.0.0.0", 41000, dns),
		l("udp", "0.0.0.0", 53, dns),
		l("tcp", "127.0.0.1", 41001, proc("python3", "u", 11)),
	}
	var b bytes.Buffer
	n, err := Write(&b, ls, Header{Ephemeral: [2]int{32768, 60999}})
	if err != nil || n != 3 {
		t.Fatalf("Write: %d entries, %v", n, err)
	}
	f, err := Parse("expected.toml", b.Bytes())
	if err != nil {
		t.Fatalf("Parse(Write): %v\n%s", err, b.String())
	}
	if !strings.Contains(b.String(), `port = "32768-60999"`) {
		t.Errorf("no ephemeral range entry:\n%s", b.String())
	}
	for _, tc := range []struct {
		l    scan.Listener
		want Verdict
	}{
		{l("udp", "0.0.0.0", 52000, dns), Matched},
		{l("udp", "0.0.0.0", 53, dns), Matched},
		{l("udp", "0.0.0.0", 5353, dns), Unexpected},
		{l("udp", "0.0.0.0", 52000, proc("python3", "u", 12)), Unexpected},
		{l("tcp", "127.0.0.1", 41002, proc("python3", "u", 11)), Unexpected},
	} {
		if got := f.Match(tc.l).Verdict; got != tc.want {
			t.Errorf("%s/%d by %s: verdict %d, want %d", tc.l.Proto, tc.l.Port, tc.l.Procs[0].Name, got, tc.want)
		}
	}
	if m := f.Missing(nil, 0, 65535); len(m) != 2 {
		t.Errorf("missing with nothing listening: %d entries, want 2 (the range entry is optional)", len(m))
	}
}

// TestWritePortRuns: a holder's run of minRun or more consecutive ports
// is one optional range entry; shorter runs stay single, required ones.
// Found by use: `expect save` on a host with 10,000 listeners of one test
// process wrote a 1.3 MiB file that `expect check` then refused.
func TestWritePortRuns(t *testing.T) {
	pool := proc("ml", "root", 20)
	var ls []scan.Listener
	for p := 1024; p < 11024; p++ {
		ls = append(ls, l("tcp", "127.0.0.1", uint16(p), pool))
	}
	web := proc("nginx", "www", 21)
	ls = append(ls, l("tcp", "0.0.0.0", 80, web), l("tcp", "0.0.0.0", 81, web), l("tcp", "0.0.0.0", 82, web))
	// One port of the pool on another address: not part of the run.
	ls = append(ls, l("tcp", "0.0.0.0", 20000, pool))
	var b bytes.Buffer
	n, err := Write(&b, ls, Header{})
	if err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if n != 5 {
		t.Errorf("%d entries, want 5 (the run, 80, 81, 82, 20000)\n%s", n, text)
	}
	if b.Len() > 8<<10 {
		t.Errorf("file of %d bytes for 5 entries", b.Len())
	}
	for _, want := range []string{"# 10000 consecutive ports of one holder", `port = "1024-11023"`, "… 9993 more", "port = 80\n", "port = 82\n", "port = 20000\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q\n%s", want, text)
		}
	}
	f, err := Parse("expected.toml", b.Bytes())
	if err != nil {
		t.Fatalf("Parse(Write): %v\n%s", err, text)
	}
	for _, x := range ls {
		if m := f.Match(x); m.Verdict != Matched {
			t.Fatalf("%s %s: verdict %d", x.Proto, x.Endpoint(), m.Verdict)
		}
	}
	if m := f.Missing(nil, 0, 65535); len(m) != 4 {
		t.Errorf("missing with nothing listening: %d, want 4 (80, 81, 82, 20000; the range is optional)", len(m))
	}
}

// TestWriteRefusesWhatLoadRefuses: a file over MaxFileSize is an error,
// not a file every later audit fails on.
func TestWriteRefusesWhatLoadRefuses(t *testing.T) {
	var ls []scan.Listener
	for p := 1024; p < 61024; p += 2 { // no two consecutive: no run
		ls = append(ls, l("tcp", "127.0.0.1", uint16(p), proc("p"+strconv.Itoa(p), "u", p)))
	}
	var b bytes.Buffer
	if _, err := Write(&b, ls, Header{}); err == nil || !strings.Contains(err.Error(), "more than the 1024 KiB") {
		t.Fatalf("Write of 30,000 entries: %v", err)
	}
	if b.Len() != 0 {
		t.Fatalf("wrote %d bytes", b.Len())
	}
}
