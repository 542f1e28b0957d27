package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/scan"
)

// Fixture ids (testdata/root).
const (
	fxDocker     = "1111111111111111111111111111111111111111111111111111111111111111"
	fxPodman     = "2222222222222222222222222222222222222222222222222222222222222222"
	fxInfra      = "3333333333333333333333333333333333333333333333333333333333333333"
	fxContainerd = "4444444444444444444444444444444444444444444444444444444444444444"
	fxCRIO       = "5555555555555555555555555555555555555555555555555555555555555555"
	fxPod        = "8888888888888888888888888888888888888888888888888888888888888888"
	fxDockerNAT  = "9999999999999999999999999999999999999999999999999999999999999999"
	fxUnknown    = "6666666666666666666666666666666666666666666666666666666666666666"
)

type warnLog []string

func (w *warnLog) add(_, msg string) { *w = append(*w, msg) }

func TestResolveFixtures(t *testing.T) {
	r := newResolver("testdata/root")
	var warns warnLog
	for _, c := range []struct {
		cg   Cgroup
		want scan.Container
	}{
		{Cgroup{Runtime: "docker", ID: fxDocker}, scan.Container{Runtime: "docker", ID: fxDocker, Name: `web1\x1b[31m`}},
		{Cgroup{Runtime: "podman", ID: fxPodman, PodID: fxInfra}, scan.Container{Runtime: "podman", ID: fxPodman, Name: "db1", Pod: "mypod"}},
		{Cgroup{Runtime: "podman", ID: fxInfra, PodID: fxPod}, scan.Container{Runtime: "podman", ID: fxInfra, Name: "a1b2c3d4e5f6-infra", Pod: "mypod"}},
		{Cgroup{Runtime: "containerd", ID: fxContainerd}, scan.Container{Runtime: "containerd", ID: fxContainerd, Name: "nginx", Pod: "web-7d9f"}},
		{Cgroup{Runtime: "cri-o", ID: fxCRIO}, scan.Container{Runtime: "cri-o", ID: fxCRIO, Name: "redis", Pod: "cache-0"}},
		// a kubelet cgroupfs path does not say the runtime: the state does
		{Cgroup{Runtime: "kubernetes", ID: fxContainerd}, scan.Container{Runtime: "containerd", ID: fxContainerd, Name: "nginx", Pod: "web-7d9f"}},
		{Cgroup{Runtime: "kubernetes", ID: fxCRIO}, scan.Container{Runtime: "cri-o", ID: fxCRIO, Name: "redis", Pod: "cache-0"}},
		{Cgroup{Runtime: "lxc", ID: "web"}, scan.Container{Runtime: "lxc", ID: "web", Name: "web"}},
	} {
		got, _ := r.resolve(c.cg, nil, warns.add)
		if got == nil || *got != c.want {
			t.Errorf("%+v: got %+v, want %+v", c.cg, got, c.want)
		}
	}
	if len(warns) != 0 {
		t.Errorf("warnings for readable state: %q", warns)
	}
	if c, _ := r.resolve(Cgroup{}, nil, warns.add); c != nil {
		t.Errorf("no container: %+v", c)
	}
	// A second dockerd's --data-root, from its argv.
	if c, _ := r.resolve(Cgroup{Runtime: "docker", ID: fxDockerNAT}, nil, warns.add); c.Name != "" || len(warns) != 1 {
		t.Errorf("outside the default data root: %+v %q", c, warns)
	}
	warns = nil
	r.setDockerRoots([]string{dockerdRoot(strings.Fields("dockerd -H unix:///x.sock --data-root /var/lib/second/docker --userland-proxy=false"))})
	if c, _ := r.resolve(Cgroup{Runtime: "docker", ID: fxDockerNAT}, nil, warns.add); c.Name != "dnat" || len(warns) != 0 {
		t.Errorf("with --data-root: %+v %q", c, warns)
	}
	// Cached: no file is read again.
	n := r.reads
	r.resolve(Cgroup{Runtime: "docker", ID: fxDocker}, nil, warns.add)
	if r.reads != n {
		t.Errorf("cached name read again: %d → %d reads", n, r.reads)
	}
}

func TestResolveUnknown(t *testing.T) {
	r := newResolver("testdata/root")
	var warns warnLog
	c, _ := r.resolve(Cgroup{Runtime: "docker", ID: fxUnknown}, nil, warns.add)
	if c == nil || c.Name != "" || c.Label() != fxUnknown[:12] {
		t.Errorf("unknown docker container: %+v (label %q)", c, c.Label())
	}
	if len(warns) != 1 || !strings.HasPrefix(warns[0], "docker container names unknown: ") || !strings.Contains(warns[0], "not readable: no such file") {
		t.Errorf("warnings %q", warns)
	}
	// conmon's argv names a podman container missing from containers.json.
	warns = nil
	c, _ = r.resolve(Cgroup{Runtime: "podman", ID: fxUnknown}, map[string]string{fxUnknown: "late"}, warns.add)
	if c.Name != "late" || len(warns) != 0 {
		t.Errorf("conmon fallback: %+v %q", c, warns)
	}
}

// TestReadStateRefuses: a symlink planted for a state file, a FIFO and an
// oversize file are refused, with one clear line.
func TestReadStateRefuses(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte(`{"Name":"/leak"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cdir := filepath.Join(dir, "var/lib/docker/containers", fxDocker)
	if err := os.MkdirAll(cdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(cdir, "config.v2.json")); err != nil {
		t.Fatal(err)
	}
	var warns warnLog
	c, _ := newResolver(dir).resolve(Cgroup{Runtime: "docker", ID: fxDocker}, nil, warns.add)
	if c.Name != "" || len(warns) != 1 || !strings.Contains(warns[0], "too many levels of symbolic links") {
		t.Errorf("symlink followed: %+v %q", c, warns)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := readState(fifo, 10); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("fifo: %v", err)
	}
	if _, _, err := readState(secret, 4); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("oversize: %v", err)
	}
}
