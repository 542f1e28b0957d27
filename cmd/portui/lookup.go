package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
)

// lookupJSON is `portui lookup --json` (schema: docs/json.md).
type lookupJSON struct {
	Schema   string                `json:"schema"`
	Query    string                `json:"query"`
	Registry registryJSON          `json:"registry"`
	Ports    []registry.PortInfo   `json:"ports"`
	Unbound  []registry.RecordInfo `json:"unbound,omitempty"` // a name's records without a port
}

type registryJSON struct {
	Kind    string `json:"kind"` // embedded, user, file
	Path    string `json:"path,omitempty"`
	Updated string `json:"updated"`
	Records int    `json:"records"`
	Format  string `json:"format"`
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
}

func registryInfoJSON(info store.Info) registryJSON {
	return registryJSON{
		Kind: info.Kind, Path: info.Path, Updated: info.Updated, Records: info.Records,
		Format: info.Source.Format, File: info.Source.File, SHA256: info.Source.SHA256,
	}
}

func (a *app) lookupCmd() *cobra.Command {
	var (
		proto  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "lookup PORT|NAME|LOW-HIGH",
		Short: "Show what IANA's registry says about a port, a service name or a range",
		Long: "Show what IANA's registry says about a port, a service name or a range of ports:\n" +
			"status overall and per transport, the range class, the run of same-status ports\n" +
			"it sits in, every record with its people, references and notes, and neighbours.",
		Example: "  portui lookup 326\n  portui lookup ssh\n  portui lookup 320-335 --json\n  portui lookup 143 --proto udp",
		Args:    exactArgs(1, "a port, a service name or a range LOW-HIGH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := parseProtoFlag(proto, registry.Protocols...)
			if err != nil {
				return usageErr(err)
			}
			view, _ := registry.ViewOf(p)
			reg, info, err := a.registry()
			if err != nil {
				return err
			}
			res, err := lookup(reg, strings.TrimSpace(args[0]), view)
			if err != nil {
				return err
			}
			res.Registry = registryInfoJSON(info)
			if asJSON {
				return writeJSON(a.stdout, res)
			}
			w := colorWriter(a.stdout)
			printLookup(w, reg, res, newTextStyles())
			return nil
		},
	}
	cmd.Flags().StringVar(&proto, "proto", "", "look at one transport only: tcp, udp, sctp or dccp")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (schema portui.lookup/v1, see docs/json.md)")
	return cmd
}

// maxLookupRange bounds a range query so a typo such as 0-65535 cannot
// print 65,536 pages; the TUI or a loop is the tool for more.
const maxLookupRange = 4096

func lookup(reg *registry.Registry, q string, view registry.View) (*lookupJSON, error) {
	res := &lookupJSON{Schema: "portui.lookup/v1", Query: q, Ports: []registry.PortInfo{}}
	r, isPort, err := parsePortArg(q)
	if err != nil {
		return nil, usageErr(err)
	}
	var ports []int
	switch {
	case isPort:
		if r.hi-r.lo+1 > maxLookupRange {
			return nil, usageErr(fmt.Errorf("range %s is %d ports; at most %d at a time", r, r.hi-r.lo+1, maxLookupRange))
		}
		for p := r.lo; p <= r.hi; p++ {
			ports = append(ports, p)
		}
	default:
		if q == "" || strings.ContainsAny(q, " \t") {
			return nil, usageErr(fmt.Errorf("%q is not a port, a range LOW-HIGH or a service name", q))
		}
		recs, err := reg.ByName(q)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, usageErr(unknownName(reg, q))
		}
		for i := range recs {
			rec := &recs[i]
			if !rec.HasPort() {
				res.Unbound = append(res.Unbound, reg.DescribeRecord(rec))
				continue
			}
			for p := rec.Lo; p <= rec.Hi && len(ports) < maxLookupRange; p++ {
				if !slices.Contains(ports, p) {
					ports = append(ports, p)
				}
			}
		}
	}
	for _, p := range ports {
		info, err := reg.Describe(p, view)
		if err != nil {
			return nil, err
		}
		res.Ports = append(res.Ports, info)
	}
	return res, nil
}

