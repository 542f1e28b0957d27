package practice

import (
	"slices"
	"strings"
)

// Version dates the table: bump it whenever an entry is added, changed or
// removed. `portui lookup --json` reports it beside each use.
const Version = "2026-12-02"

// table is the curated list, by port then proto. An entry belongs here
// only when IANA's registry does not already say the same: the port is
// not assigned for that transport (323/udp is reserved), or it is
// assigned to a service of another name (9100/tcp is hp-pdl-datastr).
// Ports IANA assigns to the service the daemon runs (111 sunrpc for
// rpcbind, 53 domain for dnsmasq and systemd-resolved, 631 ipp for cupsd,
// 5353/udp mdns for avahi, 2049 nfs) have no entry: the registry says it
// already. TestTableNotIANA checks every entry against the embedded
// registry, and that each names its source.
//
// Daemons are process names as the kernel reports them (comm: at most 15
// bytes, so Debian's prometheus-node-exporter is "prometheus-node").
var table = []Use{
	{Port: 323, Proto: "udp", What: "chronyd command port", Daemons: []string{"chronyd"},
		Source: "chronyd(8)"}, // chrony.conf(5) cmdport: "The default is 323."
	{Port: 514, Proto: "tcp", What: "syslog over TCP", Daemons: []string{"rsyslogd", "syslog-ng"},
		Source: "https://www.rsyslog.com/doc/configuration/modules/imtcp.html"}, // IANA: shell (rsh)
	{Port: 783, Proto: "tcp", What: "SpamAssassin spamd", Daemons: []string{"spamd", "spamd child"},
		Source: "spamd(1p)"}, // "--port=port ... The default port is 783."
	{Port: 3128, Proto: "tcp", What: "Squid HTTP proxy", Daemons: []string{"squid"},
		Source: "https://wiki.squid-cache.org/SquidFaq/ConfiguringSquid"}, // IANA: ndl-aas; squid.conf http_port 3128
	{Port: 6443, Proto: "tcp", What: "Kubernetes API server", Daemons: []string{"kube-apiserver", "k3s-server", "k3s"},
		Source: "https://kubernetes.io/docs/reference/networking/ports-and-protocols/"}, // IANA: sun-sr-https
	{Port: 9090, Proto: "tcp", What: "Cockpit web console", Daemons: []string{"cockpit-tls", "cockpit-ws"},
		Source: "https://cockpit-project.org/guide/latest/listen.html"}, // IANA: websm; enabled on RHEL servers
	{Port: 9090, Proto: "tcp", What: "Prometheus server", Daemons: []string{"prometheus"},
		Source: "https://github.com/prometheus/prometheus/wiki/Default-port-allocations"},
	{Port: 9093, Proto: "tcp", What: "Prometheus Alertmanager", Daemons: []string{"alertmanager", "prometheus-aler"},
		Source: "https://github.com/prometheus/prometheus/wiki/Default-port-allocations"}, // IANA: copycat
	{Port: 9100, Proto: "tcp", What: "Prometheus node_exporter", Daemons: []string{"node_exporter", "prometheus-node"},
		Source: "https://github.com/prometheus/prometheus/wiki/Default-port-allocations"}, // IANA: hp-pdl-datastr
	{Port: 9200, Proto: "tcp", What: "Elasticsearch HTTP API", Daemons: []string{"java", "elasticsearch", "opensearch"},
		Source: "https://www.elastic.co/guide/en/elasticsearch/reference/current/modules-network.html"}, // IANA: wap-wsp
	{Port: 10250, Proto: "tcp", What: "Kubernetes kubelet API", Daemons: []string{"kubelet", "k3s-server", "k3s-agent", "k3s"},
		Source: "https://kubernetes.io/docs/reference/networking/ports-and-protocols/"}, // IANA: unassigned
}

// All is every use of the table, in port order (a copy).
func All() []Use {
	out := make([]Use, len(table))
	for i, u := range table {
		out[i] = u
		out[i].Daemons = slices.Clone(u.Daemons)
	}
	return out
}

func at(port int, proto string) []Use {
	var out []Use
	for _, u := range table {
		if u.Port == port && strings.EqualFold(u.Proto, proto) {
			out = append(out, u)
		}
	}
	return out
}

func known(port int, proto string) bool {
	for _, u := range table {
		if u.Port == port && strings.EqualFold(u.Proto, proto) {
			return true
		}
	}
	return false
}

func explains(port int, proto string, procs []string) (Use, bool) {
	for _, u := range at(port, proto) {
		for _, p := range procs {
			if slices.ContainsFunc(u.Daemons, func(d string) bool { return commIs(p, d) }) {
				return u, true
			}
		}
	}
	return Use{}, false
}

// commIs: the process name p (comm, cut at 15 bytes by the kernel) is
// daemon d.
func commIs(p, d string) bool {
	p, d = strings.ToLower(p), strings.ToLower(d)
	if p == d {
		return true
	}
	const commMax = 15
	return len(p) == commMax && strings.HasPrefix(d, p)
}
