package expect

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/portui/portui/internal/sanitize"
)

// Keys are the keys of a [[listener]] table, in the order the file's
// header explains them and messages list them.
var Keys = []string{"proto", "port", "scope", "address", "process", "user", "unit", "container", "optional"}

// maxErrors caps the errors one Parse reports: a file of a million bad
// lines gets the first ones and a count, not a million-line message.
const maxErrors = 50

// maxPattern caps a pattern's length (a process name is at most 15
// bytes, a unit or container name a few hundred).
const maxPattern = 1024

// parser is the state of one Parse: the lines of the text, the entries
// and the errors so far.
type parser struct {
	path  string
	nl    []int // offsets of the '\n' bytes of the text
	errs  []*Error
	extra int // errors beyond maxErrors
	file  *File

	cur     *draft // the [[listener]] being read, nil outside one
	inOther bool   // inside a table that is not [[listener]]: its keys were reported with it
	version int    // line of the version key, 0 if none yet
}

// draft is a [[listener]] table being read.
type draft struct {
	e       Entry
	bad     bool           // a key of it was bad: it is not added
	seen    map[string]int // key → line, for duplicates
	hasPort bool
	addrAt  int // line of the address key
}

func parse(path string, b []byte) (*File, error) {
	p := &parser{path: sanitize.Line(path), file: &File{Path: sanitize.Line(path)}}
	for i, c := range b {
		if c == '\n' {
			p.nl = append(p.nl, i)
		}
	}
	var tp unstable.Parser
	tp.Reset(b)
	for tp.NextExpression() {
		p.expression(&tp, tp.Expression())
	}
	if err := tp.Error(); err != nil {
		p.syntax(&tp, err) // the entry it stopped in is not judged: it is cut short
	} else {
		p.finish()
	}
	if len(p.errs) > 0 || p.extra > 0 {
		return nil, p.joined()
	}
	p.file.idx = buildIndex(p.file.Entries)
	return p.file, nil
}

// line is the 1-based line of byte offset off.
func (p *parser) line(off int) int { return sort.SearchInts(p.nl, off) + 1 }

// lineOf is the line where a node of the parser starts.
func (p *parser) lineOf(n *unstable.Node) int {
	for ; n != nil; n = n.Child() {
		if n.Raw.Length > 0 || n.Raw.Offset > 0 {
			return p.line(int(n.Raw.Offset))
		}
	}
	return 0
}

