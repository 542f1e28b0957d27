package scan

// Small parsers for /proc files, free of I/O so they can be fuzzed.

import (
	"bytes"
	"cmp"
	"errors"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/sanitize"
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
	s.Comm = sanitize.Line(string(b[open+1 : end]))
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

// Bounds on what is kept of a process's command line. /proc/PID/cmdline
// is read up to maxCmdlineRead bytes (a JVM's classpath or a hostile 2 MB
// argument stops there); at most maxArgs arguments of at most maxArgLen
// bytes each are kept; Cmdline, the one-line form tables show, is cut at
// maxCmdline bytes.
const (
	maxCmdlineRead = 4096
	maxArgs        = 64
	maxArgLen      = 512
	maxCmdline     = 200
)

// parseCmdline splits a NUL-separated /proc/PID/cmdline into arguments,
// each neutralised (sanitize.Line: control bytes shown as escapes) and
// bounded. A process that rewrote its argv into one space-separated string
// (nginx: "nginx: worker process") is one argument.
func parseCmdline(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	var args []string
	for a := range bytes.SplitSeq(b, []byte{0}) {
		if len(args) == maxArgs {
			args = append(args, "…")
			break
		}
		args = append(args, sanitize.Truncate(sanitize.Line(string(a)), maxArgLen))
	}
	return args
}

// trimCmdline is the one-line form of args, or "[comm]" for kernel threads
// and zombies (no arguments), as ps shows them. args are already
// neutralised; runs of spaces are collapsed.
func trimCmdline(args []string, comm string) string {
	s := strings.Join(strings.Fields(strings.Join(args, " ")), " ")
	if s == "" {
		return "[" + comm + "]"
	}
	return sanitize.Truncate(s, maxCmdline)
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

// maxCgroupRead bounds what is read of /proc/PID/cgroup: a line per
// hierarchy, a dozen on a v1 host.
const maxCgroupRead = 8 << 10

// maxCgroupPath bounds the path kept (PATH_MAX).
const maxCgroupPath = 4096

// ParseCgroupFile picks the cgroup path of a process from /proc/PID/cgroup
// ("hierarchy-ID:controllers:path" per line): the cgroup2 ("0::") path
// when it is not "/", else the name=systemd path when it is not "/", else
// the first controller's path that is not "/", else "/" (the root) if any
// line was well formed, else "". The result is neutralised (sanitize.Line)
// and bounded.
func ParseCgroupFile(b []byte) string {
	var v2, systemd, first string
	seen := false
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		id, rest, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(id) == 0 {
			continue
		}
		ctrl, path, ok := bytes.Cut(rest, []byte{':'})
		if !ok || len(path) == 0 || path[0] != '/' {
			continue
		}
		seen = true
		if len(path) == 1 {
			continue
		}
		switch {
		case string(id) == "0" && len(ctrl) == 0:
			if v2 == "" {
				v2 = string(path)
			}
		case string(ctrl) == "name=systemd":
			if systemd == "" {
				systemd = string(path)
			}
		case first == "":
			first = string(path)
		}
	}
	p := cmp.Or(v2, systemd, first)
	if p == "" && seen {
		p = "/"
	}
	return sanitize.Truncate(sanitize.Line(p), maxCgroupPath)
}

// parseNSLink extracts the inode from a namespace link target "net:[N]".
func parseNSLink(b []byte) (uint64, bool) {
	const pre = "net:["
	if len(b) < len(pre)+2 || string(b[:len(pre)]) != pre || b[len(b)-1] != ']' {
		return 0, false
	}
	digits := b[len(pre) : len(b)-1]
	if digits[0] < '1' || digits[0] > '9' {
		return 0, false // the kernel writes no sign and no leading zero
	}
	v, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// sockCounts are a network namespace's socket counters from
// /proc/PID/net/sockstat and sockstat6: the "inuse" (hashed) sockets of
// TCP, UDP, TCP6 and UDP6. A listener opened or closed moves one of them.
type sockCounts [4]uint64

// parseSockstat adds the inuse counters found in b (either file) to c; ok
// is false if b has none of them.
func parseSockstat(b []byte, c *sockCounts) (ok bool) {
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		name, rest, found := bytes.Cut(line, []byte(": inuse "))
		if !found {
			continue
		}
		var i int
		switch string(name) {
		case "TCP":
			i = 0
		case "UDP":
			i = 1
		case "TCP6":
			i = 2
		case "UDP6":
			i = 3
		default:
			continue
		}
		if j := bytes.IndexByte(rest, ' '); j >= 0 {
			rest = rest[:j]
		}
		v, err := strconv.ParseUint(string(rest), 10, 64)
		if err != nil {
			continue
		}
		c[i], ok = v, true
	}
	return ok
}
