package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

func (a *app) auditCmd() *cobra.Command {
	var (
		rangeArg string
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Listeners worth a look: private use, exposed system ports, unexpected services",
		Long: "Report listeners on ports IANA has not assigned (private use), system ports\n" +
			"bound to all addresses, and registered ports held by a process that is not the\n" +
			"registered service (e.g. 22 without sshd).\n\n" +
			"Exit status: 0 nothing found, 1 findings, 2 error; fit for cron and CI.",
		Example: "  portui audit\n  portui audit --range all --json",
		Args:    exactArgs(0, "no arguments (use --range)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			lo, hi, err := auditRange(rangeArg)
			if err != nil {
				return usageErr(err)
			}
			reg, info, err := a.registry()
			if err != nil {
				return err
			}
			snap, err := a.snapshot(cmd.Context(), scan.Filter{Lo: uint16(lo), Hi: uint16(hi)})
			if err != nil {
				return err
			}
			findings := audit.Check(reg, snap, lo, hi)
			if asJSON {
				res := struct {
					Schema    string        `json:"schema"`
					Range     [2]int        `json:"range"`
					Taken     string        `json:"taken"`
					Registry  registryJSON  `json:"registry"`
					Listeners int           `json:"listeners"`
					Findings  []findingJSON `json:"findings"`
					Warnings  []string      `json:"warnings,omitempty"`
				}{Schema: "portui.audit/v1", Range: [2]int{lo, hi}, Taken: snap.Taken.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
					Registry: registryInfoJSON(info), Listeners: len(snap.Listeners), Findings: []findingJSON{}, Warnings: snap.Warnings}
				for _, f := range findings {
					res.Findings = append(res.Findings, findingJSON{Finding: f, Listener: toListenerJSON(reg, f.Listener)})
				}
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else {
				for _, w := range snap.Warnings {
					fmt.Fprintln(a.stderr, "portui: warning: "+w)
				}
				printFindings(colorWriter(a.stdout), findings, len(snap.Listeners), lo, hi, newTextStyles())
			}
			if len(findings) > 0 {
				return &exitErr{code: exitFindings}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rangeArg, "range", "0-1023", "ports to audit: LOW-HIGH or all")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (schema portui.audit/v1, see docs/json.md)")
	return cmd
}

type findingJSON struct {
	audit.Finding
	Listener listenerJSON `json:"listener"`
}

func auditRange(s string) (lo, hi int, err error) {
	if strings.EqualFold(s, "all") {
		return 0, registry.MaxPort, nil
	}
	r, ok, err := parsePortArg(s)
	if err != nil || !ok {
		return 0, 0, fmt.Errorf("bad --range %q: want LOW-HIGH within 0-65535, or all", s)
	}
	if r.lo == 0 && r.hi == 0 {
		return 0, 0, fmt.Errorf("bad --range %q: port 0 cannot have a listener", s)
	}
	return r.lo, r.hi, nil
}

var findingTitles = map[audit.Kind]string{
	audit.PrivateUse:        "Private use: listeners on ports IANA has not assigned",
	audit.ExposedSystemPort: "System ports bound to all addresses",
	audit.UnexpectedService: "Registered ports held by another program",
}

func printFindings(w io.Writer, findings []audit.Finding, listeners, lo, hi int, st textStyles) {
	if len(findings) == 0 {
		fmt.Fprintf(w, "Nothing to report: %d listener(s) on ports %d-%d, all on assigned ports, none exposed or unexpected.\n", listeners, lo, hi)
		return
	}
	for _, kind := range audit.Kinds {
		var lines []string
		for _, f := range findings {
			if f.Kind == kind {
				lines = append(lines, "  "+f.Message)
			}
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s %s\n", st.warn.Render(findingTitles[kind]), st.dim.Render(fmt.Sprintf("(%d)", len(lines))))
		fmt.Fprintln(w, strings.Join(lines, "\n"))
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d finding(s) among %d listener(s) on ports %d-%d.\n", len(findings), listeners, lo, hi)
}
