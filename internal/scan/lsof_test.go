package scan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portui/portui/internal/sanitize"
)

// lsofLine is a listener as the golden expectations spell it:
// "proto endpoint scope uid/user: pid name uid/user, …".
func lsofLine(l Listener) string {
	var ps []string
	for _, p := range l.Procs {
		ps = append(ps, fmt.Sprintf("%d %s %d/%s", p.PID, p.Name, p.UID, p.User))
	}
	return fmt.Sprintf("%s %s %s %d/%s: %s", l.Proto, l.Endpoint(), l.Scope, l.UID, l.User, strings.Join(ps, ", "))
}

func parseLsofFile(t *testing.T, name string) ([]string, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lsof", name))
	if err != nil {
		t.Fatal(err)
	}
	ls, warns, err := parseLsof(bytes.NewReader(b), maxLsofOutputForTest)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var got []string
	for _, l := range ls {
		got = append(got, lsofLine(l))
	}
	return got, warns
}

// maxLsofOutputForTest is the cap the fixtures are parsed with (the lsof
// source's own constant lives in a file not built everywhere).
const maxLsofOutputForTest = 32 << 20

// TestParseLsof holds the parser to fixtures written from lsof(8)'s field
// format: macOS (NL terminators, f printed), FreeBSD (-F0: NUL
// terminators, each set ended by NL), hostile and malformed sets, and
// output cut short.
func TestParseLsof(t *testing.T) {
	for _, c := range []struct {
		file  string
		want  []string
		warns []string
	}{
		{"macos.txt", []string{
			// launchd's two sockets on 22 are two listeners (IPv4 and
			// IPv6 wildcards); the connected and the unbound UDP
			// sockets and the established TCP one are not listeners.
			"tcp 0.0.0.0:22 all 0/root: 1 launchd 0/root",
			"tcp [::]:22 all 0/root: 1 launchd 0/root",
			"udp 0.0.0.0:5353 all 65/_mdnsresponder: 201 mDNSResponder 65/_mdnsresponder",
			"udp [::]:5353 all 65/_mdnsresponder: 201 mDNSResponder 65/_mdnsresponder",
			// A socket shared by two processes is one listener.
			"tcp 127.0.0.1:5432 loopback 501/alice: 734 postgres 501/alice, 735 postgres 501/alice",
			"tcp [::1]:5432 loopback 501/alice: 734 postgres 501/alice, 735 postgres 501/alice",
			"tcp 0.0.0.0:7000 all 501/alice: 512 ControlCenter 501/alice",
			"tcp [::]:7000 all 501/alice: 512 ControlCenter 501/alice",
			// Two descriptors of one process: one process.
			"tcp 127.0.0.1:8080 loopback 501/alice: 880 node 501/alice",
			"tcp [fe80::1%lo0]:8080 address 501/alice: 880 node 501/alice",
		}, nil},
		{"freebsd.txt", []string{
			"tcp 0.0.0.0:22 all 0/root: 744 sshd 0/root",
			"tcp [::]:22 all 0/root: 744 sshd 0/root",
			// nginx: the master (root) and two workers (www) share 80
			// and 443; the owner shown is the lowest PID's.
			"tcp 0.0.0.0:80 all 0/root: 900 nginx 0/root, 901 nginx 80/www, 902 nginx 80/www",
			"udp 0.0.0.0:123 all 123/ntpd: 801 ntpd 123/ntpd",
			"udp 127.0.0.1:123 loopback 123/ntpd: 801 ntpd 123/ntpd",
			"udp 192.168.0.5:123 address 123/ntpd: 801 ntpd 123/ntpd",
			"udp [::]:123 all 123/ntpd: 801 ntpd 123/ntpd",
			"udp [::1]:123 loopback 123/ntpd: 801 ntpd 123/ntpd",
			"udp [fe80::1%lo0]:123 address 123/ntpd: 801 ntpd 123/ntpd",
			"udp [fe80::5054:ff:fe12:3456%vtnet0]:123 address 123/ntpd: 801 ntpd 123/ntpd",
			"tcp [::]:443 all 0/root: 900 nginx 0/root, 901 nginx 80/www, 902 nginx 80/www",
			"udp 0.0.0.0:514 all 0/root: 612 syslogd 0/root",
			"udp [::]:514 all 0/root: 612 syslogd 0/root",
			// An IPv4-mapped address is reported unmapped.
			"tcp 127.0.0.1:8000 loopback 1001/dev: 950 python3.11 1001/dev",
		}, nil},
		{"odd.txt", []string{
			// lsof's own escapes are kept as text; raw control bytes
			// and invalid UTF-8 are neutralised.
			`tcp 127.0.0.1:6000 loopback 1000/mallory: 4242 evil\x1b]0;PWN\x07 1000/mallory`,
			`tcp 0.0.0.0:6001 all 1001/\x1b[31meve: 4243 \x1b]0;raw\x07\xff\xfe 1001/\x1b[31meve`,
			// A TCP socket without a state is not taken for a listener;
			// a UDP one is, with an unknown uid (u-5) as -1.
			"udp 10.0.0.1:6007 address -1/: 4244 weird -1/",
		}, []string{
			// pabc and its file; *:ssh, no-port, the hostile zone,
			// type sock, port 70000.
			`lsof: 7 file set(s) not understood, skipped (first: pid "abc")`,
		}},
		{"truncated.txt", []string{
			"tcp 127.0.0.1:6379 loopback 501/alice: 77 redis-server 501/alice",
			"tcp [::1]:6379 loopback 501/alice: 77 redis-server 501/alice",
		}, []string{"lsof output ends in the middle of a field: its last file set is skipped"}},
	} {
		got, warns := parseLsofFile(t, c.file)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: got\n\t%s\nwant\n\t%s", c.file, strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
		}
		if strings.Join(warns, "\n") != strings.Join(c.warns, "\n") {
			t.Errorf("%s: warnings %q, want %q", c.file, warns, c.warns)
		}
	}
}

