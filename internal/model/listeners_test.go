package model

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

// sameListener compares field by field: a field added to scan.Listener or
// scan.Process must be added there too, or a change in it would go unseen.
func TestSameListenerCoversEveryField(t *testing.T) {
	if n := reflect.TypeFor[scan.Listener]().NumField(); n != 21 {
		t.Errorf("scan.Listener has %d fields; sameListener compares 21: update it and this test", n)
	}
	if n := reflect.TypeFor[scan.Process]().NumField(); n != 9 {
		t.Errorf("scan.Process has %d fields; sameListener compares 9: update it and this test", n)
	}
	if n := reflect.TypeFor[scan.PortMap]().NumField(); n != 6 {
		t.Errorf("scan.PortMap has %d fields; samePortMap compares 6: update it and this test", n)
	}
	base := lst("tcp", "0.0.0.0", 22, proc(812, "sshd", "root", "sshd -D"))
	base.Procs[0].Args = []string{"sshd", "-D"}
	web := func() *scan.Container { return &scan.Container{Runtime: "podman", ID: "abc", Name: "web1", Pod: "p1"} }
	pm := func() scan.PortMap {
		return scan.PortMap{Proto: "tcp", Host: netip.MustParseAddrPort("0.0.0.0:8088"),
			Target: netip.MustParseAddrPort("10.88.0.5:80"), Via: "conmon", Container: web(), TargetNetNS: 7}
	}
	base.NetNS = scan.NetNS{Inode: 7, Path: "/run/netns/x", PID: 9}
	base.Container, base.Unit = web(), "x.service"
	base.Published = []scan.PortMap{pm()}
	f := pm()
	base.Forward = &f
	base.Activation = &scan.Activation{Socket: "x.socket", Service: "x.service"}
	base.Procs[0].Cgroup, base.Procs[0].Unit, base.Procs[0].Container = "/x", "x.service", web()
	muts := []func(l *scan.Listener){
		func(l *scan.Listener) { l.Proto = "udp" },
		func(l *scan.Listener) { l.Addr = l.Addr.Next() },
		func(l *scan.Listener) { l.Port++ },
		func(l *scan.Listener) { l.Scope = scan.ScopeInterface },
		func(l *scan.Listener) { l.DualStack = true },
		func(l *scan.Listener) { l.Iface = "v0" },
		func(l *scan.Listener) { l.UID = 7 },
		func(l *scan.Listener) { l.User = "bin" },
		func(l *scan.Listener) { l.Inode++ },
		func(l *scan.Listener) { l.Hidden = "x" },
		func(l *scan.Listener) { l.Procs = nil },
		func(l *scan.Listener) { l.Procs[0].PID++ },
		func(l *scan.Listener) { l.Procs[0].Name = "x" },
		func(l *scan.Listener) { l.Procs[0].Args = []string{"sshd", "-d"} },
		func(l *scan.Listener) { l.Procs[0].Cmdline = "x" },
		func(l *scan.Listener) { l.Procs[0].UID = 7 },
		func(l *scan.Listener) { l.Procs[0].User = "bin" },
		func(l *scan.Listener) { l.Procs[0].Cgroup = "/y" },
		func(l *scan.Listener) { l.Procs[0].Unit = "y.service" },
		func(l *scan.Listener) { l.Procs[0].Container = nil },
		func(l *scan.Listener) { l.Procs[0].Container.Name = "web2" },
		func(l *scan.Listener) { l.NetNS.Inode++ },
		func(l *scan.Listener) { l.NetNS.Host = true },
		func(l *scan.Listener) { l.NetNS.Path = "/run/netns/y" },
		func(l *scan.Listener) { l.NetNS.PID++ },
		func(l *scan.Listener) { l.Container = nil },
		func(l *scan.Listener) { l.Container.Runtime = "docker" },
		func(l *scan.Listener) { l.Container.ID = "abd" },
		func(l *scan.Listener) { l.Container.Pod = "" },
		func(l *scan.Listener) { l.Unit = "y.service" },
		func(l *scan.Listener) { l.Cgroup = "/other" },
		func(l *scan.Listener) { l.Queue++ },
		func(l *scan.Listener) { l.QueueMax++ },
		func(l *scan.Listener) { l.Drops++ },
		func(l *scan.Listener) { l.Published = nil },
		func(l *scan.Listener) { l.Published[0].Proto = "udp" },
		func(l *scan.Listener) { l.Published[0].Host = netip.MustParseAddrPort("127.0.0.1:8088") },
		func(l *scan.Listener) { l.Published[0].Target = netip.MustParseAddrPort("10.88.0.6:80") },
		func(l *scan.Listener) { l.Published[0].Via = "nat" },
		func(l *scan.Listener) { l.Published[0].Container = nil },
		func(l *scan.Listener) { l.Published[0].TargetNetNS = 8 },
		func(l *scan.Listener) { l.Forward = nil },
		func(l *scan.Listener) { l.Forward.Via = "nat" },
		func(l *scan.Listener) { l.Activation = nil },
		func(l *scan.Listener) { l.Activation.Running = true },
	}
	cont := func(c *scan.Container) *scan.Container {
		if c == nil {
			return nil
		}
		d := *c
		return &d
	}
	clone := func(l scan.Listener) scan.Listener {
		l.Procs = append([]scan.Process(nil), l.Procs...)
		l.Procs[0].Args = append([]string(nil), l.Procs[0].Args...)
		l.Procs[0].Container, l.Container = cont(l.Procs[0].Container), cont(l.Container)
		l.Published = append([]scan.PortMap(nil), l.Published...)
		for i := range l.Published {
			l.Published[i].Container = cont(l.Published[i].Container)
		}
		if l.Forward != nil {
			f := *l.Forward
			l.Forward = &f
		}
		if l.Activation != nil {
			a := *l.Activation
			l.Activation = &a
		}
		return l
	}
	if c := clone(base); !sameListener(&base, &c) {
		t.Fatal("a copy differs")
	}
	for i, mut := range muts {
		c := clone(base)
		mut(&c)
		if sameListener(&base, &c) {
			t.Errorf("change %d not seen", i)
		}
	}
}

