package scan

import "testing"

const netstatSample = `TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPHPHits
TcpExt: 0 0 12 14 99
IpExt: InNoRoutes InTruncatedPkts
IpExt: 0 0
`

const snmpSample = `Ip: Forwarding DefaultTTL
Ip: 1 64
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 114 0 3 116 2 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 77 0 77 0 0 0 0
`

func TestParseNetstatCounters(t *testing.T) {
	var c Counters
	if !parseNetstatCounters([]byte(netstatSample), &c) || !parseNetstatCounters([]byte(snmpSample), &c) {
		t.Fatal("counters not found")
	}
	want := Counters{ListenOverflows: 12, ListenDrops: 14, UDPRcvbufErrors: 2, UDPInErrors: 3}
	if c != want {
		t.Fatalf("got %+v, want %+v", c, want)
	}
	var d Counters
	for _, bad := range []string{"", "TcpExt: ListenOverflows\n", "TcpExt: ListenOverflows\nIpExt: 3\n", "TcpExt: ListenOverflows\nTcpExt: x\n", "Udp: InErrors\nUdp:\n"} {
		if parseNetstatCounters([]byte(bad), &d) || d != (Counters{}) {
			t.Errorf("%q: decoded %+v", bad, d)
		}
	}
	// Fewer values than names: the names that have one count.
	if !parseNetstatCounters([]byte("TcpExt: ListenOverflows ListenDrops\nTcpExt: 5\n"), &d) || d.ListenOverflows != 5 || d.ListenDrops != 0 {
		t.Errorf("short values line: %+v", d)
	}
}

func FuzzNetstatCounters(f *testing.F) {
	f.Add([]byte(netstatSample))
	f.Add([]byte(snmpSample))
	f.Add([]byte("TcpExt: ListenOverflows\nTcpExt: 18446744073709551616\n"))
	f.Add([]byte(":\n:\nUdp: \nUdp: "))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Counters
		if !parseNetstatCounters(b, &c) && c != (Counters{}) {
			t.Fatalf("not ok but decoded %+v", c)
		}
	})
}
