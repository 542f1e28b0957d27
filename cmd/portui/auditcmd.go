package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/sanitize"
)

func (a *app) auditCmd() *cobra.Command {
	var (
		rangeArg, expectArg string
		failOnArg           []string
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Listeners worth a look: drift from your expected listeners, or private use, exposed system ports, unexpected services",
		Long: "With an expectations file (--expect FILE, else $XDG_CONFIG_HOME/portui/expected.toml, else " +
			"/etc/portui/expected.toml; `portui expect save` writes one), the file is the authority: a listener an " +
			"entry allows is fine whatever its IANA status, and the audit reports drift: unexpected listeners (with " +
			"the closest entry), listeners on wider addresses than their entry allows (scope widened), and required " +
			"entries nothing listens for (missing).\n\n" +
			"Without a file, the built-in rules: listeners on ports IANA has not assigned for their transport (private " +
			"use), system ports bound to all addresses, and registered ports held by a process that is not the " +
			"registered service (e.g. 22 without sshd). A well-known de-facto use of the port by the holding daemon " +
			"(portui's own table, e.g. chronyd on 323/udp: see `portui lookup 323`) explains a listener for private " +
			"use and unexpected service.\n\n" +
			"Either way, published ports that reach no listener (the container is gone or does not listen there). " +
			"A listener inside a container or another network namespace is reachable only through the host ports " +
			"published to it: the built-in rules report it only where one on all addresses reaches it. A host socket " +
			"that docker-proxy, rootlessport, conmon or dockerd holds for a published port, or that pid 1 holds for " +
			"socket activation, is explained by what it forwards to or activates.\n\n" +
			"One line per service (kind, proto, port and owner) naming every address; the report ends with a " +
			"one-line verdict. Exit status: 0 nothing that fails, 1 findings of a --fail-on kind (default: every " +
			"kind), 2 error (a bad expectations file: one line path:line: what is wrong); fit for cron and CI.",
		Example: "  portui audit\n  portui audit --expect /etc/portui/expected.toml --fail-on unexpected-listener,scope-widened\n  portui audit --range all --json",
		Args:    exactArgs(0, "no arguments (use --range)"),
	}
	out := addOutputFlags(cmd, report.SchemaAudit)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		lo, hi, err := auditRange(rangeArg)
		if err != nil {
			return usageErr(err)
		}
		failOn, err := parseFailOn(failOnArg, cmd.Flags().Changed("fail-on"))
		if err != nil {
			return usageErr(err)
		}
		f, err := out.selected(cmd)
		if err != nil {
			return err
		}
		j, err := a.judge(expectArg)
		if err != nil {
			return usageErr(err)
		}
		if j.Expect != nil && !cmd.Flags().Changed("range") {
			// The file speaks for every port: an unexpected listener on
			// 8443 is drift as much as one on 443.
			lo, hi = 0, registry.MaxPort
		}
		sel := selection{wholeTargets: true}
		if lo != 0 || hi != registry.MaxPort {
			sel.ports = &portRange{lo, hi}
		}
		snap, _, reg, err := a.scanDoc(cmd.Context(), sel, f)
		if err != nil {
			return err
		}
		ann := j.Annotate(snap)
		in := report.AuditInput{
			Snap: snap, Ann: ann, Extra: append(audit.CheckPortMaps(j.Reg, snap, lo, hi), j.Missing(ann, lo, hi)...),
			Lo: lo, Hi: hi, Reg: reg, Expect: j.Expect, FailOn: failOn,
		}
		if w := audit.RegistryAgeText(j.Reg, time.Now()); w != "" {
			if f.Name == "text" {
				_, _ = fmt.Fprintln(a.stderr, "portui: warning: "+w)
			} else {
				in.Warnings = append(in.Warnings, w)
			}
		}
		doc := report.NewAudit(in)
		if err := a.emit(f, doc); err != nil {
			return err
		}
		if doc.Failing > 0 {
			return &exitErr{code: exitFindings}
		}
		return nil
	}
	cmd.Flags().StringVar(&rangeArg, "range", "0-1023", "ports to audit: LOW-HIGH or all (default with an expectations file: all)")
	cmd.Flags().StringVar(&expectArg, "expect", "", "judge against this expectations file (default: $XDG_CONFIG_HOME/portui/expected.toml, then /etc/portui/expected.toml)")
	cmd.Flags().StringSliceVar(&failOnArg, "fail-on", nil, "kinds that make the exit status 1, comma-separated (default: every kind): "+kindList())
	return cmd
}

// kindList is every finding kind, comma-separated.
func kindList() string {
	names := make([]string, len(audit.Kinds))
	for i, k := range audit.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// parseFailOn validates --fail-on: known kinds only (nil when the flag
// was not given: every kind fails). An empty --fail-on= means nothing
// fails.
func parseFailOn(args []string, given bool) ([]audit.Kind, error) {
	if !given {
		return nil, nil
	}
	out := []audit.Kind{}
	for _, a := range args {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if _, ok := audit.RuleOf(audit.Kind(strings.ToLower(a))); !ok {
			return nil, fmt.Errorf("--fail-on: unknown kind \"%s\"; valid kinds: %s", sanitize.Line(a), kindList())
		}
		if k := audit.Kind(strings.ToLower(a)); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
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
