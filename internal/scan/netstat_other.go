//go:build !linux && !(windows && amd64)

package scan

import (
	"fmt"
	"runtime"
)

// NewNetstat returns the go-netstat backend, which exists for Linux and
// windows/amd64 only; elsewhere it reports that no backend is available.
func NewNetstat(opts Options) (Scanner, error) {
	_ = opts
	return nil, fmt.Errorf("scan: listing listeners is not supported on %s/%s (go-netstat covers linux and windows/amd64)", runtime.GOOS, runtime.GOARCH)
}
