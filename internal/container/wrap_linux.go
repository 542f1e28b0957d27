//go:build linux

package container

import (
	"bytes"
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

func (o Options) procRoot() string {
	if o.ProcRoot == "" {
		return "/proc"
	}
	return o.ProcRoot
}

// natSource reads the host's DNAT rules (nftReader; a fake in tests).
type natSource interface {
	gen() (uint32, error)
	rules() ([]natRule, error)
	close()
}

// Cache bounds.
const (
	maxCgroups  = 8192
	maxHolders  = 4096
	maxNSAddrs  = 1024
	socketsTTL  = 30 * time.Second // socket units re-read at most this often on block polls
	busDeadline = 250 * time.Millisecond
)

func wrapOS(s scan.Scanner, o Options) scan.Scanner {
	w := wrap(s, o, &nftReader{})
	if p, ok := scan.ProberOf(s); ok {
		return &probing{wrapped: w, p: p}
	}
	return w
}

// probing is wrapped for a scanner that is also a scan.Prober: the probes
// go straight through (they name sockets, not owners: nothing to attach).
type probing struct {
	*wrapped
	p scan.Prober
}

// Clients implements scan.Prober.
func (w *probing) Clients(ctx context.Context, ns scan.NetNS, port uint16) (scan.Clients, error) {
	return w.p.Clients(ctx, ns, port)
}

// Counters implements scan.Prober.
func (w *probing) Counters(ctx context.Context, ns scan.NetNS) (scan.Counters, error) {
	return w.p.Counters(ctx, ns)
}

func wrap(s scan.Scanner, o Options, nat natSource) *wrapped {
	return &wrapped{
		inner: s, opts: o, names: newResolver(o.Root), nat: nat, sys: o.Systemd,
		cgroups: map[string]Cgroup{}, holders: map[holderKey]Cgroup{}, nsAddr: map[holderKey][]netip.Addr{},
	}
}

type portKey struct {
	inode uint64
	proto string
	port  uint16
}

type holderKey struct {
	pid   int
	inode uint64
}

type wrapped struct {
	inner scan.Scanner
	opts  Options
	names *resolver
	nat   natSource
	sys   Systemd

	mu      sync.Mutex
	cgroups map[string]Cgroup          // parsed cgroup paths
	holders map[holderKey]Cgroup       // cgroup of a netns holder, by pid and netns
	nsAddr  map[holderKey][]netip.Addr // addresses of a namespace, by holder pid and inode

	natRead   bool
	natGen    uint32
	natRules  []natRule
	natErr    string
	natLegacy bool

	pid1 int // 0 not yet known, 1 systemd, -1 not systemd

	dockerSearched time.Time // the last search for dockerd processes (dockerd_linux.go)
	dockerMiss     bool      // a Docker container's name was unknown at the last snapshot
	sockets        []SocketUnit
	socketErr      string
	socketAt       time.Time

	stats stats
}

// stats count the expensive reads, for tests and benchmarks.
type stats struct {
	natReads, holderReads, addrDumps, busCalls int
}

func (w *wrapped) Close() error {
	w.mu.Lock()
	w.nat.close()
	w.mu.Unlock()
	return w.inner.Close()
}

func (w *wrapped) Snapshot(ctx context.Context, f scan.Filter) (scan.Snapshot, error) {
	s, err := w.inner.Snapshot(ctx, f)
	if err != nil {
		return s, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.enrich(ctx, &s, f)
	return s, nil
}

// warnings collects one line per key for one snapshot.
type warnings struct {
	seen  map[string]bool
	lines []string
}

func (ws *warnings) add(key, msg string) {
	if ws.seen == nil {
		ws.seen = map[string]bool{}
	}
	if !ws.seen[key] {
		ws.seen[key] = true
		ws.lines = append(ws.lines, msg)
	}
}

func (w *wrapped) enrich(ctx context.Context, s *scan.Snapshot, f scan.Filter) {
	var ws warnings
	warn := ws.add

	// conmon's argv names the Podman containers whose ports it holds.
	// dockerd's argv says where a second daemon keeps its containers.
	conmon := map[string]string{}
	var roots []string
	for i := range s.Listeners {
		for _, p := range s.Listeners[i].Procs {
			switch p.Name {
			case "conmon":
				if id, name, ok := conmonArgs(p.Args); ok && name != "" {
					conmon[id] = name
				}
			case "dockerd":
				if r := dockerdRoot(p.Args); r != "" {
					roots = append(roots, r)
				}
			}
		}
	}
	if len(roots) == 0 {
		roots = w.searchDockerd(s)
	}
	if len(roots) > 0 {
		w.names.setDockerRoots(roots)
	}

	// 1. The container and unit of every owner, and of every listener.
	nsCtr := map[uint64]*scan.Container{}       // a container whose processes live in the netns
	addrCtr := map[netip.Addr]*scan.Container{} // addresses the runtime's state gives
	for i := range s.Listeners {
		l := &s.Listeners[i]
		for j := range l.Procs {
			p := &l.Procs[j]
			cg := w.cgroup(p.Cgroup)
			p.Unit = sanitize.Line(cg.Unit)
			c, addrs := w.names.resolve(cg, conmon, warn)
			p.Container = c
			for _, a := range addrs {
				addrCtr[a] = c
			}
			if l.Container == nil {
				l.Container = c
			}
			if l.Unit == "" {
				l.Unit = p.Unit
			}
		}
		if l.Container != nil && !l.NetNS.Host && l.NetNS.Inode != 0 && nsCtr[l.NetNS.Inode] == nil {
			nsCtr[l.NetNS.Inode] = l.Container
		}
	}

	miss := false
	for i := range s.Listeners {
		if c := s.Listeners[i].Container; c != nil && c.Runtime == "docker" && c.Name == "" {
			miss = true
		}
	}
	w.dockerMiss = miss

	// 2. Namespaces: every one the scanner inspected, and those of the
	// listeners (a scanner that fills no Snapshot.NetNS still has them).
	spaces := w.namespaces(s)
	for _, ns := range spaces {
		if nsCtr[ns.Inode] == nil {
			if c := w.holderContainer(ns, conmon, warn); c != nil {
				nsCtr[ns.Inode] = c
			}
		}
	}
	// An owner-less listener lives in its socket's cgroup where the
	// kernel reports one, else where its netns does.
	for i := range s.Listeners {
		l := &s.Listeners[i]
		if l.Container != nil || len(l.Procs) > 0 {
			continue
		}
		if l.Cgroup != "" {
			cg := w.cgroup(l.Cgroup)
			if c, _ := w.names.resolve(cg, conmon, warn); c != nil || cg.Unit != "" {
				l.Container, l.Unit = c, sanitize.Line(cg.Unit)
				continue
			}
		}
		if l.NetNS.Host || l.NetNS.Inode == 0 {
			continue
		}
		if c := nsCtr[l.NetNS.Inode]; c != nil {
			l.Container = c
		} else if l.NetNS.PID > 0 {
			l.Unit = w.holderCgroup(l.NetNS).Unit
		}
	}

	// 3. Published ports: NAT rules, then userland proxies and placeholders.
	rules := w.natRulesCached(warn)
	var maps []scan.PortMap
	for _, r := range rules {
		maps = append(maps, scan.PortMap{Proto: r.Proto, Host: r.Host, Target: r.Target, Via: "nat", Container: w.ruleContainer(r, conmon)})
	}
	forward := map[int]scan.PortMap{} // listener index → where it forwards
	for i := range s.Listeners {
		l := &s.Listeners[i]
		if !l.NetNS.Host && l.NetNS.Inode != 0 {
			continue
		}
		for _, p := range l.Procs {
			switch p.Name {
			case "docker-proxy":
				if proto, host, target, ok := proxyArgs(p.Args); ok {
					pm := scan.PortMap{Proto: proto, Host: host, Target: target, Via: "docker-proxy"}
					forward[i] = pm
					maps = append(maps, pm)
				}
			case "conmon", "dockerd", "rootlessport", "rootlessport-child":
				via := p.Name
				if via == "dockerd" {
					via = "nat"
				}
				if via == "rootlessport-child" {
					via = "rootlessport"
				}
				pm, ok := matchRule(maps, l)
				if ok {
					pm.Via = via
				} else {
					pm = scan.PortMap{Proto: l.Proto, Host: netip.AddrPortFrom(l.Addr, l.Port), Via: via}
					if p.Name == "conmon" {
						if id, _, ok := conmonArgs(p.Args); ok {
							pm.Container, _ = w.names.resolve(Cgroup{Runtime: "podman", ID: id}, conmon, warn)
						}
					}
				}
				forward[i] = pm
			default:
				continue
			}
			break
		}
	}

	// 4. Link both ways: the namespace that holds each target address,
	// the container there, and the listener at the target.
	addrNS := w.addressOwners(spaces)
	ctrNS := map[*scan.Container]uint64{}
	for inode, c := range nsCtr {
		ctrNS[c] = inode
	}
	byPort := map[portKey][]int{} // listeners of the namespaces by proto and port
	for i := range s.Listeners {
		if l := &s.Listeners[i]; !l.NetNS.Host && l.NetNS.Inode != 0 {
			k := portKey{l.NetNS.Inode, l.Proto, l.Port}
			byPort[k] = append(byPort[k], i)
		}
	}
	knowNS := len(s.NetNS) > 0 // the scanner says which namespaces exist
	link := func(pm *scan.PortMap) (int, bool) {
		if !pm.Target.IsValid() {
			return -1, false // a placeholder whose target is unknown
		}
		a := pm.Target.Addr()
		inode, found := addrNS[a]
		if !found {
			if c := addrCtr[a]; c != nil {
				inode, found = ctrNS[c], ctrNS[c] != 0
				if pm.Container == nil {
					pm.Container = c
				}
			}
		}
		if !found {
			if knowNS {
				pm.Container = nil // no namespace holds the target: the container is gone
			}
			return -1, false
		}
		if c := nsCtr[inode]; c != nil {
			pm.Container = c
		}
		for _, i := range byPort[portKey{inode, pm.Proto, pm.Target.Port()}] {
			if l := &s.Listeners[i]; l.Addr == a || l.Addr.IsUnspecified() {
				pm.TargetNetNS = inode
				return i, true
			}
		}
		if !f.Match(pm.Proto, pm.Target.Port()) {
			pm.TargetNetNS = inode // the listener is outside this poll's ports
		}
		return -1, false
	}
	var out []scan.PortMap
	type mapKey struct {
		proto        string
		host, target netip.AddrPort
	}
	seen := make(map[mapKey]bool, len(maps))
	for i := range maps {
		pm := maps[i]
		if k := (mapKey{pm.Proto, pm.Host, pm.Target}); seen[k] {
			continue
		} else {
			seen[k] = true
		}
		li, ok := link(&pm)
		if ok {
			s.Listeners[li].Published = append(s.Listeners[li].Published, pm)
		}
		if f.Match(pm.Proto, pm.Host.Port()) {
			out = append(out, pm)
		}
	}
	s.PortMaps = out
	for i, pm := range forward {
		link(&pm)
		s.Listeners[i].Forward = &pm
	}

	// 5. Socket activation: a socket held by pid 1 alone.
	var units []SocketUnit
	loaded := false
	for i := range s.Listeners {
		l := &s.Listeners[i]
		if len(l.Procs) != 1 || l.Procs[0].PID != 1 || (!l.NetNS.Host && l.NetNS.Inode != 0) {
			continue
		}
		if !loaded {
			units, loaded = w.socketUnits(ctx, f, warn), true
		}
		if u, ok := activation(units, l.Proto, l.Addr, l.Port); ok {
			l.Activation = &scan.Activation{Socket: u.Name, Service: u.Service, Running: u.Running}
		}
	}

	s.Warnings = append(s.Warnings, ws.lines...)
}

// cgroup parses a cgroup path, cached.
func (w *wrapped) cgroup(path string) Cgroup {
	if path == "" {
		return Cgroup{}
	}
	if c, ok := w.cgroups[path]; ok {
		return c
	}
	c := ParseCgroup(path)
	if len(w.cgroups) >= maxCgroups {
		clear(w.cgroups)
	}
	w.cgroups[path] = c
	return c
}

// namespaces are the snapshot's namespaces other than the host's that
// have a process in them, by inode (s.NetNS first, then the listeners').
func (w *wrapped) namespaces(s *scan.Snapshot) []scan.NetNS {
	var out []scan.NetNS
	seen := map[uint64]bool{}
	add := func(ns scan.NetNS) {
		if ns.Host || ns.Inode == 0 || ns.PID <= 0 || seen[ns.Inode] {
			return
		}
		seen[ns.Inode] = true
		out = append(out, ns)
	}
	for _, ns := range s.NetNS {
		add(ns)
	}
	for i := range s.Listeners {
		add(s.Listeners[i].NetNS)
	}
	return out
}

// holderCgroup reads the cgroup of the process that holds a namespace,
// cached by pid and namespace (a reused pid in another netns is read
// anew).
func (w *wrapped) holderCgroup(ns scan.NetNS) Cgroup {
	k := holderKey{ns.PID, ns.Inode}
	if c, ok := w.holders[k]; ok {
		return c
	}
	w.stats.holderReads++
	c := ParseCgroup(scan.CgroupOf(w.opts.procRoot(), ns.PID))
	if len(w.holders) >= maxHolders {
		clear(w.holders)
	}
	w.holders[k] = c
	return c
}

func (w *wrapped) holderContainer(ns scan.NetNS, conmon map[string]string, warn func(string, string)) *scan.Container {
	c, _ := w.names.resolve(w.holderCgroup(ns), conmon, warn)
	return c
}

// addressOwners maps every address of the namespaces to the namespace's
// inode (rtnetlink, once per namespace and holder: a reused inode comes
// with another holder).
func (w *wrapped) addressOwners(spaces []scan.NetNS) map[netip.Addr]uint64 {
	out := map[netip.Addr]uint64{}
	for _, ns := range spaces {
		k := holderKey{ns.PID, ns.Inode}
		addrs, ok := w.nsAddr[k]
		if !ok {
			w.stats.addrDumps++
			addrs, _ = nsAddrs(w.opts.procRoot(), ns.PID) // no address known: linked by runtime state only
			if len(w.nsAddr) >= maxNSAddrs {
				clear(w.nsAddr)
			}
			w.nsAddr[k] = addrs
		}
		for _, a := range addrs {
			if !a.IsLoopback() && !a.IsLinkLocalUnicast() {
				out[a] = ns.Inode
			}
		}
	}
	return out
}

// ruleContainer is the container netavark names in a rule's comment.
func (w *wrapped) ruleContainer(r natRule, conmon map[string]string) *scan.Container {
	if r.ID == "" {
		return nil
	}
	// The container may be gone: its name unknown is no warning.
	c, _ := w.names.resolve(Cgroup{Runtime: "podman", ID: r.ID}, conmon, func(string, string) {})
	return c
}

// matchRule finds the published port a host placeholder socket stands for.
func matchRule(maps []scan.PortMap, l *scan.Listener) (scan.PortMap, bool) {
	for _, pm := range maps {
		if pm.Via != "nat" || pm.Proto != l.Proto || pm.Host.Port() != l.Port {
			continue
		}
		if h := pm.Host.Addr(); h == l.Addr || h.IsUnspecified() || l.Addr.IsUnspecified() {
			return pm, true
		}
	}
	return scan.PortMap{}, false
}

// natRulesCached returns the DNAT rules, re-read only when the ruleset's
// generation changed.
func (w *wrapped) natRulesCached(warn func(string, string)) []natRule {
	g, err := w.nat.gen()
	if err != nil {
		warn("nat", "NAT rules could not be read: "+sanitize.Line(err.Error()))
		return nil
	}
	if !w.natRead || g != w.natGen {
		w.stats.natReads++
		rules, err := w.nat.rules()
		w.natRead, w.natGen, w.natRules, w.natErr = true, g, rules, ""
		if err != nil {
			w.natErr = "NAT rules could not be read: " + sanitize.Line(err.Error())
		}
		w.natLegacy = legacyNAT(w.opts.procRoot())
	}
	if w.natErr != "" {
		warn("nat", w.natErr)
	}
	if w.natLegacy {
		warn("nat-legacy", "NAT rules in legacy iptables (ip_tables) could not be read: published ports forwarded there are not shown")
	}
	return w.natRules
}

// socketUnits lists pid 1's socket units when pid 1 is systemd: on every
// whole-machine poll, and at most every socketsTTL on block polls.
func (w *wrapped) socketUnits(ctx context.Context, f scan.Filter, warn func(string, string)) []SocketUnit {
	if w.pid1 == 0 {
		w.pid1 = -1
		if data, _, err := readProc(w.opts.procRoot() + "/1/comm"); err == nil && string(bytes.TrimSpace(data)) == "systemd" {
			w.pid1 = 1
			if w.sys == nil {
				w.sys = busSystemd{}
			}
		}
	}
	if w.pid1 != 1 {
		return nil
	}
	if w.socketAt.IsZero() || f.All() || time.Since(w.socketAt) > socketsTTL {
		w.stats.busCalls++
		cctx, cancel := context.WithTimeout(ctx, busDeadline)
		units, err := w.sys.Sockets(cctx)
		cancel()
		w.sockets, w.socketAt, w.socketErr = units, time.Now(), ""
		if err != nil {
			w.socketErr = "socket activation unknown: " + sanitize.Line(err.Error())
		}
	}
	if w.socketErr != "" {
		warn("systemd", w.socketErr)
	}
	return w.sockets
}
