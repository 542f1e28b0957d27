package expect

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portui/portui/internal/scan"
)

// Header is what Write says, at the top of the file, about where and
// when it was made.
type Header struct {
	Host string    // the machine's name ("" leaves it out)
	Time time.Time // when (zero leaves it out)
	// Ephemeral is the kernel's ephemeral port range
	// (net.ipv4.ip_local_port_range; zero: unknown). A UDP socket there
	// is a client's, bound to whatever port the kernel gave it (a
	// resolver's query socket): its entry allows its owner the whole
	// range, so a new port after a restart is not drift.
	Ephemeral [2]int
}

// Write writes ls as an expectations file, commented for the person who
// will edit it: a header explaining every key and how audit uses the
// file, then one [[listener]] per service (see FromListeners), each
// with a comment naming the sockets it was made from. It returns the
// number of entries written. Parse(Write(ls)) matches every listener of
// ls.
func Write(w io.Writer, ls []scan.Listener, hdr Header) (int, error) {
	groups := fromListeners(ls, hdr.Ephemeral)
	var b bytes.Buffer
	writeHeader(&b, hdr, len(groups), len(ls))
	for _, g := range groups {
		writeEntry(&b, &g)
	}
	if b.Len() > MaxFileSize {
		// Load would refuse it: say so now rather than write a file
		// that every later audit fails on.
		return 0, fmt.Errorf("the expectations would take %d KiB, more than the %d KiB an expectations file may have (%d entries from %d sockets): save a port range with --port", b.Len()>>10, MaxFileSize>>10, len(groups), len(ls))
	}
	_, err := w.Write(b.Bytes())
	return len(groups), err
}

// minRun is the fewest consecutive ports of one holder, with one scope
// and address, that Write makes one range entry ("port = \"1024-11023\"")
// rather than one entry per port: a pool of ports (passive FTP, RTP, a
// test harness's thousands) is one service, and a range entry is
// optional, which a pool's ports are. Fewer ports stay single, required
// entries, so that a missing one is still drift.
const minRun = 16

// maxSeen bounds the endpoints an entry's comment lists.
const maxSeen = 8

// FromListeners is the entries Write writes for ls: one per service, not
// per socket. Sockets group by proto, port and who holds them, as the
// entry names it, so that the IPv4 and IPv6 socket of one process (or
// those of one container, one unit) are one entry, with the widest
// scope of its sockets. Who holds it is named by what identifies it
// best: a container's name (and the process in it); a systemd .service
// unit, or the .socket unit of a socket pid 1 holds for activation; else
// the process name and its user; for a socket whose holder cannot be
// seen, its user when known. Ordered by proto, then port.
func FromListeners(ls []scan.Listener) []Entry {
	groups := fromListeners(ls, [2]int{})
	out := make([]Entry, len(groups))
	for i, g := range groups {
		out[i] = g.e
	}
	return out
}

// group is one entry and the sockets it was made from.
type group struct {
	e     Entry
	rank  int      // widest scope so far
	addrs []string // the distinct addresses of its sockets on the "address" level
	seen  []string // endpoints, for the comment
	run   int      // a run of this many single ports made one range (mergeRuns), else 0
}

