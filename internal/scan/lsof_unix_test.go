//go:build darwin || freebsd || linux

package scan

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// realLsof returns an lsof source, or skips the test when there is no lsof.
// Its runs may take a minute: lsof reads every fd of every process, and a
// benchmark elsewhere on the machine may hold a hundred thousand (the
// source's own bound, 5 s, is for polls, not for a test of what it finds).
func realLsof(t *testing.T) Scanner {
	t.Helper()
	path, err := findLsof()
	if errors.Is(err, errLsofMissing) {
		t.Skip("lsof is not installed (Debian: apt-get install lsof): the lsof source is tested by its fixtures only")
	}
	if err != nil {
		t.Fatal(err)
	}
	l := &lsofScanner{path: path, timeout: time.Minute}
	s := newSerial(l.snapshot, nil)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestLsofReal runs the real lsof against listeners this test opened: a
// TCP listener on 127.0.0.1 shared with a child process (the fd is
// inherited, so lsof lists the socket once per process), a UDP socket, and
// a connected UDP socket that must not show.
func TestLsofReal(t *testing.T) {
	s := realLsof(t)
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tl.Close() })
	uc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uc.Close() })
	conn, err := net.Dial("udp", uc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	tf, err := tl.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1) to hold the shared socket")
	}
	child := exec.Command(sleep, "600")
	child.ExtraFiles = []*os.File{tf}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	tf.Close()
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })

	tport := uint16(tl.Addr().(*net.TCPAddr).Port)
	uport := uint16(uc.LocalAddr().(*net.UDPAddr).Port)
	cport := uint16(conn.LocalAddr().(*net.UDPAddr).Port)
	me := os.Getpid()

	snap, err := s.Snapshot(context.Background(), Filter{Proto: "tcp", Lo: tport, Hi: tport})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Source != "lsof" || snap.Taken.IsZero() {
		t.Errorf("source %q, taken %v", snap.Source, snap.Taken)
	}
	if len(snap.Listeners) != 1 {
		t.Fatalf("tcp port %d: %d listeners, want 1: %+v (warnings %q)", tport, len(snap.Listeners), snap.Listeners, snap.Warnings)
	}
	l := snap.Listeners[0]
	want := []int{me, child.Process.Pid}
	slices.Sort(want)
	if l.Proto != "tcp" || l.Endpoint() != tl.Addr().String() || l.Scope != ScopeLoopback || !slices.Equal(l.PIDs(), want) {
		t.Errorf("got %s with pids %v, want tcp %s loopback with %v", lsofLine(l), l.PIDs(), tl.Addr(), want)
	}
	for _, p := range l.Procs {
		if p.UID != os.Geteuid() || p.Name == "" {
			t.Errorf("process %+v: want uid %d and a name", p, os.Geteuid())
		}
	}

	// The whole of UDP: ours is there, the connected one is not.
	snap, err = s.Snapshot(context.Background(), Filter{Proto: "udp"})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range snap.Listeners {
		if l.Proto != "udp" {
			t.Errorf("udp filter gave %s", lsofLine(l))
		}
		if l.Port == cport {
			t.Errorf("connected UDP socket listed: %s", lsofLine(l))
		}
		if l.Port == uport && l.Addr.String() == "127.0.0.1" {
			found = true
			if !slices.Equal(l.PIDs(), []int{me}) {
				t.Errorf("udp %d: pids %v, want [%d]", uport, l.PIDs(), me)
			}
		}
	}
	if !found {
		t.Errorf("udp 127.0.0.1:%d not found in %d listeners (warnings %q)", uport, len(snap.Listeners), snap.Warnings)
	}

	// Once the listener and the child are gone, so is the listener.
	child.Process.Kill()
	child.Wait()
	tl.Close()
	snap, err = s.Snapshot(context.Background(), Filter{Lo: tport, Hi: tport})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range snap.Listeners {
		if l.Proto == "tcp" {
			t.Errorf("closed listener still listed: %s", lsofLine(l))
		}
	}
}

