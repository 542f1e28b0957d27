package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/portui/portui/internal/sanitize"
)

// Registry answers questions about ports. It is safe for concurrent use.
//
// Port tables (status, records per port) are built eagerly from the
// header's index; records and people are decoded lazily from their own
// lines of registry.json, since a session looks at a few dozen ports out
// of 14,000 records.
type Registry struct {
	Updated string // the registry's own date (IANA's <updated>)
	Source  Source

	recs  recordSource
	kinds []uint8 // per record: status | transport<<2
	ports portIndex

	allOnce sync.Once
	all     []Record // every record, decoded on first search
	allErr  error
	search  []searchEntry

	namesOnce sync.Once
	names     []string // every record's service name, read on first name lookup
	namesErr  error
}

// recordSource hands out records and people by index/id.
type recordSource interface {
	record(i int) (Record, error)
	name(i int) (string, error) // record(i).Name, but cheaper where it can be
	person(id string) (Person, bool)
	len() int
}

// Load reads registry.json bytes (embedded or the user's file).
func Load(b []byte) (*Registry, error) {
	src, h, err := newLazySource(b)
	if err != nil {
		// Not in the line layout Marshal writes (edited by hand?): take
		// the slow path rather than refuse a valid file.
		d, err2 := UnmarshalData(b)
		if err2 != nil {
			return nil, err2
		}
		return New(d)
	}
	h.Updated = sanitize.Line(h.Updated)
	h.Source.neutralise()
	return build(h.Updated, h.Source, src, h.Index)
}

// New builds a registry from fully decoded data (a conversion, a test).
// It neutralises d's text in place (see Data.neutralise), as Load does.
func New(d *Data) (*Registry, error) {
	d.neutralise()
	idx := make([]int32, 0, 3*len(d.Records))
	for i := range d.Records {
		r := &d.Records[i]
		if err := checkRange(r.Lo, r.Hi); err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		idx = append(idx, int32(r.Lo), int32(r.Hi), int32(recordKind(r)))
	}
	return build(d.Updated, d.Source, &dataSource{d}, idx)
}

func build(updated string, src Source, recs recordSource, idx []int32) (*Registry, error) {
	if len(idx) != 3*recs.len() {
		return nil, fmt.Errorf("registry file index covers %d records, the file holds %d", len(idx)/3, recs.len())
	}
	if recs.len() == 0 {
		return nil, errors.New("registry file holds no records")
	}
	r := &Registry{Updated: updated, Source: src, recs: recs, kinds: make([]uint8, recs.len())}
	for i := range r.kinds {
		lo, hi, kind := int(idx[3*i]), int(idx[3*i+1]), idx[3*i+2]
		if err := checkRange(lo, hi); err != nil {
			return nil, fmt.Errorf("registry file record %d: %w", i+1, err)
		}
		if kind < 0 || kind > 0xff || Status(kind&3) > Other || kind>>2 > protoOther {
			return nil, fmt.Errorf("registry file record %d: bad kind %d", i+1, kind)
		}
		r.kinds[i] = uint8(kind)
	}
	r.ports.build(idx, r.kinds)
	return r, nil
}

// Len is the number of records.
func (r *Registry) Len() int { return r.recs.len() }

// Record returns record i (0 ≤ i < Len).
func (r *Registry) Record(i int) (Record, error) { return r.recs.record(i) }

// Person resolves a person id from the <people> table.
func (r *Registry) Person(id string) (Person, bool) { return r.recs.person(id) }

// Records decodes every record (once; ~60 ms) for whole-registry queries.
func (r *Registry) Records() ([]Record, error) {
	r.allOnce.Do(func() {
		all := make([]Record, r.recs.len())
		for i := range all {
			rec, err := r.recs.record(i)
			if err != nil {
				r.allErr = err
				return
			}
			all[i] = rec
		}
		r.all = all
		r.search = buildSearchEntries(all)
	})
	return r.all, r.allErr
}

// Warm decodes everything searching needs, so that a later first search
// does not pause; the TUI calls it in the background after the first frame.
func (r *Registry) Warm() { _, _ = r.Records() }

// dataSource serves records from a fully decoded Data.
type dataSource struct{ d *Data }