// unknownName explains a name that is not in the registry, suggesting the
// closest names the search finds.
func unknownName(reg *registry.Registry, q string) error {
	if strings.Contains(q, "-") {
		if a, _, _ := strings.Cut(q, "-"); allDigits(a) {
			return fmt.Errorf("%q is not a port range LOW-HIGH nor a service name", q)
		}
	}
	matches, _ := reg.Search(strings.Trim(q, "-_. "), 3)
	var names []string
	for _, m := range matches {
		if m.Name != "" && !slices.Contains(names, m.Name) {
			names = append(names, m.Name)
		}
	}
	if len(names) > 0 {
		return fmt.Errorf("no service named %q in the registry (did you mean %s?)", q, strings.Join(names, ", "))
	}
	return fmt.Errorf("no service named %q in the registry, and it is not a port or a range LOW-HIGH", q)
}

// printLookup writes the human form: a reference page per port, or a
// table when the query covers several ports.
func printLookup(w io.Writer, reg *registry.Registry, res *lookupJSON, st textStyles) {
	switch {
	case len(res.Ports) == 1:
		printPortPage(w, reg, res.Ports[0], st)
	case len(res.Ports) > 1:
		if _, isPort, _ := parsePortArg(res.Query); !isPort {
			fmt.Fprintf(w, "%s is registered on %d ports:\n\n", st.title.Render(res.Query), len(res.Ports))
		}
		printPortTable(w, res.Ports, st)
	}
	if len(res.Unbound) > 0 {
		if len(res.Ports) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, st.title.Render("Registered without a port")+st.dim.Render(" (service name only, e.g. for DNS-SD)"))
		for _, ri := range res.Unbound {
			printRecord(w, ri, st)
		}
	}
}

