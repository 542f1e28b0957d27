package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portui/portui/internal/scan"
)

// watchLine is one line of the stream as a consumer decodes it.
type watchLine struct {
	TS       string `json:"ts"`
	Event    string `json:"event"`
	Listener struct {
		Proto     string `json:"proto"`
		Address   string `json:"address"`
		Port      int    `json:"port"`
		Inode     uint64 `json:"inode"`
		Service   string `json:"service"`
		Processes []struct {
			PID  int    `json:"pid"`
			Name string `json:"name"`
		} `json:"processes"`
	} `json:"listener"`
}

func decodeWatch(t *testing.T, out string) []watchLine {
	t.Helper()
	var ls []watchLine
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var w watchLine
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, w.TS); err != nil {
			t.Errorf("line %q: ts: %v", line, err)
		}
		ls = append(ls, w)
	}
	return ls
}

func watchTCP(addr string, port uint16, inode uint64, pid int, name string) scan.Listener {
	a := netip.MustParseAddr(addr)
	return scan.Listener{
		Proto: "tcp", Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 0, User: "root", Inode: inode,
		Procs: []scan.Process{{PID: pid, Name: name, UID: 0, User: "root"}},
	}
}

// watchFakePolls replaces the scanner with one that answers the polls in turn
// (a nil entry: the poll fails) and the one after the last cancels the
// watch (SIGINT's part).
// It reports how many scans ran and whether two ever overlapped.
func watchFakePolls(t *testing.T, cancel context.CancelFunc, polls [][]scan.Listener) (calls *int, overlapped *bool) {
	t.Helper()
	var mu sync.Mutex
	n, busy, over := 0, false, false
	old := newScanner
	t.Cleanup(func() { newScanner = old })
	newScanner = func(scan.Options) (scan.Scanner, error) {
		return scan.Func(func(_ context.Context, f scan.Filter) (scan.Snapshot, error) {
			mu.Lock()
			if busy {
				over = true
			}
			busy = true
			i := n
			n++
			mu.Unlock()
			defer func() { mu.Lock(); busy = false; mu.Unlock() }()
			if i >= len(polls) {
				cancel()
				return scan.Snapshot{}, context.Canceled
			}
			if polls[i] == nil {
				return scan.Snapshot{}, errors.New("netlink: out of luck")
			}
			snap := scan.Snapshot{Taken: time.Date(2026, 12, 2, 10, 0, i, 0, time.UTC), Source: "netlink",
				NetNS: []scan.NetNS{{Host: true}}}
			for _, l := range polls[i] {
				if f.Match(l.Proto, l.Port) {
					snap.Listeners = append(snap.Listeners, l)
				}
			}
			scan.SortListeners(snap.Listeners)
			return snap, nil
		}), nil
	}
	return &n, &over
}

