package scan

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// randomSocks are n sockets on few or many ports, both protocols, v4 and
// v6, in random order; a few share everything but their inode.
func randomSocks(n, ports int, seed uint64) []sockEntry {
	r := rand.New(rand.NewPCG(seed, seed))
	addrs := []netip.Addr{netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::"), netip.MustParseAddr("::1"), netip.MustParseAddr("10.0.0.7")}
	out := make([]sockEntry, n)
	for i := range out {
		out[i] = sockEntry{Proto: [...]string{"tcp", "udp"}[r.IntN(2)], Port: uint16(r.IntN(ports)), Addr: addrs[r.IntN(len(addrs))], Inode: uint64(r.IntN(3 * n))}
	}
	return out
}

// TestListingOrderIsSortListeners: listingOrder puts sockets in the order
// compareListener defines, whatever the mix of ports and protocols, also
// with a protocol it does not pack.
func TestListingOrderIsSortListeners(t *testing.T) {
	cmpAt := func(socks []sockEntry, a, b int32) int {
		x, y := &socks[a], &socks[b]
		return compareListener(x.Port, y.Port, x.Proto, y.Proto, x.Addr, y.Addr, x.Inode, y.Inode)
	}
	for seed := range uint64(20) {
		for _, c := range []struct{ n, ports int }{{0, 1}, {1, 1}, {50, 3}, {1000, 20}, {5000, 65536}} {
			socks := randomSocks(c.n, c.ports, seed)
			if seed == 19 && c.n > 0 {
				socks[c.n/2].Proto = "sctp"
			}
			idx := listingOrder(socks)
			if len(idx) != len(socks) {
				t.Fatalf("%d indexes for %d sockets", len(idx), len(socks))
			}
			seen := make([]bool, len(socks))
			for _, i := range idx {
				if seen[i] {
					t.Fatalf("index %d twice", i)
				}
				seen[i] = true
			}
			if !slices.IsSortedFunc(idx, func(a, b int32) int { return cmpAt(socks, a, b) }) {
				t.Fatalf("seed %d, %d sockets on %d ports: not in compareListener's order", seed, c.n, c.ports)
			}
		}
	}
}

// BenchmarkListingOrder: 10,000 sockets as a LISTEN dump returns them
// (hash order), on distinct ports and on few.
func BenchmarkListingOrder(b *testing.B) {
	for _, c := range []struct {
		name  string
		ports int
	}{{"distinct", 65536}, {"few", 50}} {
		b.Run(c.name, func(b *testing.B) {
			socks := randomSocks(10000, c.ports, 1)
			b.ReportAllocs()
			for b.Loop() {
				listingOrder(socks)
			}
		})
	}
}
