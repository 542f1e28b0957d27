//go:build darwin || freebsd

package scan

// New returns the lsof source (NewLsof): go-netstat has no tables for
// darwin and freebsd, and lsof ships with macOS and is one package away on
// FreeBSD.
func New(opts Options) (Scanner, error) { return NewLsof(opts) }
