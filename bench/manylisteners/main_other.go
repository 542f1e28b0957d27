//go:build !linux

// Command manylisteners opens many loopback listeners on Linux; see
// main_linux.go. Elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "manylisteners: Linux only")
	os.Exit(2)
}
