package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/registry"
)

// summary is what y copies: the selected port as plain text, with a
// command to check it by hand.
func (m *Model) summary() string {
	var b strings.Builder
	p := m.sel
	fmt.Fprintf(&b, "port %d: %s (tcp %s, udp %s)\n", p, m.reg.Status(p, registry.Combined),
		m.reg.Status(p, registry.TCPOnly), m.reg.Status(p, registry.UDPOnly))
	fmt.Fprintf(&b, "run: %s\n", m.reg.RunAt(p, registry.Combined))
	c := registry.ClassOf(p)
	fmt.Fprintf(&b, "range: %s %d-%d: %s\n", c.Title, c.Lo, c.Hi, c.Explain)
	for _, r := range m.detail.records {
		name := r.Name
		if name == "" {
			name = r.Description
		}
		proto := r.Proto
		if proto == "" {
			proto = "all"
		}
		fmt.Fprintf(&b, "registry: %s/%s %s", name, proto, r.Ports())
		if r.Name != "" && r.Description != "" {
			fmt.Fprintf(&b, " — %s", r.Description)
		}
		for _, n := range r.RFCs {
			fmt.Fprintf(&b, " %s", registry.RFCURL(n))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "IANA registry of %s\n", m.reg.Updated)
	switch {
	case m.cfg.Scanner == nil:
		fmt.Fprintf(&b, "listening: unknown (%s)\n", m.unavailable())
	case !m.polled:
		b.WriteString("listening: not yet scanned\n")
	default:
		ls := m.annAt(p)
		if len(ls) == 0 {
			fmt.Fprintf(&b, "listening (%s): nothing\n", m.snap.Taken.In(m.loc).Format("2006-01-02 15:04:05"))
		}
		for i := range ls {
			l := &ls[i]
			fmt.Fprintf(&b, "listening: %s %s %s", l.Proto, l.Endpoint(), l.Scope)
			for _, pr := range l.Procs {
				fmt.Fprintf(&b, " pid %d %s", pr.PID, pr.Name)
			}
			if l.PrivateUse {
				b.WriteString(" (private use)")
			}
			if pl := placeLabel(&l.Listener, m.paths, m.sty.G); pl != "" {
				b.WriteString(" in " + pl)
			}
			if l.Forward != nil {
				b.WriteString(" published -> " + portMapTarget(l.Forward, m.sty.G))
			}
			for _, pm := range l.Published {
				fmt.Fprintf(&b, " published on %s (%s)", pm.Host, pm.Via)
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "check: ss -tulnp 'sport = :%d'\n", p)
	m.netnsChecks(&b, p)
	return b.String()
}

// netnsChecks adds, for each other network namespace a listener on port
// p lives in, the command that checks it there by hand.
func (m *Model) netnsChecks(b *strings.Builder, p int) {
	ls := m.annAt(p)
	var done []uint64
	for i := range ls {
		n := ls[i].NetNS
		if ls[i].Listener.NetNS.IsHost() || slices.Contains(done, n.Inode) {
			continue
		}
		done = append(done, n.Inode)
		path := n.Path
		if path == "" {
			path = m.paths[n.Inode]
		}
		if path == "" && n.PID > 0 {
			path = "/proc/" + strconv.Itoa(n.PID) + "/ns/net"
		}
		if path == "" {
			continue
		}
		fmt.Fprintf(b, "check in %s: nsenter --net=%s ss -tulnp 'sport = :%d'\n", netnsLabel(n, m.paths), path, p)
	}
}
