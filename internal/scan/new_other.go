//go:build !linux && !darwin && !freebsd

package scan

// New returns the go-netstat backend: the Linux fast path (netlink
// sock_diag) has no equivalent here, and darwin and freebsd use lsof
// (new_lsof.go).
func New(opts Options) (Scanner, error) { return NewNetstat(opts) }
