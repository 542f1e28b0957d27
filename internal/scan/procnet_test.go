package scan

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "procnet", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entryStrings(es []sockEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Proto+" "+netip.AddrPortFrom(e.Addr, e.Port).String())
	}
	return out
}

func TestParseProcNet(t *testing.T) {
	for _, c := range []struct {
		file  string
		proto string
		v6    bool
		want  []string
	}{
		// The established pair and the TIME_WAIT line are not listeners.
		{"tcp", "tcp", false, []string{"tcp 0.0.0.0:2024", "tcp 127.0.0.1:8080"}},
		{"tcp6", "tcp", true, []string{"tcp [::]:8443", "tcp [::1]:631"}},
		// The connected UDP socket (state 01) is not a listener.
		{"udp", "udp", false, []string{"udp 0.0.0.0:5353"}},
		// A v4-mapped bind in the v6 table is reported unmapped.
		{"udp6", "udp", true, []string{"udp 127.0.0.1:60134", "udp [::]:5353"}},
	} {
		r := parseProcNet(readTestdata(t, c.file), c.proto, c.v6, Filter{})
		if got := entryStrings(r.Entries); strings.Join(got, ",") != strings.Join(c.want, ",") || r.Bad != 0 {
			t.Errorf("%s: got %v (bad %d), want %v", c.file, got, r.Bad, c.want)
		}
	}
	r := parseProcNet(readTestdata(t, "tcp"), "tcp", false, Filter{})
	if e := r.Entries[1]; e.Inode != 456363 || e.UID != 0 || e.V6 {
		t.Errorf("fields: %+v", e)
	}
	line := []byte("   1: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 456363 1 0000000094fa36f3 100 0 0 10 0")
	if e, keep, err := parseProcNetLine(line, "tcp", false, tcpListen); err != nil || !keep || e.Queue != 3 || e.QueueMax != 0 {
		t.Errorf("tcp rx_queue: %+v %v %v", e, keep, err)
	}
	line = []byte("14939: 00000000:14E9 00000000:0000 07 00000000:00000300 00:00000000 00000000     0        0 456368 2 000000003435f924 42")
	if e, _, err := parseProcNetLine(line, "udp", false, tcpClose); err != nil || e.Queue != 0x300 || e.Drops != 42 {
		t.Errorf("udp rx_queue, drops: %+v %v", e, err)
	}
	r = parseProcNet(readTestdata(t, "tcp6"), "tcp", true, Filter{Lo: 600, Hi: 700})
	if got := entryStrings(r.Entries); len(got) != 1 || got[0] != "tcp [::1]:631" {
		t.Errorf("port filter: %v", got)
	}
}

// TestParseProcNetMalformed: one bad line must not cost the whole table, as
// it does with go-netstat.
func TestParseProcNetMalformed(t *testing.T) {
	r := parseProcNet(readTestdata(t, "tcp_malformed"), "tcp", false, Filter{})
	got := entryStrings(r.Entries)
	want := []string{"tcp 127.0.0.1:22", "tcp 127.0.0.1:26", "tcp 0.0.0.0:80"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("entries %v, want %v", got, want)
	}
	if r.Bad != 5 || r.Dups != 1 || !strings.Contains(r.FirstBad, "0100007G") {
		t.Errorf("bad=%d dups=%d first=%s", r.Bad, r.Dups, r.FirstBad)
	}
	if r.Entries[1].UID != 1000 || r.Entries[2].UID != 33 {
		t.Errorf("uids %+v", r.Entries)
	}
}

func FuzzProcNet(f *testing.F) {
	for _, name := range []string{"tcp", "tcp6", "udp", "udp6", "tcp_malformed"} {
		b := readTestdata(f, name)
		f.Add(b, strings.HasSuffix(name, "6"), strings.HasPrefix(name, "udp"))
	}
	f.Add([]byte("garbage\n\n\x00:::: 0A\n"), false, false)
	f.Fuzz(func(t *testing.T, data []byte, v6, udp bool) {
		proto := "tcp"
		if udp {
			proto = "udp"
		}
		r := parseProcNet(data, proto, v6, Filter{})
		seen := map[uint64]bool{}
		for _, e := range r.Entries {
			if !e.Addr.IsValid() || e.Addr.Is4In6() || e.Proto != proto {
				t.Fatalf("bad entry %+v", e)
			}
			if e.Inode != 0 && seen[e.Inode] {
				t.Fatalf("inode %d twice", e.Inode)
			}
			seen[e.Inode] = true
		}
		if r.Bad > 0 && r.FirstBad == "" {
			t.Fatal("bad lines without a description")
		}
	})
}
