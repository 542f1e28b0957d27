package scan

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestScope(t *testing.T) {
	for _, c := range []struct {
		addr string
		want Scope
		name string
	}{
		{"127.0.0.1", ScopeLoopback, "loopback"},
		{"127.0.1.7", ScopeLoopback, "loopback"},
		{"::1", ScopeLoopback, "loopback"},
		{"::ffff:127.0.0.1", ScopeLoopback, "loopback"},
		{"0.0.0.0", ScopeAll, "all"},
		{"::", ScopeAll, "all"},
		{"192.168.1.5", ScopeSpecific, "address"},
		{"fe80::1", ScopeSpecific, "address"},
	} {
		got := ScopeOf(netip.MustParseAddr(c.addr))
		if got != c.want || got.String() != c.name {
			t.Errorf("ScopeOf(%s) = %v (%s), want %v (%s)", c.addr, int(got), got, int(c.want), c.name)
		}
	}
	b, err := json.Marshal(struct{ S Scope }{ScopeAll})
	if err != nil || string(b) != `{"S":"all"}` {
		t.Errorf("json = %s, %v", b, err)
	}
	var back struct{ S Scope }
	if err := json.Unmarshal([]byte(`{"S":"address"}`), &back); err != nil || back.S != ScopeSpecific {
		t.Errorf("unmarshal = %v, %v", back.S, err)
	}
	if err := back.S.UnmarshalText([]byte("everywhere")); err == nil {
		t.Error("unknown scope name accepted")
	}
}

func lst(proto, addr string, port uint16, ino uint64, pids ...int) Listener {
	l := Listener{Proto: proto, Addr: netip.MustParseAddr(addr), Port: port, Inode: ino}
	l.Scope = ScopeOf(l.Addr)
	for _, p := range pids {
		l.Procs = append(l.Procs, Process{PID: p})
	}
	if len(pids) == 0 {
		l.Hidden = "hidden"
	}
	return l
}

func TestKeyAndDiff(t *testing.T) {
	a := lst("tcp", "0.0.0.0", 22, 100, 1)
	b := lst("udp", "::", 53, 200, 2)
	c := lst("tcp", "127.0.0.1", 8080, 300, 3)
	if a.Key() != "tcp 0.0.0.0:22 #100" || b.Key() != "udp [::]:53 #200" {
		t.Fatalf("keys %q %q", a.Key(), b.Key())
	}
	reopened := a
	reopened.Inode = 101
	if reopened.Key() == a.Key() {
		t.Fatal("a socket reopened on the same port must get a new key")
	}
	moved := b
	moved.Procs = []Process{{PID: 9}}
	app, van := Diff(Snapshot{Listeners: []Listener{a, b}}, Snapshot{Listeners: []Listener{moved, c, reopened}})
	keys := func(ls []Listener) (out []string) {
		for _, l := range ls {
			out = append(out, l.Key())
		}
		return out
	}
	if got := keys(app); !slices.Equal(got, []string{c.Key(), reopened.Key()}) {
		t.Errorf("appeared = %v", got)
	}
	if got := keys(van); !slices.Equal(got, []string{a.Key()}) {
		t.Errorf("vanished = %v", got)
	}
	if app, van := Diff(Snapshot{}, Snapshot{}); app != nil || van != nil {
		t.Errorf("empty diff = %v %v", app, van)
	}
}

