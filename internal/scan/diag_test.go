package scan

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// bcAudit and bcRun mirror inet_diag_bc_audit and inet_diag_bc_run from
// net/ipv4/inet_diag.c for the ops we emit, so the bytecode is checked
// against the kernel's rules without a kernel.
func bcAudit(bc []byte) bool {
	l := len(bc)
	for l > 0 {
		op := bc[len(bc)-l:]
		if len(op) < 4 {
			return false
		}
		code, yes, no := op[0], int(op[1]), int(binary.NativeEndian.Uint16(op[2:4]))
		minLen := 4
		switch code {
		case inetDiagBCSGE, inetDiagBCSLE:
			if l < 8 {
				return false
			}
			minLen = 8
		case 0, 1: // NOP, JMP
		default:
			return false
		}
		if code != 0 && (no < minLen || no > l+4 || no&3 != 0) {
			return false
		}
		if yes < minLen || yes > l+4 || yes&3 != 0 {
			return false
		}
		l -= yes
	}
	return l == 0
}

func bcRun(bc []byte, sport uint16) bool {
	l := len(bc)
	for l > 0 {
		op := bc[len(bc)-l:]
		code, yes, no := op[0], int(op[1]), int(binary.NativeEndian.Uint16(op[2:4]))
		ok := true
		switch code {
		case 1:
			ok = false
		case inetDiagBCSGE:
			ok = sport >= binary.NativeEndian.Uint16(op[6:8])
		case inetDiagBCSLE:
			ok = sport <= binary.NativeEndian.Uint16(op[6:8])
		}
		if ok {
			l -= yes
		} else {
			l -= no
		}
	}
	return l == 0
}

func TestEncodeDiagReq(t *testing.T) {
	all := encodeDiagReq(afInet6, ipprotoTCP, tcpListen, 0, 0xffff)
	if len(all) != inetDiagReqLen || all[0] != afInet6 || all[1] != ipprotoTCP ||
		binary.NativeEndian.Uint32(all[4:8]) != 1<<tcpListen || !bytes.Equal(all[8:], make([]byte, 48)) {
		t.Fatalf("unfiltered request % x", all)
	}
	udp := encodeDiagReq(afInet, ipprotoUDP, diagState("udp"), 53, 53)
	if binary.NativeEndian.Uint32(udp[4:8]) != 1<<7 {
		t.Errorf("UDP must ask for TCP_CLOSE (unconnected), got states %#x", binary.NativeEndian.Uint32(udp[4:8]))
	}
	if len(udp) != inetDiagReqLen+4+16 {
		t.Fatalf("filtered request length %d", len(udp))
	}
	if l, typ := binary.NativeEndian.Uint16(udp[56:58]), binary.NativeEndian.Uint16(udp[58:60]); l != 20 || typ != inetDiagReqBytecode {
		t.Errorf("bytecode attribute header len=%d type=%d", l, typ)
	}
}

func FuzzPortRange(f *testing.F) {
	f.Add(uint16(22), uint16(22), uint16(22))
	f.Add(uint16(0), uint16(1023), uint16(1024))
	f.Add(uint16(1), uint16(65535), uint16(0))
	f.Add(uint16(100), uint16(50), uint16(75))
	f.Fuzz(func(t *testing.T, lo, hi, port uint16) {
		bc := encodePortRange(lo, hi)
		if !bcAudit(bc) {
			t.Fatalf("kernel would reject bytecode for %d-%d: % x", lo, hi, bc)
		}
		if got, want := bcRun(bc, port), lo <= port && port <= hi; got != want {
			t.Fatalf("port %d in %d-%d: bytecode says %v", port, lo, hi, got)
		}
	})
}

// diagMsg builds an inet_diag_msg as the kernel would send it.
func diagMsg(family uint8, addr netip.Addr, port uint16, uid, inode uint32, attrs ...[]byte) []byte {
	b := make([]byte, inetDiagMsgLen)
	b[0], b[1] = family, tcpListen
	binary.BigEndian.PutUint16(b[4:6], port)
	a := addr.As16()
	if family == afInet {
		a4 := addr.As4()
		copy(b[8:12], a4[:])
	} else {
		copy(b[8:24], a[:])
	}
	binary.NativeEndian.PutUint32(b[64:68], uid)
	binary.NativeEndian.PutUint32(b[68:72], inode)
	for _, at := range attrs {
		b = append(b, at...)
	}
	return b
}

