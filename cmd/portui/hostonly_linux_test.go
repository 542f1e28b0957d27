package main

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// TestNewScannerHonoursHostOnly: the scanner the commands build takes
// the options it is given. Found by use: newScanner dropped them, so
// `listeners --netns host` dumped every namespace on the machine and
// filtered afterwards (153 ms instead of 19 in an empty namespace). A
// namespace the test makes must be inspected by the default scanner and
// not by a host-only one.
func TestNewScannerHonoursHostOnly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: ip netns add, and entering namespaces")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("ip (iproute2) not installed")
	}
	name := "portui-t-hostonly-" + strconv.Itoa(os.Getpid())
	if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() { _ = exec.Command(ip, "netns", "delete", name).Run() })
	path := "/run/netns/" + name

	inspected := func(opts scan.Options) (ours bool, others int) {
		t.Helper()
		sc, err := newScanner(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer sc.Close()
		snap, err := sc.Snapshot(context.Background(), scan.Filter{Lo: 1, Hi: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range snap.NetNS {
			if n.Path == path {
				ours = true
			}
			if !n.IsHost() {
				others++
			}
		}
		return ours, others
	}
	if ours, _ := inspected(scan.Options{}); !ours {
		t.Fatalf("the default scanner did not inspect %s", path)
	}
	if ours, others := inspected(scan.Options{HostOnly: true}); ours || others != 0 {
		t.Fatalf("a host-only scanner inspected %d other namespaces (ours: %v)", others, ours)
	}
}
