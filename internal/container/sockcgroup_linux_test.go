package container

import (
	"context"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// TestWrapSocketCgroup: a listener with no visible owner takes its
// container and unit from the socket's cgroup (Listener.Cgroup, from
// INET_DIAG_CGROUP_ID) before its netns holder's; without one, the holder
// still decides.
func TestWrapSocketCgroup(t *testing.T) {
	inPodNS := ln("tcp", "0.0.0.0", 9001, podmanNS) // podman netns, socket made in the Docker cgroup
	inPodNS.Cgroup = dockerCg
	onHost := ln("tcp", "0.0.0.0", 9002, hostNS)
	onHost.Cgroup = "/system.slice/hidden.service"
	plain := ln("tcp", "0.0.0.0", 9003, podmanNS) // no socket cgroup: the holder's
	root := ln("tcp", "0.0.0.0", 9004, hostNS)    // root cgroup ("" from the scanner): nothing
	snap := scan.Snapshot{NetNS: []scan.NetNS{hostNS, podmanNS}, Listeners: []scan.Listener{inPodNS, onHost, plain, root}}
	w := wrap(scan.Static(snap), Options{Root: "testdata/root", ProcRoot: "testdata/root/proc", Systemd: &fakeSystemd{}}, &fakeNAT{})
	defer w.Close()
	s, err := w.Snapshot(context.Background(), scan.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if l := find(t, s, "tcp", 9001, podmanNS.Inode); l.Container == nil || l.Container.Runtime != "docker" || l.Container.ID != fxDocker {
		t.Errorf("socket cgroup %s not preferred: %+v", dockerCg, l.Container)
	}
	if l := find(t, s, "tcp", 9002, hostNS.Inode); l.Unit != "hidden.service" || l.Container != nil {
		t.Errorf("host socket in a unit: unit %q container %+v", l.Unit, l.Container)
	}
	if l := find(t, s, "tcp", 9003, podmanNS.Inode); l.Container == nil || l.Container.Runtime != "podman" {
		t.Errorf("holder fallback lost: %+v", l.Container)
	}
	if l := find(t, s, "tcp", 9004, hostNS.Inode); l.Container != nil || l.Unit != "" {
		t.Errorf("root cgroup: %+v %q", l.Container, l.Unit)
	}
}