// TestParseLsofLimit: output beyond the cap is not read and the snapshot
// says so; what came before is kept.
func TestParseLsofLimit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "lsof", "macos.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(b, []byte("p512\n")) // ControlCenter and later are over the cap
	ls, warns, err := parseLsof(bytes.NewReader(b), cut)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range ls {
		got = append(got, l.Proto+" "+l.Endpoint())
	}
	if want := "tcp 0.0.0.0:22 tcp [::]:22 udp 0.0.0.0:5353 udp [::]:5353"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], fmt.Sprintf("exceeds %d bytes", cut)) {
		t.Errorf("warnings %q", warns)
	}
}

// TestParseLsofName: the Internet names lsof -nP prints.
func TestParseLsofName(t *testing.T) {
	for _, c := range []struct {
		name, want string
		v6         bool
	}{
		{"*:22", "0.0.0.0:22", false},
		{"*:22", "[::]:22", true},
		{"127.0.0.1:631", "127.0.0.1:631", false},
		{"[::1]:8080", "[::1]:8080", true},
		{"[fe80::1%lo0]:5353", "[fe80::1%lo0]:5353", true},
		{"[::ffff:10.1.2.3]:53", "10.1.2.3:53", true},
		{"*:*", "0.0.0.0:0", false},
		{"127.0.0.1:5353->10.0.0.1:53", "connected", false},
		{"[::1]:1->[::1]:2", "connected", true},
		{"127.0.0.1:ssh", "error", false},
		{"127.0.0.1:65536", "error", false},
		{"127.0.0.1:-1", "error", false},
		{"127.0.0.1:+1", "error", false},
		{"::1:80", "error", true},
		{"[127.0.0.1]:80", "error", false},
		{"10.0.0.1", "error", false},
		{"", "error", false},
		{"[fe80::1%a/b]:1", "error", true},
	} {
		a, p, conn, err := parseLsofName(c.name, c.v6)
		got := fmt.Sprintf("%s:%d", a, p)
		if a.Is6() {
			got = fmt.Sprintf("[%s]:%d", a, p)
		}
		switch {
		case err != nil:
			got = "error"
		case conn:
			got = "connected"
		}
		if got != c.want {
			t.Errorf("parseLsofName(%q, %v) = %s (%v), want %s", c.name, c.v6, got, err, c.want)
		}
	}
}

// FuzzParseLsof: any input parses without panicking into a bounded list of
// valid listeners with neutralised strings, in snapshot order, one per
// protocol, address and port.
func FuzzParseLsof(f *testing.F) {
	for _, name := range []string{"macos.txt", "freebsd.txt", "odd.txt", "truncated.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "lsof", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, len(b))
	}
	f.Add([]byte("p1\x00c\x1b\x00\ntIPv4\x00PUDP\x00n*:1\x00"), 100)
	f.Add([]byte("tIPv6\nPTCP\nn[::]:9\nTST=LISTEN\n"), 3)
	f.Fuzz(func(t *testing.T, data []byte, limit int) {
		limit = max(limit, 0) % (len(data) + 2)
		ls, warns, err := parseLsof(bytes.NewReader(data), limit)
		if err != nil {
			t.Fatalf("error from a bytes.Reader: %v", err)
		}
		// A listener needs at least its name and protocol fields.
		if len(ls)*12 > limit+1 {
			t.Fatalf("%d listeners from %d bytes", len(ls), limit)
		}
		seen := map[string]bool{}
		for i, l := range ls {
			if l.Proto != "tcp" && l.Proto != "udp" || l.Port == 0 || !l.Addr.IsValid() || l.Addr.Is4In6() {
				t.Fatalf("bad listener %+v", l)
			}
			if l.Scope != ScopeOf(l.Addr) {
				t.Fatalf("scope %v for %s", l.Scope, l.Addr)
			}
			if k := l.Proto + " " + l.Endpoint(); seen[k] {
				t.Fatalf("%s listed twice", k)
			} else {
				seen[k] = true
			}
			if i > 0 && cmpListener(ls[i-1], l) > 0 {
				t.Fatal("not in snapshot order")
			}
			if len(l.Procs) == 0 || !sanitize.IsClean(l.Endpoint()) || !sanitize.IsClean(l.User) {
				t.Fatalf("bad listener %+v", l)
			}
			for j, p := range l.Procs {
				if p.PID <= 0 || j > 0 && p.PID <= l.Procs[j-1].PID {
					t.Fatalf("pids %v", l.PIDs())
				}
				if !sanitize.IsClean(p.Name) || !sanitize.IsClean(p.User) || len(p.Name) > maxLsofName+len("…") {
					t.Fatalf("process %+v", p)
				}
			}
		}
		for _, w := range warns {
			if !sanitize.IsClean(w) || len(w) > 300 {
				t.Fatalf("warning %q", w)
			}
		}
	})
}
