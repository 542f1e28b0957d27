package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hostileComm is the name a local user gives a process (prctl
// PR_SET_NAME) to erase its row from an admin's `portui listeners`: CR,
// erase line, conceal (S1).
const hostileComm = "\r\x1b[2K\x1b[8m"

func init() {
	if os.Getenv(helperEnv) == "hostile" {
		// prctl(PR_SET_NAME) names the calling thread; the process's name
		// (/proc/PID/comm) is the main thread's, where main runs only if
		// locked there from init.
		runtime.LockOSThread()
	}
}

// testHelper is the test binary run as a helper process.
func testHelper(mode string) int {
	if mode != "hostile" {
		fmt.Fprintln(os.Stderr, "unknown helper", mode)
		return 2
	}
	return hostileHelper()
}

// hostileHelper renames itself to hostileComm, listens on a TCP port of
// the dynamic range (49152–65535: unassigned, so the audit reports it as
// private use and names its holder), prints the port and waits until
// stdin closes or it is killed.
func hostileHelper() int {
	name, err := unix.BytePtrFromString(hostileComm)
	if err != nil {
		return 2
	}
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "prctl:", err)
		return 2
	}
	var ln net.Listener
	for range 100 {
		port := 49152 + rand.IntN(61000-49152)
		if ln, err = net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			break
		}
	}
	if ln == nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 2
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// startHostileProcess starts the helper with a hostile argv and returns
// its port; it is stopped by its PID when the test ends, pass or fail.
func startHostileProcess(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Args = []string{"/opt/\x1b]0;PWN\x07/python3", "\x1b]52;c;cHduZWQ=\x07", "\r\x1b[2K", "\u202eevil", "\u009b31m"}
	cmd.Env = append(os.Environ(), helperEnv+"=hostile")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	return port
}

// openPTY opens a pseudo-terminal with output post-processing off (so
// "\n" is not turned into "\r\n" and the bytes read are the bytes
// written).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err == nil {
		tio.Oflag &^= unix.OPOST
		err = unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, tio)
	}
	if err != nil {
		m.Close()
		s.Close()
		t.Fatal(err)
	}
	return m, s
}

// runOnPTY runs one command line in-process with stdout on a terminal and
// returns what the terminal received.
func runOnPTY(t *testing.T, args []string) (out []byte, stderr string, code int) {
	t.Helper()
	m, s := openPTY(t)
	defer m.Close()
	done := make(chan []byte)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, m) // ends with EIO once the slave is closed
		done <- b.Bytes()
	}()
	var errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), s, &errb)
	s.Close()
	select {
	case out = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("pty reader did not finish")
	}
	return out, errb.String(), code
}

// TestHostileTextOnATerminal: the same hostile names and registry as
// TestHostileTextPiped, with stdout a real terminal, in full colour and
// in 8 colours (colour downsampling parses and rewrites sequences): only
// portui's own SGR sequences reach the terminal.
func TestHostileTextOnATerminal(t *testing.T) {
	withStaticScanner(t, hostileSnapshot())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("NO_COLOR", "")
	os.Unsetenv("NO_COLOR")
	reg := hostileRegistry(t)
	for _, term := range []struct{ term, colorterm string }{{"xterm-256color", "truecolor"}, {"xterm", ""}} {
		t.Setenv("TERM", term.term)
		t.Setenv("COLORTERM", term.colorterm)
		sawColour := false
		for _, c := range hostileCommands(reg) {
			out, errOut, _ := runOnPTY(t, c.args)
			label := fmt.Sprintf("TERM=%s %q", term.term, strings.Join(c.args, " "))
			checkOnlyOwnControls(t, label+" stdout", out, true)
			checkOnlyOwnControls(t, label+" stderr", []byte(errOut), false)
			if !strings.Contains(string(out)+errOut, c.want) {
				t.Errorf("%s does not show %q:\n%s%s", label, c.want, out, errOut)
			}
			sawColour = sawColour || bytes.Contains(out, []byte("\x1b["))
		}
		if !sawColour {
			t.Errorf("TERM=%s: no colour at all on the terminal: the test would not see a leak through the colour path", term.term)
		}
	}
}

// TestHostileProcess: a real process renamed with prctl to erase its own
// row, with escapes in its argv, listening on an ephemeral port, through
// listeners and audit, piped and on a terminal: its row is there, its
// name shown escaped, and no control byte but portui's SGR comes out.
func TestHostileProcess(t *testing.T) {
	port := startHostileProcess(t)
	p := strconv.Itoa(port)
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("COLORTERM", "truecolor")
	escaped := `\x0d\x1b[2K\x1b[8m`
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"listeners", "--port", p}, []string{"127.0.0.1:" + p, "/" + escaped}},
		{[]string{"listeners", "--port", p, "--json"}, []string{`"name": "\\x0d\\x1b[2K\\x1b[8m"`, `\\x1b]52;c;cHduZWQ=\\x07`, `\\u202eevil`, `\\u009b31m`}},
		{[]string{"audit", "--range", p + "-" + p}, []string{"on 127.0.0.1:" + p + ":", "so " + escaped + " (pid "}},
		{[]string{"audit", "--range", p + "-" + p, "--json"}, []string{`"name": "\\x0d\\x1b[2K\\x1b[8m"`}},
	} {
		label := strings.Join(c.args, " ")
		var out, errb bytes.Buffer
		run(context.Background(), c.args, strings.NewReader(""), &out, &errb)
		checkOnlyOwnControls(t, label+" piped", out.Bytes(), false)
		tty, _, _ := runOnPTY(t, c.args)
		checkOnlyOwnControls(t, label+" on a terminal", tty, true)
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s lacks %q:\n%s%s", label, w, out.String(), errb.String())
			}
			if !strings.Contains(string(tty), w) && !strings.Contains(c.args[len(c.args)-1], "json") {
				// On the terminal the text is styled: compare without SGR.
				if !strings.Contains(stripSGR(string(tty)), w) {
					t.Errorf("%s on a terminal lacks %q:\n%q", label, w, tty)
				}
			}
		}
	}
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestNoTerminalQueriesOnErrors: the real binary on a terminal (stdin and
// stdout a pty) writes nothing but text and SGR for an error or audit's
// exit 1. fang's error path used to query the terminal's background
// (OSC 11 and DA1 written to it, the answer read from stdin) to style a
// message portui prints itself.
func TestNoTerminalQueriesOnErrors(t *testing.T) {
	bin := builtBinary(t)
	for _, args := range [][]string{{"lookup", "nosuchservicezz"}, {"audit", "--range", "1-x"}, {"lookup", "22", "--nope"}} {
		m, s := openPTY(t)
		done := make(chan []byte)
		go func() {
			var b bytes.Buffer
			_, _ = io.Copy(&b, m)
			done <- b.Bytes()
		}()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+t.TempDir(), "TERM=xterm-256color")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
		err := cmd.Run()
		s.Close()
		var out []byte
		select {
		case out = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("pty reader did not finish")
		}
		m.Close()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%q: %v, want exit 2", args, err)
		}
		checkOnlyOwnControls(t, fmt.Sprintf("%q on a terminal", args), out, true)
		if !bytes.HasPrefix(out, []byte("portui: ")) {
			t.Errorf("%q: %q", args, out)
		}
	}
}
