package main

import (
	"os"
	"testing"
)

// helperEnv makes the test binary a helper process instead of running the
// tests (see testHelper).
const helperEnv = "PORTUI_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(testHelper(os.Getenv(helperEnv)))
	}
	os.Exit(m.Run())
}
