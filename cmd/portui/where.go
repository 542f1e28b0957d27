package main

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// netnsFilter is --netns: every namespace (the zero value, "all"), the
// host's only, or one namespace by inode, /run/netns name or path.
type netnsFilter struct {
	host  bool
	inode uint64
	name  string // a bind mount's base name ("pdemo")
	path  string // a bind mount's path ("/run/netns/pdemo")
	arg   string // as given, neutralised, for messages
}

// all reports whether f selects every namespace.
func (f netnsFilter) all() bool { return !f.host && f.inode == 0 && f.name == "" && f.path == "" }

// parseNetNS reads --netns: host, all, an inode, a name or an absolute
// path. It checks only the form; whether such a namespace exists is
// known after the scan (check).
func parseNetNS(s string) (netnsFilter, error) {
	t := strings.TrimSpace(s)
	f := netnsFilter{arg: sanitize.Line(t)}
	bad := func(why string) (netnsFilter, error) {
		return netnsFilter{}, fmt.Errorf("bad --netns %q: %s (want host, all, a namespace inode, or a /run/netns name or path)", sanitize.Line(s), why)
	}
	switch low := strings.ToLower(t); {
	case t == "":
		return bad("empty")
	case low == "all":
		return netnsFilter{}, nil
	case low == "host":
		f.host = true
	case allDigits(t):
		n, err := strconv.ParseUint(t, 10, 64)
		if err != nil || n == 0 {
			return bad("not an inode")
		}
		f.inode = n
	case !sanitize.IsClean(t) || strings.ContainsAny(t, " \t"):
		return bad("not a name")
	case strings.HasPrefix(t, "/"):
		f.path = path.Clean(t)
	case strings.Contains(t, "/") || t == "." || t == "..":
		return bad("a path must be absolute")
	default:
		f.name = t
	}
	return f, nil
}

func (f netnsFilter) match(n scan.NetNS) bool {
	switch {
	case f.all():
		return true
	case f.host:
		return n.Host || n.Inode == 0
	case f.inode != 0:
		return n.Inode == f.inode
	case f.path != "":
		return n.Path != "" && path.Clean(n.Path) == f.path
	}
	return n.Path != "" && path.Base(n.Path) == f.name
}

// check fails when f names one namespace and the scan saw none such:
// snap.NetNS lists every namespace inspected.
func (f netnsFilter) check(snap scan.Snapshot) error {
	if f.all() || f.host {
		return nil
	}
	if slices.ContainsFunc(snap.NetNS, f.match) || slices.ContainsFunc(snap.Listeners, func(l scan.Listener) bool { return f.match(l.NetNS) }) {
		return nil
	}
	var seen []string
	for _, n := range snap.NetNS {
		label := audit.NetNSLabel(n)
		if !n.Host && n.Inode != 0 && n.Path != "" {
			label += " (" + strconv.FormatUint(n.Inode, 10) + ")"
		}
		seen = append(seen, label)
	}
	if len(seen) <= 1 {
		return fmt.Errorf("bad --netns %q: no such network namespace (this scan saw only the host's)", f.arg)
	}
	return fmt.Errorf("bad --netns %q: no such network namespace (inspected: %s)", f.arg, strings.Join(seen, ", "))
}

// String names the namespace selected for "No listeners … in netns pdemo."
func (f netnsFilter) String() string {
	switch {
	case f.all():
		return ""
	case f.host:
		return "on the host"
	case f.inode != 0:
		return "in netns " + strconv.FormatUint(f.inode, 10)
	case f.path != "":
		return "in netns " + f.path
	}
	return "in netns " + f.name
}

// parseContainer reads --container: a name, or a prefix of an id.
func parseContainer(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" || !sanitize.IsClean(t) {
		return "", fmt.Errorf("bad --container %q: want a container name or the start of its id", sanitize.Line(s))
	}
	return t, nil
}

