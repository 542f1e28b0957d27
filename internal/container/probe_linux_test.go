package container

import (
	"context"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// fakeProbing is a scanner that is also a scan.Prober.
type fakeProbing struct {
	scan.Scanner
	asked []uint16
}

func (f *fakeProbing) Clients(_ context.Context, _ scan.NetNS, port uint16) (scan.Clients, error) {
	f.asked = append(f.asked, port)
	return scan.Clients{Port: port, Established: 7}, nil
}

func (f *fakeProbing) Counters(context.Context, scan.NetNS) (scan.Counters, error) {
	return scan.Counters{ListenOverflows: 3}, nil
}

// TestWrapPassesProber: the wrapper is a Prober exactly when what it
// wraps is one, and its probes reach the inner scanner.
func TestWrapPassesProber(t *testing.T) {
	plain := scan.Static(scan.Snapshot{})
	if _, ok := scan.ProberOf(wrapOS(plain, Options{})); ok {
		t.Fatal("a wrapped scanner without a Prober claims to be one")
	}
	inner := &fakeProbing{Scanner: plain}
	p, ok := scan.ProberOf(wrapOS(inner, Options{}))
	if !ok {
		t.Fatal("the wrapper hides the inner Prober")
	}
	c, err := p.Clients(context.Background(), scan.NetNS{}, 8080)
	if err != nil || c.Established != 7 || len(inner.asked) != 1 || inner.asked[0] != 8080 {
		t.Fatalf("Clients: %+v %v (asked %v)", c, err, inner.asked)
	}
	if k, err := p.Counters(context.Background(), scan.NetNS{}); err != nil || k.ListenOverflows != 3 {
		t.Fatalf("Counters: %+v %v", k, err)
	}
}
