package scan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/sanitize"
)

// The lsof source (darwin and freebsd; lsof_unix.go runs it) reads lsof's
// field output, "OUTPUT FOR OTHER PROGRAMS" in lsof(8): every field is one
// identifier character and its value, ended by NUL (-F0) or NL; a process
// set starts with 'p' (then c command, u uid, L login), a file set with 'f'
// (then t type, P protocol, n name, T TCP/TPI items such as "ST=LISTEN").
// The parser is pure so that its fixtures and fuzz test run everywhere.

// lsofFields is the -F list lsof is asked for: NUL terminators, and f
// named explicitly (lsof 4.94 and later no longer print it unasked).
const lsofFields = "pcuLfPtTn0"

// Bounds on what one lsof field may be; a longer one is not lsof's.
const (
	maxLsofField   = 4096
	maxLsofName    = 128 // a command name as kept (sanitised, then truncated)
	maxLsofBadNote = 80
)

// lsofProc is the process set being read.
type lsofProc struct {
	ok    bool // a valid 'p' field started it
	pid   int
	name  string
	uid   int
	login string
}

// lsofFile is the file set being read.
type lsofFile struct {
	open              bool
	typ, proto, name  string
	state             string
	stateSeen, hasFld bool
}

type lsofKey struct {
	proto string
	addr  netip.Addr
	port  uint16
}

// lsofParser accumulates listeners from lsof's field output.
type lsofParser struct {
	proc  lsofProc
	file  lsofFile
	index map[lsofKey]int
	out   []Listener
	bad   int
	first string // the first set not understood, for the warning
}

// parseLsof reads lsof -F output (NUL or NL terminated fields) and returns
// its listeners: TCP sockets in state LISTEN and UDP sockets that are bound
// to a port and not connected, one Listener per protocol, address and port
// with every process that holds it (lsof lists a shared socket once per
// process and descriptor). At most limit bytes are read; more is reported
// as truncated. Sets that cannot be understood are skipped and counted in
// one warning; a final field without its terminator (output cut short) is
// dropped. Strings are neutralised (sanitize.Line). The error is a read
// error; the listeners read before it are returned with it.
func parseLsof(r io.Reader, limit int) ([]Listener, []string, error) {
	p := &lsofParser{index: make(map[lsofKey]int)}
	lr := &io.LimitedReader{R: r, N: int64(max(limit, 0)) + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	var warns []string
	var rerr error
	var field []byte
	long := false
	for {
		c, err := br.ReadByte()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				rerr = err
			}
			break
		}
		if c != 0 && c != '\n' {
			if len(field) < maxLsofField {
				field = append(field, c)
			} else {
				long = true
			}
			continue
		}
		if long {
			p.reject("field longer than " + strconv.Itoa(maxLsofField) + " bytes")
			long = false
		} else if len(field) > 0 {
			p.field(field[0], string(field[1:]))
		}
		field = field[:0]
	}
	// What follows the last terminator is a field cut short (a name
	// "127.0.0.1:8" of "127.0.0.1:8080"): it is dropped, and the file set
	// it belongs to with it, since its other fields may be missing too.
	switch {
	case lr.N <= 0:
		warns = append(warns, fmt.Sprintf("lsof output exceeds %d bytes: the rest is not read, listeners may be missing", limit))
		p.file = lsofFile{}
	case len(field) > 0 || long:
		warns = append(warns, "lsof output ends in the middle of a field: its last file set is skipped")
		p.file = lsofFile{}
	}
	p.endFile()
	if p.bad > 0 {
		warns = append(warns, fmt.Sprintf("lsof: %d file set(s) not understood, skipped (first: %s)", p.bad, p.first))
	}
	for i := range p.out {
		l := &p.out[i]
		slices.SortFunc(l.Procs, func(a, b Process) int { return a.PID - b.PID })
		// lsof names no socket owner: the lowest PID (as a rule the
		// process that opened it) stands for it.
		l.UID, l.User = l.Procs[0].UID, l.Procs[0].User
	}
	SortListeners(p.out)
	return p.out, warns, rerr
}

func (p *lsofParser) reject(why string) {
	p.bad++
	if p.first == "" {
		p.first = sanitize.Truncate(sanitize.Line(why), maxLsofBadNote)
	}
}

