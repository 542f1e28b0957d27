package main

import (
	"strings"
	"testing"
)

// TestRegistryInfoOnATerminal: on a colour terminal `registry info` shows
// the text it prints piped, its labels styled.
func TestRegistryInfoOnATerminal(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("COLORTERM", "truecolor")
	piped, _, _ := runCLI(t, "registry", "info")
	tty, _, code := runOnPTY(t, []string{"registry", "info"})
	if code != 0 || !strings.Contains(string(tty), "\x1b[1mactive\x1b[m") || stripSGR(string(tty)) != piped {
		t.Errorf("on a terminal: exit %d\n%q\npiped\n%q", code, tty, piped)
	}
}
