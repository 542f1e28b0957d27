package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/container"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// newScanner is replaced in tests by a fixed snapshot.
//
// PORTUI_OWNERS=bpf|procfs forces how owners are found (scan.Options.Owners),
// for comparing the two paths (bench/, parity tests); unset, the BPF
// iterator is used where the kernel allows it.
var newScanner = func(opts scan.Options) (scan.Scanner, error) {
	if v, ok := os.LookupEnv("PORTUI_OWNERS"); ok && opts.Owners == "" {
		if v != "bpf" && v != "procfs" {
			return nil, fmt.Errorf("PORTUI_OWNERS=%s: want bpf or procfs", sanitize.Line(v))
		}
		opts.Owners = v
	}
	s, err := scan.New(opts)
	if err != nil {
		return nil, err
	}
	return container.Wrap(s, container.Options{}), nil
}

// selection is what `listeners` and `audit` ask the scanner for, in the
// CLI's own terms: ports is nil for every port, else an exact range
// (port 0 included: it selects port 0, never "everything").
//
// netns and container select where listeners live (--netns, --container;
// the zero values select everything). The scanner is asked for every
// namespace and the selection is applied to its snapshot (keepPlace):
// cheap, since a namespace is dumped with the same port filter; --netns
// host asks for the host's alone (scan.Options.HostOnly) and spares
// entering the others.
// wholeTargets asks for a second, whole-machine snapshot when a port
// range was asked for and a published port in it seems to reach no
// listener: the listener behind it may be on a port outside the range
// (the audit's published-dangling must not be a mistake of its filter).
type selection struct {
	proto        string
	ports        *portRange
	netns        netnsFilter
	container    string
	wholeTargets bool
}

// filter is the scan.Filter that covers s. scan.Filter reads Lo=Hi=0 as
// "all ports", so a range ending at 0 is widened to 0-1 and cut back by
// keep: nothing listens on port 0, and --port 0 must show exactly that.
func (s selection) filter() scan.Filter {
	f := scan.Filter{Proto: s.proto}
	if s.ports != nil {
		f.Lo, f.Hi = uint16(s.ports.lo), uint16(max(s.ports.hi, 1))
	}
	return f
}

// keep drops the listeners of snap outside s (the scanner's filter may
// cover more, see filter).
func (s selection) keep(snap scan.Snapshot) scan.Snapshot {
	if s.proto == "" && s.ports == nil {
		return snap // everything: no copy of every listener
	}
	out := make([]scan.Listener, 0, len(snap.Listeners))
	for _, l := range snap.Listeners {
		if (s.proto == "" || l.Proto == s.proto) && (s.ports == nil || (int(l.Port) >= s.ports.lo && int(l.Port) <= s.ports.hi)) {
			out = append(out, l)
		}
	}
	snap.Listeners = out
	return snap
}

// String names the selection for "No listeners on port 5 (tcp)."; "" for
// everything.
func (s selection) String() string {
	where := s.portsString()
	if n := s.netns.String(); n != "" {
		where = strings.TrimSpace(where + " " + n)
	}
	if s.container != "" {
		where = strings.TrimSpace(where + " in container " + sanitize.Line(s.container))
	}
	return where
}

func (s selection) portsString() string {
	where := ""
	switch {
	case s.ports == nil:
	case s.ports.lo == s.ports.hi:
		where = fmt.Sprintf("on port %d", s.ports.lo)
	default:
		where = fmt.Sprintf("on ports %s", s.ports)
	}
	if s.proto != "" {
		where = strings.TrimSpace(where + " (" + s.proto + ")")
	}
	return where
}

// scanDoc scans what s selects for a document in format f and returns the
// snapshot with the registry to annotate it with, and that registry as the
// document names it; each command annotates the snapshot once, as much as
// it shows (listeners: audit.Describe; audit and export: Judge.Annotate,
// with the rules). The scanner's
// warnings (neutralised by the scanner) go to stderr, one line each,
// when f is text; JSON carries them in the document.
func (a *app) scanDoc(ctx context.Context, s selection, f report.Format) (scan.Snapshot, *registry.Registry, report.Registry, error) {
	reg, info, err := a.registry()
	if err != nil {
		return scan.Snapshot{}, nil, report.Registry{}, err
	}
	sc, err := newScanner(scan.Options{HostOnly: s.netns.host})
	if err != nil {
		return scan.Snapshot{}, nil, report.Registry{}, err
	}
	defer sc.Close()
	snap, err := sc.Snapshot(ctx, s.filter())
	if err != nil {
		return scan.Snapshot{}, nil, report.Registry{}, err
	}
	if s.wholeTargets && !s.filter().All() && unresolvedTargets(snap) {
		if snap, err = sc.Snapshot(ctx, scan.Filter{Proto: s.proto}); err != nil {
			return scan.Snapshot{}, nil, report.Registry{}, err
		}
	}
	snap = s.keep(snap)
	if snap, err = s.keepPlace(snap); err != nil {
		return scan.Snapshot{}, nil, report.Registry{}, usageErr(err)
	}
	if f.Name == "text" {
		for _, w := range snap.Warnings {
			_, _ = fmt.Fprintln(a.stderr, "portui: warning: "+w)
		}
	}
	return snap, reg, report.RegistryOf(info), nil
}

