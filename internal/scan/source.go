package scan

import "context"

// tableSource lists listening sockets, without owners.
type tableSource interface {
	name() string // Snapshot.Source
	listeners(ctx context.Context, f Filter) ([]sockEntry, []string, error)
	close() error
}
