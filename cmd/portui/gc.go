package main

import (
	"os"
	"runtime/debug"
)

// One-shot commands (listeners, audit, export, lookup…) allocate their
// whole answer and exit: with Go's default GOGC=100 and a live heap of a
// few megabytes, `portui listeners` at 10,000 listeners spends a sixth of
// its CPU in garbage collections that free little. oneShotGC lets the heap
// grow to five times what is live, but never past oneShotHeap (the soft
// memory limit then makes the collector work harder instead), so a
// 60,000-listener host still stays within a few hundred MiB. Long-running
// modes (the explorer, listeners --watch) call steadyGC to go back to the
// defaults. A GOGC or GOMEMLIMIT in the environment is the user's choice
// and wins.
const (
	oneShotGCPercent = 400
	oneShotHeap      = 256 << 20
)

var gcDefaults struct {
	percent int
	limit   int64
	set     bool
}

func oneShotGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	gcDefaults.percent = debug.SetGCPercent(oneShotGCPercent)
	gcDefaults.limit = debug.SetMemoryLimit(oneShotHeap)
	gcDefaults.set = true
}

func steadyGC() {
	if !gcDefaults.set {
		return
	}
	debug.SetGCPercent(gcDefaults.percent)
	debug.SetMemoryLimit(gcDefaults.limit)
	gcDefaults.set = false
}
