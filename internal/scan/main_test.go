package scan

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if a test leaves goroutines behind (a scanner that
// was not closed, a helper that never returned).
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
	// The tests of the BPF owner path run on hosts of every size: mode ""
	// tries it whatever the number of open files (TestBPFMinFiles tests
	// the rule itself).
	bpfMinFiles = 0
	before := runtime.NumGoroutine()
	code := m.Run()
	stopManyHost()
	// The fuzzing engine keeps its own signal goroutine running.
	if f := flag.Lookup("test.fuzz"); code == 0 && (f == nil || f.Value.String() == "") {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before tests, %d after\n%s\n", before, n, strings.TrimSpace(string(buf)))
			code = 1
		}
	}
	os.Exit(code)
}
