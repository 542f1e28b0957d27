//go:build linux

package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portui/portui/internal/sanitize"
)

// Layouts of /proc/PID/cgroup: pure cgroup2, hybrid (v1 controllers plus
// the unified hierarchy, as on this machine), pure v1, and hostile.
var cgroupCases = []struct{ name, in, want string }{
	{"v2 docker", "0::/system.slice/docker-0123abcd.scope\n", "/system.slice/docker-0123abcd.scope"},
	{"v2 root", "0::/\n", "/"},
	{"hybrid v2 path", "12:memory:/x\n1:name=systemd:/user.slice\n0::/portui-a-1\n", "/portui-a-1"},
	{"hybrid systemd", "9:name=systemd:/system.slice/nginx.service\n4:memory:/system.slice/nginx.service\n0::/\n", "/system.slice/nginx.service"},
	{"hybrid controller", "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/e8c3\n1:cpu:/\n0::/\n", "/process_api/e8c3"},
	{"v1 docker", "11:cpuset:/docker/abc\n10:memory:/docker/abc\n1:name=systemd:/docker/abc\n", "/docker/abc"},
	{"v1 all root", "2:cpu,cpuacct:/\n1:name=systemd:/\n", "/"},
	{"kubepods", "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-feed.scope\n", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-feed.scope"},
	{"lxc", "0::/lxc.payload.web1/init.scope\n", "/lxc.payload.web1/init.scope"},
	{"path with colon", "0::/a:b\n", "/a:b"},
	{"escape", "0::/evil\x1b]0;PWN\x07\n", `/evil\x1b]0;PWN\x07`},
	{"empty", "", ""},
	{"garbage", "no colons here\n:::\n", ""},
	{"relative", "0::relative\n", ""},
}

func TestParseCgroupFile(t *testing.T) {
	for _, c := range cgroupCases {
		if got := ParseCgroupFile([]byte(c.in)); got != c.want {
			t.Errorf("%s: ParseCgroupFile(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	long := "0::/" + strings.Repeat("a", 3*maxCgroupPath) + "\n"
	if got := ParseCgroupFile([]byte(long)); len(got) > maxCgroupPath+len("…") {
		t.Errorf("long path kept whole: %d bytes", len(got))
	}
}

func FuzzCgroupFile(f *testing.F) {
	for _, c := range cgroupCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := ParseCgroupFile(b)
		if !sanitize.IsClean(p) || len(p) > maxCgroupPath+len("…") {
			t.Fatalf("path %q not neutralised or bounded", p)
		}
		if p != "" && p[0] != '/' && !strings.HasPrefix(p, `\`) {
			t.Fatalf("path %q is not absolute", p)
		}
	})
}

// TestFixtureCgroup: each owner's cgroup comes from its /proc/PID/cgroup,
// read when its metadata is (and again after an exec), and a cgroup file
// that is a symlink is not followed.
func TestFixtureCgroup(t *testing.T) {
	f := baseHost(t, "")
	f.write("100/cgroup", "9:name=systemd:/system.slice/ssh.service\n4:memory:/system.slice/ssh.service\n0::/\n")
	f.write("200/cgroup", "0::/system.slice/docker-feed.scope\n")
	f.write("201/cgroup", "0::/system.slice/docker-feed.scope\n")
	f.write("elsewhere", "0::/not/followed\n")
	if err := os.Symlink(filepath.Join(f.root, "elsewhere"), filepath.Join(f.root, "202", "cgroup")); err != nil {
		t.Fatal(err)
	}
	s := fixtureScanner(t, f.root)
	sn := snap(t, s, Filter{})
	cg := func(port uint16) []string {
		var out []string
		for _, p := range find(sn, "tcp", port).Procs {
			out = append(out, p.Cgroup)
		}
		return out
	}
	if got := cg(22); !slices.Equal(got, []string{"/system.slice/ssh.service"}) {
		t.Errorf("sshd cgroup %q", got)
	}
	if got := cg(80); !slices.Equal(got, []string{"/system.slice/docker-feed.scope", "/system.slice/docker-feed.scope", ""}) {
		t.Errorf("nginx cgroups %q", got)
	}
	if got := find(sn, "udp", 53).Procs[0].Cgroup; got != "" {
		t.Errorf("dnsd without a cgroup file: %q", got)
	}

	// Moving to another cgroup without an exec is not seen (metadata is
	// read once per process); an exec is.
	f.write("100/cgroup", "0::/moved\n")
	sn = snap(t, s, Filter{})
	if got := cg(22); !slices.Equal(got, []string{"/system.slice/ssh.service"}) {
		t.Errorf("cgroup reread without exec: %q", got)
	}
	f.proc(100, 1, "sshd-new", 0, 50, "/usr/sbin/sshd-new", "-D")
	f.fd(100, 3, 1001)
	f.write("100/cgroup", "0::/system.slice/ssh-new.service\n")
	sn = snap(t, s, Filter{})
	if got := cg(22); !slices.Equal(got, []string{"/system.slice/ssh-new.service"}) {
		t.Errorf("cgroup after exec: %q", got)
	}
}

// TestCgroupReal puts a listener process in a cgroup of its own on this
// machine's unified (cgroup2) hierarchy, or under a v1 controller where
// there is none, and expects the scanner to name it.
func TestCgroupReal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a cgroup")
	}
	base := ""
	name := fmt.Sprintf("portui-a-%d", os.Getpid())
	// The unified hierarchy of a hybrid host (this machine), a pure
	// cgroup2 host, or a v1 controller.
	for _, dir := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup", "/sys/fs/cgroup/pids"} {
		if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err == nil {
			base = dir
			break
		}
	}
	if base == "" {
		t.Skip("no writable cgroup hierarchy found")
	}
	dir := filepath.Join(base, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	h, port := listenHelper(t)
	t.Cleanup(func() {
		h.stop()
		// The kernel refuses to remove a cgroup until its last process
		// has been reaped.
		for range 50 {
			if err := os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("cgroup %s left behind", dir)
	})
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(h.pid())), 0o644); err != nil {
		t.Fatalf("move helper into %s: %v", dir, err)
	}
	want := "/" + name
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sn, err := s.Snapshot(context.Background(), Filter{Proto: "tcp", Lo: port, Hi: port})
	if err != nil {
		t.Fatal(err)
	}
	l := find(sn, "tcp", port)
	if l == nil || len(l.Procs) != 1 || l.Procs[0].PID != h.pid() {
		t.Fatalf("helper listener on %d: %+v", port, l)
	}
	if got := l.Procs[0].Cgroup; got != want {
		t.Errorf("cgroup of helper %d = %q, want %q (/proc/%d/cgroup says %q)", h.pid(), got, want, h.pid(), readCgroupFile(h.pid()))
	}
	// The test process itself is not in that cgroup.
	if p := ParseCgroupFile(readCgroupFile(os.Getpid())); p == want {
		t.Errorf("test process is in %s too", want)
	}
}

func readCgroupFile(pid int) []byte {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	return b
}

func TestParseNSLink(t *testing.T) {
	if v, ok := parseNSLink([]byte("net:[4026531840]")); !ok || v != 4026531840 {
		t.Errorf("got %d %v", v, ok)
	}
	for _, bad := range []string{"", "net:[]", "net:[0]", "mnt:[4026531840]", "net:[12", "net:[-1]", "net:[99999999999999999999999]", "socket:[1]"} {
		if _, ok := parseNSLink([]byte(bad)); ok {
			t.Errorf("parseNSLink(%q) accepted", bad)
		}
	}
}

func FuzzNSLink(f *testing.F) {
	f.Add([]byte("net:[4026531840]"))
	f.Add([]byte("net:[]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, ok := parseNSLink(b); ok && (v == 0 || string(b) != "net:["+strconv.FormatUint(v, 10)+"]") {
			t.Fatalf("%q -> %d", b, v)
		}
	})
}

const sockstatText = "sockets: used 89\nTCP: inuse 6 orphan 0 tw 0 alloc 14 mem 28\nUDP: inuse 2 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n"
const sockstat6Text = "TCP6: inuse 3\nUDP6: inuse 4\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n"

func TestParseSockstat(t *testing.T) {
	var c sockCounts
	if !parseSockstat([]byte(sockstatText), &c) || !parseSockstat([]byte(sockstat6Text), &c) || c != (sockCounts{6, 2, 3, 4}) {
		t.Errorf("counts %v", c)
	}
	if parseSockstat([]byte("TCP: inuse x\nRAW: inuse 1\n"), &c) {
		t.Error("accepted a table without counters")
	}
}

func FuzzSockstat(f *testing.F) {
	f.Add([]byte(sockstatText))
	f.Add([]byte(sockstat6Text))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c sockCounts
		if !parseSockstat(b, &c) && c != (sockCounts{}) {
			t.Fatalf("no counters reported, yet %v", c)
		}
	})
}
