//go:build !linux

package scan

// New returns the go-netstat backend: the Linux fast path (netlink
// sock_diag) has no equivalent here.
func New(opts Options) (Scanner, error) { return NewNetstat(opts) }