// containersOf lists the distinct containers a snapshot names (of its
// listeners, of what host sockets forward to, of its published ports),
// by id, in order of appearance.
func containersOf(snap scan.Snapshot) []*scan.Container {
	var out []*scan.Container
	add := func(c *scan.Container) {
		if c != nil && !slices.ContainsFunc(out, func(o *scan.Container) bool { return o.ID == c.ID && o.Runtime == c.Runtime }) {
			out = append(out, c)
		}
	}
	for _, l := range snap.Listeners {
		add(l.Container)
		if l.Forward != nil {
			add(l.Forward.Container)
		}
		for _, m := range l.Published {
			add(m.Container)
		}
	}
	for _, m := range snap.PortMaps {
		add(m.Container)
	}
	return out
}

// errNoContainer: no container of the snapshot has that name or id
// (a container without listeners is not in a snapshot: not an error).
var errNoContainer = errors.New("no such container")

// resolveContainer finds the one container q names: by name, else by
// id prefix. Two containers that q both starts the id of are a usage
// error naming them.
func resolveContainer(snap scan.Snapshot, q string) (*scan.Container, error) {
	cs := containersOf(snap)
	var byName, byID []*scan.Container
	for _, c := range cs {
		if c.Name == q {
			byName = append(byName, c)
		}
		if strings.HasPrefix(c.ID, q) {
			byID = append(byID, c)
		}
	}
	pick := byName
	if len(pick) == 0 {
		pick = byID
	}
	switch len(pick) {
	case 0:
		return nil, errNoContainer
	case 1:
		return pick[0], nil
	}
	var names []string
	for _, c := range pick {
		id := c.ID
		if len(id) > 12 {
			id = id[:12]
		}
		names = append(names, audit.ContainerLabel(c)+" "+id)
	}
	return nil, fmt.Errorf("bad --container %q: it names %d containers (%s); give more of the id", sanitize.Line(q), len(pick), strings.Join(names, ", "))
}

// sameContainer: a and b are one container.
func sameContainer(a, b *scan.Container) bool {
	return a != nil && b != nil && a.ID == b.ID && a.Runtime == b.Runtime
}

// keepPlace drops the listeners of snap outside --netns and --container
// (a container's listeners and the host sockets that forward to it), and
// the published ports of other containers. Selecting a namespace the
// scan did not see, or an ambiguous id prefix, is a usage error.
func (s selection) keepPlace(snap scan.Snapshot) (scan.Snapshot, error) {
	if err := s.netns.check(snap); err != nil {
		return snap, err
	}
	var c *scan.Container
	if s.container != "" {
		var err error
		c, err = resolveContainer(snap, s.container)
		if err != nil && !errors.Is(err, errNoContainer) {
			return snap, err
		}
		if c == nil {
			snap.Listeners, snap.PortMaps = nil, nil
			return snap, nil
		}
	}
	keep := func(l *scan.Listener) bool {
		return s.netns.match(l.NetNS) &&
			(c == nil || sameContainer(l.Container, c) || (l.Forward != nil && sameContainer(l.Forward.Container, c)))
	}
	// Copy from the first listener left out, if any: --netns host on a
	// host-only scan keeps every one and copies none.
	first := -1
	for i := range snap.Listeners {
		if !keep(&snap.Listeners[i]) {
			first = i
			break
		}
	}
	if first >= 0 {
		out := make([]scan.Listener, first, len(snap.Listeners))
		copy(out, snap.Listeners[:first])
		for i := first + 1; i < len(snap.Listeners); i++ {
			if keep(&snap.Listeners[i]) {
				out = append(out, snap.Listeners[i])
			}
		}
		snap.Listeners = out
	}
	if c != nil {
		maps := snap.PortMaps[:0:0]
		for _, m := range snap.PortMaps {
			if sameContainer(m.Container, c) {
				maps = append(maps, m)
			}
		}
		snap.PortMaps = maps
	}
	return snap, nil
}
