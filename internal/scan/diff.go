package scan

// Diff returns the listeners of next that are not in prev (appeared) and
// those of prev that are not in next (vanished), matched by Key, each in
// snapshot order. A listener whose processes changed is neither.
func Diff(prev, next Snapshot) (appeared, vanished []Listener) {
	before := make(map[string]struct{}, len(prev.Listeners))
	for _, l := range prev.Listeners {
		before[l.Key()] = struct{}{}
	}
	after := make(map[string]struct{}, len(next.Listeners))
	for _, l := range next.Listeners {
		k := l.Key()
		after[k] = struct{}{}
		if _, ok := before[k]; !ok {
			appeared = append(appeared, l)
		}
	}
	for _, l := range prev.Listeners {
		if _, ok := after[l.Key()]; !ok {
			vanished = append(vanished, l)
		}
	}
	return appeared, vanished
}
