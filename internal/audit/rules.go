package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// The kinds of finding, in the order they are reported.
const (
	// PrivateUse: a listener on a port IANA has not assigned for its
	// transport (unassigned, reserved or other).
	PrivateUse Kind = "private-use"
	// ExposedSystemPort: a system port (0–1023) bound to all addresses.
	ExposedSystemPort Kind = "exposed-system-port"
	// UnexpectedService: the process is not one known to serve the
	// service registered on the port (22 held by something other than sshd).
	UnexpectedService Kind = "unexpected-service"
	// PublishedDangling: a published port (a NAT rule, or a host socket
	// held by docker-proxy, rootlessport, conmon or dockerd) whose target
	// has no listener: the container is gone or does not listen there.
	PublishedDangling Kind = "published-dangling"
)

// Rule is one audit rule.
type Rule struct {
	Kind Kind
	// Title heads the kind's section in the text report.
	Title string
	// Check returns the finding's message for l (one line that names l's
	// address, what is wrong and who holds it), or "" when l is fine.
	Check func(l *Listener) string
	// CheckMap, if set, returns the finding's message for a published
	// port that no host socket holds (a NAT rule alone: CheckPortMaps),
	// naming its host address, or "" when it is fine.
	CheckMap func(m scan.PortMap) string
	// Mode says when the rule judges: without an expectations file
	// (BuiltIn), with one (WithFile), or either way (Always).
	Mode Mode
	// CheckEntry, if set, returns the finding's message for a required
	// entry of the expectations file at path that no listener matches
	// (Judge.Missing), or "" when that is fine.
	CheckEntry func(path string, e *expect.Entry) string
}

// Mode is when a rule judges.
type Mode int

// Modes.
const (
	BuiltIn  Mode = iota // no expectations file: the built-in rules
	WithFile             // an expectations file is the authority
	Always               // a fact either way (published-dangling)
)

// judges reports whether r judges under j.
func (r Rule) judges(withFile bool) bool {
	switch r.Mode {
	case BuiltIn:
		return !withFile
	case WithFile:
		return withFile
	}
	return true
}

// Rules are the audit's rules, in report order.
//
// Listeners in the host's network namespace (NetNS.IsHost, which includes
// containers run with --network host) are judged by every rule. A
// listener in another namespace (a container's, an `ip netns` one) is
// reachable from outside only through a published port, so only
// ExposedSystemPort judges it, and only through the host addresses it is
// published on; its port numbers are otherwise its own. A host socket
// that a userland proxy or placeholder holds for a published port
// (Listener.Forward) or that pid 1 holds for socket activation is
// explained by what it forwards to or activates, never taken for
// "another program".
//
// With an expectations file (Judge.Expect) the file is the authority: a
// listener an entry allows has no finding, whatever its IANA status, and
// only the WithFile rules and the Always ones judge (every listener, in
// whatever namespace: the file's entries say which are expected, by
// container name among others). Without one, a de-facto use of the port
// (package practice: chronyd on 323/udp) explains a listener for
// PrivateUse and UnexpectedService.
var Rules = []Rule{
	{Kind: PrivateUse, Title: "Private use: listeners on ports IANA has not assigned", Check: checkPrivateUse},
	{Kind: ExposedSystemPort, Title: "System ports bound to all addresses", Check: checkExposed},
	{Kind: UnexpectedService, Title: "Registered ports held by another program", Check: checkService},
	{Kind: UnexpectedListener, Title: "Unexpected listeners: no entry of the expectations allows them", Check: checkUnexpected, Mode: WithFile},
	{Kind: ScopeWidened, Title: "Scope widened: listening on wider addresses than expected", Check: checkWidened, Mode: WithFile},
	{Kind: MissingListener, Title: "Missing listeners: expected, but nothing listens", CheckEntry: checkMissing, Mode: WithFile},
	{Kind: PublishedDangling, Title: "Published ports that reach no listener", Check: checkDangling, CheckMap: checkDanglingMap, Mode: Always},
}

// Kinds lists every kind in report order.
var Kinds = func() []Kind {
	out := make([]Kind, len(Rules))
	for i, r := range Rules {
		out[i] = r.Kind
	}
	return out
}()

// RuleOf returns the rule of kind k.
func RuleOf(k Kind) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.Kind == k })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// where names the listener for a message: "326/tcp on 127.0.0.1:326",
// "444/tcp on 0.0.0.0%v0:444", and in another namespace "80/tcp on
// 0.0.0.0:80 in web1 (podman)".
func where(l *Listener) string {
	s := fmt.Sprintf("%d/%s on %s", l.Port, l.Proto, l.Endpoint())
	if !l.Listener.NetNS.IsHost() {
		s += " in " + Location(l.Listener)
	}
	return s
}

