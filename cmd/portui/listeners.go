package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// newScanner is replaced in tests by a fixed snapshot.
var newScanner = func() (scan.Scanner, error) { return scan.New(scan.Options{}) }

func (a *app) snapshot(ctx context.Context, f scan.Filter) (scan.Snapshot, error) {
	s, err := newScanner()
	if err != nil {
		return scan.Snapshot{}, err
	}
	defer s.Close()
	return s.Snapshot(ctx, f)
}

// listenerJSON is one listener of `portui listeners --json` (docs/json.md).
type listenerJSON struct {
	Proto     string        `json:"proto"`
	Address   string        `json:"address"`
	Port      int           `json:"port"`
	Scope     string        `json:"scope"`
	DualStack bool          `json:"dual_stack,omitempty"`
	UID       int           `json:"uid"`
	User      string        `json:"user,omitempty"`
	Inode     uint64        `json:"inode,omitempty"`
	Processes []processJSON `json:"processes"`
	Hidden    string        `json:"hidden,omitempty"`
	Service   string        `json:"service,omitempty"`
	Status    string        `json:"status"`
	Private   bool          `json:"private_use"`
}

type processJSON struct {
	PID     int    `json:"pid"`
	Name    string `json:"name"`
	Cmdline string `json:"cmdline,omitempty"`
	UID     int    `json:"uid"`
	User    string `json:"user,omitempty"`
}

func toListenerJSON(reg *registry.Registry, l scan.Listener) listenerJSON {
	view, _ := registry.ViewOf(l.Proto)
	st := reg.Status(int(l.Port), view)
	out := listenerJSON{
		Proto: l.Proto, Address: l.Addr.String(), Port: int(l.Port), Scope: l.Scope.String(),
		DualStack: l.DualStack, UID: l.UID, User: l.User, Inode: l.Inode, Hidden: l.Hidden,
		Service: audit.ServiceName(reg, int(l.Port), l.Proto), Status: st.String(), Private: st.PrivateUse(),
		Processes: []processJSON{},
	}
	for _, p := range l.Procs {
		out.Processes = append(out.Processes, processJSON{PID: p.PID, Name: p.Name, Cmdline: p.Cmdline, UID: p.UID, User: p.User})
	}
	return out
}

func (a *app) listenersCmd() *cobra.Command {
	var (
		portArg, proto string
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:     "listeners",
		Short:   "What listens on this machine, like `ss -tulnp`, with each port's IANA service and status",
		Example: "  portui listeners\n  portui listeners --port 0-1023 --proto tcp\n  portui listeners --json",
		Args:    exactArgs(0, "no arguments (use --port)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := listenerFilter(portArg, proto)
			if err != nil {
				return usageErr(err)
			}
			reg, info, err := a.registry()
			if err != nil {
				return err
			}
			snap, err := a.snapshot(cmd.Context(), f)
			if err != nil {
				return err
			}
			for _, w := range snap.Warnings {
				fmt.Fprintln(a.stderr, "portui: warning: "+w)
			}
			if asJSON {
				res := struct {
					Schema    string         `json:"schema"`
					Taken     string         `json:"taken"`
					Source    string         `json:"source"`
					Registry  registryJSON   `json:"registry"`
					Listeners []listenerJSON `json:"listeners"`
					Warnings  []string       `json:"warnings,omitempty"`
				}{Schema: "portui.listeners/v1", Taken: snap.Taken.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
					Source: snap.Source, Registry: registryInfoJSON(info), Listeners: []listenerJSON{}, Warnings: snap.Warnings}
				for _, l := range snap.Listeners {
					res.Listeners = append(res.Listeners, toListenerJSON(reg, l))
				}
				return writeJSON(a.stdout, res)
			}
			printListeners(colorWriter(a.stdout), reg, snap, newTextStyles())
			return nil
		},
	}
	cmd.Flags().StringVar(&portArg, "port", "", "only this port or range LOW-HIGH")
	cmd.Flags().StringVar(&proto, "proto", "", "only tcp or udp")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (schema portui.listeners/v1, see docs/json.md)")
	return cmd
}

func listenerFilter(portArg, proto string) (scan.Filter, error) {
	p, err := parseProtoFlag(proto, "tcp", "udp")
	if err != nil {
		return scan.Filter{}, err
	}
	f := scan.Filter{Proto: p}
	if portArg != "" {
		r, ok, err := parsePortArg(portArg)
		if err != nil {
			return f, fmt.Errorf("bad --port: %w", err)
		}
		if !ok {
			return f, fmt.Errorf("bad --port %q: want a port or a range LOW-HIGH", portArg)
		}
		if r.lo == 0 && r.hi == 0 {
			r.hi = 0 // port 0 alone: Filter's 0,0 means "all", so nothing can match it anyway
		}
		f.Lo, f.Hi = uint16(r.lo), uint16(r.hi)
	}
	return f, nil
}

func printListeners(w io.Writer, reg *registry.Registry, snap scan.Snapshot, st textStyles) {
	if len(snap.Listeners) == 0 {
		fmt.Fprintln(w, st.dim.Render("No listeners."))
		return
	}
	rows := [][]string{{"PROTO", "LOCAL ADDRESS", "SCOPE", "SERVICE", "STATUS", "PID/PROCESS", "USER"}}
	for _, l := range snap.Listeners {
		j := toListenerJSON(reg, l)
		status := j.Status
		if j.Private {
			status += " · private use"
		}
		rows = append(rows, []string{l.Proto, addrPort(l), scopeLabel(l), j.Service, status, procLabel(l), userLabel(l)})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for i, r := range rows {
		var b strings.Builder
		for c, cell := range r {
			text := cell
			switch {
			case i == 0:
				text = st.label.Render(cell)
			case c == 4:
				text = st.st(strings.SplitN(cell, " ", 2)[0]) + strings.TrimPrefix(cell, strings.SplitN(cell, " ", 2)[0])
			}
			b.WriteString(text)
			if c < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[c]-len([]rune(cell))+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	hidden := 0
	for _, l := range snap.Listeners {
		if len(l.Procs) == 0 {
			hidden++
		}
	}
	if hidden > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, st.dim.Render(fmt.Sprintf("%d listener(s) without a visible process: %s", hidden, firstHidden(snap))))
	}
}

func firstHidden(snap scan.Snapshot) string {
	for _, l := range snap.Listeners {
		if len(l.Procs) == 0 {
			return l.Hidden
		}
	}
	return ""
}

func addrPort(l scan.Listener) string {
	return netip.AddrPortFrom(l.Addr, l.Port).String()
}

func scopeLabel(l scan.Listener) string {
	s := l.Scope.String()
	if l.DualStack {
		s += " (v4+v6)"
	}
	return s
}

func procLabel(l scan.Listener) string {
	if len(l.Procs) == 0 {
		return "-"
	}
	var parts []string
	for _, p := range l.Procs {
		parts = append(parts, strconv.Itoa(p.PID)+"/"+p.Name)
	}
	return strings.Join(parts, ",")
}

func userLabel(l scan.Listener) string {
	if l.User != "" {
		return l.User
	}
	if l.UID >= 0 {
		return "uid " + strconv.Itoa(l.UID)
	}
	return "-"
}
