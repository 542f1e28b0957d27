package container

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// busySnapshot is the benchmark host: 2,000 host listeners held
// by processes in systemd units, and 20 containers (Podman behind conmon
// and DNAT) with 2 listeners each in their own namespaces.
func busySnapshot() (scan.Snapshot, []natRule) {
	s := scan.Snapshot{Source: "netlink", NetNS: []scan.NetNS{hostNS}}
	var rules []natRule
	for i := range 2000 {
		s.Listeners = append(s.Listeners, ln("tcp", "0.0.0.0", uint16(30000+i), hostNS,
			scan.Process{PID: 10000 + i, Name: "svc", Cgroup: fmt.Sprintf("/system.slice/svc%d.service", i%200)}))
	}
	for c := range 20 {
		id := fmt.Sprintf("%064x", 0xabc000+c)
		ns := scan.NetNS{Inode: uint64(5000 + c), PID: 20000 + c}
		s.NetNS = append(s.NetNS, ns)
		p := scan.Process{PID: 20000 + c, Name: "httpd", Cgroup: "/libpod_parent/libpod-" + id}
		s.Listeners = append(s.Listeners, ln("tcp", "0.0.0.0", 80, ns, p), ln("udp", "0.0.0.0", 53, ns, p))
		host := uint16(20000 + c)
		args := []string{"/usr/bin/conmon", "-c", id, "-n", fmt.Sprintf("web%d", c)}
		s.Listeners = append(s.Listeners, ln("tcp", "127.0.0.1", host, hostNS, scan.Process{PID: 21000 + c, Name: "conmon", Args: args, Cgroup: "/"}))
		rules = append(rules, natRule{Proto: "tcp", Host: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), host),
			Target: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 88, 0, byte(10 + c)}), 80), ID: id})
	}
	scan.SortListeners(s.Listeners)
	return s, rules
}

func benchWrap(b *testing.B, f scan.Filter, wrapIt bool) {
	snap, rules := busySnapshot()
	inner := scan.Static(snap)
	sc := inner
	if wrapIt {
		w := wrap(inner, Options{Root: b.TempDir(), ProcRoot: b.TempDir()}, &fakeNAT{g: 1, rs: rules})
		for c := range 20 {
			w.nsAddr[holderKey{20000 + c, uint64(5000 + c)}] = []netip.Addr{netip.AddrFrom4([4]byte{10, 88, 0, byte(10 + c)})}
		}
		sc = w
	}
	ctx := context.Background()
	if _, err := sc.Snapshot(ctx, scan.Filter{}); err != nil { // warm the caches
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := sc.Snapshot(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// A block poll (256 ports, the explorer's visible block) and a whole
// poll, with and without Wrap: the difference is Wrap's own cost. The NAT
// generation check is a fake here: BenchmarkNFTGen measures the real one.
func BenchmarkBlockPollInner(b *testing.B) { benchWrap(b, scan.Filter{Lo: 20000, Hi: 20255}, false) }
func BenchmarkBlockPollWrap(b *testing.B)  { benchWrap(b, scan.Filter{Lo: 20000, Hi: 20255}, true) }
func BenchmarkWholePollInner(b *testing.B) { benchWrap(b, scan.Filter{}, false) }
func BenchmarkWholePollWrap(b *testing.B)  { benchWrap(b, scan.Filter{}, true) }

// BenchmarkNFTGen is the real NFT_MSG_GETGEN round trip a poll pays to
// know whether the NAT rules changed.
func BenchmarkNFTGen(b *testing.B) {
	r := &nftReader{}
	defer r.close()
	if _, err := r.gen(); err != nil {
		b.Skipf("nftables generation: %v", err)
	}
	for b.Loop() {
		if _, err := r.gen(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNFTRules is a full read of the host's real ruleset (what a
// changed generation costs).
func BenchmarkNFTRules(b *testing.B) {
	r := &nftReader{}
	defer r.close()
	if _, err := r.rules(); err != nil {
		b.Skipf("nftables rules: %v", err)
	}
	for b.Loop() {
		if _, err := r.rules(); err != nil {
			b.Fatal(err)
		}
	}
}
