// Package practice is portui's own curated table of well-established
// de-facto uses of ports: what a port is commonly used for where IANA's
// registry says something else (323/udp is reserved, yet chronyd always
// listens there). It is not IANA's data and is never shown as such: every
// entry names its source (the daemon's man page or documentation) and the
// table is versioned with the project (Version).
package practice

// Use is one de-facto use of a port.
type Use struct {
	Port    int
	Proto   string   // "tcp" or "udp"
	What    string   // "chronyd command port"
	Daemons []string // process names (comm) that use it this way: "chronyd"
	Source  string   // where this is documented: "chronyd(8)", or a URL
}

// At lists the uses of port for proto (nil if none).
func At(port int, proto string) []Use { return at(port, proto) }

// Known reports whether the table has a use of port/proto (At is not
// empty): a listener elsewhere needs no look at its process names.
func Known(port int, proto string) bool { return known(port, proto) }

// Explains returns the use of port/proto that one of the process names
// accounts for.
func Explains(port int, proto string, procs []string) (Use, bool) {
	return explains(port, proto, procs)
}