func attr(typ uint16, payload ...byte) []byte {
	b := make([]byte, 4, 8)
	binary.NativeEndian.PutUint16(b[0:2], uint16(4+len(payload)))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	b = append(b, payload...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestDecodeDiagMsg(t *testing.T) {
	e, err := decodeDiagMsg(diagMsg(afInet, netip.MustParseAddr("127.0.0.1"), 8080, 1000, 4242, attr(8, 0)), "tcp")
	if err != nil || e.Addr != netip.MustParseAddr("127.0.0.1") || e.Port != 8080 || e.UID != 1000 || e.Inode != 4242 || e.V6 {
		t.Fatalf("v4: %+v %v", e, err)
	}
	e, err = decodeDiagMsg(diagMsg(afInet6, netip.IPv6Unspecified(), 53, 0, 7, attr(8, 0), attr(inetDiagSKV6Only, 0)), "udp")
	if err != nil || !e.V6 || !e.V6Known || e.V6Only || !e.Addr.IsUnspecified() || e.Proto != "udp" {
		t.Fatalf("v6 dual-stack: %+v %v", e, err)
	}
	e, _ = decodeDiagMsg(diagMsg(afInet6, netip.IPv6Unspecified(), 53, 0, 7, attr(inetDiagSKV6Only, 1)), "udp")
	if !e.V6Only {
		t.Fatalf("v6only not decoded: %+v", e)
	}
	cg := binary.NativeEndian.AppendUint64(nil, 0x1234_5678_9abc)
	e, err = decodeDiagMsg(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 80, 0, 9, attr(20), attr(inetDiagCgroupID, cg...), attr(inetDiagSKV6Only, 1)), "tcp")
	if err != nil || e.CgroupID != 0x1234_5678_9abc || e.V6Only != true {
		t.Fatalf("cgroup id: %+v %v", e, err)
	}
	if e, _ = decodeDiagMsg(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 80, 0, 9, attr(inetDiagCgroupID, 1, 2, 3)), "tcp"); e.CgroupID != 0 {
		t.Fatalf("short cgroup id attribute decoded: %+v", e)
	}
	e, _ = decodeDiagMsg(diagMsg(afInet6, netip.MustParseAddr("::ffff:10.1.2.3"), 1, 0, 7), "tcp")
	if e.Addr != netip.MustParseAddr("10.1.2.3") {
		t.Errorf("mapped address not unmapped: %v", e.Addr)
	}
	for name, b := range map[string][]byte{
		"short":       make([]byte, 10),
		"bad family":  diagMsg(99, netip.MustParseAddr("1.2.3.4"), 1, 0, 1)[:inetDiagMsgLen],
		"attr length": append(diagMsg(afInet, netip.MustParseAddr("1.2.3.4"), 1, 0, 1), 0xff, 0x00, 0x0b, 0x00),
	} {
		if name == "bad family" {
			b[0] = 99
		}
		if _, err := decodeDiagMsg(b, "tcp"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDiagMsg(f *testing.F) {
	f.Add(diagMsg(afInet, netip.MustParseAddr("127.0.0.1"), 22, 0, 1, attr(8, 0)))
	f.Add(diagMsg(afInet6, netip.IPv6Unspecified(), 53, 101, 99, attr(8, 0), attr(inetDiagSKV6Only, 1)))
	f.Add(diagMsg(afInet6, netip.MustParseAddr("::1"), 631, 0, 5, []byte{5, 0, 11, 0, 1, 0, 0, 0}))
	f.Add(diagMsg(afInet, netip.MustParseAddr("10.88.0.5"), 80, 0, 7, attr(20), attr(inetDiagCgroupID, 0xb1, 0x0c, 0, 0, 0, 0, 0, 0)))
	f.Add(diagMsg(afInet6, netip.IPv6Unspecified(), 80, 0, 7, attr(inetDiagCgroupID, 1, 0, 0, 0, 0, 0, 0, 0), attr(inetDiagSKV6Only, 0)))
	f.Add(diagMsg(afInet, netip.MustParseAddr("1.2.3.4"), 1, 0, 1, attr(inetDiagCgroupID, 1, 2)))
	f.Add(diagQueues(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 53, 0, 9, memInfo(768, 212992, 17)), 768, 0))
	f.Add([]byte{})
	f.Add(make([]byte, inetDiagMsgLen+3))
	f.Fuzz(func(t *testing.T, b []byte) {
		if u, err := decodeDiagMsg(b, "udp"); err == nil && (u.QueueMax != 0 || u.Drops != 0) && !hasAttrType(b[inetDiagMsgLen:], inetDiagSKMemInfo) {
			t.Fatal("UDP QueueMax or Drops set without SKMEMINFO")
		}
		e, err := decodeDiagMsg(b, "tcp")
		if err != nil {
			return
		}
		if e.Drops != 0 {
			t.Fatal("TCP Drops set")
		}
		if !e.Addr.IsValid() || e.Addr.Is4In6() {
			t.Fatalf("decoded an invalid or mapped address %v", e.Addr)
		}
		if e.V6Only && !e.V6Known {
			t.Fatal("V6Only set without the attribute")
		}
		if e.CgroupID != 0 && !hasAttrType(b[inetDiagMsgLen:], inetDiagCgroupID) {
			t.Fatal("CgroupID set without the attribute")
		}
	})
}

// hasAttrType reports whether b holds the bytes of attribute type typ
// (flag bits NLA_F_NESTED/NET_BYTEORDER ignored) anywhere.
func hasAttrType(b []byte, typ uint16) bool {
	for k := 0; k+1 < len(b); k++ {
		if binary.NativeEndian.Uint16(b[k:k+2])&0x3fff == typ {
			return true
		}
	}
	return false
}

// diagQueues sets idiag_rqueue and idiag_wqueue of an inet_diag_msg.
func diagQueues(b []byte, rq, wq uint32) []byte {
	binary.NativeEndian.PutUint32(b[56:60], rq)
	binary.NativeEndian.PutUint32(b[60:64], wq)
	return b
}

// memInfo is an INET_DIAG_SKMEMINFO attribute with rcvbuf and drops.
func memInfo(rmem, rcvbuf, drops uint32) []byte {
	v := make([]byte, 4*9)
	binary.NativeEndian.PutUint32(v[0:], rmem)
	binary.NativeEndian.PutUint32(v[4*skMemInfoRcvbuf:], rcvbuf)
	binary.NativeEndian.PutUint32(v[4*skMemInfoDrops:], drops)
	return attr(inetDiagSKMemInfo, v...)
}

func TestDecodeDiagQueues(t *testing.T) {
	b := diagQueues(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 80, 0, 9, attr(inetDiagSKV6Only, 0)), 3, 511)
	e, err := decodeDiagMsg(b, "tcp")
	if err != nil || e.Queue != 3 || e.QueueMax != 511 || e.Drops != 0 {
		t.Fatalf("tcp listen queues: %+v %v", e, err)
	}
	// UDP: rqueue is bytes; the maximum and drops come from SKMEMINFO,
	// and wqueue (bytes being sent) is not a maximum.
	b = diagQueues(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 53, 0, 9, memInfo(768, 212992, 17)), 768, 99)
	if e, err = decodeDiagMsg(b, "udp"); err != nil || e.Queue != 768 || e.QueueMax != 212992 || e.Drops != 17 {
		t.Fatalf("udp queues: %+v %v", e, err)
	}
	b = diagQueues(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 53, 0, 9), 768, 99)
	if e, _ = decodeDiagMsg(b, "udp"); e.QueueMax != 0 || e.Drops != 0 {
		t.Fatalf("udp without meminfo: %+v", e)
	}
	// A short meminfo (older kernel, fewer vars) is ignored.
	b = diagQueues(diagMsg(afInet, netip.MustParseAddr("0.0.0.0"), 53, 0, 9, attr(inetDiagSKMemInfo, make([]byte, 16)...)), 1, 0)
	if e, _ = decodeDiagMsg(b, "udp"); e.QueueMax != 0 || e.Drops != 0 || e.Queue != 1 {
		t.Fatalf("udp short meminfo: %+v", e)
	}
	// The request asks for meminfo for UDP only.
	if r := encodeDiagReq(afInet, ipprotoUDP, tcpClose, 0, 0xffff); r[2] != 1<<(inetDiagSKMemInfo-1) {
		t.Errorf("udp idiag_ext = %#x", r[2])
	}
	if r := encodeDiagReq(afInet, ipprotoTCP, tcpListen, 0, 0xffff); r[2] != 0 {
		t.Errorf("tcp idiag_ext = %#x", r[2])
	}
}

