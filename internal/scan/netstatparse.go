package scan

// Parser for /proc/net/netstat and /proc/net/snmp, free of I/O so it can
// be fuzzed: each protocol is a pair of lines, "Proto: Name1 Name2 …"
// then "Proto: v1 v2 …".

import (
	"bytes"
	"strconv"
)

// parseNetstatCounters adds the counters Counters holds that b (the text
// of netstat or snmp) carries into c. A pair of lines whose fields do not
// line up, or a value that is not a number, is skipped; ok is false when
// none of the four counters was found.
func parseNetstatCounters(b []byte, c *Counters) (ok bool) {
	var prevKey, prevNames []byte
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			prevKey = nil
			continue
		}
		key, rest := line[:colon], line[colon+1:]
		if prevKey == nil || !bytes.Equal(key, prevKey) {
			prevKey, prevNames = key, rest
			continue
		}
		// rest is the values line for prevNames.
		names, vals := prevNames, rest
		prevKey = nil
		var dst func(name []byte) *uint64
		switch string(key) {
		case "TcpExt":
			dst = func(n []byte) *uint64 {
				switch string(n) {
				case "ListenOverflows":
					return &c.ListenOverflows
				case "ListenDrops":
					return &c.ListenDrops
				}
				return nil
			}
		case "Udp":
			dst = func(n []byte) *uint64 {
				switch string(n) {
				case "RcvbufErrors":
					return &c.UDPRcvbufErrors
				case "InErrors":
					return &c.UDPInErrors
				}
				return nil
			}
		default:
			continue
		}
		for {
			var n, v []byte
			n, names = nextField(names)
			v, vals = nextField(vals)
			if n == nil || v == nil {
				break
			}
			p := dst(n)
			if p == nil {
				continue
			}
			x, err := strconv.ParseUint(string(v), 10, 64)
			if err != nil {
				continue
			}
			*p, ok = x, true
		}
	}
	return ok
}

// nextField returns the first space-separated field of b and the rest;
// nil when there is none.
func nextField(b []byte) (field, rest []byte) {
	b = bytes.TrimLeft(b, " \t\r")
	if len(b) == 0 {
		return nil, nil
	}
	i := bytes.IndexAny(b, " \t\r")
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i:]
}
