package scan

// What is mounted on /proc (issue 7, S7): a second procfs with hidepid
// stacked over the first, or an empty tmpfs hiding every process. Each runs
// in a helper process with a mount namespace of its own (the mounts never
// touch the machine's /proc), which mounts, optionally drops to uid 65534
// and scans.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// mountScanHelper mounts PORTUI_PROC_MOUNT ("hidepid": procfs with
// hidepid=2; "tmpfs": an empty tmpfs) over /proc, drops to uid/gid 65534
// if PORTUI_DROP is set, opens a listener and prints a helperReport of a
// full scan.
func mountScanHelper() int {
	rep := helperReport{PID: os.Getpid()}
	fail := func(err error) int {
		rep.Err = err.Error()
		_ = json.NewEncoder(os.Stdout).Encode(rep)
		return 1
	}
	// With PORTUI_SCAN_FIRST the scanner starts (and takes its census)
	// before the mount, as a running explorer would.
	var s Scanner
	var err error
	if os.Getenv("PORTUI_SCAN_FIRST") != "" {
		if s, err = New(Options{}); err != nil {
			return fail(err)
		}
		defer s.Close()
		if _, err := s.Snapshot(context.Background(), Filter{}); err != nil {
			return fail(err)
		}
	}
	switch m := os.Getenv("PORTUI_PROC_MOUNT"); m {
	case "hidepid":
		err = unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "hidepid=2")
	case "tmpfs":
		err = unix.Mount("tmpfs", "/proc", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=64k,mode=0755")
	default:
		err = fmt.Errorf("unknown PORTUI_PROC_MOUNT %q", m)
	}
	if err != nil {
		return fail(fmt.Errorf("mount over /proc: %w", err))
	}
	if os.Getenv("PORTUI_DROP") != "" {
		if err := syscall.Setgroups(nil); err != nil {
			return fail(err)
		}
		if err := syscall.Setgid(65534); err != nil {
			return fail(err)
		}
		if err := syscall.Setuid(65534); err != nil {
			return fail(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	defer ln.Close()
	rep.Port = ln.Addr().(*net.TCPAddr).Port
	if s == nil {
		if s, err = New(Options{}); err != nil {
			return fail(err)
		}
		defer s.Close()
	}
	rep.Snap, err = s.Snapshot(context.Background(), Filter{})
	if err != nil {
		return fail(err)
	}
	_ = json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

// runMountScan runs mountScanHelper in a new mount namespace (os/exec makes
// its mounts private, so nothing propagates back).
func runMountScan(t *testing.T, mount string, drop bool, env ...string) helperReport {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount over /proc in a mount namespace")
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		var major, minor int
		fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor)
		if major < 5 || major == 5 && minor < 8 {
			// Before 5.8 every proc mount of a PID namespace shares its
			// options: hidepid=2 would apply to the machine's /proc too.
			t.Skipf("kernel %d.%d shares proc mount options between mounts", major, minor)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=mountscan", "PORTUI_PROC_MOUNT="+mount, quickExit())
	if drop {
		cmd.Env = append(cmd.Env, "PORTUI_DROP=1")
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var rep helperReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil || rep.Err != "" || err != nil {
		t.Fatalf("mount helper (%s): %v %q", mount, err, out)
	}
	return rep
}

// TestLiveHidePIDStacked: /proc with a hidepid=2 procfs mounted over the
// plain one. The mount in effect hides root's processes, so a root
// listener's process is hidden, not "a kernel socket".
func TestLiveHidePIDStacked(t *testing.T) {
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")
	rep := runMountScan(t, "hidepid", true)
	t.Logf("warnings %q", rep.Snap.Warnings)
	l := findAddr(rep.Snap, "tcp", "127.0.0.1", ln.port)
	if l == nil {
		t.Fatalf("root listener %d not listed", ln.port)
	}
	t.Logf("root listener: %q", l.Hidden)
	if len(l.Procs) != 0 || !strings.Contains(l.Hidden, "process hidden") || !strings.Contains(l.Hidden, "hidepid=") || strings.Contains(l.Hidden, "kernel socket") {
		t.Errorf("root listener under hidepid: procs %v hidden %q", l.PIDs(), l.Hidden)
	}
	for _, l := range rep.Snap.Listeners {
		if l.UID == 0 && strings.Contains(l.Hidden, "kernel socket") {
			t.Errorf("%s: %q", l.Key(), l.Hidden)
		}
	}
	if got := pidsOf(findAddr(rep.Snap, "tcp", "127.0.0.1", uint16(rep.Port))); !slices.Equal(got, []int{rep.PID}) {
		t.Errorf("the helper's own listener: %v, want [%d]", got, rep.PID)
	}
}

// TestLiveProcIsTmpfs: an empty tmpfs over /proc. No process can be seen,
// which must be said (a warning naming tmpfs), and no listener may be
// called a kernel socket.
func TestLiveProcIsTmpfs(t *testing.T) {
	ln := listenTCP(t, "tcp4", "127.0.0.1:0")
	for _, c := range []struct {
		name string
		env  []string
	}{{"before start", nil}, {"after start", []string{"PORTUI_SCAN_FIRST=1"}}} {
		t.Run(c.name, func(t *testing.T) {
			rep := runMountScan(t, "tmpfs", false, c.env...)
			t.Logf("warnings %q", rep.Snap.Warnings)
			if !slices.ContainsFunc(rep.Snap.Warnings, func(w string) bool { return strings.Contains(w, "/proc is tmpfs") }) {
				t.Errorf("warnings %q do not say /proc is tmpfs", rep.Snap.Warnings)
			}
			l := findAddr(rep.Snap, "tcp", "127.0.0.1", ln.port)
			if l != nil {
				t.Logf("root listener: %q", l.Hidden)
			}
			if l == nil || !strings.Contains(l.Hidden, "tmpfs") {
				t.Errorf("root listener: %+v", l)
			}
			for _, l := range rep.Snap.Listeners {
				if len(l.Procs) != 0 || strings.Contains(l.Hidden, "kernel socket") || !strings.Contains(l.Hidden, "/proc is tmpfs") {
					t.Errorf("%s: procs %v hidden %q", l.Key(), l.PIDs(), l.Hidden)
				}
			}
		})
	}
}

// TestFindMount: the mount in effect is the one with the root's mount ID,
// else the last one on the mount point; a fixture's fake lines are found by
// mount point.
func TestFindMount(t *testing.T) {
	info := []byte("22 1 0:21 / /proc rw,relatime - proc proc rw\n" +
		"garbage line\n" +
		"30 22 0:50 / /proc rw - proc proc rw,hidepid=invisible\n" +
		"31 1 0:51 / /srv/my\\040proc rw - proc proc rw,hidepid=2\n" +
		"40 22 0:60 / /proc rw - tmpfs tmpfs rw\n")
	for _, c := range []struct {
		id     uint64
		point  string
		wantID uint64
	}{
		{30, "/proc", 30},       // stacked under the tmpfs, but it is the one we opened
		{22, "/proc", 22},       // the first, when that is the one in effect
		{0, "/proc", 40},        // no mount ID: the newest
		{999, "/proc", 40},      // an ID not listed (fixture tree)
		{0, "/srv/my proc", 31}, // octal escapes
		{0, "/nowhere", 0},
	} {
		m, ok := findMount(info, c.id, c.point)
		if ok != (c.wantID != 0) || m.id != c.wantID {
			t.Errorf("findMount(%d, %q) = %+v, %v; want id %d", c.id, c.point, m, ok, c.wantID)
		}
	}
	if m, _ := findMount(info, 30, "/proc"); m.option("hidepid") != "invisible" {
		t.Errorf("hidepid of %+v", m)
	}
	if m, _ := findMount(info, 22, "/proc"); m.option("hidepid") != "" {
		t.Errorf("hidepid of %+v", m)
	}
}

func FuzzMountinfo(f *testing.F) {
	f.Add([]byte("22 1 0:21 / /proc rw,relatime - proc proc rw,hidepid=2\n"), uint64(22), "/proc")
	f.Add([]byte("30 22 0:50 / /a\\040b rw shared:1 - proc proc rw\n40 22 0:60 / /proc rw - tmpfs tmpfs rw\n"), uint64(0), "/a b")
	f.Add([]byte(" - \n - - -\n1 2 3 4 5 6 - x"), uint64(1), "5")
	f.Fuzz(func(t *testing.T, b []byte, id uint64, point string) {
		m, ok := findMount(b, id, point)
		if !ok {
			return
		}
		if m.id != id && m.mountPoint != point {
			t.Errorf("findMount(%d, %q) returned %+v", id, point, m)
		}
		_ = m.option("hidepid")
	})
}
