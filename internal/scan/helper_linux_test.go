package scan

// Helper subprocesses: the test binary re-executed in a mode chosen by
// helperEnv, to hold inherited sockets (pre-fork owners), to create a
// listener from a process younger than the scanner's census, or to scan as
// an unprivileged user.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "PORTUI_SCAN_TEST_HELPER"

type helperReport struct {
	PID  int
	Port int
	Snap Snapshot
	Err  string
}

func runHelper() int {
	mode := os.Getenv(helperEnv)
	switch mode {
	case "hold":
		// Keep inherited fds open until the parent closes our stdin.
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	case "listen":
		return serveListen("tcp")
	case "mountscan":
		return mountScanHelper()
	case "bind":
		return bindHelper()
	case "hostile":
		return hostileHelper()
	case "many":
		return manyHelper()
	case "nslisten":
		return nsListenHelper()
	case "nstwo":
		return nsTwoHelper()
	case "recvfd":
		return recvFDHelper()
	case "clients":
		return clientsHelper()
	case "scan":
		rep := helperReport{PID: os.Getpid()}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			defer ln.Close()
			rep.Port = ln.Addr().(*net.TCPAddr).Port
		}
		s, err := New(Options{ProcRoot: os.Getenv("PORTUI_SCAN_PROCROOT"), Source: os.Getenv("PORTUI_SCAN_SOURCE")})
		if err == nil {
			rep.Snap, err = s.Snapshot(context.Background(), Filter{})
			s.Close()
		}
		if err != nil {
			rep.Err = err.Error()
		}
		_ = json.NewEncoder(os.Stdout).Encode(rep)
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

// serveListen is the body of a helper that opens its own listener: a TCP
// listener of network on an ephemeral loopback port, its port printed, held
// until stdin closes.
func serveListen(network string) int {
	ln, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(io.Discard, os.Stdin)
	ln.Close()
	return 0
}

// quickExit stops a -race helper from sleeping a second at exit (the race
// runtime's atexit_sleep_ms default).
func quickExit() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}

// helper is a running helper subprocess.
type helper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startHelper(t *testing.T, mode string, files ...*os.File) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, quickExit())
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return startCmd(t, cmd)
}

// startCmd starts a helper command with pipes on stdin and stdout; it is
// stopped (stdin closed, then killed by PID) when the test ends.
func startCmd(t *testing.T, cmd *exec.Cmd) *helper {
	t.Helper()
	h, err := start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.stop)
	return h
}

// start starts a helper command with pipes on stdin and stdout; the caller
// stops it.
func start(cmd *exec.Cmd) (*helper, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &helper{cmd: cmd, stdin: in, out: bufio.NewReader(out)}, nil
}

func (h *helper) pid() int { return h.cmd.Process.Pid }

func (h *helper) line(t *testing.T) string {
	t.Helper()
	s, err := h.out.ReadString('\n')
	if err != nil {
		t.Fatalf("helper %d: %v", h.pid(), err)
	}
	return strings.TrimSpace(s)
}

// stop closes the helper's stdin and waits for it to exit, killing it by
// PID after 5 s.
func (h *helper) stop() {
	if h.stdin == nil {
		return
	}
	h.stdin.Close()
	h.stdin = nil
	done := make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
	}
}

// listenHelper starts a process that opens its own listener and returns
// it with the port.
func listenHelper(t *testing.T) (*helper, uint16) {
	h := startHelper(t, "listen")
	p, err := strconv.Atoi(h.line(t))
	if err != nil {
		t.Fatalf("listen helper: %v", err)
	}
	return h, uint16(p)
}

// runAsNobody runs a "scan" helper as uid/gid 65534 and returns its report.
// The test binary is copied where that user may execute it.
func runAsNobody(t *testing.T, env ...string) helperReport {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to an unprivileged user")
	}
	dir := worldDir(t)
	bin := filepath.Join(dir, "scan.test")
	src, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), helperEnv+"=scan", "HOME="+dir, quickExit()), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if errors.Is(err, fs.ErrPermission) {
		t.Skipf("cannot run the test binary as uid 65534 here (noexec temp dir?): %v", err)
	}
	if err != nil {
		t.Fatalf("unprivileged helper: %v", err)
	}
	var rep helperReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("unprivileged helper output %q: %v", out, err)
	}
	if rep.Err != "" {
		t.Fatalf("unprivileged helper: %s", rep.Err)
	}
	return rep
}

// worldDir is a temporary directory that every user can traverse.
func worldDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
