//go:build !linux

package container

import "github.com/portui/portui/internal/scan"

// wrapOS: containers, cgroups and nftables are Linux's; elsewhere the
// snapshots are left as the scanner made them.
func wrapOS(s scan.Scanner, _ Options) scan.Scanner { return s }
