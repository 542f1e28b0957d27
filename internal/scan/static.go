package scan

import "context"

// Static returns a Scanner that always reports s, filtered: for tests of
// packages that show listeners. Listeners are re-sorted; Taken is kept.
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
func Func(fn func(ctx context.Context, f Filter) (Snapshot, error)) Scanner {
	return newSerial(fn, nil)
}

func cloneListener(l Listener) Listener {
	l.Procs = append([]Process(nil), l.Procs...)
	return l
}
