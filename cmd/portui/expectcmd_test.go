package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/scan"
)

// expectBinary runs the real portui with its own config and data dirs.
func expectBinary(t *testing.T, config string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(builtBinary(t), args...)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+config)
	out, stderr, code := runBinary(t, cmd)
	return string(out), stderr, code
}

// listenTCP opens a loopback listener on a free port, closed when the
// test ends.
func listenTCP(t *testing.T) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().(*net.TCPAddr).Port
}

func TestExpectSaveThenCheck(t *testing.T) {
	_, port := listenTCP(t)
	config := t.TempDir()
	path := filepath.Join(config, "portui", "expected.toml") // the default: its directory does not exist yet
	out, errOut, code := expectBinary(t, config, "expect", "save")
	if code != 0 {
		t.Fatalf("save: exit %d, stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "wrote ") || !strings.HasSuffix(out, " to "+path+"\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("save printed %q", out)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := expect.Parse(path, text)
	if err != nil {
		t.Fatal(err)
	}
	// Our listener is in it, as the scanner sees it now, on loopback.
	sc, err := scan.New(scan.Options{HostOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	snap, err := sc.Snapshot(context.Background(), scan.Filter{Proto: "tcp", Lo: uint16(port), Hi: uint16(port)})
	if err != nil || len(snap.Listeners) != 1 {
		t.Fatalf("scanning our listener: %v, %d listeners", err, len(snap.Listeners))
	}
	self := snap.Listeners[0]
	var entry *expect.Entry
	for i, e := range f.Entries {
		if e.Proto == "tcp" && e.Lo == port {
			entry = &f.Entries[i]
		}
	}
	if entry == nil || entry.Scope != expect.ScopeLoopback {
		t.Fatalf("no loopback entry for %d/tcp in\n%s", port, text)
	}
	if m := f.Match(self); m.Verdict != expect.Matched {
		t.Errorf("our listener: verdict %d against %+v", m.Verdict, entry)
	}
	wantN := strconv.Itoa(len(f.Entries)) + " entries ("
	if !strings.Contains(out, wantN) {
		t.Errorf("save said %q, the file has %d entries", out, len(f.Entries))
	}

	out, errOut, code = expectBinary(t, config, "expect", "check")
	if code != 0 || out != path+": "+strconv.Itoa(len(f.Entries))+" entries, ok\n" || errOut != "" {
		t.Fatalf("check: exit %d, %q, %q", code, out, errOut)
	}

	// Saving again does not replace the file without --force.
	out, errOut, code = expectBinary(t, config, "expect", "save")
	if code != 2 || out != "" || !strings.Contains(errOut, "--force") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("save over a file: exit %d, %q, %q", code, out, errOut)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, text) {
		t.Fatal("the file changed")
	}
	out, _, code = expectBinary(t, config, "expect", "save", "--force", "--file", path)
	if code != 0 || !strings.HasSuffix(out, " to "+path+" (replaced the previous file)\n") {
		t.Fatalf("save --force: exit %d, %q", code, out)
	}
}

func TestExpectCheckBadFiles(t *testing.T) {
	head := "version = 1\n\n[[listener]]\nproto = \"tcp\"\n"
	cases := []struct{ name, text, want string }{
		{"syntax error", head + "port = 22\nprocess = nginx\n", ":6: syntax error: "},
		{"unknown key", head + "port = 22\nprot = \"tcp\"\n", `:6: unknown key "prot" (keys: proto, port, scope, address, process, user, unit, container, optional)`},
		{"port 70000", head + "port = 70000\n", ":5: port 70000 is not a port (0-65535)"},
		{"reversed range", head + "port = \"9000-8000\"\n", `:5: port "9000-8000": the range is reversed`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "expected.toml")
			if err := os.WriteFile(path, []byte(c.text), 0o600); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			out, errOut, code := expectBinary(t, t.TempDir(), "expect", "check", "--file", path)
			if code != 2 || out != "" {
				t.Fatalf("exit %d, stdout %q", code, out)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "portui: "+path+c.want) {
				t.Fatalf("stderr %q, want one line portui: %s%s", errOut, path, c.want)
			}
			after, _ := os.Stat(path)
			if now, _ := os.ReadFile(path); string(now) != c.text || !after.ModTime().Equal(before.ModTime()) {
				t.Error("the file was touched")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("%d files in the directory", len(ents))
			}
		})
	}
}

func TestExpectCheckEveryBadEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.toml")
	if err := os.WriteFile(path, []byte("[[listener]]\nproto = \"tcp\"\nport = 70000\n[[listener]]\nproto = \"udp\"\nport = 1\nscope = \"wide\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, "expect", "check", "--file", path)
	want := "portui: " + path + ":3: port 70000 is not a port (0-65535)\nportui: " + path + ":7: scope \"wide\" is not one of loopback, address, all\n"
	if code != 2 || errOut != want {
		t.Fatalf("exit %d\n%s\nwant\n%s", code, errOut, want)
	}
}

func TestExpectCheckNoFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if _, err := os.Stat(expect.SystemPath); err == nil {
		t.Skip(expect.SystemPath + " exists here")
	}
	out, errOut, code := runCLI(t, "expect", "check")
	if code != 2 || out != "" || !strings.Contains(errOut, "no expectations file") || !strings.Contains(errOut, "portui expect save") {
		t.Fatalf("exit %d, %q, %q", code, out, errOut)
	}
	missing := filepath.Join(t.TempDir(), "none.toml")
	_, errOut, code = runCLI(t, "expect", "check", "--file", missing)
	if code != 2 || errOut != "portui: "+missing+": cannot read: no such file or directory\n" {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

func TestJudgeFindsTheFile(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	if _, err := os.Stat(expect.SystemPath); err == nil {
		t.Skip(expect.SystemPath + " exists here")
	}
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	j, err := a.judge("")
	if err != nil || j.Expect != nil || j.Reg == nil {
		t.Fatalf("no file: %+v, %v", j, err)
	}
	if _, err := a.judge(filepath.Join(config, "none.toml")); err == nil || !strings.Contains(err.Error(), "none.toml: cannot read") {
		t.Fatalf("a given file that does not exist: %v", err)
	}
	path := filepath.Join(config, "portui", "expected.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("[[listener]]\nproto = \"tcp\"\nport = 22\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if j, err = a.judge(""); err != nil || j.Expect == nil || j.Expect.Path != path || len(j.Expect.Entries) != 1 {
		t.Fatalf("default file: %+v, %v", j.Expect, err)
	}
	if err := os.WriteFile(path, []byte("[[listener]]\nproto = \"tcp\"\nport = 70000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err = a.judge(""); err == nil || err.Error() != path+":3: port 70000 is not a port (0-65535)" {
		t.Fatalf("bad default file: %v", err)
	}
}
