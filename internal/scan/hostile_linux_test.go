package scan

// A process that names itself to attack the terminal of whoever lists it
// (issue 7, #16 and S1): the scanner must show what is there, escaped, in
// every string it returns, and still attribute the socket correctly.

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/sanitize"
)

const (
	hostileComm = "\r\x1b[2K\x1b[8m"               // return, erase the line, hide what follows
	hostileArg0 = "\x1b]0;PWN\x07\x1b[8mevil"      // set the window title, hide
	hostileArg1 = "--x=\x9b31m\u009b32m\u202eevil" // 8-bit CSI (raw byte and U+009B), right-to-left override
)

func init() {
	// PR_SET_NAME renames the calling thread; /proc/PID/stat shows the
	// main thread's name, so the hostile helper must run there.
	if os.Getenv(helperEnv) == "hostile" {
		runtime.LockOSThread()
	}
}

// hostileHelper renames itself, listens on an ephemeral loopback port,
// prints it and waits for stdin to close.
func hostileHelper() int {
	if unix.Gettid() != os.Getpid() {
		fmt.Println("ERR not on the main thread")
		return 1
	}
	name, err := unix.BytePtrFromString(hostileComm)
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0); err != nil {
		fmt.Println("ERR prctl:", err)
		return 1
	}
	return serveListen("tcp4")
}

// startHostile runs the hostile helper with its argv and returns it and
// its port.
func startHostile(t *testing.T) (*helper, uint16) {
	t.Helper()
	cmd := &exec.Cmd{
		Path: os.Args[0],
		Args: []string{hostileArg0, hostileArg1, "plain"},
		Env:  append(os.Environ(), helperEnv+"=hostile", quickExit()),
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	h := startCmd(t, cmd)
	line := h.line(t)
	p, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("hostile helper %d: %q", h.pid(), line)
	}
	return h, uint16(p)
}

func TestLiveHostileNames(t *testing.T) {
	h, port := startHostile(t)
	wantName := sanitize.Line(hostileComm)
	if wantName != `\x0d\x1b[2K\x1b[8m` {
		t.Fatalf("sanitize.Line(comm) = %q", wantName)
	}
	wantArgs := []string{`\x1b]0;PWN\x07\x1b[8mevil`, `--x=\x9b31m\u009b32m\u202eevil`, "plain"}

	check := func(t *testing.T, backend string, sn Snapshot, full bool) {
		t.Helper()
		l := findAddr(sn, "tcp", "127.0.0.1", port)
		if l == nil {
			t.Fatalf("%s: listener on port %d not found", backend, port)
		}
		if len(l.Procs) != 1 || l.Procs[0].PID != h.pid() {
			t.Fatalf("%s: procs %+v, want pid %d", backend, l.Procs, h.pid())
		}
		p := l.Procs[0]
		if p.Name != wantName {
			t.Errorf("%s: Name %q, want %q", backend, p.Name, wantName)
		}
		strs := map[string]string{"Name": p.Name, "User": l.User, "Hidden": l.Hidden, "Iface": l.Iface}
		if full {
			if strings.Join(p.Args, "\x00") != strings.Join(wantArgs, "\x00") {
				t.Errorf("%s: Args %q, want %q", backend, p.Args, wantArgs)
			}
			if want := strings.Join(wantArgs, " "); p.Cmdline != want || p.Command() != want {
				t.Errorf("%s: Cmdline %q, Command() %q, want %q", backend, p.Cmdline, p.Command(), want)
			}
			if l.User != "root" && os.Geteuid() == 0 {
				t.Errorf("%s: User %q", backend, l.User)
			}
			strs["Cmdline"], strs["Command()"], strs["process User"] = p.Cmdline, p.Command(), p.User
			for i, a := range p.Args {
				strs["Args["+strconv.Itoa(i)+"]"] = a
			}
		}
		for i, w := range sn.Warnings {
			strs["Warnings["+strconv.Itoa(i)+"]"] = w
		}
		for what, s := range strs {
			if !sanitize.IsClean(s) {
				t.Errorf("%s: %s %q holds control bytes", backend, what, s)
			}
		}
		// Every listener of the snapshot, not only ours.
		for _, l := range sn.Listeners {
			for _, s := range []string{l.User, l.Hidden, l.Iface} {
				if !sanitize.IsClean(s) {
					t.Errorf("%s: %s: %q", backend, l.Key(), s)
				}
			}
			for _, p := range l.Procs {
				for _, s := range append([]string{p.Name, p.Cmdline, p.Command(), p.User}, p.Args...) {
					if !sanitize.IsClean(s) {
						t.Errorf("%s: %s: process %d: %q", backend, l.Key(), p.PID, s)
					}
				}
			}
		}
	}

	s := newScanner(t)
	check(t, "scanner (one port)", snapshot(t, s, Filter{Proto: "tcp", Lo: port, Hi: port}), true)
	check(t, "scanner (all)", snapshot(t, s, Filter{}), true)
	check(t, "cold scanner", snapshot(t, newScanner(t), Filter{Lo: port, Hi: port}), true)
	ns, err := NewNetstat(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	check(t, "go-netstat", snapshot(t, ns, Filter{Lo: port, Hi: port}), false)

	// ss sees the same process (it prints the raw name; only its PID is
	// compared).
	ssPath, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) is not installed; apt-get install iproute2 to compare with it")
	}
	out, err := exec.Command(ssPath, "-Htulnp", "sport = :"+strconv.Itoa(int(port))).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	got := parseSS(t, string(out))
	want := fmt.Sprintf("tcp 127.0.0.1:%d [%d]", port, h.pid())
	if len(got) != 1 || !got[want] {
		t.Errorf("ss says %q, want %q", out, want)
	}
}
