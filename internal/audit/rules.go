package audit

import (
	"fmt"
	"slices"
	"strings"

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
)

// Rule is one audit rule.
type Rule struct {
	Kind Kind
	// Title heads the kind's section in the text report.
	Title string
	// Check returns the finding's message for l (one line that names l's
	// address, what is wrong and who holds it), or "" when l is fine.
	Check func(l *Listener) string
}

// Rules are the audit's rules, in report order.
var Rules = []Rule{
	{PrivateUse, "Private use: listeners on ports IANA has not assigned", checkPrivateUse},
	{ExposedSystemPort, "System ports bound to all addresses", checkExposed},
	{UnexpectedService, "Registered ports held by another program", checkService},
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
// "444/tcp on 0.0.0.0%v0:444".
func where(l *Listener) string {
	return fmt.Sprintf("%d/%s on %s", l.Port, l.Proto, l.Endpoint())
}

func checkPrivateUse(l *Listener) string {
	if !l.PrivateUse {
		return ""
	}
	return fmt.Sprintf("%s: the port is %s in the IANA registry, so %s listening there is private use", where(l), l.Status, Owner(l.Listener))
}

func checkExposed(l *Listener) string {
	// A socket bound to one device (ScopeInterface) is not "all addresses":
	// it answers on that device only.
	if l.Port > 1023 || l.Scope != scan.ScopeAll {
		return ""
	}
	return fmt.Sprintf("%s: a system port bound to all addresses by %s", where(l), Owner(l.Listener))
}

func checkService(l *Listener) string {
	expected, known := ExpectedProcesses(l.Service)
	if !known || l.Status != registry.Assigned || len(l.Procs) == 0 ||
		slices.ContainsFunc(l.Procs, func(p scan.Process) bool { return servesAs(p.Name, l.Service, expected) }) {
		return ""
	}
	return fmt.Sprintf("%s: registered for %s (%s) but %s holds it", where(l), l.Service, strings.Join(expected, ", "), Owner(l.Listener))
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
