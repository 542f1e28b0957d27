package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// helperEnv makes the test binary a helper process instead of running the
// tests (see testHelper).
const helperEnv = "PORTUI_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(testHelper(os.Getenv(helperEnv)))
	}
	// The user's expectations file (~/.config/portui/expected.toml) must
	// not judge the tests' audits: every test, and every binary it starts,
	// sees an empty config home unless it sets its own.
	cfg, err := os.MkdirTemp("", "portui-test-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
	noGo    bool
)

// builtBinary is portui built by the go command, as a user gets it: for
// tests of what only the real process shows (exit status, signals,
// writes to real files).
func builtBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			noGo, binErr = true, err
			return
		}
		if binDir, binErr = os.MkdirTemp("", "portui-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "portui")
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err, string(out)}
		}
	})
	switch {
	case noGo:
		t.Skipf("no go command to build portui: %v", binErr)
	case binErr != nil:
		t.Fatalf("building portui: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// runBinary runs cmd to its end and returns its stdout, stderr and exit
// status; a command that could not be run at all fails the test.
func runBinary(t *testing.T, cmd *exec.Cmd) (stdout []byte, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("%s %q: %v", cmd.Path, cmd.Args[1:], err)
	}
	return out.Bytes(), errb.String(), code
}