func printPortPage(w io.Writer, reg *registry.Registry, pi registry.PortInfo, st textStyles) {
	fmt.Fprintf(w, "%s  %s  %s\n", st.title.Render(fmt.Sprintf("Port %d", pi.Port)), st.st(pi.Status),
		st.dim.Render(fmt.Sprintf("· %s %d–%d", pi.Class.Title, pi.Class.Lo, pi.Class.Hi)))
	var per []string
	for _, p := range registry.Protocols {
		per = append(per, p+" "+st.st(pi.StatusByProto[p]))
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(per, " · "))
	fmt.Fprintf(w, "  %s: %s\n", pi.Class.Title, pi.Class.Explain)
	if pi.Status != registry.Assigned.String() {
		fmt.Fprintf(w, "  %s\n", st.warn.Render("A listener here is private use: nothing is registered on this port."))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, runSentence(pi))
	fmt.Fprintln(w)
	if len(pi.Records) == 0 {
		fmt.Fprintln(w, st.dim.Render("No IANA record covers this port"+recordlessWhy(pi)+"."))
	} else {
		fmt.Fprintln(w, st.title.Render("Records"))
		for _, ri := range pi.Records {
			printRecord(w, ri, st)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, st.title.Render("Neighbours"))
	for _, s := range registry.Statuses {
		name := s.String()
		prev, okP := pi.Previous[name]
		next, okN := pi.Next[name]
		left, right := "", ""
		if okP {
			left = joinNonEmpty("←", strconv.Itoa(prev), serviceAt(reg, prev))
		}
		if okN {
			right = joinNonEmpty(strconv.Itoa(next), serviceAt(reg, next), "→")
		}
		fmt.Fprintf(w, "  %-10s  %-32s  %s\n", name, left, right)
	}
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

func recordlessWhy(pi registry.PortInfo) string {
	if pi.Class.Name == "dynamic" {
		return ": IANA never assigns dynamic/private ports"
	}
	return ""
}

// runSentence is "Ports 325–332: the unassigned run containing 326 (8 ports)".
func runSentence(pi registry.PortInfo) string {
	r := pi.Run
	if r.Lo == r.Hi {
		return fmt.Sprintf("Port %d stands alone: its neighbours' status differs (a run of 1 %s port).", pi.Port, r.Status)
	}
	return fmt.Sprintf("Ports %d–%d: the %s run containing %d (%d ports).", r.Lo, r.Hi, r.Status, pi.Port, r.Length)
}

func serviceAt(reg *registry.Registry, port int) string {
	recs, err := reg.RecordsAt(port)
	if err != nil {
		return ""
	}
	for _, r := range recs {
		if r.Name != "" {
			return r.Name
		}
	}
	return ""
}

func printRecord(w io.Writer, ri registry.RecordInfo, st textStyles) {
	name := ri.Service
	if name == "" {
		name = "—"
	}
	proto := ri.Proto
	if proto == "" {
		proto = "all transports"
	}
	head := fmt.Sprintf("  %s/%s", name, proto)
	if ri.Ports != "" && strings.Contains(ri.Ports, "-") {
		head += " " + st.dim.Render("ports "+ri.Ports)
	}
	fmt.Fprintf(w, "%s  %s  %s\n", st.title.Render(head), st.st(ri.Status), ri.Description)
	field := func(label, value string) {
		if value == "" {
			return
		}
		lines := strings.Split(value, "\n")
		fmt.Fprintf(w, "      %s %s\n", st.label.Render(fmt.Sprintf("%-12s", label)), lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "      %12s %s\n", "", l)
		}
	}
	field("assignee", people(ri.Assignee, st))
	field("contact", people(ri.Contact, st))
	var refs []string
	for _, r := range ri.RFCs {
		refs = append(refs, r.ID+"  "+st.link.Render(r.URL))
	}
	for _, r := range ri.Drafts {
		refs = append(refs, r.ID+"  "+st.link.Render(r.URL))
	}
	for _, u := range ri.URIs {
		refs = append(refs, st.link.Render(u))
	}
	refs = append(refs, ri.Texts...)
	field("references", strings.Join(refs, "\n"))
	field("registered", ri.Registered)
	field("modified", ri.Modified)
	field("note", ri.Note)
	if ri.Unauthorized != "" {
		field("unauthorized", st.warn.Render(ri.Unauthorized))
	}
	field("service code", ri.ServiceCode)
}

func people(ps []registry.PersonInfo, st textStyles) string {
	var out []string
	for _, p := range ps {
		s := p.Display
		if p.Org != "" && p.Org != p.Display {
			s += " (" + p.Org + ")"
		}
		if p.URI != "" {
			s += " " + st.link.Render("<"+p.URI+">")
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func printPortTable(w io.Writer, ports []registry.PortInfo, st textStyles) {
	fmt.Fprintf(w, "%s\n", st.label.Render(fmt.Sprintf("%5s  %-10s  %-10s  %-10s  %-11s  %-18s  %s", "PORT", "STATUS", "TCP", "UDP", "RUN", "SERVICE", "DESCRIPTION")))
	for _, pi := range ports {
		svc, desc := "", ""
		for _, r := range pi.Records {
			if svc == "" && r.Service != "" {
				svc = r.Service
			}
			if desc == "" && r.Description != "" {
				desc = strings.SplitN(r.Description, "\n", 2)[0]
			}
		}
		run := strconv.Itoa(pi.Run.Lo)
		if pi.Run.Length > 1 {
			run += "–" + strconv.Itoa(pi.Run.Hi)
		}
		fmt.Fprintf(w, "%5d  %s  %s  %s  %s  %-18s  %s\n", pi.Port, pad(st.st(pi.Status), pi.Status, 10),
			pad(st.st(pi.StatusByProto["tcp"]), pi.StatusByProto["tcp"], 10), pad(st.st(pi.StatusByProto["udp"]), pi.StatusByProto["udp"], 10),
			pad(st.dim.Render(run), run, 11), svc, desc)
	}
}

// pad right-pads a styled string to width by its plain text's length.
func pad(styled, plain string, width int) string {
	if n := width - utf8.RuneCountInString(plain); n > 0 {
		return styled + strings.Repeat(" ", n)
	}
	return styled
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
