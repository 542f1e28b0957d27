package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/sanitize"
)

func (a *app) lookupCmd() *cobra.Command {
	var proto string
	cmd := &cobra.Command{
		Use:   "lookup PORT|NAME|LOW-HIGH",
		Short: "Show what IANA's registry says about a port, a service name or a range",
		Long: "Show what IANA's registry says about a port, a service name or a range of ports: " +
			"status overall and per transport, the range class, the run of same-status ports " +
			"it sits in, every record with its people, references and notes, and neighbours.\n\n" +
			"A name must be a registered service name; to find one by part of its name or by " +
			"words of its description, use `portui search`.",
		Example: "  portui lookup 326\n  portui lookup ssh\n  portui lookup 320-335 --json\n  portui lookup 143 --proto udp",
		Args:    exactArgs(1, "a port, a service name or a range LOW-HIGH"),
	}
	out := addOutputFlags(cmd, report.SchemaLookup)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		p, err := parseProtoFlag(proto, registry.Protocols...)
		if err != nil {
			return usageErr(err)
		}
		f, err := out.selected(cmd)
		if err != nil {
			return err
		}
		view, _ := registry.ViewOf(p)
		reg, info, err := a.registry()
		if err != nil {
			return err
		}
		doc, err := lookup(reg, strings.TrimSpace(args[0]), view, report.RegistryOf(info))
		if err != nil {
			return err
		}
		return a.emit(f, doc)
	}
	cmd.Flags().StringVar(&proto, "proto", "", "look at one transport only: tcp, udp, sctp or dccp")
	return cmd
}

// maxLookupRange bounds a range query so a typo such as 0-65535 cannot
// print 65,536 pages; the TUI or a loop is the tool for more.
const maxLookupRange = 4096

// lookup answers q: a port, a range LOW-HIGH or a registered service
// name; info names the registry in the document. Bad input is a usage
// error naming what was wrong.
func lookup(reg *registry.Registry, q string, view registry.View, info report.Registry) (report.LookupDoc, error) {
	r, isPort, err := parsePortArg(q)
	if err != nil {
		return report.LookupDoc{}, usageErr(err)
	}
	var (
		ports   []int
		unbound []registry.Record
	)
	switch {
	case isPort:
		if r.hi-r.lo+1 > maxLookupRange {
			return report.LookupDoc{}, usageErr(fmt.Errorf("range %s is %d ports; at most %d at a time", r, r.hi-r.lo+1, maxLookupRange))
		}
		for p := r.lo; p <= r.hi; p++ {
			ports = append(ports, p)
		}
	case q == "":
		return report.LookupDoc{}, usageErr(errors.New("an empty query is not a port, a range LOW-HIGH or a service name"))
	case strings.ContainsFunc(q, isSpace):
		return report.LookupDoc{}, usageErr(fmt.Errorf("%q is not a port, a range LOW-HIGH or a service name; to search names and descriptions: portui search %s",
			q, shellQuote(q)))
	default:
		recs, err := reg.ByName(q)
		if err != nil {
			return report.LookupDoc{}, err
		}
		if len(recs) == 0 {
			return report.LookupDoc{}, usageErr(unknownName(reg, q))
		}
		for i := range recs {
			rec := &recs[i]
			if !rec.HasPort() {
				unbound = append(unbound, *rec)
				continue
			}
			for p := rec.Lo; p <= rec.Hi && len(ports) < maxLookupRange; p++ {
				if !slices.Contains(ports, p) {
					ports = append(ports, p)
				}
			}
		}
	}
	return report.NewLookup(reg, q, !isPort, ports, unbound, view, info)
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// unknownName explains a name that is not in the registry, suggesting the
// closest names the search finds and the search itself.
func unknownName(reg *registry.Registry, q string) error {
	if a, _, ok := strings.Cut(q, "-"); ok && allDigits(a) {
		return fmt.Errorf("%q is not a port range LOW-HIGH nor a service name", q)
	}
	matches, _ := reg.Search(strings.Trim(q, "-_. "), 3)
	var names []string
	for _, m := range matches {
		if n := m.Name; n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	search := "portui search " + shellQuote(q)
	if len(names) > 0 {
		return fmt.Errorf("no service named %q in the registry (did you mean %s? or: %s)", q, strings.Join(names, ", "), search)
	}
	return fmt.Errorf("no service named %q in the registry, and it is not a port or a range LOW-HIGH; to search descriptions: %s", q, search)
}

// shellQuote quotes s for a POSIX shell when it needs quoting, so a
// suggested command line can be pasted as is. Control bytes come out
// escaped (sanitize.Line), so the result is one printable line.
func shellQuote(s string) string {
	s = sanitize.Line(s)
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// exactArgs is cobra.ExactArgs with a message that says what is wanted.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(fmt.Errorf("%s takes %s (got %d arguments)", cmd.CommandPath(), what, len(args)))
		}
		return nil
	}
}
