package main

import (
	"os"
	"runtime/debug"
)

// One-shot commands (listeners, audit, export, lookup…) allocate their
// whole answer and exit: with Go's default GOGC=100 and a live heap of a
// few megabytes, `portui listeners` at 10,000 listeners spends a sixth of
// its CPU in garbage collections that free little. oneShotGC turns the
// proportional collector off and lets only the soft memory limit,
// oneShotHeap, start a collection (the collector then works harder
// instead), so a 60,000-listener host still stays within a few hundred
// MiB. GOGC=400 (the heap grew to five times what is live) still
// collected once at 10,000 listeners, at 16 MiB: that one cycle cost 7 ms
// of 77, more than its marking, because it scanned large slices the scan
// had just made and not yet filled, and the kernel then copied the zero
// page under every first write, with a TLB shootdown each (maxrss 38 ->
// 42 MiB; at 60,000 listeners 418 -> 392 ms, 143 -> 155 MiB). Long-running
// modes (the explorer, listeners --watch) call steadyGC to go back to the
// defaults. A GOGC or GOMEMLIMIT in the environment is the user's choice
// and wins.
const (
	oneShotGCPercent = -1 // off: the memory limit alone collects
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