func runWatch(t *testing.T, ctx context.Context, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var out, errb bytes.Buffer
	code := run(ctx, append([]string{"listeners", "--watch", "--interval", "100ms"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// The first poll's listeners come as appeared; then each change once: a
// new socket appears, a closed one vanishes, a socket reopened on the
// same port (new inode) is vanished + appeared, a change of owners is no
// event, and a failed poll is a warning that makes nothing vanish.
func TestWatchEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := watchTCP("127.0.0.1", 8080, 100, 5, "python3")
	b := watchTCP("0.0.0.0", 22, 200, 7, "sshd")
	c := watchTCP("::", 443, 300, 9, "nginx")
	bForked := watchTCP("0.0.0.0", 22, 200, 8, "sshd") // same socket, other process
	aAgain := watchTCP("127.0.0.1", 8080, 101, 5, "python3")
	calls, over := watchFakePolls(t, cancel, [][]scan.Listener{
		{a, b},
		{a, b, c},
		{a, bForked, c},
		nil, // a failed poll
		{aAgain, bForked},
		{aAgain, bForked},
	})
	out, errOut, code := runWatch(t, ctx, "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if *calls < 6 || *over {
		t.Errorf("%d polls (overlapped: %v), want 6 one after another", *calls, *over)
	}
	var got []string
	for _, l := range decodeWatch(t, out) {
		got = append(got, l.TS[17:19]+" "+l.Event+" "+l.Listener.Address+":"+strconv.Itoa(l.Listener.Port)+"#"+strconv.Itoa(int(l.Listener.Inode)))
	}
	want := []string{
		"00 appeared 0.0.0.0:22#200", "00 appeared 127.0.0.1:8080#100",
		"01 appeared :::443#300",
		"04 appeared 127.0.0.1:8080#101", "04 vanished :::443#300", "04 vanished 127.0.0.1:8080#100",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Count(errOut, "poll failed") != 1 || !strings.Contains(errOut, "out of luck") {
		t.Errorf("stderr %q, want one warning naming the failed poll", errOut)
	}
	// The listener object is listeners --json's: annotated by the registry.
	if l := decodeWatch(t, out)[0]; l.Listener.Service != "ssh" || l.Listener.Proto != "tcp" || len(l.Listener.Processes) != 1 || l.Listener.Processes[0].Name != "sshd" {
		t.Errorf("first line %+v, want sshd's listener on 22 with its IANA service", l)
	}
}

// --port and --proto select what the stream is about; without --json the
// lines are for people.
func TestWatchTextAndFilter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := watchTCP("0.0.0.0", 8081, 400, 11, "nc")
	u.Proto = "udp"
	watchFakePolls(t, cancel, [][]scan.Listener{
		{watchTCP("127.0.0.1", 8080, 100, 5, "python3"), watchTCP("0.0.0.0", 22, 200, 7, "sshd")},
		{watchTCP("0.0.0.0", 22, 200, 7, "sshd"), u, watchTCP("0.0.0.0", 8081, 401, 12, "nc")},
	})
	out, errOut, code := runWatch(t, ctx, "--port", "8000-8999", "--proto", "tcp")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{"+ tcp 127.0.0.1:8080 python3 (pid 5)", "+ tcp 0.0.0.0:8081 nc (pid 12)", "- tcp 127.0.0.1:8080 python3 (pid 5)"}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i, l := range lines {
		// "10:00:00 + tcp …": the poll's time, then the event.
		if len(l) < 9 || l[2] != ':' || l[9:] != want[i] {
			t.Errorf("line %d %q, want the time then %q", i, l, want[i])
		}
	}
}

func TestWatchBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"listeners", "--watch", "--interval", "10ms"},
		{"listeners", "--interval", "1s"},
		{"listeners", "--watch", "--interval", "soon"},
	} {
		_, errOut, code := runCLI(t, args...)
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "interval") {
			t.Errorf("%q: exit %d, stderr %q, want 2 and one line about --interval", args, code, errOut)
		}
	}
}

// A first poll that fails is the command's failure: exit 2, one line.
func TestWatchFirstPollFails(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watchFakePolls(t, cancel, [][]scan.Listener{nil})
	_, errOut, code := runWatch(t, ctx, "--json")
	if code != 2 || !strings.Contains(errOut, "out of luck") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q, want 2 and one line naming the error", code, errOut)
	}
}

// A reader that went away (EPIPE, SIGPIPE ignored) ends the stream
// quietly with exit 0; another write error is exit 2 with one line.
func TestWatchWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{{syscall.EPIPE, 0}, {syscall.ENOSPC, 2}} {
		ctx, cancel := context.WithCancel(context.Background())
		watchFakePolls(t, cancel, [][]scan.Listener{{watchTCP("127.0.0.1", 8080, 100, 5, "python3")}, {}, {}})
		t.Setenv("XDG_DATA_HOME", t.TempDir())
		var errb bytes.Buffer
		code := run(ctx, []string{"listeners", "--watch", "--interval", "100ms", "--json"}, strings.NewReader(""), watchFailWriter{tc.err}, &errb)
		cancel()
		if code != tc.code {
			t.Errorf("write fails with %v: exit %d, want %d", tc.err, code, tc.code)
		}
		if wantLines := tc.code / 2; strings.Count(errb.String(), "\n") != wantLines {
			t.Errorf("write fails with %v: stderr %q, want %d lines", tc.err, errb.String(), wantLines)
		}
	}
}

type watchFailWriter struct{ err error }

func (w watchFailWriter) Write([]byte) (int, error) { return 0, w.err }

// A namespace that does not exist at the first poll is bad input, as for
// listeners without --watch.
func TestWatchNoSuchNetNS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watchFakePolls(t, cancel, [][]scan.Listener{{watchTCP("127.0.0.1", 8080, 100, 5, "python3")}})
	out, errOut, code := runWatch(t, ctx, "--json", "--netns", "4026531999")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "bad --netns") {
		t.Errorf("exit %d, stdout %q, stderr %q, want 2, nothing, one line about --netns", code, out, errOut)
	}
}
