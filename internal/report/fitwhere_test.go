package report

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A WHERE cell that would take its row past 100 columns is cut, and the
// whole place is said on a detail line before the others.
func TestFitWhereCutsLongPlaces(t *testing.T) {
	long := "portui-t-pod-b (podman, pod portui-t-pod)"
	rows := [][]string{
		{"PROTO", "LOCAL ADDRESS", "SERVICE", "STATUS", "PID/PROCESS", "USER", "WHERE"},
		{"tcp", "0.0.0.0:80", "http", "assigned", "15719/ctrlisten", "root", long},
		{"tcp", "0.0.0.0:22", "ssh", "assigned", "1/sshd", "root", "host"},
	}
	details := [][]string{nil, {"published 127.0.0.1:8080 (nat)"}, nil}
	fitWhere(rows, details)
	for _, line := range strings.Split(alignRows("", rows[0], rows[1:]), "\n") {
		if w := ansi.StringWidth(line); w > listenersWidth {
			t.Errorf("%d columns: %q", w, line)
		}
	}
	if got := rows[1][6]; !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("cell %q is not a cut of %q", got, long)
	}
	if want := []string{"in " + long, "published 127.0.0.1:8080 (nat)"}; strings.Join(details[1], "|") != strings.Join(want, "|") {
		t.Errorf("details %q, want %q", details[1], want)
	}
	if rows[2][6] != "host" || details[2] != nil {
		t.Errorf("a short place changed: %q %q", rows[2][6], details[2])
	}
}