func FuzzDiagPeer(f *testing.F) {
	est := diagMsg(afInet, netip.MustParseAddr("127.0.0.1"), 8080, 0, 1)
	est[1] = tcpEstablished
	copy(est[24:28], []byte{10, 0, 0, 7})
	f.Add(est)
	v6 := diagMsg(afInet6, netip.MustParseAddr("::1"), 443, 0, 1, attr(inetDiagSKV6Only, 1))
	v6[1] = tcpSynRecv
	f.Add(v6)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, remote, err := decodeDiagPeer(b)
		if err != nil {
			return
		}
		if !remote.IsValid() || remote.Is4In6() || st != b[1] {
			t.Fatalf("decoded %d %v", st, remote)
		}
		var cc clientCounter
		cc.add(st, remote)
		if c := cc.result(1); c.Total() > 1 || len(c.Top) > c.Total() {
			t.Fatalf("one socket tallied as %+v", c)
		}
	})
}

func TestDecodeDiagPeer(t *testing.T) {
	b := diagMsg(afInet, netip.MustParseAddr("127.0.0.1"), 8080, 0, 1)
	b[1] = tcpEstablished
	copy(b[24:28], []byte{10, 0, 0, 7})
	if st, r, err := decodeDiagPeer(b); err != nil || st != tcpEstablished || r != netip.MustParseAddr("10.0.0.7") {
		t.Fatalf("v4: %d %v %v", st, r, err)
	}
	b = diagMsg(afInet6, netip.MustParseAddr("::1"), 8080, 0, 1)
	copy(b[24:40], netip.MustParseAddr("::ffff:10.0.0.8").AsSlice())
	if _, r, err := decodeDiagPeer(b); err != nil || r != netip.MustParseAddr("10.0.0.8") {
		t.Fatalf("v6 mapped: %v %v", r, err)
	}
	if _, _, err := decodeDiagPeer(b[:20]); err == nil {
		t.Fatal("short reply decoded")
	}
}