// Merging: an unchanged scan returns the same set; a block scan changes
// only its block and shares everything else; an unchanged port keeps its
// annotation; an older set is never modified.
func TestListenerSetMerge(t *testing.T) {
	all := with326(t0).Listeners
	scan.SortListeners(all)
	s0, changed := (*listenerSet)(nil).merge(testJudging, all, pollReq{full: true})
	if s0.len() != len(all) || len(changed) != 2 { // blocks 0 and 5 (5432)
		t.Fatalf("first merge: %d listeners, changed %v", s0.len(), changed)
	}
	if s1, changed := s0.merge(testJudging, fresh(scan.Snapshot{Listeners: all}).Listeners, pollReq{full: true}); s1 != s0 || changed != nil {
		t.Fatal("an unchanged full scan made a new set")
	}
	// A block scan of 0–1023 without 326.
	var block []scan.Listener
	for _, l := range all {
		if l.Port < 1024 && l.Port != 326 {
			block = append(block, l)
		}
	}
	s2, changed := s0.merge(testJudging, block, blockReq(0))
	if len(changed) != 1 || changed[0] != 0 || s2.len() != len(all)-1 || s2.blocks[5] != s0.blocks[5] {
		t.Fatalf("block merge: changed %v, %d listeners", changed, s2.len())
	}
	if len(s0.at(326)) != 1 || len(s2.at(326)) != 0 || s0.block(0).marks[326] != views.MarkLook || s2.block(0).marks[326] != views.MarkNone {
		t.Fatal("the older set was modified, or the newer one kept 326")
	}
	if &s2.at(22)[0] != &s0.at(22)[0] {
		t.Error("an unchanged port was annotated again")
	}
	if s0.block(0).findings != 5 || s2.block(0).findings != 3 {
		t.Errorf("findings %d → %d, want 5 → 3", s0.block(0).findings, s2.block(0).findings)
	}
	// Emptying a block drops it.
	s3, _ := s2.merge(testJudging, nil, blockReq(5120))
	if s3.blocks[5] != nil || s3.len() != s2.len()-1 {
		t.Fatal("empty block kept")
	}
	// tab order, wrapping, under the private-use filter too.
	var got []int
	p := 0
	for range 6 {
		p, _ = s0.nextPort(p, 1, func(int, views.Mark) bool { return true })
		got = append(got, p)
	}
	if want := []int{22, 68, 326, 631, 5432, 22}; !reflect.DeepEqual(got, want) {
		t.Errorf("nextPort %v, want %v", got, want)
	}
	if p, ok := s0.nextPort(22, -1, func(int, views.Mark) bool { return true }); !ok || p != 5432 {
		t.Errorf("previous of 22: %d", p)
	}
	// Needs a look: 22 (a system port on all addresses) after wrapping
	// round; 631 and 5432 (loopback, assigned) do not.
	if p, ok := s0.nextPort(400, 1, func(_ int, mk views.Mark) bool { return mk == views.MarkLook }); !ok || p != 22 {
		t.Errorf("next needing a look after 400: %d %v", p, ok)
	}
}
