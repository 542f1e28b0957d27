package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portui/portui/internal/scan"
)

const (
	id1 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	id2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	uid = "1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0"
)

func TestParseCgroup(t *testing.T) {
	uidU := strings.ReplaceAll(uid, "-", "_")
	for _, c := range []struct {
		path string
		want Cgroup
	}{
		{"/docker/" + id1, Cgroup{Runtime: "docker", ID: id1}},
		{"/system.slice/docker-" + id1 + ".scope", Cgroup{Runtime: "docker", ID: id1}},
		{"/docker/" + id1 + "/docker/" + id2, Cgroup{Runtime: "docker", ID: id2}},
		{"/libpod_parent/libpod-" + id1, Cgroup{Runtime: "podman", ID: id1}},
		{"/libpod_parent/" + id2 + "/libpod-" + id1, Cgroup{Runtime: "podman", ID: id1, PodID: id2}},
		{"/machine.slice/libpod-" + id1 + ".scope", Cgroup{Runtime: "podman", ID: id1}},
		{"/machine.slice/libpod-pod-" + id2 + ".slice/libpod-" + id1 + ".scope", Cgroup{Runtime: "podman", ID: id1, PodID: id2}},
		{"/machine.slice/libpod-conmon-" + id1 + ".scope", Cgroup{Unit: "libpod-conmon-" + id1 + ".scope"}},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice/cri-containerd-" + id1 + ".scope",
			Cgroup{Runtime: "containerd", ID: id1, PodID: uid}},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidU + ".slice/crio-" + id1 + ".scope",
			Cgroup{Runtime: "cri-o", ID: id1, PodID: uid}},
		{"/kubepods/burstable/pod" + uid + "/" + id1, Cgroup{Runtime: "kubernetes", ID: id1, PodID: uid}},
		{"/kubepods/pod" + uid + "/" + id1, Cgroup{Runtime: "kubernetes", ID: id1, PodID: uid}},
		{"/lxc.payload.web", Cgroup{Runtime: "lxc", ID: "web"}},
		{"/lxc.payload.web/system.slice/nginx.service", Cgroup{Runtime: "lxc", ID: "web", Unit: "nginx.service"}},
		{"/lxc/db1", Cgroup{Runtime: "lxc", ID: "db1"}},
		{"/lxc.monitor.web", Cgroup{}},
		{"/system.slice/nginx.service", Cgroup{Unit: "nginx.service"}},
		{"/user.slice/user-1000.slice/user@1000.service/app.slice/x.service", Cgroup{Unit: "x.service"}},
		{"/user.slice/user-1000.slice/user@1000.service/init.scope", Cgroup{Unit: "init.scope"}},
		{"/user.slice/user-1000.slice/session-3.scope", Cgroup{Unit: "session-3.scope"}},
		{"/init.scope", Cgroup{Unit: "init.scope"}},
		{"/", Cgroup{}},
		{"", Cgroup{}},
		{"/docker/notanid", Cgroup{}},
		{"/system.slice/docker-" + id1[:12] + ".scope", Cgroup{Unit: "docker-" + id1[:12] + ".scope"}},
		{"/../../docker-" + id1 + ".scope", Cgroup{Runtime: "docker", ID: id1}},
		{"/process_api/3260427308fe18aa4b48f3d2c7792a02", Cgroup{}},
	} {
		if got := ParseCgroup(c.path); got != c.want {
			t.Errorf("ParseCgroup(%q) = %+v, want %+v", c.path, got, c.want)
		}
	}
}

// TestPickCgroupLayouts reads fixture /proc/PID/cgroup files of cgroup
// v1, v2 and hybrid hosts (this machine is hybrid; the others cannot run
// here).
func TestPickCgroupLayouts(t *testing.T) {
	for file, want := range map[string]Cgroup{
		"v1-docker.txt":           {Runtime: "docker", ID: id1},
		"v2-systemd-docker.txt":   {Runtime: "docker", ID: id1},
		"hybrid-podman.txt":       {Runtime: "podman", ID: id1},
		"hybrid-host-root.txt":    {},
		"hybrid-systemd-unit.txt": {Unit: "nginx.service"},
		"v2-root.txt":             {},
	} {
		data, err := os.ReadFile(filepath.Join("testdata/cgroup", file))
		if err != nil {
			t.Fatal(err)
		}
		if got := ParseCgroup(scan.ParseCgroupFile(data)); got != want {
			t.Errorf("%s: %q → %+v, want %+v", file, scan.ParseCgroupFile(data), got, want)
		}
	}
	if got := scan.ParseCgroupFile([]byte("4:memory:/process_api/x\n0::/\n")); got != "/process_api/x" {
		t.Errorf("hybrid first controller: %q", got)
	}
	if got := scan.ParseCgroupFile(nil); got != "" {
		t.Errorf("empty: %q", got)
	}
	// The real file of this test process (hybrid here): never panics and
	// names no container.
	if data, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		if c := ParseCgroup(scan.ParseCgroupFile(data)); c.IsContainer() {
			t.Logf("this test runs in a container: %+v", c)
		}
	}
}

func FuzzParseCgroup(f *testing.F) {
	for _, s := range []string{"/docker/" + id1, "/libpod_parent/" + id2 + "/libpod-" + id1,
		"/kubepods/burstable/pod" + uid + "/" + id1, "/lxc.payload.x", "/system.slice/a.service", "/lxc/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseCgroup(s)
		if c.ID == "" && (c.Runtime != "" || c.PodID != "") && c.PodID == "" {
			t.Fatalf("runtime without id: %+v", c)
		}
		if c.Runtime != "" && c.Runtime != "lxc" && !isHexID(c.ID) {
			t.Fatalf("bad id: %+v", c)
		}
		if c.Unit != "" && !strings.Contains(s, c.Unit) {
			t.Fatalf("unit not in path: %+v", c)
		}
		_ = scan.ParseCgroupFile([]byte(s))
	})
}
