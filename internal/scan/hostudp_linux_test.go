package scan

import (
	"context"
	"net"
	"testing"
)

// hostUDPScanner is a scanner of the host only whose view of process
// creation is frozen (no fork anywhere on the machine moves it), so that
// only the UDP counters and the redump period decide.
func hostUDPScanner(t *testing.T) *linuxScanner {
	t.Helper()
	s, err := newLinux(Options{HostOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.close() })
	if s.udp == nil {
		t.Skip("the host is read from text tables here (netlink refused): no UDP gate")
	}
	s.udp.pidNow = func() (int, bool) { return 1, true }
	return s
}

func udpPort(t *testing.T, c net.PacketConn) uint16 {
	t.Helper()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

func hasUDP(sn Snapshot, port uint16) bool {
	for _, l := range sn.Listeners {
		if l.Proto == "udp" && l.Port == port {
			return true
		}
	}
	return false
}

func snapOf(t *testing.T, s *linuxScanner, f Filter) Snapshot {
	t.Helper()
	sn, err := s.snapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// A UDP listener bound or closed between two polls moves the host's UDP
// counter: the next poll shows it, whatever the filter of the poll that
// dumped.
func TestHostUDPNewListenerShowsAtOnce(t *testing.T) {
	s := hostUDPScanner(t)
	snapOf(t, s, Filter{}) // the dump the next polls are served from
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := udpPort(t, c)
	f := Filter{Lo: port, Hi: port}
	if sn := snapOf(t, s, f); !hasUDP(sn, port) {
		c.Close()
		t.Fatalf("udp 127.0.0.1:%d bound before the poll is not in it: %+v", port, sn.Listeners)
	}
	c.Close()
	if sn := snapOf(t, s, f); hasUDP(sn, port) {
		t.Fatalf("udp %d closed before the poll is still in it", port)
	}
}

// Nothing moved: the poll is served from the last dump, and a TCP
// listener still shows at once (TCP is dumped every poll).
func TestHostUDPQuietPollIsServed(t *testing.T) {
	s := hostUDPScanner(t)
	snapOf(t, s, Filter{})
	served := false
	// Other programs on the machine open UDP sockets too; a few tries find
	// two polls between which none did.
	for range 50 {
		before := s.udp.stats.Served
		snapOf(t, s, Filter{Lo: 0, Hi: 1023})
		if s.udp.stats.Served > before {
			served = true
			break
		}
	}
	if !served {
		t.Fatalf("50 polls with no process created: every one dumped UDP (%+v)", s.udp.stats)
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	sn := snapOf(t, s, Filter{Lo: port, Hi: port})
	if len(sn.Listeners) != 1 || sn.Listeners[0].Proto != "tcp" {
		t.Fatalf("tcp listener on %d: %+v", port, sn.Listeners)
	}
}

// The documented limit: one UDP socket closed and another bound by a
// process already running, between two polls, leaves the counter where
// it was; the swap shows within hostUDPRedumpEvery polls.
func TestHostUDPSwapShowsWithinRedumpPeriod(t *testing.T) {
	s := hostUDPScanner(t)
	a, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pa := udpPort(t, a)
	if !hasUDP(snapOf(t, s, Filter{}), pa) {
		a.Close()
		t.Fatalf("udp %d not listed", pa)
	}
	a.Close()
	b, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pb := udpPort(t, b)
	if pb == pa {
		t.Skipf("the kernel gave port %d again", pa)
	}
	for i := range hostUDPRedumpEvery + 1 {
		sn := snapOf(t, s, Filter{})
		if hasUDP(sn, pb) && !hasUDP(sn, pa) {
			return
		}
		t.Logf("poll %d: still the old listing", i+1)
	}
	t.Fatalf("after %d polls the swap %d → %d does not show", hostUDPRedumpEvery+1, pa, pb)
}