func fromListeners(ls []scan.Listener, eph [2]int) []group {
	type key struct {
		proto                          string
		port                           int
		container, unit, process, user string
	}
	var groups []group
	at := map[key]int{}
	for i := range ls {
		l := &ls[i]
		e := entryOf(l)
		if eph[0] > 0 && eph[0] <= eph[1] && e.Proto == "udp" && e.Lo >= eph[0] && e.Lo <= eph[1] {
			e.Lo, e.Hi = eph[0], eph[1]
		}
		k := key{e.Proto, e.Lo, e.Container, e.Unit, e.Process, e.User}
		gi, ok := at[k]
		if !ok {
			gi = len(groups)
			at[k] = gi
			groups = append(groups, group{e: e, rank: -1})
		}
		g := &groups[gi]
		r := rank(l.Scope)
		g.rank = max(g.rank, r)
		if r == 1 {
			a := l.Addr.String()
			if l.Iface != "" {
				a = l.Iface
			}
			if !slices.Contains(g.addrs, a) {
				g.addrs = append(g.addrs, a)
			}
		}
		if ep := l.Endpoint(); !slices.Contains(g.seen, ep) {
			g.seen = append(g.seen, ep)
		}
	}
	for i := range groups {
		g := &groups[i]
		slices.Sort(g.seen)
		g.e.Scope = []Scope{ScopeLoopback, ScopeAddress, ScopeAll}[g.rank]
		if g.rank == 1 && len(g.addrs) == 1 {
			g.e.Address = g.addrs[0]
		}
	}
	groups = mergeRuns(groups)
	slices.SortStableFunc(groups, func(a, b group) int {
		return cmp.Or(strings.Compare(a.e.Proto, b.e.Proto), cmp.Compare(a.e.Lo, b.e.Lo),
			strings.Compare(a.e.Container, b.e.Container), strings.Compare(a.e.Unit, b.e.Unit),
			strings.Compare(a.e.Process, b.e.Process), strings.Compare(a.e.User, b.e.User))
	})
	return groups
}

// mergeRuns makes each run of at least minRun single-port groups that
// differ in nothing but the port, on consecutive ports, one range group.
func mergeRuns(groups []group) []group {
	same := func(a, b *Entry) bool {
		return a.Proto == b.Proto && a.Container == b.Container && a.Unit == b.Unit && a.Process == b.Process &&
			a.User == b.User && a.Scope == b.Scope && a.Address == b.Address
	}
	slices.SortStableFunc(groups, func(a, b group) int {
		return cmp.Or(strings.Compare(a.e.Proto, b.e.Proto), strings.Compare(a.e.Container, b.e.Container),
			strings.Compare(a.e.Unit, b.e.Unit), strings.Compare(a.e.Process, b.e.Process),
			strings.Compare(a.e.User, b.e.User), strings.Compare(string(a.e.Scope), string(b.e.Scope)),
			strings.Compare(a.e.Address, b.e.Address), cmp.Compare(a.e.Lo, b.e.Lo))
	})
	out := groups[:0:0]
	for i := 0; i < len(groups); {
		j := i + 1
		for j < len(groups) && groups[j-1].e.Lo == groups[j-1].e.Hi && groups[j].e.Lo == groups[j].e.Hi &&
			groups[j].e.Lo == groups[j-1].e.Hi+1 && same(&groups[j].e, &groups[i].e) {
			j++
		}
		if j-i < minRun {
			out = append(out, groups[i])
			i++
			continue
		}
		g := groups[i]
		g.e.Hi = groups[j-1].e.Hi
		g.run = j - i
		for k := i + 1; k < j; k++ {
			g.seen = append(g.seen, groups[k].seen...)
		}
		out = append(out, g)
		i = j
	}
	return out
}

// entryOf is the entry for one socket, its scope and address aside.
func entryOf(l *scan.Listener) Entry {
	e := Entry{Proto: l.Proto, Lo: int(l.Port), Hi: int(l.Port)}
	var holder *scan.Process
	for i := range l.Procs {
		if holder == nil || l.Procs[i].PID < holder.PID {
			holder = &l.Procs[i]
		}
	}
	switch {
	case l.Container != nil:
		e.Container = l.Container.Label()
		if l.Container.Name == "" && l.Container.Pod != "" {
			e.Container = l.Container.Pod
		}
		if holder != nil {
			e.Process = holder.Name
		}
	case l.Activation != nil && l.Activation.Socket != "":
		e.Unit = l.Activation.Socket
	case isService(l.Unit):
		e.Unit = l.Unit
	case holder != nil:
		e.Process = holder.Name
		e.User = userName(holder.User, holder.UID)
	default:
		e.User = userName(l.User, l.UID)
	}
	return e
}

// isService: a systemd service unit that names one service (a user's
// manager, user@1000.service, holds whatever the user starts).
func isService(u string) bool {
	return strings.HasSuffix(u, ".service") && !strings.HasPrefix(u, "user@")
}

