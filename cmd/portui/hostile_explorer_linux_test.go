package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/vt"
	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/sanitize"
)

// TestHostileExplorer is S1 for the explorer: the real binary on a real
// terminal (a pty), with a registry file carrying control sequences in
// every field and a real process whose name and argv carry them, driven
// through the screens that show outside text (the pane on the hostile
// process's port and on a hostile record, search results, help) and `y`,
// which writes the clipboard over OSC 52. Every byte that reaches the
// terminal is checked: only the program's own sequences (CSI, its OSC 11
// background query, its OSC 52 whose payload is itself clean text), no C0
// but CR, LF, the renderer's cursor moves (tab, backspace) and BEL ending
// an OSC, no C1, no bidi control; and the
// hostile text is on screen as escapes, so a frame that left it out could
// not pass.
func TestHostileExplorer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := builtBinary(t)
	reg := hostileRegistry(t)
	port := startHostileProcess(t)

	m, s := openPTY(t)
	defer m.Close()
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--registry", reg, "--port", "7")
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+t.TempDir(), "TERM=xterm-256color", "COLORTERM=truecolor", "LANG=C.UTF-8")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
	})

	var mu sync.Mutex
	var out bytes.Buffer
	emu := vt.NewEmulator(120, 40)
	go func() { _, _ = io.Copy(io.Discard, emu) }() // the emulator's answers to queries
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := m.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			_, _ = emu.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	screen := func() string {
		mu.Lock()
		defer mu.Unlock()
		return emu.String()
	}
	waitFor := func(what string, cond func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond(screen()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; screen:\n%s", what, screen())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	send := func(keys string) {
		t.Helper()
		if _, err := m.Write([]byte(keys)); err != nil {
			t.Fatal(err)
		}
	}
	has := func(sub string) func(string) bool { return func(s string) bool { return strings.Contains(s, sub) } }

	// The hostile record on port 7: name, description, people, note.
	waitFor("the hostile record of port 7", has(`pwn\x1b]52;c;cHduZWQ=\x07`))
	send("y")
	waitFor("the copy message", has("copied"))
	// The hostile process: its port typed digit by digit.
	send(strconv.Itoa(port))
	waitFor("the hostile process in the pane", has(`\x0d\x1b[2K\x1b[8m`))
	waitFor("its argv", has(`\x1b]52;c;cHduZWQ=\x07`))
	send("\r")
	send("y")
	waitFor("the copy message", has("copied port "+strconv.Itoa(port)))
	// Search results list hostile names and descriptions.
	send("/pwn")
	waitFor("search results", has(`7 pwn\x1b]52;c;cHduZWQ=\x07`))
	send("\x1b") // esc
	waitFor("the search closed", func(s string) bool { return !strings.Contains(s, "2 matches") })
	send("?")
	waitFor("help", has("close"))
	send("q") // closes help
	send("q") // quits
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("explorer: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("explorer did not quit")
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	raw := bytes.Clone(out.Bytes())
	mu.Unlock()

	clips := checkExplorerControls(t, raw)
	if len(clips) != 2 {
		t.Fatalf("%d OSC 52 writes, want 2 (one per y)", len(clips))
	}
	for i, want := range []string{`pwn\x1b]52;c;cHduZWQ=\x07`, `\x0d\x1b[2K\x1b[8m`} {
		if !strings.Contains(clips[i], want) {
			t.Errorf("copy %d does not show %q escaped:\n%s", i+1, want, clips[i])
		}
	}
}

// csi is a control sequence (ECMA-48: parameters 0x30–0x3f,
// intermediates 0x20–0x2f, a final byte 0x40–0x7e).
var csi = regexp.MustCompile(`^\x1b\[[0-?]*[ -/]*[@-~]`)

// checkExplorerControls checks every byte of the explorer's output and
// returns the decoded payloads of its OSC 52 clipboard writes.
func checkExplorerControls(t *testing.T, out []byte) (clips []string) {
	t.Helper()
	for i := 0; i < len(out); {
		c := out[i]
		switch {
		// CR, LF, and tab and backspace, which the renderer uses to move
		// the cursor (no outside text can carry them: it is neutralised).
		case c == '\r' || c == '\n' || c == '\t' || c == '\b' || (c >= 0x20 && c < 0x7f):
			i++
			continue
		case c == 0x1b:
			rest := out[i:]
			if loc := csi.FindIndex(rest); loc != nil {
				seq := string(rest[:loc[1]])
				// Sequences portui never writes but a hostile name would:
				// conceal and erase-line, and clear screen mid-session.
				if regexp.MustCompile(`^\x1b\[(\d+;)*8m$`).MatchString(seq) || seq == "\x1b[2K" {
					t.Errorf("a hostile sequence %q reached the terminal: %q", seq, around(out, i))
				}
				i += loc[1]
				continue
			}
			if bytes.HasPrefix(rest, []byte("\x1b]11;?\x07")) {
				i += len("\x1b]11;?\x07")
				continue
			}
			if p, ok := bytes.CutPrefix(rest, []byte("\x1b]52;c;")); ok {
				end := bytes.IndexByte(p, 0x07)
				if end < 0 {
					t.Fatalf("unterminated OSC 52: %q", around(out, i))
				}
				b, err := base64.StdEncoding.DecodeString(string(p[:end]))
				if err != nil {
					t.Fatalf("OSC 52 payload: %v", err)
				}
				if !sanitize.IsCleanText(strings.ReplaceAll(string(b), "\t", " ")) {
					t.Errorf("the clipboard gets control characters: %q", b)
				}
				clips = append(clips, string(b))
				i += len("\x1b]52;c;") + end + 1
				continue
			}
			t.Errorf("an escape sequence portui does not write: %q", around(out, i))
			return clips
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(out[i:])
			if r != utf8.RuneError && sanitize.IsClean(string(out[i:i+n])) {
				i += n
				continue
			}
		}
		t.Errorf("control byte %q reached the terminal: %q", c, around(out, i))
		return clips
	}
	if len(out) == 0 {
		t.Error("no output at all")
	}
	return clips
}
