package scan

import (
	"context"
	"slices"

	"github.com/portui/portui/internal/sanitize"
)

// Static returns a Scanner that always reports s, filtered: for tests of
// packages that show listeners. Listeners are re-sorted; Taken is kept.
// Like every Scanner it reports neutralised text (see Func).
func Static(s Snapshot) Scanner {
	s = cloneSnapshot(s)
	SortListeners(s.Listeners)
	return Func(func(_ context.Context, f Filter) (Snapshot, error) {
		out := s
		out.Warnings = append([]string(nil), s.Warnings...)
		out.Listeners = nil
		for _, l := range s.Listeners {
			if f.Match(l.Proto, l.Port) {
				out.Listeners = append(out.Listeners, cloneListener(l))
			}
		}
		return out, nil
	})
}

// Func adapts a function to a Scanner, with the same no-overlap guarantee
// as the real scanners: for fakes whose answer changes between calls.
// What fn reports is neutralised as the real backends neutralise what they
// read (sanitize.Line on every string), so that a fake honours the
// contract the output layers rely on: a Snapshot holds no control byte.
func Func(fn func(ctx context.Context, f Filter) (Snapshot, error)) Scanner {
	return newSerial(func(ctx context.Context, f Filter) (Snapshot, error) {
		s, err := fn(ctx, f)
		s = cloneSnapshot(s) // the fake may keep and reuse what it returned
		neutralise(&s)
		return s, err
	}, nil)
}

// neutralise applies sanitize.Line to every string of s, in place.
func neutralise(s *Snapshot) {
	s.Source, s.Owners = sanitize.Line(s.Source), sanitize.Line(s.Owners)
	sanitize.Lines(s.Warnings)
	for i := range s.Listeners {
		l := &s.Listeners[i]
		l.Iface, l.User, l.Hidden = sanitize.Line(l.Iface), sanitize.Line(l.User), sanitize.Line(l.Hidden)
		for j := range l.Procs {
			p := &l.Procs[j]
			p.Name, p.Cmdline, p.User = sanitize.Line(p.Name), sanitize.Line(p.Cmdline), sanitize.Line(p.User)
			p.Args = sanitize.Lines(slices.Clone(p.Args))
			p.Cgroup, p.Unit = sanitize.Line(p.Cgroup), sanitize.Line(p.Unit)
			p.Container = neutralContainer(p.Container)
		}
		l.NetNS.Path, l.Cgroup, l.Unit = sanitize.Line(l.NetNS.Path), sanitize.Line(l.Cgroup), sanitize.Line(l.Unit)
		l.Container = neutralContainer(l.Container)
		l.Published = slices.Clone(l.Published)
		for j := range l.Published {
			neutralPortMap(&l.Published[j])
		}
		if l.Forward != nil {
			f := *l.Forward
			neutralPortMap(&f)
			l.Forward = &f
		}
		if a := l.Activation; a != nil {
			l.Activation = &Activation{Socket: sanitize.Line(a.Socket), Service: sanitize.Line(a.Service), Running: a.Running}
		}
	}
	for i := range s.NetNS {
		s.NetNS[i].Path = sanitize.Line(s.NetNS[i].Path)
	}
	for i := range s.PortMaps {
		neutralPortMap(&s.PortMaps[i])
	}
}

// neutralContainer returns a neutralised copy (a fake may share c).
func neutralContainer(c *Container) *Container {
	if c == nil {
		return nil
	}
	return &Container{Runtime: sanitize.Line(c.Runtime), ID: sanitize.Line(c.ID), Name: sanitize.Line(c.Name), Pod: sanitize.Line(c.Pod)}
}

func neutralPortMap(m *PortMap) {
	m.Proto, m.Via = sanitize.Line(m.Proto), sanitize.Line(m.Via)
	m.Container = neutralContainer(m.Container)
}

func cloneListener(l Listener) Listener {
	l.Procs = append([]Process(nil), l.Procs...)
	return l
}