func (p *parser) errorf(line int, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		p.extra++
		return
	}
	p.errs = append(p.errs, &Error{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// joined is every error in line order (one *Error alone when there is one).
func (p *parser) joined() error {
	slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	if p.extra > 0 {
		last := p.errs[len(p.errs)-1]
		p.errs = append(p.errs, &Error{Path: p.path, Line: last.Line, Msg: fmt.Sprintf("… and %d more errors", p.extra)})
	}
	if len(p.errs) == 1 {
		return p.errs[0]
	}
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// syntax reports the parser's error with the line it points at.
func (p *parser) syntax(tp *unstable.Parser, err error) {
	line := 0
	var pe *unstable.ParserError
	if errors.As(err, &pe) {
		data := tp.Data()
		if off := cap(data) - cap(pe.Highlight); pe.Highlight != nil && off >= 0 && off <= len(data) {
			line = p.line(off)
		}
		err = errors.New(pe.Message)
	}
	if line == 0 {
		line = len(p.nl) + 1
	}
	p.errorf(line, "syntax error: %s", sanitize.Line(err.Error()))
}

// keyOf joins a (possibly dotted) key.
func keyOf(it unstable.Iterator) string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return strings.Join(parts, ".")
}

func (p *parser) expression(tp *unstable.Parser, n *unstable.Node) {
	switch n.Kind {
	case unstable.ArrayTable, unstable.Table:
		p.finish()
		it := n.Key()
		line := 0
		if it.Next() {
			line = p.line(int(it.Node().Raw.Offset))
		}
		key := keyOf(n.Key())
		switch {
		case n.Kind == unstable.ArrayTable && key == "listener":
			p.cur = &draft{e: Entry{Line: line}, seen: map[string]int{}}
		case key == "listener":
			p.errorf(line, "[listener] must be [[listener]] (one table per expected service)")
			p.inOther = true
		default:
			p.errorf(line, "unknown table %s (the file has [[listener]] tables only)", quote(key))
			p.inOther = true
		}
	case unstable.KeyValue:
		line := p.lineOf(n)
		it := n.Key()
		if it.Next() {
			line = p.line(int(it.Node().Raw.Offset))
		}
		key := keyOf(n.Key())
		switch {
		case p.cur != nil:
			p.keyValue(line, key, n.Value())
		case p.inOther:
		default:
			p.topLevel(line, key, n.Value())
		}
	}
}

// topLevel is a key before the first table: version only.
func (p *parser) topLevel(line int, key string, v *unstable.Node) {
	switch key {
	case "version":
		if p.version != 0 {
			p.errorf(line, "duplicate key \"version\" (first on line %d)", p.version)
			return
		}
		p.version = line
		n, ok := integer(v)
		switch {
		case !ok:
			p.errorf(line, "version must be an integer (version = 1), not %s", kindName(v))
		case n != 1:
			p.errorf(line, "version %d is not supported (this portui reads version 1)", n)
		}
	case "listener":
		p.errorf(line, "listener must be [[listener]] tables, one per expected service")
	default:
		p.errorf(line, "unknown key %s (before the first [[listener]]: version)", quote(key))
	}
}

// keyValue is one key of the current [[listener]].
func (p *parser) keyValue(line int, key string, v *unstable.Node) {
	d := p.cur
	bad := func(format string, args ...any) {
		d.bad = true
		p.errorf(line, format, args...)
	}
	if first, dup := d.seen[key]; dup {
		bad("duplicate key %s (first on line %d)", quote(key), first)
		return
	}
	d.seen[key] = line
	switch key {
	case "proto":
		s, ok := str(v)
		if !ok {
			bad("proto must be a string (\"tcp\", \"udp\" or \"*\"), not %s", kindName(v))
			return
		}
		switch t := strings.ToLower(strings.TrimSpace(s)); t {
		case "tcp", "udp", "*":
			d.e.Proto = t
		default:
			bad("proto %s is not one of tcp, udp, *", quote(s))
		}
	case "port":
		d.hasPort = true
		if n, ok := integer(v); ok {
			if n < 0 || n > 65535 {
				bad("port %d is not a port (0-65535)", n)
				return
			}
			d.e.Lo, d.e.Hi = int(n), int(n)
			return
		}
		s, ok := str(v)
		if !ok {
			bad("port must be an integer or a string (22, \"8000-8099\" or \"*\"), not %s", kindName(v))
			return
		}
		lo, hi, msg := portRange(s)
		if msg != "" {
			bad("port %s%s", quote(s), msg)
			return
		}
		d.e.Lo, d.e.Hi = lo, hi
	case "scope":
		s, ok := str(v)
		if !ok {
			bad("scope must be a string (\"loopback\", \"address\" or \"all\"), not %s", kindName(v))
			return
		}
		switch t := Scope(strings.ToLower(strings.TrimSpace(s))); t {
		case ScopeLoopback, ScopeAddress, ScopeAll:
			d.e.Scope = t
		default:
			bad("scope %s is not one of loopback, address, all", quote(s))
		}
	case "address", "process", "user", "unit", "container":
		s, ok := str(v)
		switch {
		case !ok:
			bad("%s must be a string, not %s", key, kindName(v))
			return
		case strings.TrimSpace(s) == "":
			bad("%s is empty (leave the key out to allow any)", key)
			return
		case len(s) > maxPattern:
			bad("%s is longer than %d bytes", key, maxPattern)
			return
		}
		s = sanitize.Line(s) // as written: a process name may end in a space
		switch key {
		case "address":
			d.e.Address, d.addrAt = s, line
		case "process":
			d.e.Process = s
		case "user":
			d.e.User = s
		case "unit":
			d.e.Unit = s
		case "container":
			d.e.Container = s
		}
	case "optional":
		if v.Kind != unstable.Bool {
			bad("optional must be true or false, not %s", kindName(v))
			return
		}
		d.e.Optional = string(v.Data) == "true"
	default:
		bad("unknown key %s (keys: %s)", quote(key), strings.Join(Keys, ", "))
	}
}

// finish closes the current [[listener]]: the checks that need all of its
// keys, then the entry joins the file.
func (p *parser) finish() {
	d := p.cur
	p.cur, p.inOther = nil, false
	if d == nil {
		return
	}
	if _, ok := d.seen["proto"]; !ok {
		d.bad = true
		p.errorf(d.e.Line, "[[listener]] has no proto (proto = \"tcp\", \"udp\" or \"*\")")
	}
	if !d.hasPort {
		d.bad = true
		p.errorf(d.e.Line, "[[listener]] has no port (port = 22, \"8000-8099\" or \"*\")")
	}
	if d.e.Address != "" && d.e.Scope == ScopeAll {
		d.bad = true
		p.errorf(d.addrAt, "address with scope \"all\" allows nothing more: drop the address, or use scope \"address\" or \"loopback\"")
	}
	if d.bad {
		return
	}
	if d.e.Address != "" && d.e.Scope == ScopeAny {
		d.e.Scope = ScopeAddress // an address alone: that address (or loopback)
	}
	p.file.Entries = append(p.file.Entries, d.e)
}

// portRange reads "22", "8000-8099" or "*"; msg is what is wrong, after
// the quoted value ("": nothing).
func portRange(s string) (lo, hi int, msg string) {
	t := strings.TrimSpace(s)
	if t == "*" {
		return 0, 65535, ""
	}
	a, b, isRange := strings.Cut(t, "-")
	lo, msg = portNumber(a)
	if msg != "" {
		return 0, 0, msg
	}
	if !isRange {
		return lo, lo, ""
	}
	if hi, msg = portNumber(b); msg != "" {
		return 0, 0, msg
	}
	if lo > hi {
		return 0, 0, ": the range is reversed"
	}
	return lo, hi, ""
}

func portNumber(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, " is not a port, a range LO-HI or \"*\""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 65535 {
		return 0, ": " + sanitize.Truncate(s, 20) + " is not a port (0-65535)"
	}
	return n, ""
}

// str is a string value, neutralised later by its user.
func str(v *unstable.Node) (string, bool) {
	if v == nil || v.Kind != unstable.String {
		return "", false
	}
	return string(v.Data), true
}

// integer reads a TOML integer (decimal with _ separators, 0x, 0o, 0b).
// A value beyond int64 reads as the largest one, so that it is reported
// as not a port rather than as not an integer.
func integer(v *unstable.Node) (int64, bool) {
	if v == nil || v.Kind != unstable.Integer {
		return 0, false
	}
	s := strings.ReplaceAll(string(v.Data), "_", "")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base != 10 {
			s = s[2:]
		}
	}
	n, err := strconv.ParseUint(s, base, 63)
	if err != nil {
		var ne *strconv.NumError
		if !errors.As(err, &ne) || !errors.Is(ne.Err, strconv.ErrRange) {
			return 0, false
		}
		n = 1<<63 - 1
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// kindName names a value's type for a message.
func kindName(v *unstable.Node) string {
	if v == nil {
		return "nothing"
	}
	switch v.Kind {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.InlineTable:
		return "a table"
	case unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return "a date"
	}
	return "a " + strings.ToLower(v.Kind.String())
}

// quote is s in double quotes for a message, neutralised (not %q: the
// escapes sanitize.Line writes are kept as they are).
func quote(s string) string {
	return `"` + sanitize.Line(sanitize.Truncate(s, 200)) + `"`
}
