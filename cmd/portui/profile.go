package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfile writes a CPU profile of the whole run to the file named by
// PORTUI_CPUPROFILE, for measuring the explorer on a busy host (see
// bench/README.md). Unset, it does nothing. The returned stop flushes the
// profile; it must run before the process exits.
func startProfile() (stop func()) {
	startHeapProfiles()
	path := os.Getenv("PORTUI_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "portui: PORTUI_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "portui: PORTUI_CPUPROFILE: %v\n", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// startHeapProfiles writes a heap profile every minute, to
// PORTUI_MEMPROFILE.<seconds since start> (after a collection, so that
// in-use figures are what is live), for telling a leak from the
// collector's sawtooth in a long explorer run (bench/README.md). Unset, it
// does nothing.
func startHeapProfiles() {
	path := os.Getenv("PORTUI_MEMPROFILE")
	if path == "" {
		return
	}
	start := time.Now()
	go func() {
		for range time.Tick(time.Minute) {
			runtime.GC()
			f, err := os.Create(fmt.Sprintf("%s.%d", path, int(time.Since(start).Seconds())))
			if err != nil {
				fmt.Fprintf(os.Stderr, "portui: PORTUI_MEMPROFILE: %v\n", err)
				return
			}
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}()
}
