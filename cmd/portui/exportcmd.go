package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/report/prom"
	"github.com/portui/portui/internal/sanitize"
)

func (a *app) exportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export what listens here to other tools (Prometheus)",
		Long: "Export the listeners of this machine and the audit's findings in another tool's format. " +
			"`export prometheus` writes node_exporter's textfile-collector format.",
	}
	cmd.AddCommand(a.exportPrometheusCmd())
	return cmd
}

func (a *app) exportPrometheusCmd() *cobra.Command {
	var output, expectPath, rangeArg string
	cmd := &cobra.Command{
		Use:   "prometheus",
		Short: "Listeners and audit findings as Prometheus metrics (node_exporter textfile)",
		Long: "Write every listener of this machine (portui_listener_info, one series per distinct label set), " +
			"the audit's findings (portui_audit_findings per kind, 0 included; portui_audit_finding_info), the " +
			"registry's date and the scan's duration and warnings in the Prometheus text exposition format, " +
			"without timestamps.\n\n" +
			"Without --output the text goes to stdout. With --output FILE it is written atomically (a temporary " +
			"file in the same directory, then renamed), so node_exporter never reads half a file and a failed " +
			"write leaves the previous file. Point node_exporter's --collector.textfile.directory at the " +
			"directory; it reads only files ending in .prom.\n\n" +
			"Findings are judged as `portui audit` judges them: against the expectations file (--expect, else " +
			"the default paths) when there is one, on the ports of --range. Run as root to see every " +
			"namespace and owner; the scan's warnings (portui_scan_errors counts them) are printed on stderr " +
			"when the text goes to stdout. Exit status: 0 written (findings are in the metrics), 2 error.",
		Example: "  portui export prometheus\n" +
			"  portui export prometheus --output /var/lib/prometheus/node-exporter/portui.prom",
		Args: exactArgs(0, "no arguments (use --output FILE)"),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		lo, hi, err := auditRange(rangeArg)
		if err != nil {
			return usageErr(err)
		}
		if output != "" && !strings.HasSuffix(output, ".prom") {
			_, _ = fmt.Fprintf(a.stderr, "portui: warning: %s does not end in .prom: node_exporter's textfile collector will not read it\n", sanitize.Line(output))
		}
		j, err := a.judge(expectPath)
		if err != nil {
			return usageErr(err)
		}
		if j.Expect != nil && !cmd.Flags().Changed("range") {
			// The file speaks for every port: an unexpected listener on
			// 8443 is drift as much as one on 443.
			lo, hi = 0, registry.MaxPort
		}
		start := time.Now()
		// Every port: the listeners are the fleet's inventory; --range
		// limits the findings only, as in `portui audit`.
		// The scan's warnings go to stderr only when the text goes to
		// stdout: the timer's journal would get them every minute, and
		// portui_scan_errors counts them.
		snap, _, _, err := a.scanDoc(cmd.Context(), selection{wholeTargets: true}, report.Format{Name: "prometheus"})
		if err != nil {
			return err
		}
		took := time.Since(start)
		if output == "" {
			for _, w := range snap.Warnings {
				_, _ = fmt.Fprintln(a.stderr, "portui: warning: "+w)
			}
		}
		ann := j.Annotate(snap)
		found := audit.All(ann, audit.CheckPortMaps(j.Reg, snap, lo, hi), lo, hi)
		for _, f := range j.Missing(ann, lo, hi) {
			found = append(found, audit.Found{Finding: f})
		}
		fams := prom.Build(prom.Input{
			Listeners: ann, Expect: j.Expect, Findings: found, Kinds: exportKinds(),
			RegistryUpdated: j.Reg.Updated, ScanDuration: took, ScanWarnings: len(snap.Warnings),
		})
		if output == "" {
			return writeErr(prom.Write(a.stdout, fams))
		}
		var b bytes.Buffer
		if err := prom.Write(&b, fams); err != nil {
			return writeErr(err)
		}
		if err := store.WriteFileAtomic(output, b.Bytes()); err != nil {
			return &exitErr{code: exitError, err: err}
		}
		return nil
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE atomically (node_exporter's textfile directory) instead of stdout")
	cmd.Flags().StringVar(&expectPath, "expect", "", "judge against this expectations file (default: the first of the default paths that exists)")
	cmd.Flags().StringVar(&rangeArg, "range", "0-1023", "ports to audit for the findings: LOW-HIGH or all (default with an expectations file: all; listeners: every port)")
	return cmd
}

// exportKinds is every kind a finding can have: the built-in rules' and
// the expectations file's, so each has a portui_audit_findings series.
func exportKinds() []audit.Kind {
	ks := append([]audit.Kind(nil), audit.Kinds...)
	for _, k := range []audit.Kind{audit.UnexpectedListener, audit.ScopeWidened, audit.MissingListener} {
		if !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	return ks
}