func checkPrivateUse(l *Listener) string {
	if !l.PrivateUse || !l.Listener.NetNS.IsHost() || l.Practice != nil {
		return ""
	}
	return fmt.Sprintf("%s: the port is %s in the IANA registry, so %s listening there is private use", where(l), l.Status, Holder(l.Listener))
}

func checkExposed(l *Listener) string {
	if l.Port > 1023 {
		return ""
	}
	if !l.Listener.NetNS.IsHost() {
		return checkPublishedExposed(l)
	}
	// A socket bound to one device (ScopeInterface) is not "all addresses":
	// it answers on that device only.
	if l.Scope != scan.ScopeAll {
		return ""
	}
	return fmt.Sprintf("%s: a system port bound to all addresses by %s%s", where(l), Holder(l.Listener), commonly(l))
}

// commonly is "; commonly: chronyd command port (chronyd(8))" when a
// de-facto use explains l; "" otherwise.
func commonly(l *Listener) string {
	if l.Practice == nil {
		return ""
	}
	return "; commonly: " + PracticeText(*l.Practice)
}

// checkPublishedExposed: a listener in another namespace is exposed where
// a host port on all addresses reaches it, and then the message says
// through what.
func checkPublishedExposed(l *Listener) string {
	if l.Scope == scan.ScopeLoopback {
		return ""
	}
	var wide []scan.PortMap
	for _, m := range l.Published {
		if m.Host.Addr().IsUnspecified() {
			wide = append(wide, m)
		}
	}
	if len(wide) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%s in %s is %s: a system port reachable on all addresses, held by %s on %s",
		l.Port, l.Proto, Location(l.Listener), strings.Replace(PublishedText(wide), "published ", "published on ", 1), Owner(l.Listener), l.Endpoint())
}

func checkService(l *Listener) string {
	if !l.Listener.NetNS.IsHost() || l.Forward != nil || l.Practice != nil {
		return ""
	}
	expected, known := ExpectedProcesses(l.Service)
	if !known || l.Status != registry.Assigned || len(l.Procs) == 0 {
		return ""
	}
	if a := l.Activation; a != nil {
		// pid 1 holds it for a service: judge the service it starts.
		if a.Service == "" || unitServesAs(a.Service, l.Service, expected) {
			return ""
		}
		return fmt.Sprintf("%s: registered for %s (%s) but %s activates %s for it", where(l), l.Service, strings.Join(expected, ", "), Owner(l.Listener), a.Service)
	}
	if isPID1Alone(l.Listener) ||
		slices.ContainsFunc(l.Procs, func(p scan.Process) bool { return servesAs(p.Name, l.Service, expected) }) {
		return ""
	}
	return fmt.Sprintf("%s: registered for %s (%s) but %s holds it", where(l), l.Service, strings.Join(expected, ", "), Holder(l.Listener))
}

// checkDangling: a host socket held for a published port whose target no
// listener answers.
func checkDangling(l *Listener) string {
	f := l.Forward
	if f == nil || f.TargetNetNS != 0 || !l.Listener.NetNS.IsHost() {
		return ""
	}
	return fmt.Sprintf("%s: %s holds it for %s", where(l), Owner(l.Listener), danglingTarget(*f))
}

// checkDanglingMap: a published port without a host socket (a NAT rule)
// whose target no listener answers.
func checkDanglingMap(m scan.PortMap) string {
	if m.TargetNetNS != 0 {
		return ""
	}
	how := "a NAT rule"
	if m.Via != "" && m.Via != "nat" {
		how = "a " + m.Via + " rule"
	}
	return fmt.Sprintf("%d/%s on %s: %s publishes it to %s", m.Host.Port(), m.Proto, addrPortText(m.Host), how, danglingTarget(m))
}

func danglingTarget(m scan.PortMap) string {
	if m.Container != nil {
		return fmt.Sprintf("%s, where nothing listens on %d/%s", targetText(m), m.Target.Port(), m.Proto)
	}
	return addrPortText(m.Target) + ", an address no running container has"
}