// field handles one field: its identifier and its value.
func (p *lsofParser) field(id byte, v string) {
	switch id {
	case 'p':
		p.endFile()
		p.proc = lsofProc{uid: -1}
		pid, err := strconv.Atoi(v)
		if err != nil || pid <= 0 {
			p.reject("pid " + strconv.Quote(v))
			return
		}
		p.proc.ok, p.proc.pid = true, pid
	case 'c':
		p.proc.name = sanitize.Truncate(sanitize.Line(v), maxLsofName)
	case 'u':
		if uid, err := strconv.Atoi(v); err == nil && uid >= 0 {
			p.proc.uid = uid
		}
	case 'L':
		p.proc.login = sanitize.Truncate(sanitize.Line(v), maxLsofName)
	case 'f':
		p.endFile()
		p.file = lsofFile{open: true}
	case 't', 'P', 'n', 'T':
		if !p.file.open {
			p.file = lsofFile{open: true} // an lsof that does not print f
		}
		p.file.hasFld = true
		switch id {
		case 't':
			p.file.typ = v
		case 'P':
			p.file.proto = v
		case 'n':
			p.file.name = v
		case 'T':
			if s, ok := strings.CutPrefix(v, "ST="); ok {
				p.file.state, p.file.stateSeen = s, true
			}
		}
	}
	// Other fields (g, R, a, l, d, o, …) are not needed.
}

// endFile decides whether the file set read so far is a listener.
func (p *lsofParser) endFile() {
	f := p.file
	p.file = lsofFile{}
	if !f.open || !f.hasFld {
		return
	}
	var proto string
	switch strings.ToUpper(f.proto) {
	case "TCP":
		proto = "tcp"
	case "UDP":
		proto = "udp"
	default:
		return // asked for -iTCP/-iUDP only, but other sets are not ours to judge
	}
	if f.typ != "IPv4" && f.typ != "IPv6" {
		p.reject("type " + strconv.Quote(f.typ))
		return
	}
	if proto == "tcp" && (!f.stateSeen || f.state != "LISTEN") {
		return
	}
	if !p.proc.ok {
		p.reject("file set without a valid process")
		return
	}
	addr, port, connected, err := parseLsofName(f.name, f.typ == "IPv6")
	switch {
	case err != nil:
		p.reject(err.Error())
		return
	case connected || port == 0:
		return // a connected UDP socket, or one bound to no port yet
	}
	k := lsofKey{proto, addr, port}
	i, ok := p.index[k]
	if !ok {
		i = len(p.out)
		p.index[k] = i
		p.out = append(p.out, Listener{Proto: proto, Addr: addr, Port: port, Scope: ScopeOf(addr), UID: -1})
	}
	l := &p.out[i]
	if slices.ContainsFunc(l.Procs, func(q Process) bool { return q.PID == p.proc.pid }) {
		return // another descriptor of the same process
	}
	l.Procs = append(l.Procs, Process{PID: p.proc.pid, Name: p.proc.name, UID: p.proc.uid, User: p.proc.login})
}

// parseLsofName reads an Internet name of lsof -n -P: "*:22",
// "127.0.0.1:631", "[::1]:8080", "[fe80::1%lo0]:5353", "*:*", or a
// connection "127.0.0.1:5353->10.0.0.1:53" (connected is then true and the
// rest is not parsed). v6 says what "*" means. Port 0 is "*".
func parseLsofName(name string, v6 bool) (addr netip.Addr, port uint16, connected bool, err error) {
	if strings.Contains(name, "->") {
		return netip.Addr{}, 0, true, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("name %s: %s", strconv.Quote(sanitize.Truncate(name, 48)), why)
	}
	i := strings.LastIndexByte(name, ':')
	if i < 0 {
		return netip.Addr{}, 0, false, bad("no port")
	}
	host, ps := name[:i], name[i+1:]
	switch {
	case host == "*" && v6:
		addr = netip.IPv6Unspecified()
	case host == "*":
		addr = netip.IPv4Unspecified()
	case strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]"):
		a, perr := netip.ParseAddr(host[1 : len(host)-1])
		if perr != nil || !a.Is6() {
			return netip.Addr{}, 0, false, bad("bad IPv6 address")
		}
		if z := a.Zone(); z != "" && !validZone(z) {
			return netip.Addr{}, 0, false, bad("bad zone")
		}
		addr = a
	default:
		a, perr := netip.ParseAddr(host)
		if perr != nil || !a.Is4() {
			return netip.Addr{}, 0, false, bad("bad IPv4 address")
		}
		addr = a
	}
	if ps == "*" {
		return addr.Unmap(), 0, false, nil
	}
	n, perr := strconv.ParseUint(ps, 10, 16)
	if perr != nil {
		return netip.Addr{}, 0, false, bad("bad port")
	}
	return addr.Unmap(), uint16(n), false, nil
}

// validZone accepts an interface name as a zone: "lo0", "en0", "vtnet0.1",
// at most IFNAMSIZ-1 bytes of letters, digits and ".-_".
func validZone(z string) bool {
	if len(z) > 15 {
		return false
	}
	for i := range len(z) {
		c := z[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
