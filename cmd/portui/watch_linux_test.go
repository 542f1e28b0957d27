package main

import (
	"bufio"
	"encoding/json"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The real binary watching the real machine: a listener the test opens
// while the stream runs gives exactly one appeared and one vanished line,
// and SIGINT ends the stream with exit 0.
//
// No timing is asserted: a sentinel listener opened before the watch
// starts marks the end of the first poll (its appeared line), and its
// vanished line, asked for only after the subject's, marks a poll after
// the subject's last event, so the count for the subject is final.
func TestWatchRealListener(t *testing.T) {
	sentinel, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sentinel.Close()
	cmd := binaryCmd(t, "listeners", "--watch", "--json", "--interval", "100ms", "--proto", "tcp", "--netns", "host")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan watchLine, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var l watchLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("not a JSON line: %q: %v", sc.Text(), err)
				continue
			}
			lines <- l
		}
	}()
	counts := map[string]int{}
	port := func(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }
	key := func(event string, p int) string { return event + " 127.0.0.1:" + strconv.Itoa(p) }
	// waitFor reads lines until want has been seen, counting every line
	// about the test's listeners.
	waitFor := func(want string, ports ...int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the stream ended before %q", want)
				}
				for _, p := range ports {
					if l.Listener.Port == p && l.Listener.Address == "127.0.0.1" {
						counts[key(l.Event, p)]++
					}
				}
				if counts[want] > 0 {
					return
				}
			case <-deadline:
				t.Fatalf("no %q line within 30s (seen %v)", want, counts)
			}
		}
	}
	sp := port(sentinel)
	waitFor(key("appeared", sp), sp)

	subject, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := port(subject)
	waitFor(key("appeared", p), sp, p)
	subject.Close()
	waitFor(key("vanished", p), sp, p)
	sentinel.Close()
	waitFor(key("vanished", sp), sp, p)
	for _, k := range []string{key("appeared", p), key("vanished", p), key("appeared", sp), key("vanished", sp)} {
		if counts[k] != 1 {
			t.Errorf("%d lines %q, want exactly 1 (all: %v)", counts[k], k, counts)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	err = cmd.Wait()
	exited = true
	if err != nil {
		t.Errorf("after SIGINT: %v, want exit 0", err)
	}
}
