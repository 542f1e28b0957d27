//go:build linux

package container

import (
	"context"
	"fmt"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"

	"github.com/portui/portui/internal/sanitize"
)

// busSystemd is Systemd over D-Bus (github.com/coreos/go-systemd/v22/dbus):
// ListUnitsByPatterns for *.socket, then each unit's Listen and Triggers
// properties and the triggered service's ActiveState. Read-only.
type busSystemd struct{}

func (busSystemd) Sockets(ctx context.Context) ([]SocketUnit, error) {
	conn, err := dbus.NewSystemConnectionContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("systemd D-Bus: %w", err)
	}
	defer conn.Close()
	units, err := conn.ListUnitsByPatternsContext(ctx, nil, []string{"*.socket"})
	if err != nil {
		return nil, fmt.Errorf("systemd socket units: %w", err)
	}
	var out []SocketUnit
	for _, u := range units {
		if len(out) >= 1024 {
			break
		}
		su := SocketUnit{Name: sanitize.Line(u.Name)}
		if p, err := conn.GetUnitTypePropertyContext(ctx, u.Name, "Socket", "Listen"); err == nil {
			if ls, ok := p.Value.Value().([][]any); ok {
				for _, l := range ls {
					if len(l) == 2 {
						t, _ := l[0].(string)
						a, _ := l[1].(string)
						su.Listen = append(su.Listen, Listen{Type: sanitize.Line(t), Addr: sanitize.Line(a)})
					}
				}
			}
		}
		if p, err := conn.GetUnitPropertyContext(ctx, u.Name, "Triggers"); err == nil {
			if ts, ok := p.Value.Value().([]string); ok && len(ts) > 0 {
				su.Service = sanitize.Line(ts[0])
			}
		}
		if su.Service != "" && !strings.Contains(su.Service, "@") {
			if p, err := conn.GetUnitPropertyContext(ctx, su.Service, "ActiveState"); err == nil {
				s, _ := p.Value.Value().(string)
				su.Running = s == "active" || s == "reloading" || s == "activating"
			}
		}
		out = append(out, su)
	}
	return out, nil
}
