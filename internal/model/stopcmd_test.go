package model

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/portui/portui/internal/scan"
)

func TestStopCommand(t *testing.T) {
	nginx := lst("tcp", "0.0.0.0", 80, []scan.Process{
		{PID: 1201, Name: "nginx", User: "root", Unit: "nginx.service"},
		{PID: 1202, Name: "nginx", User: "www-data", Unit: "nginx.service"},
	})
	nginx6 := nginx
	nginx6.Addr = ap("[::]:80").Addr()
	web1 := lst("tcp", "0.0.0.0", 80, proc(3101, "nginx", "root", "nginx: master process"))
	web1.Container = &scan.Container{Runtime: "docker", ID: strings.Repeat("ab", 32), Name: "web1"}
	anon := lst("tcp", "0.0.0.0", 8080, proc(3201, "httpd", "root", "httpd -DFOREGROUND"))
	anon.Procs[0].Container = &scan.Container{Runtime: "podman", ID: "3f2a9c01b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e"}
	py := lst("tcp", "0.0.0.0", 326, proc(4242, "python3", "me", "python3 -m http.server 326"))
	py.Procs[0].Unit = "session-3.scope" // a login session: not for systemctl stop
	py2 := lst("tcp", "::", 326, proc(4243, "python3", "me", "python3 -m http.server 326"))
	hidden := lst("tcp", "127.0.0.1", 5432, nil)
	hidden.Hidden = "owned by postgres: run as root to see processes"
	sshSock := lst("tcp", "::", 22, proc(1, "systemd", "root", "/sbin/init"))
	sshSock.Activation = &scan.Activation{Socket: "ssh.socket", Service: "ssh.service"}
	lxc := lst("tcp", "0.0.0.0", 53, proc(5101, "dnsmasq", "root", "dnsmasq"))
	lxc.Container = &scan.Container{Runtime: "lxc", ID: "c1", Name: "c1"}

	for _, c := range []struct {
		name    string
		ls      []scan.Listener
		cmd     string
		whyPart string
	}{
		{"systemd unit, two workers, v4 and v6", []scan.Listener{nginx, nginx6}, "systemctl stop nginx.service", ""},
		{"docker container", []scan.Listener{web1}, "docker stop web1", ""},
		{"podman container without a name", []scan.Listener{anon}, "podman stop 3f2a9c01b2d4", ""},
		{"a process in a login session", []scan.Listener{py}, "kill 4242", ""},
		{"several owners", []scan.Listener{py2, py}, "kill 4242 4243", ""},
		{"socket activation", []scan.Listener{sshSock}, "systemctl stop ssh.socket ssh.service", ""},
		{"hidden owner", []scan.Listener{hidden}, "", "no command can be given: 1 owner hidden"},
		{"hidden beside a known one", []scan.Listener{py, hidden}, "kill 4242", "1 owner hidden"},
		{"container and unit", []scan.Listener{web1, nginx}, "docker stop web1; systemctl stop nginx.service", ""},
		{"lxc", []scan.Listener{lxc}, "", "no stop command for lxc containers"},
		{"nothing", nil, "", "nothing listens here"},
	} {
		cmd, why := stopCommand(c.ls)
		if cmd != c.cmd || !strings.Contains(why, c.whyPart) || (c.whyPart == "" && why != "") {
			t.Errorf("%s: %q (%q), want %q (%q)", c.name, cmd, why, c.cmd, c.whyPart)
		}
	}
}

// TestStopCommandHostileName: a container name with quotes, spaces, ;,
// $(), backquotes or a leading - is one quoted word; a real shell reads
// back exactly the name.
func TestStopCommandHostileName(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, name := range []string{
		"web'; rm -rf ~ #", `a b`, "$(id)", "`id`", "x;y|z&", `it's "quoted"`, "-rf", "tab\there", "ok.name@1:2-3_4",
	} {
		l := lst("tcp", "0.0.0.0", 80, proc(3101, "nginx", "root", "nginx"))
		l.Container = &scan.Container{Runtime: "docker", ID: "x", Name: name}
		cmd, _ := stopCommand([]scan.Listener{l})
		if !strings.HasPrefix(cmd, "docker stop ") {
			t.Fatalf("%q: %q", name, cmd)
		}
		// The shell parses the command's words; printf shows them one per
		// NUL-terminated item instead of running docker.
		out, err := exec.Command(sh, "-c", "set -- "+strings.TrimPrefix(cmd, "docker ")+"; printf '%s\\0' \"$@\"").Output()
		if err != nil {
			t.Fatalf("%q: sh: %v", name, err)
		}
		words := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		want := []string{"stop", name}
		if strings.HasPrefix(name, "-") {
			want = []string{"stop", "--", name}
		}
		if !reflect.DeepEqual(words, want) {
			t.Errorf("%q: the shell reads %q from %q", name, words, cmd)
		}
		if name == "ok.name@1:2-3_4" && strings.Contains(cmd, "'") {
			t.Errorf("a plain name was quoted: %q", cmd)
		}
	}
}

// TestCopyStop: Y on 326 copies "kill 4242" (OSC 52) and says so; on a
// port with a hidden owner it copies nothing and says why.
func TestCopyStop(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, 326, with326(t0)))
	if text, _, _ := m.stopCopy(); text != "kill 4242" {
		t.Errorf("copies %q", text)
	}
	m2, cmd := m.Update(press("Y"))
	if cmd == nil {
		t.Error("Y: no command")
	}
	if s := screen(m2.(Model)); !strings.Contains(s, "copied: kill 4242 (not run)") {
		t.Errorf("status bar: %q", splitLines(s)[39])
	}
	m = poll(t, newTest(t, 120, 40, 5432, with326(t0))) // 5432: no processes seen
	if text, _, bad := m.stopCopy(); text != "" || !bad {
		t.Errorf("hidden owner: copies %q", text)
	}
	m = update(t, m, press("Y"))
	if s := screen(m); !strings.Contains(s, "port 5432: no command can be given") {
		t.Errorf("status bar: %q", splitLines(s)[39])
	}
}

// FuzzShellQuote: whatever the name, shellQuote gives one shell word that
// reads back as the name (by the POSIX rules for unquoted plain words and
// single quotes, and one backslash-escaped quote between them).
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "web1", "a b", "it's", "''", "'; rm -rf ~ #", "$(id)", "-rf", "\x00\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := shellQuote(s)
		got, ok := unquoteWord(q)
		if !ok || got != s {
			t.Fatalf("%q → %q → %q (%v)", s, q, got, ok)
		}
	})
}

// unquoteWord reads one shell word made of plain characters
// [A-Za-z0-9_.@:-], single-quoted strings and \' (false for anything
// else, a space outside quotes included).
func unquoteWord(w string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(w); {
		c := w[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(w[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(w[i+1 : i+1+j])
			i += j + 2
		case c == '\\' && i+1 < len(w) && w[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.@:-", c) >= 0:
			b.WriteByte(c)
			i++
		default:
			return "", false
		}
	}
	return b.String(), w != ""
}
