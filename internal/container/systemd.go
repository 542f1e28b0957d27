package container

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
)

// SocketUnit is one systemd .socket unit as socket activation needs it.
type SocketUnit struct {
	Name    string   // "ssh.socket"
	Listen  []Listen // what it listens on
	Service string   // the unit it triggers ("ssh.service")
	Running bool     // that service is active now
}

// Listen is one entry of a socket unit's Listen property: Type as systemd
// says it ("Stream", "Datagram", "SequentialPacket", "FIFO", ...) and the
// address ("0.0.0.0:22", "[::]:22", "22", "/run/x.sock").
type Listen struct {
	Type string
	Addr string
}

// Systemd lists the socket units of pid 1, read-only. The real one talks
// to systemd over D-Bus; tests give a fake.
type Systemd interface {
	Sockets(ctx context.Context) ([]SocketUnit, error)
}

// listenMatches reports whether a socket unit's Listen entry is the
// socket proto addr:port.
func listenMatches(l Listen, proto string, addr netip.Addr, port uint16) bool {
	switch {
	case proto == "tcp" && l.Type == "Stream":
	case proto == "udp" && l.Type == "Datagram":
	default:
		return false
	}
	if n, err := strconv.ParseUint(l.Addr, 10, 16); err == nil {
		return uint16(n) == port // a bare port: every address
	}
	ap, err := netip.ParseAddrPort(l.Addr)
	if err != nil {
		// "[::]:22" parses; "0.0.0.0:22" parses; "host:22" does not
		i := strings.LastIndexByte(l.Addr, ':')
		if i < 0 {
			return false
		}
		n, err := strconv.ParseUint(l.Addr[i+1:], 10, 16)
		return err == nil && uint16(n) == port
	}
	a := ap.Addr().Unmap()
	return ap.Port() == port && (a == addr || (a.IsUnspecified() && addr.IsUnspecified()))
}

// activation finds the socket unit of a socket held by pid 1.
func activation(units []SocketUnit, proto string, addr netip.Addr, port uint16) (SocketUnit, bool) {
	for _, u := range units {
		for _, l := range u.Listen {
			if listenMatches(l, proto, addr, port) {
				return u, true
			}
		}
	}
	return SocketUnit{}, false
}
