package scan

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// serial makes a backend safe for concurrent use and guarantees that scans
// never overlap: a caller asking for the same filter as the scan in flight
// gets a copy of its result instead of starting another one (so a TUI tick
// that fires while a slow poll runs costs nothing), and a caller with a
// different filter waits its turn. Waiting honours the caller's context.
type serial struct {
	scan  func(ctx context.Context, f Filter) (Snapshot, error)
	close func() error

	sem chan struct{} // held while a scan runs

	mu       sync.Mutex
	inflight *call
	closed   bool
}

type call struct {
	f    Filter
	done chan struct{}
	snap Snapshot
	err  error
}

// ErrClosed is returned by Snapshot after Close.
var ErrClosed = errors.New("scan: scanner is closed")

func newSerial(scan func(context.Context, Filter) (Snapshot, error), closeFn func() error) *serial {
	return &serial{scan: scan, close: closeFn, sem: make(chan struct{}, 1)}
}

func (s *serial) Snapshot(ctx context.Context, f Filter) (Snapshot, error) {
	if err := f.Validate(); err != nil {
		return Snapshot{}, err
	}
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Snapshot{}, ErrClosed
		}
		c := s.inflight
		s.mu.Unlock()
		if c == nil || c.f != f {
			break
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		}
		if c.err != nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			continue // the other caller gave up; ours may still want a result
		}
		return cloneSnapshot(c.snap), c.err
	}

	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return Snapshot{}, ctx.Err()
	}
	defer func() { <-s.sem }()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Snapshot{}, ErrClosed
	}
	c := &call{f: f, done: make(chan struct{})}
	s.inflight = c
	s.mu.Unlock()

	c.snap, c.err = s.scan(ctx, f)

	s.mu.Lock()
	s.inflight = nil
	s.mu.Unlock()
	close(c.done)
	return c.snap, c.err
}

// Close waits for a running scan, then releases the backend. Later calls to
// Snapshot return ErrClosed.
func (s *serial) Close() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if s.close != nil {
		return s.close()
	}
	return nil
}

// cloneSnapshot copies the slices so callers that share a result can sort
// or edit their copy freely.
func cloneSnapshot(s Snapshot) Snapshot {
	s.Listeners = slices.Clone(s.Listeners)
	for i := range s.Listeners {
		s.Listeners[i].Procs = slices.Clone(s.Listeners[i].Procs)
	}
	s.Warnings = slices.Clone(s.Warnings)
	s.NetNS = slices.Clone(s.NetNS)
	s.PortMaps = slices.Clone(s.PortMaps)
	return s
}

// acquire waits for the scanner to be free (no scan running), honouring
// ctx; release gives it back.
func (s *serial) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		<-s.sem
		return nil, ErrClosed
	}
	return func() { <-s.sem }, nil
}

// serialProber is serial for a backend that is also a Prober: its probes
// take turns with the scans (they share the backend's sockets).
type serialProber struct {
	*serial
	clients  func(ctx context.Context, ns NetNS, port uint16) (Clients, error)
	counters func(ctx context.Context, ns NetNS) (Counters, error)
}

// Clients implements Prober, after any scan in flight.
func (s *serialProber) Clients(ctx context.Context, ns NetNS, port uint16) (Clients, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return Clients{}, err
	}
	defer release()
	return s.clients(ctx, ns, port)
}

// Counters implements Prober, after any scan in flight.
func (s *serialProber) Counters(ctx context.Context, ns NetNS) (Counters, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return Counters{}, err
	}
	defer release()
	return s.counters(ctx, ns)
}