func userName(name string, uid int) string {
	if name != "" {
		return name
	}
	if uid >= 0 {
		return strconv.Itoa(uid)
	}
	return ""
}

const headerText = `# What should listen on this machine, for portui.
#
# portui audit reads this file (so do "portui export prometheus" and the
# explorer) and judges every listener against it instead of its built-in
# rules: a listener an entry allows is fine, whatever IANA says about its
# port. Drift is reported as
#   unexpected-listener  no entry allows it (audit names the closest entry)
#   scope-widened        an entry allows it, but on narrower addresses
#                        (e.g. expected on loopback, now on all addresses)
#   missing-listener     an entry that is not optional has no listener
# Edit it freely; check it with "portui expect check --file FILE".
#
# One [[listener]] table per service. Keys:
#   proto      "tcp", "udp" or "*" (either). Required.
#   port       a port (22), a range ("8000-8099") or "*" (any). Required.
#   scope      where it may accept connections: "loopback" (this machine
#              only), "address" (one address or one interface; loopback
#              too), "all" (every address). Leave it out for any.
#   address    with scope "address" (or "loopback"): the address
#              ("192.0.2.10", "::1") or interface ("eth0") it is on.
#   process    the name of a process that holds it, as ps shows it.
#   user       the user it runs as (a name, or a uid).
#   unit       its systemd unit ("nginx.service"; "ssh.socket" for a
#              socket systemd holds for socket activation).
#   container  its container's name, its pod's, or the start of its id.
#   optional   true: allowed, not required (never missing-listener).
#              Entries with a port range or proto "*" are always optional.
# Every key given must match. address, process, user, unit and container
# take * for any run of characters ("python3*", "web-*").
`

func writeHeader(w *bytes.Buffer, hdr Header, entries, sockets int) {
	w.WriteString(headerText)
	var made []string
	if hdr.Host != "" {
		made = append(made, "on "+comment(hdr.Host))
	}
	if !hdr.Time.IsZero() {
		made = append(made, "at "+hdr.Time.UTC().Format("2006-01-02 15:04 UTC"))
	}
	w.WriteString("#\n# Written by \"portui expect save\"")
	if len(made) > 0 {
		w.WriteString(" " + strings.Join(made, " "))
	}
	fmt.Fprintf(w, ": %d %s from %d %s.\n\nversion = 1\n",
		entries, plural(entries, "entry", "entries"), sockets, plural(sockets, "socket", "sockets"))
}

func writeEntry(w *bytes.Buffer, g *group) {
	e := &g.e
	w.WriteString("\n[[listener]]\n")
	seen := g.seen
	if len(seen) > maxSeen {
		seen = append(slices.Clone(seen[:maxSeen-1]), fmt.Sprintf("… %d more", len(g.seen)-maxSeen+1))
	}
	fmt.Fprintf(w, "# seen on %s\n", comment(strings.Join(seen, ", ")))
	fmt.Fprintf(w, "proto = %s\n", tomlString(e.Proto))
	switch {
	case e.Lo == e.Hi:
		fmt.Fprintf(w, "port = %d\n", e.Lo)
	case g.run > 0:
		fmt.Fprintf(w, "# %d consecutive ports of one holder: one range, optional as every range is\n", g.run)
		fmt.Fprintf(w, "port = \"%d-%d\"\n", e.Lo, e.Hi)
	default:
		fmt.Fprintf(w, "# a client's socket on a port the kernel chose: any of its ephemeral range\n")
		fmt.Fprintf(w, "port = \"%d-%d\"\n", e.Lo, e.Hi)
	}
	fmt.Fprintf(w, "scope = %s\n", tomlString(string(e.Scope)))
	for _, kv := range [][2]string{{"address", e.Address}, {"container", e.Container}, {"unit", e.Unit}, {"process", e.Process}, {"user", e.User}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "%s = %s\n", kv[0], tomlString(kv[1]))
		}
	}
}

// tomlString is s as a TOML basic string. The strings written are
// neutralised already; escaping every control character anyway keeps the
// file valid whatever it is given.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// comment keeps text on its comment line.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
