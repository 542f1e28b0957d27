package model

import (
	"testing"
	"time"

	"github.com/portui/portui/internal/scan"
)

// The table's golden scenarios (issue 10), added to scenarios so that
// TestGolden and TestFitsEverySize draw them at every size.
func init() {
	scenarios = append(scenarios,
		struct {
			name string
			run  func(t testing.TB, w, h int) Model
		}{"table", func(t testing.TB, w, h int) Model {
			// L on the grid: every listener, by port, the cursor on the
			// first.
			return update(t, poll(t, newTest(t, w, h, -1, tableSnap(t0))), press("L"))
		}},
		struct {
			name string
			run  func(t testing.TB, w, h int) Model
		}{"table_sorted", func(t testing.TB, w, h int) Model {
			// Sorted by process, descending, the cursor on 40000's row.
			m := update(t, poll(t, newTest(t, w, h, 40000, tableSnap(t0))), press("L"))
			for range 6 {
				m = update(t, m, press(">"))
			}
			return update(t, m, press("r"))
		}},
		struct {
			name string
			run  func(t testing.TB, w, h int) Model
		}{"table_query", func(t testing.TB, w, h int) Model {
			// /python typed: the rows of python3 only, the input open.
			m := update(t, poll(t, newTest(t, w, h, -1, tableSnap(t0))), press("L"))
			return update(t, m, typeKeys("/python")...)
		}},
		struct {
			name string
			run  func(t testing.TB, w, h int) Model
		}{"table_help", func(t testing.TB, w, h int) Model {
			// ? in the table: the table's keys in place of the grid's.
			m := update(t, poll(t, newTest(t, w, h, -1, tableSnap(t0))), press("L"))
			return update(t, m, press("?"))
		}},
	)
}

// tableSnap is containerSnap (containers, namespaces) plus a python
// server on 40000 with an accept queue, and a UDP socket with a
// receive queue.
func tableSnap(at time.Time) scan.Snapshot {
	s := containerSnap(at)
	l := lst("tcp", "0.0.0.0", 40000, proc(4321, "python3", "root", "python3 -m http.server 40000"))
	l.Queue, l.QueueMax = 3, 511
	u := lst("udp", "127.0.0.1", 5353, proc(700, "avahi-daemon", "avahi", "avahi-daemon: running"))
	u.Queue, u.QueueMax = 4096, 212992
	s.Listeners = append(s.Listeners, l, u)
	return s
}
