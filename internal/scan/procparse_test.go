package scan

import (
	"slices"
	"strings"
	"testing"

	"github.com/portui/portui/internal/sanitize"
)

const statLine = "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 1510 0 0 0 3 1 0 0 20 0 1 0 987654 12345678 1234 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

func TestParseStat(t *testing.T) {
	s, err := parseStat([]byte(statLine))
	if err != nil || s.Comm != "my (odd) server" || s.PPID != 1 || s.Start != 987654 {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []string{"", "12 (x", "12 x) S 1", "12 (x) S", "12 (x) S one 2 3", "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 zz"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte(statLine))
	f.Add([]byte("1 () R 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"))
	f.Add([]byte(")(")) // closing before opening
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseStat(b)
		if err == nil && !sanitize.IsClean(s.Comm) {
			t.Fatalf("comm %q carries control bytes", s.Comm)
		}
	})
}

func FuzzParseCmdline(f *testing.F) {
	f.Add([]byte("/usr/sbin/nginx\x00-g\x00daemon off;\x00"))
	f.Add([]byte("\x1b]0;PWN\x07\x00\r\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		args := parseCmdline(b)
		if len(args) > maxArgs+1 {
			t.Fatalf("%d args", len(args))
		}
		for _, a := range args {
			if !sanitize.IsClean(a) || len(a) > maxArgLen+len("…") {
				t.Fatalf("arg %q not neutralised or bounded", a)
			}
		}
		if c := trimCmdline(args, "x"); !sanitize.IsClean(c) || len(c) > maxCmdline+len("…") {
			t.Fatalf("cmdline %q", c)
		}
		_ = Process{Args: args}.Command()
	})
}

func TestParseLastPID(t *testing.T) {
	if p, ok := parseLastPID([]byte("0.52 0.58 0.59 2/1045 12345\n")); !ok || p != 12345 {
		t.Errorf("got %d %v", p, ok)
	}
	for _, bad := range []string{"", "0.1 0.2 0.3 1/2", "a b c d e", "0.1 0.2 0.3 1/2 -4"} {
		if _, ok := parseLastPID([]byte(bad)); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestParseSocketLink(t *testing.T) {
	for in, want := range map[string]uint64{"socket:[123]": 123, "socket:[18446744073709551615]": 1<<64 - 1} {
		if got, ok := parseSocketLink([]byte(in)); !ok || got != want {
			t.Errorf("%q: %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"socket:[]", "socket:[12", "pipe:[123]", "/dev/null", "socket:[1a]", "socket:[18446744073709551616]", "anon_inode:[eventfd]"} {
		if _, ok := parseSocketLink([]byte(bad)); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestTrimCmdline(t *testing.T) {
	if got := trimCmdline([]string{"nginx:", "worker", "process", ""}, "nginx"); got != "nginx: worker process" {
		t.Errorf("got %q", got)
	}
	if got := trimCmdline(nil, "kworker/0:1"); got != "[kworker/0:1]" {
		t.Errorf("kernel thread: %q", got)
	}
	long := trimCmdline([]string{"java", "-cp", strings.Repeat("é", 300)}, "java")
	if len(long) > maxCmdline+len("…") || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "java -cp") {
		t.Errorf("long: %d %q", len(long), long)
	}
	if got := trimCmdline(parseCmdline([]byte("a\nb\x00\xff\x00\x1b]0;PWN\x07\x00")), "x"); got != `a\x0ab \xff \x1b]0;PWN\x07` {
		t.Errorf("control/invalid: %q", got)
	}
	if got := parseCmdline([]byte("/usr/bin/python3\x00/srv/app.py\x00--port\x00326\x00")); !slices.Equal(got, []string{"/usr/bin/python3", "/srv/app.py", "--port", "326"}) {
		t.Errorf("args: %q", got)
	}
	if got := (Process{Args: parseCmdline([]byte("/opt/pyenv/versions/3.11.7/bin/python3\x00/srv/app.py\x00"))}).Command(); got != "python3 /srv/app.py" {
		t.Errorf("Command: %q", got)
	}
	if got := (Process{Args: []string{"nginx: worker process"}}).Command(); got != "nginx: worker process" {
		t.Errorf("rewritten argv: %q", got)
	}
	many := parseCmdline([]byte(strings.Repeat("x\x00", 1000)))
	if len(many) != maxArgs+1 || many[maxArgs] != "…" {
		t.Errorf("args not bounded: %d", len(many))
	}
}

func TestParseStatusUID(t *testing.T) {
	if uid, ok := parseStatusUID([]byte("Name:\tnginx\nUid:\t0\t33\t33\t33\nGid:\t0\t0\t0\t0\n")); !ok || uid != 33 {
		t.Errorf("got %d %v", uid, ok)
	}
	for _, bad := range []string{"", "Name:\tx\n", "Uid:\t0\n", "Uid:\t0\tx\t0\t0\n"} {
		if _, ok := parseStatusUID([]byte(bad)); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}
