//go:build !linux

package scan

const helperEnv = "PORTUI_SCAN_TEST_HELPER"

func runHelper() int { return 2 }

func stopManyHost() {}