// TestLsofMissing: without lsof the scanner says so in one line, at New
// and when lsof goes away later.
func TestLsofMissing(t *testing.T) {
	saved := lsofPaths
	t.Cleanup(func() { lsofPaths = saved })
	lsofPaths = nil
	t.Setenv("PATH", t.TempDir())
	if _, err := NewLsof(Options{}); !errors.Is(err, errLsofMissing) {
		t.Fatalf("NewLsof without lsof: %v, want %v", err, errLsofMissing)
	}
	l := &lsofScanner{path: filepath.Join(t.TempDir(), "lsof"), timeout: time.Minute}
	_, err := l.snapshot(context.Background(), Filter{})
	if !errors.Is(err, errLsofMissing) || strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("snapshot without lsof: %v", err)
	}
}

// TestLsofPartial: lsof exits 1 when some files could not be read, after
// printing what it could: that is kept, and its complaint (capped,
// neutralised) becomes a warning. The fake lsof is a script run directly,
// as the real one is.
func TestLsofPartial(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "lsof")
	script := "#!/bin/sh\n" +
		"printf 'p42\\000cfake\\000u7\\000Lseven\\000\\nf3\\000tIPv4\\000PTCP\\000n*:4242\\000TST=LISTEN\\000\\n'\n" +
		"printf 'lsof: WARNING: can'\\''t stat() \\033]0;x\\007 file system /mnt\\nsecond line\\n' >&2\n" +
		"exit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	l := &lsofScanner{path: fake, timeout: time.Minute}
	snap, err := l.snapshot(context.Background(), Filter{Proto: "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Listeners) != 1 || lsofLine(snap.Listeners[0]) != "tcp 0.0.0.0:4242 all 7/seven: 42 fake 7/seven" {
		t.Fatalf("listeners %+v", snap.Listeners)
	}
	want := `lsof tcp: lsof: WARNING: can't stat() \x1b]0;x\x07 file system /mnt · second line`
	if len(snap.Warnings) == 0 || snap.Warnings[0] != want {
		t.Fatalf("warnings %q, want first %q", snap.Warnings, want)
	}
}

// TestLsofArgs: the command line, one protocol per run (a state filter
// would drop UDP), the filter's ports in lsof's own syntax.
func TestLsofArgs(t *testing.T) {
	for _, c := range []struct {
		proto string
		f     Filter
		want  string
	}{
		{"tcp", Filter{}, "-nP -b -w -Ts -FpcuLfPtTn0 -iTCP -sTCP:LISTEN"},
		{"udp", Filter{}, "-nP -b -w -Ts -FpcuLfPtTn0 -iUDP"},
		{"tcp", Filter{Lo: 22, Hi: 22}, "-nP -b -w -Ts -FpcuLfPtTn0 -iTCP:22 -sTCP:LISTEN"},
		{"udp", Filter{Lo: 0, Hi: 1023}, "-nP -b -w -Ts -FpcuLfPtTn0 -iUDP:0-1023"},
	} {
		if got := strings.Join(lsofArgs(c.proto, c.f), " "); got != c.want {
			t.Errorf("%s %+v: %s, want %s", c.proto, c.f, got, c.want)
		}
	}
}

// BenchmarkLsofSnapshot is the cost of one whole-machine poll through the
// real lsof (both runs), to compare with the netlink source's.
func BenchmarkLsofSnapshot(b *testing.B) {
	s, err := NewLsof(Options{})
	if err != nil {
		b.Skip(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.Snapshot(context.Background(), Filter{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLsofTimeout: an lsof that hangs is killed at the source's bound; what
// it printed before is kept and the snapshot says it is incomplete.
func TestLsofTimeout(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1) for the hanging lsof")
	}
	fake := filepath.Join(t.TempDir(), "lsof")
	script := "#!/bin/sh\n" +
		"printf 'p42\\000cfake\\000u7\\000Lseven\\000\\nf3\\000tIPv4\\000PUDP\\000n127.0.0.1:4243\\000\\n'\n" +
		"exec " + sleep + " 600\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	l := &lsofScanner{path: fake, timeout: 2 * time.Second}
	snap, err := l.snapshot(context.Background(), Filter{Proto: "udp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Listeners) != 1 || snap.Listeners[0].Endpoint() != "127.0.0.1:4243" {
		t.Errorf("listeners %+v", snap.Listeners)
	}
	if len(snap.Warnings) == 0 || snap.Warnings[0] != "lsof udp did not finish within 2s: listeners may be missing" {
		t.Errorf("warnings %q", snap.Warnings)
	}
}