// unresolvedTargets: a published port of snap, or a host socket held for
// one, reaches no listener that snap shows.
func unresolvedTargets(snap scan.Snapshot) bool {
	for _, m := range snap.PortMaps {
		if m.TargetNetNS == 0 {
			return true
		}
	}
	for _, l := range snap.Listeners {
		if l.Forward != nil && l.Forward.TargetNetNS == 0 {
			return true
		}
	}
	return false
}

func (a *app) listenersCmd() *cobra.Command {
	var portArg, proto, netnsArg, containerArg string
	var watchOn bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "listeners",
		Short: "What listens on this machine, like `ss -tulnp`, with each port's IANA service and status",
		Long: "List the listening TCP sockets and bound UDP sockets of this machine with the processes " +
			"that hold them, like `ss -tulnp`, and for each its port's IANA service and status for its " +
			"own transport. Addresses show as ss shows them: 0.0.0.0%eth0:444 for a socket bound to one device, *:8080 for :: that also accepts IPv4.\n\n" +
			"Listeners in every network namespace are listed: the host's, containers' (Docker, Podman, " +
			"Kubernetes, LXC) and `ip netns` ones. A column WHERE then says where each lives (\"web1 (podman)\", " +
			"\"netns pdemo\", a systemd unit such as \"nginx.service\", \"host\"), and a line under a row links " +
			"a published port both ways (\"published 127.0.0.1:8088 (nat)\" under the container's listener, " +
			"\"published → web1 (podman) 10.88.0.5:80 (conmon)\" under the host socket that holds it) or says " +
			"what pid 1 activates. --netns and --container select by where.\n\n" +
			"When nothing listens on the ports asked for, the text says \"No listeners\" and the exit " +
			"status is still 0; with --json, \"listeners\" is then an empty list, never missing.\n\n" +
			"--watch keeps polling every --interval until interrupted and prints one line per listener " +
			"that appeared or vanished (\"+ tcp 127.0.0.1:8080 python3 (pid 5)\"; with --json one object a " +
			"line: {\"ts\",\"event\":\"appeared\"|\"vanished\",\"listener\"}, see docs/json.md). The first " +
			"poll's listeners come as appeared; a listener is one socket (a socket reopened on the same port " +
			"is a new one; other processes taking over the same socket are no event). SIGINT or SIGTERM ends " +
			"it with exit 0.",
		Example: "  portui listeners\n  portui listeners --port 0-1023 --proto tcp\n  portui listeners --netns host\n" +
			"  portui listeners --container web1\n  portui listeners --json\n" +
			"  portui listeners --watch --json --interval 5s | jq -c 'select(.event == \"appeared\")'",
		Args: exactArgs(0, "no arguments (use --port)"),
	}
	out := addOutputFlags(cmd, report.SchemaListeners)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		sel, err := listenerSelection(portArg, proto)
		if err != nil {
			return usageErr(err)
		}
		if sel.netns, err = parseNetNS(netnsArg); err != nil {
			return usageErr(err)
		}
		if cmd.Flags().Changed("container") {
			if sel.container, err = parseContainer(containerArg); err != nil {
				return usageErr(err)
			}
		}
		f, err := out.selected(cmd)
		if err != nil {
			return err
		}
		if cmd.Flags().Changed("interval") && !watchOn {
			return usageErr(errors.New("--interval is for --watch"))
		}
		if watchOn {
			if f.Name != "text" && f.Name != "json" {
				return usageErr(errWatchFormat)
			}
			if interval < minWatchInterval {
				return usageErr(fmt.Errorf("bad --interval %s: at least %s", interval, minWatchInterval))
			}
			return a.watch(cmd.Context(), sel, f.Name == "json", interval)
		}
		snap, reg, info, err := a.scanDoc(cmd.Context(), sel, f)
		if err != nil {
			return err
		}
		// The listing shows no finding: Describe, not Annotate.
		return a.emit(f, report.NewListeners(snap, audit.Describe(reg, snap), info, sel.String()))
	}
	cmd.Flags().StringVar(&portArg, "port", "", "only this port or range LOW-HIGH (0 selects port 0: nothing can listen there)")
	cmd.Flags().StringVar(&proto, "proto", "", "only tcp or udp")
	cmd.Flags().StringVar(&netnsArg, "netns", "all", "only this network namespace: host, all, an inode, or a /run/netns name or path")
	cmd.Flags().BoolVar(&watchOn, "watch", false, "keep polling and print one line per listener that appeared or vanished, until interrupted")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "with --watch: how often to poll (at least 100ms; a slow poll delays the next)")
	cmd.Flags().StringVar(&containerArg, "container", "", "only the listeners of this container (a name, or the start of its id) and the host sockets that forward to it")
	return cmd
}

func listenerSelection(portArg, proto string) (selection, error) {
	p, err := parseProtoFlag(proto, "tcp", "udp")
	if err != nil {
		return selection{}, err
	}
	s := selection{proto: p}
	if portArg != "" {
		r, ok, err := parsePortArg(portArg)
		if err != nil {
			return s, fmt.Errorf("bad --port: %w", err)
		}
		if !ok {
			return s, fmt.Errorf("bad --port %q: want a port or a range LOW-HIGH", portArg)
		}
		s.ports = &r
	}
	return s, nil
}
