package scan

import (
	"context"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func cpuNow() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestTryNetlink(t *testing.T) {
	s, err := newNetlinkSource()
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for _, f := range []Filter{{}, {Lo: 2024, Hi: 2024}, {Proto: "tcp", Lo: 2024, Hi: 2024}, {Proto: "udp"}, {Proto: "tcp"}} {
		var n int
		c0 := cpuNow()
		const N = 50
		for i := 0; i < N; i++ {
			es, w, err := s.listeners(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			n = len(es)
			_ = w
		}
		t.Logf("%+v: %d entries, %v cpu/op", f, n, (cpuNow()-c0)/N)
	}
}
