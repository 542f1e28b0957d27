package model

import (
	"time"

	"github.com/portui/portui/internal/scan"
)

// with40000 is with326 (a private-use listener on 326) plus a listener
// on 40000 (block 39; assigned: safetynetp).
func with40000(at time.Time) scan.Snapshot {
	s := with326(at)
	s.Listeners = append(s.Listeners, lst("tcp", "0.0.0.0", 40000,
		proc(5151, "python3", "root", "python3 -m http.server 40000")))
	return s
}
