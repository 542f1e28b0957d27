package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portui/portui/internal/scan"
)

type listenersOut struct {
	Schema    string `json:"schema"`
	Source    string `json:"source"`
	Listeners []struct {
		Proto     string `json:"proto"`
		Address   string `json:"address"`
		Interface string `json:"interface"`
		Port      int    `json:"port"`
		Scope     string `json:"scope"`
		DualStack bool   `json:"dual_stack"`
		Processes []struct {
			PID  int    `json:"pid"`
			Name string `json:"name"`
		} `json:"processes"`
		Hidden  string `json:"hidden"`
		Service string `json:"service"`
		Status  string `json:"status"`
		Private bool   `json:"private_use"`
	} `json:"listeners"`
}

func listenersJSON(t *testing.T, args ...string) listenersOut {
	t.Helper()
	out, errOut, code := runCLI(t, append([]string{"listeners", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("listeners: exit %d: %s", code, errOut)
	}
	var res listenersOut
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestListenersFindsOwnSocket opens a real TCP listener and expects the
// command to report it with this process's PID, and not after close.
func TestListenersFindsOwnSocket(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	res := listenersJSON(t, "--port", strconv.Itoa(port), "--proto", "tcp")
	if res.Schema != "portui.listeners/v2" || len(res.Listeners) != 1 {
		t.Fatalf("%+v", res)
	}
	l := res.Listeners[0]
	if l.Address != "127.0.0.1" || l.Port != port || l.Scope != "loopback" || len(l.Processes) == 0 || l.Processes[0].PID != os.Getpid() {
		t.Fatalf("listener %+v, want 127.0.0.1:%d held by pid %d", l, port, os.Getpid())
	}
	ln.Close()
	if res := listenersJSON(t, "--port", strconv.Itoa(port), "--proto", "tcp"); len(res.Listeners) != 0 {
		t.Fatalf("closed listener still reported: %+v", res.Listeners)
	}
}

var ssLine = regexp.MustCompile(`^(tcp|udp)\s+\S+\s+\d+\s+\d+\s+(\S+):(\d+)\s+\S+\s*(.*)$`)
var ssPID = regexp.MustCompile(`pid=(\d+)`)

// ssListeners runs `ss -Htulnp` and returns "proto addr port pid" keys.
func ssListeners(t *testing.T) map[string]bool {
	out, err := exec.Command("ss", "-Htulnp").Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	keys := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		m := ssLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		addr := strings.Trim(m[2], "[]")
		if i := strings.IndexByte(addr, '%'); i >= 0 {
			addr = addr[:i] // "127.0.0.53%lo": the interface is not part of the address
		}
		if addr == "*" {
			addr = "::" // ss prints a dual-stack wildcard as *
		}
		if a, err := netip.ParseAddr(addr); err == nil {
			addr = a.Unmap().String()
		}
		pids := ssPID.FindAllStringSubmatch(m[4], -1)
		if len(pids) == 0 {
			keys[m[1]+" "+addr+" "+m[3]+" -"] = true
		}
		for _, p := range pids {
			keys[m[1]+" "+addr+" "+m[3]+" "+p[1]] = true
		}
	}
	return keys
}

// TestListenersAgreeWithSS compares (proto, addr, port, pid) with ss. The
// host may be busy, so only entries ss shows both before and after our
// snapshot must be in it, and ours must be in one of ss's.
func TestListenersAgreeWithSS(t *testing.T) {
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss (iproute2) is not installed")
	}
	if os.Geteuid() != 0 {
		t.Skip("ss -p shows other users' processes only to root; the comparison would be unfair")
	}
	ln, _ := net.Listen("tcp", "[::1]:0")
	if ln != nil {
		defer ln.Close()
	}
	uc, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	if uc != nil {
		defer uc.Close()
	}
	// Other test binaries open and close sockets meanwhile: a transient
	// one can fall between two reads, so a disagreement is retried.
	var problems []string
	stable := 0
	for range 5 {
		problems, stable = compareWithSS(t)
		if len(problems) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if stable < 2 {
		t.Fatalf("ss showed only %d stable listeners", stable)
	}
	t.Logf("%d listeners agree", stable)
}

// compareWithSS reads ss, then portui listeners --json, then ss again:
// entries ss shows both times must be ours, and ours must be in one of them.
// ss sees its own network namespace only: so does --netns host (the
// containers' namespaces are compared, one by one, in TestRealContainers).
func compareWithSS(t *testing.T) (problems []string, stable int) {
	before := ssListeners(t)
	res := listenersJSON(t, "--netns", "host")
	after := ssListeners(t)
	ours := map[string]bool{}
	for _, l := range res.Listeners {
		if len(l.Processes) == 0 {
			ours[l.Proto+" "+l.Address+" "+strconv.Itoa(l.Port)+" -"] = true
		}
		for _, p := range l.Processes {
			ours[l.Proto+" "+l.Address+" "+strconv.Itoa(l.Port)+" "+strconv.Itoa(p.PID)] = true
		}
	}
	for k := range before {
		if after[k] {
			stable++
			if !ours[k] {
				problems = append(problems, fmt.Sprintf("ss shows %q, portui listeners does not", k))
			}
		}
	}
	for k := range ours {
		if !before[k] && !after[k] {
			problems = append(problems, fmt.Sprintf("portui listeners shows %q, ss does not", k))
		}
	}
	return problems, stable
}

func withStaticScanner(t *testing.T, snap scan.Snapshot) {
	t.Helper()
	old := newScanner
	newScanner = func(scan.Options) (scan.Scanner, error) { return scan.Static(snap), nil }
	t.Cleanup(func() { newScanner = old })
}

func fakeListener(proto, addr string, port uint16, pid int, name string) scan.Listener {
	a := netip.MustParseAddr(addr)
	return scan.Listener{Proto: proto, Addr: a, Port: port, Scope: scan.ScopeOf(a), UID: 0, User: "root",
		Inode: uint64(port), Procs: []scan.Process{{PID: pid, Name: name, UID: 0, User: "root"}}}
}

func TestAuditFindings(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Source: "static", Listeners: []scan.Listener{
		fakeListener("tcp", "0.0.0.0", 22, 10, "sshd"),          // exposed system port
		fakeListener("tcp", "127.0.0.1", 326, 11, "python3"),    // private use
		fakeListener("tcp", "127.0.0.1", 23, 12, "nc"),          // unexpected service
		fakeListener("udp", "127.0.0.1", 143, 13, "dovecot"),    // 143/udp is reserved: private use
		fakeListener("tcp", "127.0.0.1", 8080, 14, "devserver"), // http-alt: assigned, outside 0-1023
	}})
	out, _, code := runCLI(t, "audit")
	if code != 1 {
		t.Fatalf("audit exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"326/tcp on 127.0.0.1:326: the port is unassigned in the IANA registry, so python3 (pid 11) listening there is private use",
		"143/udp on 127.0.0.1:143: the port is reserved in the IANA registry",
		"22/tcp on 0.0.0.0:22: a system port bound to all addresses by sshd (pid 10)",
		"23/tcp on 127.0.0.1:23: registered for telnet",
		"4 findings: 2 private use, 1 exposed system port, 1 unexpected service\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "8080") {
		t.Error("audit of 0-1023 reports 8080")
	}
	out, _, code = runCLI(t, "audit", "--range", "all", "--json")
	var res struct {
		Schema  string
		Verdict string
		Failing int
		Groups  []struct {
			Kind      string
			Port      int
			Listeners []struct {
				Private bool `json:"private_use"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 {
		t.Fatalf("audit --json: %v exit %d", err, code)
	}
	if res.Schema != "portui.audit/v3" || len(res.Groups) != 4 || res.Groups[0].Kind != "private-use" || res.Groups[3].Port != 23 ||
		!res.Groups[0].Listeners[0].Private || res.Failing != 4 || res.Verdict != "4 findings: 2 private use, 1 exposed system port, 1 unexpected service" {
		t.Fatalf("audit --json: %+v", res)
	}
}

func TestAuditCleanExitsZero(t *testing.T) {
	withStaticScanner(t, scan.Snapshot{Taken: time.Now(), Listeners: []scan.Listener{
		fakeListener("tcp", "127.0.0.1", 22, 10, "sshd"),
	}})
	out, _, code := runCLI(t, "audit")
	if code != 0 || out != "nothing found in 0–1023 (1 listener)\n" {
		t.Fatalf("exit %d\n%s", code, out)
	}
	_, errOut, code := runCLI(t, "audit", "--range", "5-x")
	if code != 2 || !strings.Contains(errOut, "bad --range") {
		t.Fatalf("bad range: %d %q", code, errOut)
	}
}
