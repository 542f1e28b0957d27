package scan

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// maxNetstatRead caps a read of /proc/net/netstat or snmp (about 4 KiB
// and 2 KiB on a 6.x kernel).
const maxNetstatRead = 64 << 10

// errNoClients says who is connected cannot be asked here: the socket
// table is read from text tables, not netlink.
var errNoClients = errors.New("connected clients need netlink sock_diag (the socket table is read from text tables here)")

// clients is Prober.Clients for the Linux scanner: one kernel-filtered
// dump on the host's socket or on the one its tracker keeps for ns.
func (s *linuxScanner) clients(ctx context.Context, ns NetNS, port uint16) (Clients, error) {
	now := s.now()
	m := &s.lastClients
	key := clientsKey{ns.Inode, port}
	if ns.IsHost() {
		key.ns = 0
	}
	if m.ok && now.Sub(m.c.Taken) >= 0 && now.Sub(m.c.Taken) < ClientsDuty*m.took {
		if m.key != key {
			return Clients{}, ErrClientsLater
		}
		return cloneClients(m.c), nil
	}
	src, err := s.sourceFor(ns)
	if err != nil {
		return Clients{}, err
	}
	nl, ok := src.(*netlinkSource)
	if !ok {
		return Clients{}, errNoClients
	}
	// The dump's cost is the CPU time of this thread (the kernel walks
	// its hash in our send and receive calls), not the wall time, which
	// a loaded host inflates.
	runtime.LockOSThread()
	start, wall := threadCPU(), time.Now()
	c, err := nl.clients(ctx, port)
	took := threadCPU() - start
	runtime.UnlockOSThread()
	if start < 0 || took < 0 {
		took = time.Since(wall)
	}
	if err != nil {
		m.ok = false
		return Clients{}, err
	}
	c.Taken = now
	*m = clientsMemo{key: key, c: c, took: took, ok: true}
	return cloneClients(c), nil
}

// threadCPU is the calling thread's CPU time (user and system), -1 if
// unknown.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clientsMemo is the last Clients dump, for spacing them (ClientsDuty).
type clientsMemo struct {
	key  clientsKey
	c    Clients
	took time.Duration
	ok   bool
}

type clientsKey struct {
	ns   uint64 // 0: the host
	port uint16
}

func cloneClients(c Clients) Clients {
	c.Top = slices.Clone(c.Top)
	return c
}

// sourceFor is the table source of ns: the host's for the zero NetNS (or
// the host's own), else the tracker's for it.
func (s *linuxScanner) sourceFor(ns NetNS) (tableSource, error) {
	if ns.IsHost() || ns.Inode == 0 || ns.Inode == s.hostNS {
		return s.src, nil
	}
	if s.ns == nil {
		return nil, fmt.Errorf("network namespace %d is not inspected (host only)", ns.Inode)
	}
	sp := s.ns.spaces[ns.Inode]
	if sp == nil {
		return nil, fmt.Errorf("network namespace %d is gone", ns.Inode)
	}
	src := s.ns.source(sp)
	if src == nil {
		return nil, fmt.Errorf("network namespace %d cannot be inspected", ns.Inode)
	}
	return src, nil
}

// counters is Prober.Counters: ns's /proc/net/netstat and snmp, read as
// ProcRoot/net/… for the host and ProcRoot/PID/net/… through a process in
// another namespace.
func (s *linuxScanner) counters(ctx context.Context, ns NetNS) (Counters, error) {
	dir := s.root + "/net"
	if !(ns.IsHost() || ns.Inode == 0 || ns.Inode == s.hostNS) {
		pid := ns.PID
		if s.ns != nil {
			if sp := s.ns.spaces[ns.Inode]; sp != nil && sp.holder != 0 {
				pid = sp.holder
			}
		}
		if pid <= 0 {
			return Counters{}, fmt.Errorf("network namespace %d: no process in it to read counters through", ns.Inode)
		}
		dir = s.root + "/" + strconv.Itoa(pid) + "/net"
	}
	var c Counters
	found := false
	for _, name := range [...]string{"/netstat", "/snmp"} {
		if err := ctx.Err(); err != nil {
			return Counters{}, err
		}
		b, err := readRegular(dir+name, maxNetstatRead)
		if err != nil {
			return Counters{}, fmt.Errorf("%s%s: %w", dir, name, err)
		}
		found = parseNetstatCounters(b, &c) || found
	}
	if !found {
		return Counters{}, fmt.Errorf("%s/netstat, snmp: no listen or UDP counters", dir)
	}
	return c, nil
}
