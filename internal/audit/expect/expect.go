// Package expect reads, writes and matches the expected-listeners file
// (TOML, human-edited): one entry per service, not per socket. It is
// audit's input: `portui audit` judges listeners against it (unexpected,
// missing, scope widened) instead of the built-in rules.
//
// The file is untrusted text: it is opened as a regular file only, capped
// in size, and every string it carries is neutralised where it is read.
//
// The TOML is read with github.com/pelletier/go-toml/v2's unstable
// parser, which hands over the document as expressions with byte ranges:
// every bad entry, unknown key and syntax error is reported with its line
// ("expected.toml:7: unknown key \"prot\" …"), and every bad entry of a
// file at once, in line order. github.com/BurntSushi/toml, the other
// well-kept library, reports lines for syntax errors only: its list of
// undecoded keys carries no position, so an unknown key in the third
// [[listener]] could not be pointed at.
package expect

import (
	"fmt"

	"github.com/portui/portui/internal/scan"
)

// Scope is the address scope an entry allows. An entry allows its own
// scope and every narrower one (all ⊃ address ⊃ loopback); a listener
// wider than its entry's scope is "scope widened".
type Scope string

// Scopes, narrowest first. ScopeAny does not constrain.
const (
	ScopeAny      Scope = ""
	ScopeLoopback Scope = "loopback"
	ScopeAddress  Scope = "address" // one address (Entry.Address, when given); an interface-bound socket counts as one
	ScopeAll      Scope = "all"
)

// Entry is one expected service.
type Entry struct {
	Line  int    // 1-based line of the entry in File.Path (for messages: "expected.toml:12")
	Proto string // "tcp", "udp" or "*"
	Lo    int    // ports Lo..Hi (Lo == Hi: one port)
	Hi    int
	Scope Scope
	// Address: with ScopeAddress, the one address allowed ("" any one).
	Address string
	// Who may hold it: each "" (not constrained) or a pattern where * matches
	// any run of characters. All given ones must match.
	Process   string // a process name (comm) of an owner
	User      string
	Unit      string // systemd unit of the owners
	Container string // container name (or pod name)
	// Optional: the entry allows a listener but does not require one (never
	// missing-listener). Entries with a port range or proto "*" are always
	// optional.
	Optional bool
}

// Required reports whether a missing listener for e is drift.
func (e *Entry) Required() bool { return !e.Optional && e.Lo == e.Hi && e.Proto != "*" }

// File is a parsed expectations file.
type File struct {
	Path    string // as given (neutralised), for messages
	Entries []Entry

	idx *index // built by Parse; nil (or stale) for a File built by hand
}

// Error is one bad entry or syntax error: "expected.toml:12: port 70000 is
// not a port (0-65535)".
type Error struct {
	Path string
	Line int // 0 when the whole file is bad (too big, not a regular file)
	Msg  string

	err error // the system's error behind it (Load), for errors.Is
}

// Unwrap is the system's error for a file Load could not read:
// errors.Is(err, fs.ErrNotExist) holds for a missing file.
func (e *Error) Unwrap() error { return e.err }

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

// Verdict is how a listener stands against a file.
type Verdict int

// Verdicts.
const (
	NoFile     Verdict = iota // no expectations in use: built-in rules judge
	Matched                   // an entry allows it
	Widened                   // an entry matches everything but its scope: the listener is wider
	Unexpected                // no entry allows it
)

// Match is a listener's verdict and the entry behind it: the matching one
// (Matched), the one it widens (Widened), or for Unexpected the closest
// entry (same port and proto, other owner), nil if none.
type Match struct {
	Verdict Verdict
	Entry   *Entry
}

// Match judges l. A nil File gives NoFile. A File that Parse made is
// indexed by port, so a Match costs a map look-up and the entries on
// that port (and the ranges); a File built by hand works too, each
// Match then walks every entry.
func (f *File) Match(l scan.Listener) Match { return f.match(l) }

// Missing lists the required entries with ports in lo..hi that no
// listener of ls matches (Matched or Widened), in file order.
func (f *File) Missing(ls []scan.Listener, lo, hi int) []*Entry { return f.missing(ls, lo, hi) }

// MaxFileSize caps an expectations file.
const MaxFileSize = 1 << 20

// Parse reads an expectations file's text; path names it in messages. A
// bad file gives every bad entry as *Error (joined with errors.Join when
// there are several).
func Parse(path string, b []byte) (*File, error) { return parse(path, b) }

// Load opens path (a regular file only, at most MaxFileSize) and parses it.
func Load(path string) (*File, error) { return load(path) }

// DefaultPaths are where audit looks when no --expect is given, in order:
// $XDG_CONFIG_HOME/portui/expected.toml (or ~/.config/…), then
// /etc/portui/expected.toml (system-wide, for root's cron).
func DefaultPaths() []string { return defaultPaths() }
