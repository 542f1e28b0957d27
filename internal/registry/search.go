package registry

import (
	"sort"
	"strconv"
	"strings"
)

// Match is one port found by Search.
type Match struct {
	Port  int
	Score int
	Name  string // service name of the best-matching record ("" if the port number matched)
	Why   string // "port", "name", "description"
}

type searchEntry struct {
	lo, hi int
	name   string // lower case
	desc   string // lower case
	rec    int
}

func buildSearchEntries(all []Record) []searchEntry {
	out := make([]searchEntry, 0, len(all))
	for i := range all {
		rec := &all[i]
		if !rec.HasPort() {
			continue
		}
		out = append(out, searchEntry{
			lo: rec.Lo, hi: rec.Hi, rec: i,
			name: strings.ToLower(rec.Name),
			desc: strings.ToLower(rec.Description),
		})
	}
	return out
}

// Scores of one query term against one record. A port number typed in
// full beats everything ("443" lists 443 first); then names, exact before
// prefix before substring; then descriptions, word starts before substrings.
const (
	scorePortExact  = 1000
	scoreNameExact  = 900
	scoreNamePrefix = 700
	scorePortPrefix = 600
	scoreNameSub    = 500
	scoreDescWord   = 300
	scoreDescSub    = 200
)

// Search ranks ports against a query of one or more words: every word must
// match the port number, the service name or the description of one
// record on the port. At most limit matches (0: no limit), best first,
// ties in port order. Ranges (Unassigned 325–332) match only by number.
func (r *Registry) Search(query string, limit int) ([]Match, error) {
	if _, err := r.Records(); err != nil {
		return nil, err
	}
	terms := strings.Fields(strings.ToLower(query))
	if len(terms) == 0 {
		return nil, nil
	}
	best := map[int]Match{}
	consider := func(port int, m Match) {
		m.Port = port
		if old, ok := best[port]; !ok || m.Score > old.Score {
			best[port] = m
		}
	}
	for _, e := range r.search {
		total, top, why := 0, 0, ""
		for _, t := range terms {
			s, w := scoreTerm(t, &e)
			if s == 0 {
				total = 0
				break
			}
			total += s
			if s > top {
				top, why = s, w
			}
		}
		if total == 0 {
			continue
		}
		port := e.lo
		if e.lo != e.hi {
			// A range row (Unassigned 325–332) names no service: it
			// matches only a typed number inside it, and only that port.
			n, ok := numberIn(terms, e.lo, e.hi)
			if !ok {
				continue
			}
			port = n
		}
		consider(port, Match{Score: total, Name: r.all[e.rec].Name, Why: why})
	}
	out := make([]Match, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Port < out[j].Port
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func numberIn(terms []string, lo, hi int) (int, bool) {
	for _, t := range terms {
		if n, err := strconv.Atoi(t); err == nil && n >= lo && n <= hi {
			return n, true
		}
	}
	return 0, false
}

func scoreTerm(t string, e *searchEntry) (int, string) {
	if n, err := strconv.Atoi(t); err == nil && t[0] != '+' && t[0] != '-' {
		if n >= e.lo && n <= e.hi {
			return scorePortExact, "port"
		}
		if e.lo == e.hi && strings.HasPrefix(strconv.Itoa(e.lo), t) {
			return scorePortPrefix, "port prefix"
		}
	}
	switch {
	case e.name == "":
	case e.name == t:
		return scoreNameExact, "name"
	case strings.HasPrefix(e.name, t):
		return scoreNamePrefix, "name"
	case strings.Contains(e.name, t):
		return scoreNameSub, "name"
	}
	if i := strings.Index(e.desc, t); i >= 0 {
		if i == 0 || !isWordByte(e.desc[i-1]) {
			return scoreDescWord, "description"
		}
		return scoreDescSub, "description"
	}
	return 0, ""
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
