//go:build !unix

// Command cpuof needs wait4's rusage, which this platform does not have.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "cpuof: needs a Unix system (wait4's rusage)")
	os.Exit(2)
}
