package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/report"
)

func (a *app) auditCmd() *cobra.Command {
	var rangeArg string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Listeners worth a look: private use, exposed system ports, unexpected services",
		Long: "Report listeners on ports IANA has not assigned for their transport (private use), system " +
			"ports bound to all addresses, and registered ports held by a process that is not the " +
			"registered service (e.g. 22 without sshd), and published ports that reach no listener (the container " +
			"is gone or does not listen there). Every line names the listener's address.\n\n" +
			"A listener inside a container or another network namespace is reachable only through the host ports " +
			"published to it: it is reported only where one on all addresses reaches it, and then through what " +
			"(\"80/tcp in web1 (podman) is published on 0.0.0.0:8080 (nat)\"). A host socket that docker-proxy, " +
			"rootlessport, conmon or dockerd holds for a published port, or that pid 1 holds for socket activation, " +
			"is explained by what it forwards to or activates, not taken for another program.\n\n" +
			"Exit status: 0 nothing found, 1 findings, 2 error; fit for cron and CI.",
		Example: "  portui audit\n  portui audit --range all --json",
		Args:    exactArgs(0, "no arguments (use --range)"),
	}
	out := addOutputFlags(cmd, report.SchemaAudit)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		lo, hi, err := auditRange(rangeArg)
		if err != nil {
			return usageErr(err)
		}
		f, err := out.selected(cmd)
		if err != nil {
			return err
		}
		sel := selection{wholeTargets: true}
		if lo != 0 || hi != registry.MaxPort {
			sel.ports = &portRange{lo, hi}
		}
		snap, ann, reg, err := a.scanDoc(cmd.Context(), sel, f)
		if err != nil {
			return err
		}
		r, _, err := a.registry()
		if err != nil {
			return err
		}
		doc := report.NewAudit(snap, ann, audit.CheckPortMaps(r, snap, lo, hi), lo, hi, reg)
		if err := a.emit(f, doc); err != nil {
			return err
		}
		if len(doc.Findings) > 0 {
			return &exitErr{code: exitFindings}
		}
		return nil
	}
	cmd.Flags().StringVar(&rangeArg, "range", "0-1023", "ports to audit: LOW-HIGH or all")
	return cmd
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