// expectedProcesses maps a registered service name to the daemons known
// to serve it. Only these services are judged: for the rest, a name
// mismatch proves nothing.
var expectedProcesses = map[string][]string{
	"ssh":      {"sshd", "dropbear", "sshd-session"},
	"ftp":      {"vsftpd", "proftpd", "pure-ftpd", "in.ftpd", "ftpd"},
	"telnet":   {"telnetd", "in.telnetd"},
	"smtp":     {"master", "exim4", "exim", "sendmail", "smtpd", "opensmtpd", "postfix"},
	"domain":   {"named", "unbound", "dnsmasq", "systemd-resolve", "coredns", "pdns_server", "pdns_recursor", "knotd", "nsd"},
	"http":     {"nginx", "apache2", "httpd", "caddy", "lighttpd", "haproxy", "envoy", "traefik"},
	"https":    {"nginx", "apache2", "httpd", "caddy", "lighttpd", "haproxy", "envoy", "traefik"},
	"pop3":     {"dovecot", "pop3-login", "cyrus-master"},
	"imap":     {"dovecot", "imap-login", "cyrus-master"},
	"imaps":    {"dovecot", "imap-login", "cyrus-master"},
	"pop3s":    {"dovecot", "pop3-login", "cyrus-master"},
	"ntp":      {"ntpd", "chronyd", "systemd-timesyn", "openntpd"},
	"sunrpc":   {"rpcbind", "portmap"},
	"ldap":     {"slapd"},
	"ldaps":    {"slapd"},
	"ipp":      {"cupsd"},
	"rsync":    {"rsync"},
	"syslog":   {"rsyslogd", "syslog-ng", "syslogd"},
	"bootps":   {"dhcpd", "dnsmasq", "kea-dhcp4"},
	"bootpc":   {"dhclient", "NetworkManager", "systemd-network", "dhcpcd"},
	"kerberos": {"krb5kdc", "kdc"},
}

// ExpectedProcesses lists the daemons known to serve service; known is
// false when portui has no opinion.
func ExpectedProcesses(service string) (names []string, known bool) {
	names, known = expectedProcesses[strings.ToLower(service)]
	return names, known
}

// unitServesAs: a systemd service unit is named after its daemon
// ("sshd.service") or the daemon after it ("cups.service" runs cupsd,
// "ssh.service" sshd).
func unitServesAs(unit, service string, expected []string) bool {
	base := strings.ToLower(strings.TrimSuffix(unit, ".service"))
	if i := strings.IndexByte(base, '@'); i >= 0 {
		base = base[:i] // a template instance: sshd@3-10.0.0.1:22-10.0.0.2:5000
	}
	if servesAs(base, service, expected) {
		return true
	}
	return len(base) >= 3 && slices.ContainsFunc(expected, func(e string) bool { return strings.HasPrefix(strings.ToLower(e), base) })
}

func servesAs(proc, service string, expected []string) bool {
	p := strings.ToLower(proc)
	for _, e := range expected {
		if p == strings.ToLower(e) {
			return true
		}
	}
	// A daemon named after its protocol (sshd for ssh) is taken at its word.
	return strings.HasPrefix(p, strings.ToLower(service))
}

// checkUnexpected: no entry of the file allows l. The message names the
// closest entry (same port and proto, another owner) when there is one.
func checkUnexpected(l *Listener) string {
	if l.Expect.Verdict != expect.Unexpected {
		return ""
	}
	var why string
	if e := l.Expect.Entry; e != nil {
		why = fmt.Sprintf("not expected; %s expects it", EntryPlace(l.expectPath, e))
		if who := EntryOwner(e); who != "" {
			why += " from " + who
		}
		if sc := ScopeText(e.Scope, e.Address); sc != "" {
			why += " " + sc
		}
	} else {
		why = fmt.Sprintf("not expected: no entry in %s allows it", l.expectPath)
	}
	return fmt.Sprintf("%s: %s, held by %s%s", where(l), why, Holder(l.Listener), ianaNote(l))
}

// ianaNote is what IANA (and the practice table) say about an unexpected
// listener's port, briefly: " (IANA: reserved; commonly: chronyd
// command port (chronyd(8)))", " (IANA: https)".
func ianaNote(l *Listener) string {
	iana := l.Service
	if iana == "" {
		iana = l.Status.String()
	}
	s := "IANA: " + iana
	if l.Practice != nil {
		s += "; commonly: " + PracticeText(*l.Practice)
	}
	return " (" + s + ")"
}

// checkWidened: an entry matches l but for its scope: l accepts on wider
// addresses.
func checkWidened(l *Listener) string {
	e := l.Expect.Entry
	if l.Expect.Verdict != expect.Widened || e == nil {
		return ""
	}
	return fmt.Sprintf("%s: expected %s (%s), now %s, held by %s",
		where(l), ScopeText(e.Scope, e.Address), EntryPlace(l.expectPath, e), listenerScopeText(l.Listener), Holder(l.Listener))
}

// checkMissing: a required entry no listener matches.
func checkMissing(path string, e *expect.Entry) string {
	s := fmt.Sprintf("%d/%s: expected", e.Lo, e.Proto)
	if who := EntryOwner(e); who != "" {
		s += " from " + who
	}
	if sc := ScopeText(e.Scope, e.Address); sc != "" {
		s += " " + sc
	}
	return s + " (" + EntryPlace(path, e) + "), nothing listens"
}
