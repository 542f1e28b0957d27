package expect

import (
	"bytes"
	"context"
	"net"
	"testing"

	"github.com/portui/portui/internal/scan"
)

// TestWriteRoundTripRealListeners: sockets this test opens (TCP on v4
// and v6 loopback, UDP on all addresses), as the scanner sees them, are
// written and read back, and the file matches each of them.
func TestWriteRoundTripRealListeners(t *testing.T) {
	tcp4, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tcp4.Close() })
	port := tcp4.Addr().(*net.TCPAddr).Port
	var ports = map[int]bool{port: true}
	if tcp6, err := net.Listen("tcp6", net.JoinHostPort("::1", itoa(port))); err == nil {
		t.Cleanup(func() { tcp6.Close() })
	}
	udp, err := net.ListenPacket("udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	ports[udp.LocalAddr().(*net.UDPAddr).Port] = true

	sc, err := scan.New(scan.Options{HostOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	snap, err := sc.Snapshot(context.Background(), scan.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var ours []scan.Listener
	for _, l := range snap.Listeners {
		if ports[int(l.Port)] {
			ours = append(ours, l)
		}
	}
	if len(ours) < 2 {
		t.Fatalf("the scanner sees %d of our sockets", len(ours))
	}
	var b bytes.Buffer
	n, err := Write(&b, ours, Header{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d entries for a TCP service (v4 and v6) and a UDP one:\n%s", n, b.String())
	}
	f, err := Parse("e.toml", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ours {
		if m := f.Match(l); m.Verdict != Matched {
			t.Errorf("%s %s: verdict %d\n%s", l.Proto, l.Endpoint(), m.Verdict, b.String())
		}
	}
	// The whole machine too: whatever listens here reads back as expected.
	b.Reset()
	if _, err := Write(&b, snap.Listeners, Header{Host: "h"}); err != nil {
		t.Fatal(err)
	}
	if f, err = Parse("e.toml", b.Bytes()); err != nil {
		t.Fatal(err)
	}
	for _, l := range snap.Listeners {
		if m := f.Match(l); m.Verdict != Matched {
			t.Errorf("%s %s: verdict %d", l.Proto, l.Endpoint(), m.Verdict)
		}
	}
}
