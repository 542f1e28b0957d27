package model

import (
	"errors"
	"strings"
	"testing"
)

// #6: the "copied" message describes the port it copied and goes away
// when the selection moves (before the fix, `y` then a search said
// "copied port 0 summary" with 22 selected).
func TestCopyFlashDoesNotOutliveTheSelection(t *testing.T) {
	m := poll(t, newTest(t, 120, 40, -1, baseSnap(t0)))
	m = update(t, m, press("y"))
	if !strings.Contains(screen(m), "copied port 0 summary") {
		t.Fatal("no copied message")
	}
	m = update(t, m, typeKeys("/ssh")...)
	m = runSearch(t, m)
	m = update(t, m, press("enter"))
	if m.Selected() != 22 || strings.Contains(screen(m), "copied port") {
		t.Fatalf("sel %d, and the status bar still says what was copied before:\n%s", m.Selected(), screen(m))
	}
	// A move by key clears it too; staying put keeps it.
	m = update(t, m, press("y"), press("f"))
	if !strings.Contains(screen(m), "copied port 22 summary") {
		t.Fatal("the message went with a key that did not move")
	}
	m = update(t, m, press("l"))
	if strings.Contains(screen(m), "copied port") {
		t.Fatal("the message outlived a move")
	}
}

// #6: before the first scan the summary says so, and without a scanner
// it says why (before the fix it had no listener line at all).
func TestSummaryBeforeTheFirstScan(t *testing.T) {
	m := newTest(t, 120, 40, 22, baseSnap(t0))
	if s := m.summary(); !strings.Contains(s, "listening: not yet scanned\n") {
		t.Fatalf("summary before the first scan:\n%s", s)
	}
	m = New(Config{Registry: testReg, Port: 22, ScannerErr: errors.New("scan: netlink: protocol not supported")})
	if s := m.summary(); !strings.Contains(s, "listening: unknown (no scanner: netlink: protocol not supported)\n") {
		t.Fatalf("summary without a scanner:\n%s", s)
	}
}
