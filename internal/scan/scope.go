package scan

import (
	"fmt"
	"net/netip"
)

// Scope says which addresses a listener accepts connections on.
type Scope int

// Bind scopes, from most to least restrictive.
const (
	ScopeLoopback  Scope = iota // 127.0.0.0/8, ::1 or bound to the loopback device: this machine only
	ScopeSpecific               // one non-loopback address
	ScopeInterface              // any address, but only on one (non-loopback) device: SO_BINDTODEVICE
	ScopeAll                    // 0.0.0.0 or ::: every address
)

// String returns "loopback", "address", "interface" or "all".
func (s Scope) String() string {
	switch s {
	case ScopeLoopback:
		return "loopback"
	case ScopeSpecific:
		return "address"
	case ScopeInterface:
		return "interface"
	case ScopeAll:
		return "all"
	}
	return "unknown"
}

// MarshalText lets JSON output carry the scope's name instead of a number.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ScopeOf classifies a local address.
func ScopeOf(a netip.Addr) Scope {
	a = a.Unmap()
	switch {
	case a.IsUnspecified():
		return ScopeAll
	case a.IsLoopback():
		return ScopeLoopback
	}
	return ScopeSpecific
}

// UnmarshalText accepts the names String returns.
func (s *Scope) UnmarshalText(b []byte) error {
	switch string(b) {
	case "loopback":
		*s = ScopeLoopback
	case "address":
		*s = ScopeSpecific
	case "interface":
		*s = ScopeInterface
	case "all":
		*s = ScopeAll
	default:
		return fmt.Errorf("scan: unknown scope %q", b)
	}
	return nil
}
