package main

// Issue 11: owners come from the BPF iterator where the kernel allows it
// (root here), from the /proc walk otherwise, and the user learns which
// with one warning line, never an error. These run the real binary as
// root and as uid 65534 (nobody) against listeners the test opened itself.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

const nobodyUID = 65534

// ownersOut is what these tests read of `listeners --json`.
type ownersOut struct {
	Owners    string `json:"owners"`
	Listeners []struct {
		Proto     string        `json:"proto"`
		Address   string        `json:"address"`
		Port      int           `json:"port"`
		Hidden    string        `json:"hidden"`
		Processes []jsonProcess `json:"processes"`
		NetNS     *jsonNetNS    `json:"netns"`
	} `json:"listeners"`
	Warnings []string `json:"warnings"`
}

// nobodyBinary copies the built portui where uid 65534 may run it.
func nobodyBinary(t *testing.T) (bin, home string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "portui-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home = filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, nobodyUID, nobodyUID); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(builtBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "portui")
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, home
}

// runAs runs bin with args as uid (0: as this process) and a clean
// environment plus env; it returns stdout, stderr and the exit status.
func runAs(t *testing.T, uid int, home, bin string, env []string, args ...string) (stdout []byte, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = home
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}, env...)
	if uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: []uint32{}}}
	}
	return runBinary(t, cmd)
}

// busyHost makes the host hold at least n open files (fs.file-nr), by
// opening /dev/null as often as needed: portui loads the BPF pass only
// from 16,384 open files (scan.bpfMinFiles), below which the /proc walk is
// cheaper. They are closed on cleanup.
func busyHost(t *testing.T, n int) {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/fs/file-nr")
	if err != nil {
		t.Fatal(err)
	}
	var have int
	if _, err := fmt.Sscan(string(b), &have); err != nil {
		t.Fatalf("/proc/sys/fs/file-nr: %q: %v", b, err)
	}
	need := n - have
	if need <= 0 {
		return
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < uint64(need)+1024 {
		raised := lim
		raised.Cur = max(lim.Cur, min(lim.Max, uint64(need)+4096))
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
	}
	fds := make([]int, 0, need)
	t.Cleanup(func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	})
	for range need {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			t.Fatalf("opening file %d of %d: %v", len(fds)+1, need, err)
		}
		fds = append(fds, fd)
	}
}

// startNobodyHolder starts `sleep` as uid 65534 holding a fresh TCP
// listener and UDP socket on 127.0.0.1 (the test's copies closed), and
// returns its pid and the two ports. It is killed by its pid on cleanup.
func startNobodyHolder(t *testing.T) (pid, tcpPort, udpPort int) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tcpPort, udpPort = ln.Addr().(*net.TCPAddr).Port, pc.LocalAddr().(*net.UDPAddr).Port
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := pc.(*net.UDPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "120")
	cmd.ExtraFiles = []*os.File{lf, pf}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID, Groups: []uint32{}}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid = cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	for _, c := range []interface{ Close() error }{lf, pf, ln, pc} {
		c.Close()
	}
	return pid, tcpPort, udpPort
}

type listenKey struct {
	proto, addr string
	port        int
}

func decodeOwners(t *testing.T, who string, b []byte) ownersOut {
	t.Helper()
	var o ownersOut
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("%s: listeners --json: %v\n%s", who, err, b)
	}
	return o
}

func (o ownersOut) pids(proto string, port int) (pids []int, hidden string, ok bool) {
	for _, l := range o.Listeners {
		if l.Proto == proto && l.Port == port && l.Address == "127.0.0.1" {
			for _, p := range l.Processes {
				pids = append(pids, p.PID)
			}
			slices.Sort(pids)
			return pids, l.Hidden, true
		}
	}
	return nil, "", false
}