func (s *dataSource) record(i int) (Record, error) { return s.d.Records[i], nil }
func (s *dataSource) name(i int) (string, error)   { return s.d.Records[i].Name, nil }
func (s *dataSource) person(id string) (Person, bool) {
	p, ok := s.d.People[id]
	return p, ok
}
func (s *dataSource) len() int { return len(s.d.Records) }

// lazySource serves records and people from their lines in registry.json.
type lazySource struct {
	raw     []byte
	recOff  []int // start of record i's line; recOff[n] ends the last
	people  []byte
	peopleM sync.Mutex
	peopleI []peopleLine // sorted by id, built on first use
	cache   sync.Map     // int → Record
}

type peopleLine struct {
	id   string
	line []byte
}

func newLazySource(b []byte) (*lazySource, *header, error) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 || !bytes.HasSuffix(b[:nl], []byte(",")) {
		return nil, nil, errors.New("not in line layout")
	}
	h, err := decodeHeader(append(bytes.Clone(b[:nl-1]), '}'))
	if err != nil {
		return nil, nil, fmt.Errorf("registry file header: %w", err)
	}
	if err := checkSchema(h.Schema); err != nil {
		return nil, nil, err
	}
	rest := b[nl+1:]
	if !bytes.HasPrefix(rest, []byte(recordsOpen)) {
		return nil, nil, errors.New("not in line layout")
	}
	start := nl + 1 + len(recordsOpen)
	end := bytes.Index(b[start:], []byte("\n"+peopleOpen))
	if end < 0 {
		return nil, nil, errors.New("not in line layout")
	}
	end += start + 1 // keep the last record's newline inside the records
	s := &lazySource{raw: b, recOff: make([]int, 0, len(h.Index)/3+1)}
	for off := start; off < end; {
		s.recOff = append(s.recOff, off)
		i := bytes.IndexByte(b[off:end], '\n')
		if i < 0 {
			return nil, nil, errors.New("not in line layout")
		}
		off += i + 1
	}
	s.recOff = append(s.recOff, end)
	s.people = b[end+len(peopleOpen)-1:]
	return s, &h, nil
}

func (s *lazySource) len() int { return len(s.recOff) - 1 }

func (s *lazySource) record(i int) (Record, error) {
	if v, ok := s.cache.Load(i); ok {
		return v.(Record), nil
	}
	line := bytes.TrimRight(s.raw[s.recOff[i]:s.recOff[i+1]], ",\n")
	var rec Record
	if err := json.Unmarshal(line, &rec); err != nil {
		return Record{}, fmt.Errorf("registry file record %d: %w", i+1, err)
	}
	rec.neutralise()
	s.cache.Store(i, rec)
	return rec, nil
}

// name reads record i's service name straight from its line when the line
// is what Marshal writes and nothing in it could make a JSON decoder see
// another name: the name first, unescaped and clean (so neutralising it is
// the identity), and no other string in the line that reads "name" in any
// case (encoding/json matches keys regardless of case, and the last
// duplicate wins). Any other line is decoded. A name lookup then costs a
// scan of the file instead of decoding all 14,533 records.
func (s *lazySource) name(i int) (string, error) {
	if v, ok := s.cache.Load(i); ok {
		return v.(Record).Name, nil
	}
	line := s.raw[s.recOff[i]:s.recOff[i+1]]
	if name, ok := plainName(line); ok {
		return name, nil
	}
	switch n := nameStrings(line); {
	case n == 0:
		return "", nil
	case n == 1 && bytes.HasPrefix(line, []byte(namePrefix)):
		rest := line[len(namePrefix):]
		if end := bytes.IndexByte(rest, '"'); end >= 0 && bytes.IndexByte(rest[:end], '\\') < 0 {
			if name := string(rest[:end]); sanitize.IsClean(name) {
				return name, nil
			}
		}
	}
	rec, err := s.record(i)
	return rec.Name, err
}

const namePrefix = `{"name":"`

