package main

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPaneLiveClients is the pane's live section through the real binary
// in tmux at 120×40: a listener the test opened on loopback with 5
// clients shows "clients 5" (and its top remote) and its accept queue
// (the test never accepts: "queue 5/…"); closing 3, then the rest, the
// count falls to 2 and 0.
func TestPaneLiveClients(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not installed")
	}
	bin := builtBinary(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range 5 {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}

	sock := "health-" + strconv.Itoa(os.Getpid())
	tm := func(args ...string) (string, error) {
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = tm("kill-server") })
	env := "env XDG_DATA_HOME=" + t.TempDir() + " TERM=xterm-256color LANG=C.UTF-8 "
	if out, err := tm("new-session", "-d", "-x", "120", "-y", "40", env+bin+" --port "+strconv.Itoa(port)); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	screen := func() string {
		out, _ := tm("capture-pane", "-p")
		return out
	}
	waitFor := func(what string, cond func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			s := screen()
			if cond(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	has := func(sub string) func(string) bool { return func(s string) bool { return strings.Contains(s, sub) } }
	s := waitFor("5 clients", has("clients 5 · 127.0.0.1 ×5"))
	// Never accepted, the 5 wait in its accept queue.
	if !strings.Contains(s, "queue 5/") {
		t.Errorf("the listener's accept queue is not shown:\n%s", s)
	}
	for _, c := range conns[:3] {
		c.Close()
	}
	conns = conns[3:]
	waitFor("the count falling to 2", has("clients 2 · 127.0.0.1 ×2"))
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	waitFor("the count falling to 0", has("clients 0"))
	if _, err := tm("send-keys", "q"); err != nil {
		t.Fatal(err)
	}
}