// TestOwnersAsNobody: as root, `listeners --json` finds owners by BPF; as
// uid 65534 the same binary says "procfs", warns once (one line, exit 0),
// and agrees with root on every owner it may see: its own processes'.
// Root's own listener is reported without a process, and says why.
func TestOwnersAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs portui as root and as uid 65534")
	}
	bin, home := nobodyBinary(t)
	busyHost(t, 20000)
	pid, tcpPort, udpPort := startNobodyHolder(t)
	mine, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	minePort := mine.Addr().(*net.TCPAddr).Port

	out, stderr, code := runAs(t, 0, home, bin, nil, "listeners", "--json")
	if code != 0 {
		t.Fatalf("as root: exit %d: %s", code, stderr)
	}
	root := decodeOwners(t, "root", out)
	if root.Owners != "bpf" {
		// This machine has BTF and root: anything else is a regression,
		// unless a policy forbids BPF, which the warning names.
		t.Fatalf("as root: owners %q, want bpf (warnings %q)", root.Owners, root.Warnings)
	}
	for _, w := range root.Warnings {
		if strings.Contains(w, "BPF") {
			t.Errorf("as root: a BPF warning: %q", w)
		}
	}

	out, stderr, code = runAs(t, nobodyUID, home, bin, nil, "listeners", "--json")
	if code != 0 {
		t.Fatalf("as nobody: exit %d: %s", code, stderr)
	}
	nobody := decodeOwners(t, "nobody", out)
	if nobody.Owners != "procfs" {
		t.Errorf("as nobody: owners %q, want procfs", nobody.Owners)
	}
	var bpfWarn []string
	for _, w := range nobody.Warnings {
		if strings.Contains(w, "BPF iterator") {
			bpfWarn = append(bpfWarn, w)
		}
	}
	if len(bpfWarn) != 1 || !strings.Contains(bpfWarn[0], "not permitted") {
		t.Errorf("as nobody: BPF warnings %q, want one saying it is not permitted", bpfWarn)
	}

	// The listeners of uid 65534's process: the same owner on both paths.
	for _, k := range []listenKey{{"tcp", "127.0.0.1", tcpPort}, {"udp", "127.0.0.1", udpPort}} {
		rp, _, rok := root.pids(k.proto, k.port)
		np, hidden, nok := nobody.pids(k.proto, k.port)
		if !rok || !nok {
			t.Fatalf("%s/%d: seen by root %v, by nobody %v", k.proto, k.port, rok, nok)
		}
		if !slices.Equal(rp, []int{pid}) || !slices.Equal(np, rp) {
			t.Errorf("%s/%d: owners as root %v, as nobody %v (hidden %q), want [%d] for both", k.proto, k.port, rp, np, hidden, pid)
		}
	}
	// Root's listener: root names this test; nobody may not, and says so.
	rp, _, _ := root.pids("tcp", minePort)
	if !slices.Contains(rp, os.Getpid()) {
		t.Errorf("tcp/%d: owners as root %v, want this test (%d)", minePort, rp, os.Getpid())
	}
	np, hidden, ok := nobody.pids("tcp", minePort)
	if !ok || len(np) != 0 || !strings.Contains(hidden, "hidden") {
		t.Errorf("tcp/%d as nobody: seen %v, owners %v, hidden %q: want no owner and the reason", minePort, ok, np, hidden)
	}
	// Every owner nobody names, root names too (host namespace: nobody
	// cannot see into the others).
	rootOwners := map[listenKey][]int{}
	for _, l := range root.Listeners {
		for _, p := range l.Processes {
			k := listenKey{l.Proto, l.Address, l.Port}
			rootOwners[k] = append(rootOwners[k], p.PID)
		}
	}
	for _, l := range nobody.Listeners {
		k := listenKey{l.Proto, l.Address, l.Port}
		for _, p := range l.Processes {
			if _, alive := os.Stat(fmt.Sprintf("/proc/%d", p.PID)); alive != nil {
				continue // exited between the two runs
			}
			if !slices.Contains(rootOwners[k], p.PID) {
				t.Errorf("%v: nobody sees owner %d that root does not (root: %v)", k, p.PID, rootOwners[k])
			}
		}
	}

	// Text output: the refusal is one warning line on stderr, exit 0.
	_, stderr, code = runAs(t, nobodyUID, home, bin, nil, "listeners")
	if code != 0 {
		t.Errorf("as nobody, text: exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "not by the BPF iterator"); n != 1 || !strings.Contains(stderr, "portui: warning: process owners read from /proc") {
		t.Errorf("as nobody, text: %d lines about BPF on stderr, want 1:\n%s", n, stderr)
	}
}

// TestOwnersEnv: PORTUI_OWNERS forces a path; a path that cannot be had,
// or a value that is none, is one line and exit 2.
func TestOwnersEnv(t *testing.T) {
	bin := builtBinary(t)
	home := t.TempDir()
	out, stderr, code := runAs(t, 0, home, bin, []string{"PORTUI_OWNERS=bogus"}, "listeners", "--json")
	if code != 2 || len(out) != 0 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "PORTUI_OWNERS=bogus") {
		t.Errorf("PORTUI_OWNERS=bogus: exit %d, stdout %q, stderr %q: want exit 2 and one line naming it", code, out, stderr)
	}
	out, stderr, code = runAs(t, 0, home, bin, []string{"PORTUI_OWNERS=procfs"}, "listeners", "--json")
	if code != 0 {
		t.Fatalf("PORTUI_OWNERS=procfs: exit %d: %s", code, stderr)
	}
	if o := decodeOwners(t, "procfs", out); o.Owners != "procfs" {
		t.Errorf("PORTUI_OWNERS=procfs: owners %q", o.Owners)
	}
	if os.Geteuid() != 0 {
		t.Log("not root: PORTUI_OWNERS=bpf as uid 65534 not run")
		return
	}
	bin, home = nobodyBinary(t)
	out, stderr, code = runAs(t, nobodyUID, home, bin, []string{"PORTUI_OWNERS=bpf"}, "listeners", "--json")
	if code != 2 || len(out) != 0 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "not permitted") {
		t.Errorf("PORTUI_OWNERS=bpf as nobody: exit %d, stdout %q, stderr %q: want exit 2 and one line saying BPF is not permitted", code, out, stderr)
	}
}
