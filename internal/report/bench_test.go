package report

import (
	"io"
	"net/netip"
	"strconv"
	"testing"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// BenchmarkListenersText renders the listeners table of a small host and
// of one with 60,000 listeners (S9's load):
// go test -run x -bench ListenersText ./internal/report/
func BenchmarkListenersText(b *testing.B) {
	for _, n := range []int{100, 60000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			d := benchListeners(n)
			st := DefaultStyles()
			b.ReportAllocs()
			for b.Loop() {
				if err := d.WriteText(io.Discard, st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListenersJSON is the same documents as --json:
// go test -run x -bench ListenersJSON ./internal/report/
func BenchmarkListenersJSON(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			d := benchListeners(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteJSON(io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchListeners(n int) ListenersDoc {
	d := ListenersDoc{SchemaID: SchemaListeners}
	for i := range n {
		d.Listeners = append(d.Listeners, Listener{Proto: "tcp", Address: "127.0.0.1", Port: 1024 + i, Scope: "loopback",
			UID: 0, User: "root", Processes: []Process{{PID: 4242, Name: "python3", Cmdline: "python3 -m http.server", User: "root", Cgroup: "/user.slice"}},
			Status: "unassigned", Private: true, NetNS: NetNS{Inode: 4026531840, Host: true},
			endpoint: "127.0.0.1:" + strconv.Itoa(1024+i)})
	}
	return d
}

// BenchmarkNewListeners builds the listeners document of 10,000 described
// listeners of one process (bench/manylisteners' namespace).
func BenchmarkNewListeners(b *testing.B) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		b.Fatal(err)
	}
	var snap scan.Snapshot
	p := scan.Process{PID: 4242, Name: "ml", Args: []string{"ml", "-n", "10000"}, Cmdline: "ml -n 10000", User: "root", Cgroup: "/user.slice"}
	for i := range 10000 {
		a := netip.MustParseAddr("127.0.0.1")
		snap.Listeners = append(snap.Listeners, scan.Listener{Proto: "tcp", Addr: a, Port: uint16(1024 + i), Scope: scan.ScopeOf(a),
			User: "root", Inode: uint64(100000 + i), Procs: []scan.Process{p}, NetNS: scan.NetNS{Inode: 4026531840, Host: true}})
	}
	ann := audit.Describe(reg, snap)
	b.ReportAllocs()
	for b.Loop() {
		if d := NewListeners(snap, ann, Registry{}, ""); len(d.Listeners) != len(ann) {
			b.Fatal(len(d.Listeners))
		}
	}
}
