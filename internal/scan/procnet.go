package scan

// Parser for the /proc/net/{tcp,tcp6,udp,udp6} text tables, the fallback
// when netlink is refused. Unlike go-netstat it skips a malformed line
// instead of failing the whole table, and it looks at the state column
// before decoding anything else so the many non-listening lines of a busy
// host cost little.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
)

// procNetResult is one parsed table.
type procNetResult struct {
	Entries  []sockEntry
	Bad      int    // malformed lines skipped
	FirstBad string // the first of them, for the warning
	Dups     int    // lines repeated because the table changed while read
}

// parseProcNet parses one table. proto is "tcp" or "udp"; v6 says whether
// addresses are 32 hex digits. Only sockets in the listener state for proto
// whose port passes f are kept.
func parseProcNet(data []byte, proto string, v6 bool, f Filter) procNetResult {
	var r procNetResult
	want := diagState(proto)
	seen := make(map[uint64]struct{})
	first := true
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if first {
			// Header line: "  sl  local_address rem_address   st ...".
			first = false
			if bytes.Contains(line, []byte("local_address")) {
				continue
			}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, keep, err := parseProcNetLine(line, proto, v6, want)
		if err != nil {
			if r.Bad == 0 {
				r.FirstBad = fmt.Sprintf("%q: %v", truncate(line, 80), err)
			}
			r.Bad++
			continue
		}
		if !keep || !f.Match(proto, e.Port) {
			continue
		}
		if e.Inode != 0 {
			if _, dup := seen[e.Inode]; dup {
				r.Dups++
				continue
			}
			seen[e.Inode] = struct{}{}
		}
		r.Entries = append(r.Entries, e)
	}
	return r
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// fields splits a line on spaces into at most len(out) fields.
func fields(line []byte, out [][]byte) int {
	n := 0
	for n < len(out) {
		for len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			line = line[1:]
		}
		if len(line) == 0 {
			break
		}
		i := 0
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		out[n] = line[:i]
		line = line[i:]
		n++
	}
	return n
}

// parseProcNetLine decodes "sl local rem st tx:rx tr:when retrnsmt uid
// timeout inode ..." (UDP tables end in "ref pointer drops"). keep is
// false for sockets that are not listeners. Of the queues the table
// carries rx (LISTEN: the accept queue; UDP: receive-queue bytes) and,
// for UDP, drops; not the backlog nor the buffer's size.
func parseProcNetLine(line []byte, proto string, v6 bool, want uint8) (e sockEntry, keep bool, err error) {
	var fs [13][]byte
	n := fields(line, fs[:])
	if n < 10 {
		return e, false, fmt.Errorf("%d fields, want at least 10", n)
	}
	st, err := strconv.ParseUint(string(fs[3]), 16, 8)
	if err != nil {
		return e, false, fmt.Errorf("bad state %q", fs[3])
	}
	if uint8(st) != want {
		return e, false, nil
	}
	addr, port, err := parseHexAddrPort(fs[1], v6)
	if err != nil {
		return e, false, err
	}
	uid, err := strconv.ParseUint(string(fs[7]), 10, 32)
	if err != nil {
		return e, false, fmt.Errorf("bad uid %q", fs[7])
	}
	ino, err := strconv.ParseUint(string(fs[9]), 10, 64)
	if err != nil {
		return e, false, fmt.Errorf("bad inode %q", fs[9])
	}
	e = sockEntry{
		Proto: proto,
		Addr:  addr,
		Port:  port,
		UID:   int(uid),
		Inode: ino,
		V6:    v6,
	}
	// Queues are a bonus: a malformed column leaves them 0.
	if i := bytes.IndexByte(fs[4], ':'); i >= 0 {
		if v, err := strconv.ParseUint(string(fs[4][i+1:]), 16, 32); err == nil {
			e.Queue = uint32(v)
		}
	}
	if proto == "udp" && n == 13 {
		if v, err := strconv.ParseUint(string(fs[12]), 10, 32); err == nil {
			e.Drops = uint32(v)
		}
	}
	return e, true, nil
}

// parseHexAddrPort decodes "0100007F:0050". The kernel prints each 32-bit
// word of the address as a host-endian integer, so the bytes are recovered
// with the native byte order.
func parseHexAddrPort(b []byte, v6 bool) (netip.Addr, uint16, error) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return netip.Addr{}, 0, fmt.Errorf("bad address %q", b)
	}
	hexAddr, hexPort := b[:i], b[i+1:]
	p, err := strconv.ParseUint(string(hexPort), 16, 16)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("bad port %q", hexPort)
	}
	words := 1
	if v6 {
		words = 4
	}
	if len(hexAddr) != 8*words {
		return netip.Addr{}, 0, fmt.Errorf("bad address %q", hexAddr)
	}
	var raw [16]byte
	for w := 0; w < words; w++ {
		v, err := strconv.ParseUint(string(hexAddr[8*w:8*w+8]), 16, 32)
		if err != nil {
			return netip.Addr{}, 0, fmt.Errorf("bad address %q", hexAddr)
		}
		binary.NativeEndian.PutUint32(raw[4*w:], uint32(v))
	}
	if !v6 {
		return netip.AddrFrom4([4]byte(raw[:4])), uint16(p), nil
	}
	return netip.AddrFrom16(raw).Unmap(), uint16(p), nil
}
