//go:build linux || (windows && amd64)

package scan

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"

	netstat "github.com/cakturk/go-netstat/netstat"

	"github.com/portui/portui/internal/sanitize"
)

// NewNetstat returns the go-netstat backend. It is the scanner on platforms
// without the fast path and the oracle the Linux tests compare against. On
// Linux it reads the real /proc whatever ProcRoot says, walks every fd of
// every process for each of its four tables, reports one process per socket
// and no inode, and fails a table on one malformed line.
func NewNetstat(opts Options) (Scanner, error) {
	_ = opts
	n := &netstatScanner{}
	return newSerial(n.snapshot, nil), nil
}

type netstatScanner struct {
	users userNames
}

func (n *netstatScanner) snapshot(ctx context.Context, f Filter) (Snapshot, error) {
	snap := Snapshot{Source: "netstat", Owners: "netstat"}
	type table struct {
		proto string
		v6    bool
		get   func(netstat.AcceptFn) ([]netstat.SockTabEntry, error)
	}
	for _, t := range []table{
		{"tcp", false, netstat.TCPSocks}, {"tcp", true, netstat.TCP6Socks},
		{"udp", false, netstat.UDPSocks}, {"udp", true, netstat.UDP6Socks},
	} {
		if !f.wants(t.proto) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Snapshot{}, err
		}
		want := netstat.SkState(netstat.Listen)
		if t.proto == "udp" {
			want = netstat.SkState(netstat.Close)
		}
		rows, err := t.get(func(e *netstat.SockTabEntry) bool {
			return e.State == want && e.LocalAddr != nil && f.Match(t.proto, e.LocalAddr.Port)
		})
		if err != nil {
			name := t.proto
			if t.v6 {
				name += "6"
			}
			// One table failing (go-netstat gives up on a whole table for
			// one bad line, or the OS lacks IPv6) should not hide the rest.
			// Its error may quote the bad line: outside text.
			snap.Warnings = append(snap.Warnings, sanitize.Line(fmt.Sprintf("go-netstat %s: %v", name, err)))
			continue
		}
		for _, r := range rows {
			snap.Listeners = append(snap.Listeners, n.listener(t.proto, r))
		}
	}
	snap.Taken = timeNow()
	SortListeners(snap.Listeners)
	return snap, nil
}

func (n *netstatScanner) listener(proto string, r netstat.SockTabEntry) Listener {
	addr, _ := netip.AddrFromSlice(r.LocalAddr.IP)
	addr = addr.Unmap()
	l := Listener{
		Proto: proto,
		Addr:  addr,
		Port:  r.LocalAddr.Port,
		Scope: ScopeOf(addr),
		UID:   int(r.UID),
	}
	if runtime.GOOS == "windows" {
		l.UID = -1 // the Windows tables carry no owner
	} else {
		l.User = n.users.name(l.UID)
	}
	if r.Process != nil && r.Process.Pid > 0 {
		l.Procs = []Process{{PID: r.Process.Pid, Name: sanitize.Line(r.Process.Name), UID: -1}}
	} else {
		l.Hidden = "owner " + ownerLabel(l.UID, l.User) + " · go-netstat found no process"
	}
	return l
}
