//go:build !linux

// Command loadgen makes a Linux machine look like a busy server; see
// main_linux.go. Elsewhere it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "loadgen: Linux only")
	os.Exit(2)
}
