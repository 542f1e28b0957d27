// Package audit judges a listener snapshot against the registry: which
// listeners deserve a look. It is pure (no I/O) so the CLI, the TUI's
// status bar and the tests share one definition of a finding.
package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// Kind names a class of finding.
type Kind string

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

// Kinds lists every kind in report order.
var Kinds = []Kind{PrivateUse, ExposedSystemPort, UnexpectedService}

// Finding is one thing worth a look.
type Finding struct {
	Kind     Kind          `json:"kind"`
	Port     int           `json:"port"`
	Proto    string        `json:"proto"`
	Address  string        `json:"address"`
	Status   string        `json:"status"`            // the port's registry status for Proto
	Service  string        `json:"service,omitempty"` // the service registered on the port
	Message  string        `json:"message"`
	Listener scan.Listener `json:"-"`
}

// Check returns the findings for the listeners on ports lo..hi, grouped
// by kind in Kinds order.
func Check(reg *registry.Registry, snap scan.Snapshot, lo, hi int) []Finding {
	byKind := make(map[Kind][]Finding, len(Kinds))
	for _, l := range snap.Listeners {
		if port := int(l.Port); port < lo || port > hi {
			continue
		}
		for _, f := range check(reg, l) {
			byKind[f.Kind] = append(byKind[f.Kind], f)
		}
	}
	var out []Finding
	for _, kind := range Kinds {
		out = append(out, byKind[kind]...)
	}
	return out
}

// check judges one listener; the registry is asked once per listener.
func check(reg *registry.Registry, l scan.Listener) []Finding {
	port := int(l.Port)
	view, _ := registry.ViewOf(l.Proto)
	st := reg.Status(port, view)
	service := ServiceName(reg, port, l.Proto)
	who := describeOwner(l)
	finding := func(kind Kind, format string, args ...any) Finding {
		return Finding{
			Kind: kind, Port: port, Proto: l.Proto, Address: l.Addr.String(),
			Status: st.String(), Service: service, Message: fmt.Sprintf(format, args...), Listener: l,
		}
	}
	var out []Finding
	if st.PrivateUse() {
		out = append(out, finding(PrivateUse,
			"%d/%s is %s in the IANA registry: %s listening there is private use", port, l.Proto, st, who))
	}
	if port <= 1023 && l.Scope == scan.ScopeAll {
		out = append(out, finding(ExposedSystemPort,
			"%d/%s is a system port bound to all addresses (%s) by %s", port, l.Proto, l.Addr, who))
	}
	if expected, known := ExpectedProcesses(service); known && st == registry.Assigned && len(l.Procs) > 0 &&
		!slices.ContainsFunc(l.Procs, func(p scan.Process) bool { return servesAs(p.Name, service, expected) }) {
		out = append(out, finding(UnexpectedService,
			"%d/%s is registered for %s (%s) but %s holds it", port, l.Proto, service, strings.Join(expected, ", "), who))
	}
	return out
}

// ServiceName is the registered service on port for proto ("" if none).
func ServiceName(reg *registry.Registry, port int, proto string) string {
	recs, err := reg.RecordsAt(port)
	if err != nil {
		return ""
	}
	fallback := ""
	for _, r := range recs {
		if r.Name == "" {
			continue
		}
		if r.Proto == proto {
			return r.Name
		}
		if fallback == "" {
			fallback = r.Name
		}
	}
	return fallback
}

func describeOwner(l scan.Listener) string {
	if len(l.Procs) == 0 {
		if l.User != "" {
			return fmt.Sprintf("a process of %s (hidden)", l.User)
		}
		return "a hidden process"
	}
	names := make([]string, 0, len(l.Procs))
	for _, p := range l.Procs {
		names = append(names, fmt.Sprintf("%s (pid %d)", p.Name, p.PID))
		if len(names) == 3 && len(l.Procs) > 3 {
			names = append(names, fmt.Sprintf("and %d more", len(l.Procs)-3))
			break
		}
	}
	return strings.Join(names, ", ")
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
