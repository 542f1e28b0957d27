package scan

// Small parsers for /proc files, free of I/O so they can be fuzzed.

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// procStat is what the scanner needs from /proc/PID/stat.
type procStat struct {
	Comm  string
	PPID  int
	Start uint64 // start time in clock ticks since boot: tells a reused PID apart
}

var errBadStat = errors.New("malformed /proc/PID/stat")

// parseStat reads the comm, ppid and starttime fields. comm may contain
// spaces and parentheses, so it spans from the first '(' to the last ')'.
func parseStat(b []byte) (procStat, error) {
	var s procStat
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return s, errBadStat
	}
	s.Comm = string(b[open+1 : end])
	// Fields after comm start at field 3 (state); ppid is field 4 and
	// starttime field 22.
	rest := b[end+1:]
	for field := 3; field <= 22; field++ {
		rest = bytes.TrimLeft(rest, " ")
		i := bytes.IndexByte(rest, ' ')
		var tok []byte
		if i < 0 {
			tok, rest = bytes.TrimRight(rest, "\n"), nil
		} else {
			tok, rest = rest[:i], rest[i:]
		}
		if len(tok) == 0 {
			return s, errBadStat
		}
		switch field {
		case 4:
			v, err := strconv.Atoi(string(tok))
			if err != nil {
				return s, errBadStat
			}
			s.PPID = v
		case 22:
			v, err := strconv.ParseUint(string(tok), 10, 64)
			if err != nil {
				return s, errBadStat
			}
			s.Start = v
		}
	}
	return s, nil
}

// parseLastPID returns the last PID allocated in the reader's PID
// namespace, the last field of /proc/loadavg ("0.00 0.01 0.05 1/123 4567").
// It changes whenever a process or thread is created, so an unchanged value
// proves no new process can hold a socket we already know.
func parseLastPID(b []byte) (int, bool) {
	f := strings.Fields(string(b))
	if len(f) != 5 {
		return 0, false
	}
	v, err := strconv.Atoi(f[4])
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}

// parseSocketLink extracts the inode from an fd link target "socket:[N]".
func parseSocketLink(b []byte) (uint64, bool) {
	const pre = "socket:["
	if len(b) < len(pre)+2 || string(b[:len(pre)]) != pre || b[len(b)-1] != ']' {
		return 0, false
	}
	var v uint64
	digits := b[len(pre) : len(b)-1]
	if len(digits) == 0 || len(digits) > 20 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// maxCmdline bounds the command line kept per process: enough to tell
// servers apart in a table, small enough that a JVM's classpath does not
// flood the screen.
const maxCmdline = 200

// trimCmdline turns a NUL-separated /proc/PID/cmdline into one readable
// line, or "[comm]" for kernel threads and zombies, as ps does.
func trimCmdline(args []string, comm string) string {
	s := strings.Join(args, " ")
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "[" + comm + "]"
	}
	if len(s) > maxCmdline {
		cut := maxCmdline
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// parseStatusUID returns the effective UID from the "Uid:" line of
// /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs").
func parseStatusUID(b []byte) (int, bool) {
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		rest, ok := bytes.CutPrefix(line, []byte("Uid:"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) < 2 {
			return -1, false
		}
		v, err := strconv.Atoi(f[1])
		if err != nil || v < 0 {
			return -1, false
		}
		return v, true
	}
	return -1, false
}