func TestFilter(t *testing.T) {
	for _, c := range []struct {
		f     Filter
		proto string
		port  uint16
		want  bool
	}{
		{Filter{}, "udp", 9, true},
		{Filter{Proto: "tcp"}, "udp", 9, false},
		{Filter{Lo: 22, Hi: 22}, "tcp", 22, true},
		{Filter{Lo: 22, Hi: 22}, "tcp", 23, false},
		{Filter{Lo: 0, Hi: 1023}, "udp", 1023, true},
		{Filter{Lo: 0, Hi: 1023}, "udp", 1024, false},
		{Filter{Proto: "udp", Lo: 1, Hi: 65535}, "udp", 65535, true},
	} {
		if got := c.f.Match(c.proto, c.port); got != c.want {
			t.Errorf("%+v.Match(%s, %d) = %v", c.f, c.proto, c.port, got)
		}
	}
	for _, bad := range []Filter{{Proto: "sctp"}, {Lo: 10, Hi: 9}} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

func TestStatic(t *testing.T) {
	snap := Snapshot{
		Source:    "static",
		Listeners: []Listener{lst("udp", "::", 53, 2, 7), lst("tcp", "0.0.0.0", 22, 1, 5), lst("tcp", "127.0.0.1", 631, 3)},
		Warnings:  []string{"w"},
	}
	s := Static(snap)
	defer s.Close()
	got, err := s.Snapshot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Listeners) != 3 || got.Listeners[0].Port != 22 || got.Listeners[2].Port != 631 {
		t.Fatalf("not sorted by port: %+v", got.Listeners)
	}
	got.Listeners[0].Procs[0].PID = 999 // must not leak into the next call
	got, _ = s.Snapshot(context.Background(), Filter{Proto: "tcp", Lo: 1, Hi: 1023})
	if len(got.Listeners) != 2 || got.Listeners[0].Procs[0].PID != 5 {
		t.Fatalf("filtered = %+v", got.Listeners)
	}
	if _, err := s.Snapshot(context.Background(), Filter{Lo: 5, Hi: 1}); err == nil {
		t.Error("reversed range accepted")
	}
	s.Close()
	if _, err := s.Snapshot(context.Background(), Filter{}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestNoOverlap checks the guarantee the TUI relies on: however many
// callers poll at once, scans never run concurrently, callers for the scan
// in flight share its result, and none piles up behind a cancelled context.
func TestNoOverlap(t *testing.T) {
	var running, maxRunning, scans atomic.Int32
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	s := Func(func(ctx context.Context, f Filter) (Snapshot, error) {
		entered <- struct{}{}
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		scans.Add(1)
		<-release
		return Snapshot{Source: "fake", Listeners: []Listener{lst("tcp", "::", f.Lo, 1, 1)}}, nil
	})
	defer s.Close()

	var wg sync.WaitGroup
	results := make([]Snapshot, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := Filter{Lo: 80, Hi: 80}
			if i%2 == 1 {
				f = Filter{Lo: 443, Hi: 443}
			}
			snap, err := s.Snapshot(context.Background(), f)
			if err != nil {
				t.Error(err)
			}
			results[i] = snap
		}()
	}
	// A caller that gives up while waiting must return promptly.
	<-entered // a scan is in flight and holds the scanner
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if _, err := s.Snapshot(ctx, Filter{Lo: 1, Hi: 1}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting caller: %v", err)
	}
	cancel()
	close(release)
	wg.Wait()
	if maxRunning.Load() != 1 {
		t.Errorf("%d scans ran at once", maxRunning.Load())
	}
	if n := scans.Load(); n > 8 {
		t.Errorf("%d scans for 8 callers", n)
	}
	for i, r := range results {
		want := uint16(80)
		if i%2 == 1 {
			want = 443
		}
		if len(r.Listeners) != 1 || r.Listeners[0].Port != want {
			t.Errorf("caller %d got %+v", i, r.Listeners)
		}
	}
}

// TestSharedResultIsCopied makes sure callers that share one in-flight scan
// do not share its slices.
func TestSharedResultIsCopied(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	s := Func(func(ctx context.Context, f Filter) (Snapshot, error) {
		close(started)
		<-release
		return Snapshot{Listeners: []Listener{lst("tcp", "::", 1, 1, 1)}}, nil
	})
	defer s.Close()
	var a, b Snapshot
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a, _ = s.Snapshot(context.Background(), Filter{}) }()
	<-started
	go func() { defer wg.Done(); b, _ = s.Snapshot(context.Background(), Filter{}) }()
	time.Sleep(10 * time.Millisecond) // let the second caller join (either way is correct)
	close(release)
	wg.Wait()
	a.Listeners[0].Procs[0].PID = 42
	if b.Listeners[0].Procs[0].PID != 1 {
		t.Error("shared result aliases the first caller's slices")
	}
}

