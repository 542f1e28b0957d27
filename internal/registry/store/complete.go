package store

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
)

// What a real IANA export has, checked before one is installed: an
// excerpt, a file cut short or a hand-made one would otherwise silently
// turn most ports "unassigned" (a CSV cut in half at a line boundary has
// 7,260 of 14,533 records, and 8080, 5432 and 6379 then read unassigned).

// minRecordsPercent is the record floor, as a share of the embedded
// registry's count. IANA's registry only grows (a de-assigned port stays
// as a Reserved or Unassigned row), so a real export, even an older one
// installed with --force, has about as many records as the embedded one;
// the 10 % margin leaves room for IANA merging rows, and is far above
// half a file.
const minRecordsPercent = 90

// anchor is a well-known service a real export registers.
type anchor struct {
	port        int
	proto, name string
}

// anchors are services every export since RFC 6335 has, from the system,
// user and well-known alternate ranges, so that a file missing any part
// of the registry misses one of them.
var anchors = []anchor{
	{22, registry.TCP, "ssh"},
	{53, registry.UDP, "domain"},
	{80, registry.TCP, "http"},
	{443, registry.TCP, "https"},
	{5432, registry.TCP, "postgresql"},
	{6379, registry.TCP, "redis"},
	{8080, registry.TCP, "http-alt"},
}

// embedded is what the checks compare with: the record count and the
// registry date of the registry built into this binary, both from Load's
// header and index (cheap).
var embedded = sync.OnceValues(loadEmbedded)

func loadEmbedded() (embeddedInfo, error) {
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		return embeddedInfo{}, fmt.Errorf("embedded registry: %w", err)
	}
	return embeddedInfo{reg: reg, records: reg.Len(), updated: reg.Updated}, nil
}

type embeddedInfo struct {
	reg     *registry.Registry
	records int
	updated string
}

// embeddedNewest is the embedded registry's newest record date, what a
// CSV's date is compared with: the CSV carries no registry date and its
// newest record stands in for it. Finding it decodes every record, so it
// is asked only for a CSV whose date is checked.
var embeddedNewest = sync.OnceValues(newestEmbedded)

func newestEmbedded() (string, error) {
	emb, err := embedded()
	if err != nil {
		return "", err
	}
	all, err := emb.reg.Records()
	if err != nil {
		return "", fmt.Errorf("embedded registry: %w", err)
	}
	newest := ""
	for i := range all {
		newest = max(newest, all[i].Registered, all[i].Modified)
	}
	return newest, nil
}

// checkComplete refuses a registry that parses but is not a whole, current
// IANA export, naming the first check it fails: too few records, a
// well-known service missing, a system port without a record, or a date
// older than the embedded registry's (or none) unless force.
func checkComplete(reg *registry.Registry, force bool) error {
	emb, err := embedded()
	if err != nil {
		return err
	}
	if floor := emb.records * minRecordsPercent / 100; reg.Len() < floor {
		noun := "records"
		if reg.Len() == 1 {
			noun = "record"
		}
		return fmt.Errorf("not the complete registry: %s %s, where a real IANA export has at least %s (%d%% of the embedded registry's %s)",
			thousands(reg.Len()), noun, thousands(floor), minRecordsPercent, thousands(emb.records))
	}
	var missing []string
	for _, a := range anchors {
		if !registers(reg, a) {
			missing = append(missing, fmt.Sprintf("%d/%s %s", a.port, a.proto, a.name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("not the complete registry: no record of %s", strings.Join(missing, ", "))
	}
	uncovered := 0
	for p := 0; p <= 1023; p++ {
		if !reg.Covered(p, registry.Combined) {
			uncovered++
		}
	}
	if uncovered > 0 {
		return fmt.Errorf("not the complete registry: %d of the 1,024 system ports have no record", uncovered)
	}
	if force {
		return nil
	}
	what, ref := "registry date", emb.updated
	if reg.Source.Format == "csv" {
		if ref, err = embeddedNewest(); err != nil {
			return err
		}
		what = "newest record date (a CSV has no registry date)"
	}
	if _, err := time.Parse(time.DateOnly, reg.Updated); err != nil {
		return fmt.Errorf("its %s %q is not a date YYYY-MM-DD; use --force to install it anyway", what, reg.Updated)
	}
	if reg.Updated < ref {
		return fmt.Errorf("its %s %s is older than the embedded registry's %s; use --force to install it anyway", what, reg.Updated, ref)
	}
	return nil
}

// registers reports whether reg has a record naming a.name on a.port for
// a.proto.
func registers(reg *registry.Registry, a anchor) bool {
	recs, err := reg.RecordsAt(a.port)
	if err != nil {
		return false
	}
	for _, r := range recs {
		if strings.EqualFold(r.Name, a.name) && r.Proto == a.proto {
			return true
		}
	}
	return false
}

// thousands renders n with thousands separators: 14533 → "14,533".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