// plainName is name's answer for the common lines, told with a few
// whole-line searches instead of a walk from string to string
// (nameStrings): lines with no backslash (so no escape, and their quotes
// pair up into strings when there is an even number of them) that start
// with namePrefix and have no other string reading "name" in any case
// (such a string, unescaped, ends in me" in some case, and only the
// key's own does), or have no such string at all (no name). ok is false
// for any other line.
func plainName(line []byte) (string, bool) {
	if bytes.IndexByte(line, '\\') >= 0 || bytes.Count(line, []byte(`"`))%2 != 0 {
		return "", false
	}
	if !bytes.HasPrefix(line, []byte(namePrefix)) {
		// A record without a name (reserved and unassigned ports) is
		// as common: no string reads "name", so it has none.
		return "", !endsInMe(line)
	}
	rest := line[len(namePrefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.EqualFold(rest[:end], []byte("name")) || endsInMe(rest[end+1:]) {
		return "", false
	}
	name := string(rest[:end])
	if !sanitize.IsClean(name) {
		return "", false
	}
	return name, true
}

// endsInMe: b holds me" in some case.
func endsInMe(b []byte) bool {
	for _, me := range [...]string{`me"`, `mE"`, `Me"`, `ME"`} {
		if bytes.Contains(b, []byte(me)) {
			return true
		}
	}
	return false
}

// nameStrings counts the JSON strings in line that read "name" in any
// case, escapes undone: an upper bound on the keys a decoder would take
// for Record.Name. -1 if line has a string that does not end.
func nameStrings(line []byte) int {
	n := 0
	for i := 0; i < len(line); {
		j := bytes.IndexByte(line[i:], '"')
		if j < 0 {
			break
		}
		i += j
		end := jsonStringEnd(line[i:])
		if end < 0 {
			return -1
		}
		if isName(line[i : i+end]) {
			n++
		}
		i += end
	}
	return n
}

// isName reports whether the JSON string tok (quotes included) reads
// "name" in any case. Escaped, "name" is at most 4×6 bytes (\u006e…).
func isName(tok []byte) bool {
	if len(tok) == 6 {
		return bytes.EqualFold(tok[1:5], []byte("name"))
	}
	if len(tok) > 26 || bytes.IndexByte(tok, '\\') < 0 {
		return false
	}
	var s string
	return json.Unmarshal(tok, &s) == nil && strings.EqualFold(s, "name")
}

func (s *lazySource) person(id string) (Person, bool) {
	s.peopleM.Lock()
	if s.peopleI == nil {
		s.peopleI = indexPeopleLines(s.people)
	}
	lines := s.peopleI
	s.peopleM.Unlock()
	i := sort.Search(len(lines), func(i int) bool { return lines[i].id >= id })
	if i == len(lines) || lines[i].id != id {
		return Person{}, false
	}
	var p Person
	if json.Unmarshal(lines[i].line, &p) != nil {
		return Person{}, false
	}
	p.neutralise()
	return p, true
}

// jsonStringEnd is the offset just past the JSON string that b starts
// with (b[0] == '"'), or -1: an id may itself hold `":{`, escaped.
func jsonStringEnd(b []byte) int {
	for i := 1; ; {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		k := q // an even run of backslashes before the quote escapes itself, not the quote
		for b[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// indexPeopleLines splits the people section ("id":{...} per line) into
// ids and values; lines that do not parse are skipped (the person then
// shows by id).
func indexPeopleLines(b []byte) []peopleLine {
	var out []peopleLine
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSuffix(line, []byte(","))
		if len(line) == 0 || line[0] != '"' {
			continue
		}
		end := jsonStringEnd(line)
		if end < 0 || !bytes.HasPrefix(line[end:], []byte(":{")) {
			continue
		}
		var id string
		if json.Unmarshal(line[:end], &id) != nil {
			continue
		}
		// Ids are neutralised as the records' Assignee and Contact are.
		out = append(out, peopleLine{id: sanitize.Line(id), line: line[end+1:]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// StaleAfter is the age past which the registry is worth updating:
// `registry info`, the status bar and `audit` then say so and how.
const StaleAfter = 180 * 24 * time.Hour

// Age is how old the registry's own date (Updated, IANA's <updated>) is at
// now; ok is false when the date cannot be read.
func (r *Registry) Age(now time.Time) (age time.Duration, ok bool) {
	t, err := time.Parse(time.DateOnly, r.Updated)
	if err != nil {
		return 0, false
	}
	return now.Sub(t), true
}
