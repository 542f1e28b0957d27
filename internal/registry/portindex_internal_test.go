package registry

import (
	"math/rand/v2"
	"testing"

	"github.com/portui/portui/assets"
)

// TestPortIndexBuildIsTheReference: building the index in place gives
// the tables the first implementation (kept below) built, for the
// embedded registry and for random records with overlapping ranges,
// every status and transport, and records without a port.
func TestPortIndexBuildIsTheReference(t *testing.T) {
	src, h, err := newLazySource(assets.RegistryJSON)
	if err != nil {
		t.Fatal(err)
	}
	kinds := make([]uint8, src.len())
	for i := range kinds {
		kinds[i] = uint8(h.Index[3*i+2])
	}
	cases := [][2]any{{h.Index, kinds}}
	r := rand.New(rand.NewPCG(7, 7))
	for range 20 {
		n := 1 + r.IntN(3000)
		idx, ks := make([]int32, 3*n), make([]uint8, n)
		for i := range n {
			lo := int32(r.IntN(MaxPort + 1))
			hi := min(MaxPort, lo+int32(r.IntN(3))*int32(r.IntN(200)))
			if r.IntN(20) == 0 {
				lo, hi = -1, -1
			}
			ks[i] = uint8(r.IntN(4)) | uint8(r.IntN(protoOther+1))<<2
			idx[3*i], idx[3*i+1], idx[3*i+2] = lo, hi, int32(ks[i])
		}
		cases = append(cases, [2]any{idx, ks})
	}
	for ci, c := range cases {
		idx, ks := c[0].([]int32), c[1].([]uint8)
		want := buildPortIndexRef(idx, ks)
		got := new(portIndex)
		got.build(idx, ks)
		if got.status != want.status || got.covered != want.covered || got.start != want.start {
			t.Fatalf("case %d: status, covered or start tables differ", ci)
		}
		if len(got.recs) != len(want.recs) {
			t.Fatalf("case %d: %d record slots, want %d", ci, len(got.recs), len(want.recs))
		}
		for i := range got.recs {
			if got.recs[i] != want.recs[i] {
				t.Fatalf("case %d: recs[%d] = %d, want %d", ci, i, got.recs[i], want.recs[i])
			}
		}
	}
}

// buildPortIndexRef is the index as it was first built (a rank table,
// the index built in a local and returned).
func buildPortIndexRef(idx []int32, kinds []uint8) portIndex {
	var pi portIndex
	var best [numViews][MaxPort + 1]int8
	for v := range best {
		for p := range best[v] {
			best[v][p] = -1
		}
	}
	// Counting pass, then fill: a CSR table keeps the index to two slices
	// instead of 65,536 small ones.
	total := 0
	for i, k := range kinds {
		lo, hi := idx[3*i], idx[3*i+1]
		if lo < 0 {
			continue
		}
		st, code := Status(k&3), int(k>>2)
		rank := statusRank[st]
		for p := lo; p <= hi; p++ {
			pi.start[p+1]++
			total++
			if rank > best[Combined][p] {
				best[Combined][p] = rank
				pi.status[Combined][p] = st
			}
			for v := TCPOnly; v < numViews; v++ {
				if (code == protoAll || code == int(v)) && rank > best[v][p] {
					best[v][p] = rank
					pi.status[v][p] = st
				}
			}
		}
	}
	for v := range best {
		for p := range best[v] {
			if best[v][p] < 0 {
				pi.status[v][p] = Unassigned
			} else {
				pi.covered[v][p] = true
			}
		}
	}
	for p := 1; p < len(pi.start); p++ {
		pi.start[p] += pi.start[p-1]
	}
	pi.recs = make([]int32, total)
	fill := pi.start
	for i := range kinds {
		lo, hi := idx[3*i], idx[3*i+1]
		for p := lo; lo >= 0 && p <= hi; p++ {
			pi.recs[fill[p]] = int32(i)
			fill[p]++
		}
	}
	return pi
}
