package scan

import "context"

// tableSource lists listening sockets, without owners.
type tableSource interface {
	name() string // Snapshot.Source
	listeners(ctx context.Context, f Filter) ([]sockEntry, []string, error)
	close() error
}

// slotSource lists some of the four tables only (tcp, udp, tcp6, udp6).
type slotSource interface {
	tableSource
	listSlots(ctx context.Context, f Filter, slots uint8) ([]sockEntry, []string, error)
}

// allSlots selects every table; slotOf is a table's bit, in the order of
// sockCounts: TCP, UDP, TCP6, UDP6.
const allSlots = 0xf

func slotOf(proto string, v6 bool) uint {
	i := uint(0)
	if proto == "udp" {
		i = 1
	}
	if v6 {
		i += 2
	}
	return i
}