// TestSortListeners: sorted input, input of 2 to 40 sorted runs and random
// input all end in the order of a plain sort on (port, proto, addr, inode).
func TestSortListeners(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	addrs := []string{"0.0.0.0", "127.0.0.1", "::", "::1", "10.0.0.2", "fe80::1"}
	want := func(ls []Listener) []Listener {
		out := slices.Clone(ls)
		slices.SortFunc(out, func(a, b Listener) int {
			if c := cmp.Compare(a.Port, b.Port); c != 0 {
				return c
			}
			if c := strings.Compare(a.Proto, b.Proto); c != 0 {
				return c
			}
			if c := a.Addr.Compare(b.Addr); c != 0 {
				return c
			}
			return cmp.Compare(a.Inode, b.Inode)
		})
		return out
	}
	for _, n := range []int{0, 1, 2, 3, 10, 100, 1000} {
		for _, runs := range []int{1, 2, 2, 2, 2, 2, 3, 5, 16, 17, 40, -1} {
			ls := make([]Listener, n)
			for i := range ls {
				ls[i] = lst([]string{"tcp", "udp"}[rng.IntN(2)], addrs[rng.IntN(len(addrs))], uint16(rng.IntN(50)), uint64(i))
			}
			if runs > 0 {
				// Cut the sorted list into pieces and deal them out so that
				// the input is runs sorted runs (or fewer).
				sorted := want(ls)
				ls = ls[:0]
				for r := range runs {
					for i := r; i < len(sorted); i += runs {
						ls = append(ls, sorted[i])
					}
				}
			} else {
				rng.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
			}
			if runs == 2 && n > 2 && rng.IntN(2) == 0 {
				// The explorer's case: a block cut out of the sorted list
				// and appended (two runs of very different sizes).
				sorted := want(ls)
				x := rng.IntN(n)
				y := x + rng.IntN(n-x)
				ls = append(append(slices.Clone(sorted[:x]), sorted[y:]...), sorted[x:y]...)
			}
			exp := want(ls)
			SortListeners(ls)
			for i := range ls {
				if ls[i].Key() != exp[i].Key() {
					t.Fatalf("n=%d runs=%d: at %d got %s, want %s", n, runs, i, ls[i].Key(), exp[i].Key())
				}
			}
		}
	}
}

// BenchmarkSortListeners: 60,000 listeners already sorted, as the Linux
// scanner returns them, and in random order.
func BenchmarkSortListeners(b *testing.B) {
	base := make([]Listener, 60000)
	for i := range base {
		base[i] = lst("tcp", "127.0.0.1", uint16(1024+i), uint64(i))
	}
	shuffled := slices.Clone(base)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, c := range []struct {
		name string
		in   []Listener
	}{{"sorted", base}, {"random", shuffled}} {
		b.Run(c.name, func(b *testing.B) {
			ls := make([]Listener, len(c.in))
			b.ReportAllocs()
			for b.Loop() {
				copy(ls, c.in)
				SortListeners(ls)
			}
		})
	}
}

// Fakes honour the contract of the real scanners: every string of a
// Snapshot is neutralised, whatever the fake was given.
func TestFakesNeutralise(t *testing.T) {
	raw := "\r\x1b[2K\x1b[8m\u202e"
	l := Listener{Proto: "tcp", Port: 1, Iface: raw, User: raw, Hidden: raw,
		Procs: []Process{{PID: 1, Name: raw, Args: []string{raw}, Cmdline: raw, User: raw}}}
	s := Static(Snapshot{Source: raw, Warnings: []string{raw}, Listeners: []Listener{l}})
	snap, err := s.Snapshot(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Listeners[0].Procs[0]
	got := []string{snap.Source, snap.Warnings[0], snap.Listeners[0].Iface, snap.Listeners[0].User,
		snap.Listeners[0].Hidden, p.Name, p.Args[0], p.Cmdline, p.User}
	for i, g := range got {
		if g != `\x0d\x1b[2K\x1b[8m\u202e` {
			t.Errorf("string %d: %q", i, g)
		}
	}
}
