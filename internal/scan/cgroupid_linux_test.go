package scan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestSocketCgroupReal starts a helper inside a cgroup made for it on the
// cgroup2 mount (CLONE_INTO_CGROUP, so the socket is created there) and
// expects the listener's Cgroup, from INET_DIAG_CGROUP_ID, to name it.
func TestSocketCgroupReal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a cgroup")
	}
	mount, prefix := cgroup2Mount()
	if mount == "" {
		t.Skip("no cgroup2 mount")
	}
	name := fmt.Sprintf("portui-f-%d-%d", os.Getpid(), rand.IntN(1e6))
	dir := filepath.Join(mount, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	t.Cleanup(func() {
		for range 100 {
			if err := os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("cgroup %s left behind", dir)
	})
	cg, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=listen", quickExit())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, UseCgroupFD: true, CgroupFD: int(cg.Fd())}
	h := startCmd(t, cmd) // stopped by PID at cleanup (registered after the rmdir, so it runs first)
	port, err := strconv.Atoi(h.line(t))
	if err != nil {
		t.Fatalf("listen helper: %v", err)
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := prefix + "/" + name
	for _, f := range []Filter{{Proto: "tcp", Lo: uint16(port), Hi: uint16(port)}, {}} {
		sn, err := s.Snapshot(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		l := find(sn, "tcp", uint16(port))
		if l == nil {
			t.Fatalf("helper listener on %d not found (%v)", port, f)
		}
		if l.Cgroup != want {
			t.Errorf("filter %v: socket cgroup %q, want %q", f, l.Cgroup, want)
		}
	}
	// A listener of the test process itself is not in that cgroup.
	sn, err := s.Snapshot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range sn.Listeners {
		if l.Cgroup == want && int(l.Port) != port {
			t.Errorf("another listener in %s: %+v", want, l)
		}
	}
}

// TestCgroupPathsRewalk: a walk maps inodes to paths; an unknown id walks
// again only after cgroupRewalk, and an id no walk finds causes no more.
func TestCgroupPathsRewalk(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b\x1b[2J"), 0o755); err != nil {
		t.Fatal(err)
	}
	ino := func(p string) uint64 {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino
	}
	now := time.Unix(1000, 0)
	c := &cgroupPaths{now: func() time.Time { return now }, findMount: func() (string, string) { return root, "" }}
	a := ino(filepath.Join(root, "a"))
	if _, known := c.path(a); known || !c.rewalk(context.Background()) {
		t.Fatal("first unknown id did not walk")
	}
	if p, _ := c.path(a); p != "/a" {
		t.Errorf("a = %q", p)
	}
	if p, _ := c.path(ino(filepath.Join(root, "a", "b\x1b[2J"))); p != `/a/b\x1b[2J` {
		t.Errorf("escape not neutralised: %q", p)
	}
	if p, _ := c.path(ino(root)); p != "" {
		t.Errorf("root = %q", p)
	}
	if err := os.Mkdir(filepath.Join(root, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	n := ino(filepath.Join(root, "new"))
	if _, known := c.path(n); known || c.rewalk(context.Background()) {
		t.Fatal("walked again within the rate limit")
	}
	now = now.Add(cgroupRewalk)
	if !c.rewalk(context.Background()) || c.after(n) != "/new" {
		t.Fatal("new cgroup not found after the rate limit")
	}
	now = now.Add(cgroupRewalk)
	if _, known := c.path(999999999); known || !c.rewalk(context.Background()) || c.after(999999999) != "" {
		t.Fatal("unknown id")
	}
	now = now.Add(cgroupRewalk)
	if _, known := c.path(999999999); !known || c.rewalk(context.Background()) {
		t.Error("an id no walk found walked again")
	}
	if m := walkCgroups(context.Background(), root, "", 1, 100); len(m) != 3 { // root, a, new
		t.Errorf("depth cap: %v", m)
	}
	if m := walkCgroups(context.Background(), root, "", 10, 2); len(m) != 2 {
		t.Errorf("dir cap: %v", m)
	}
}

func TestPickCgroup2(t *testing.T) {
	hybrid := "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	if m, r := pickCgroup2([]byte(hybrid)); m != "/sys/fs/cgroup/unified" || r != "" {
		t.Errorf("hybrid: %q %q", m, r)
	}
	sub := "50 1 0:40 /kubepods/x /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	if m, r := pickCgroup2([]byte(sub)); m != "/sys/fs/cgroup" || r != "/kubepods/x" {
		t.Errorf("subtree: %q %q", m, r)
	}
	if m, _ := pickCgroup2([]byte("garbage\n")); m != "" {
		t.Errorf("garbage: %q", m)
	}
}
