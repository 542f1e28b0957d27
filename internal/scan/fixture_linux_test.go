package scan

// A fake /proc tree for tests: processes with stat, status, cmdline and fd
// symlinks to "socket:[N]", plus loadavg, net/{tcp,tcp6,udp,udp6} and,
// optionally, self/mountinfo.

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type fakeListener struct {
	proto string
	addr  netip.Addr
	port  uint16
	uid   int
	ino   uint64
	state uint8
}

type fakeProc struct {
	t      testing.TB
	root   string
	socks  []fakeListener
	extra  map[string][]string // extra raw lines per table
	lastPD int
}

func newFakeProc(t testing.TB, root string) *fakeProc {
	if root == "" {
		root = t.TempDir()
	}
	f := &fakeProc{t: t, root: root, extra: map[string][]string{}}
	f.write("sys/net/ipv6/bindv6only", "0\n")
	// "self" names the reader, as in a proc mount of our own namespace; it
	// is what makes loadavg's last PID trusted.
	if err := os.Symlink(strconv.Itoa(os.Getpid()), filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}
	f.setLastPID(1)
	f.writeNet()
	return f
}

func (f *fakeProc) write(rel, content string) {
	f.t.Helper()
	p := filepath.Join(f.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// proc adds (or replaces) a process.
func (f *fakeProc) proc(pid, ppid int, comm string, uid int, start uint64, args ...string) {
	f.t.Helper()
	dir := filepath.Join(f.root, strconv.Itoa(pid))
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
		f.t.Fatal(err)
	}
	rel := strconv.Itoa(pid) + "/"
	f.write(rel+"stat", fmt.Sprintf("%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 %d 1000 100 0\n", pid, comm, ppid, pid, pid, start))
	f.write(rel+"status", fmt.Sprintf("Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\nGid:\t0\t0\t0\t0\n", comm, pid, pid, ppid, uid, uid, uid, uid))
	cmd := ""
	if len(args) > 0 {
		cmd = strings.Join(args, "\x00") + "\x00"
	}
	f.write(rel+"cmdline", cmd)
	// Like the kernel: fds 0-2 are not sockets.
	f.link(pid, 0, "/dev/null")
	f.link(pid, 1, "pipe:[4026]")
	f.link(pid, 2, "anon_inode:[eventfd]")
}

func (f *fakeProc) link(pid, fd int, target string) {
	f.t.Helper()
	p := filepath.Join(f.root, strconv.Itoa(pid), "fd", strconv.Itoa(fd))
	_ = os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		f.t.Fatal(err)
	}
}

// fd makes pid hold socket ino at fd.
func (f *fakeProc) fd(pid, fd int, ino uint64) { f.link(pid, fd, fmt.Sprintf("socket:[%d]", ino)) }

func (f *fakeProc) closeFD(pid, fd int) {
	_ = os.Remove(filepath.Join(f.root, strconv.Itoa(pid), "fd", strconv.Itoa(fd)))
}

func (f *fakeProc) kill(pid int) { _ = os.RemoveAll(filepath.Join(f.root, strconv.Itoa(pid))) }

func (f *fakeProc) setLastPID(p int) {
	f.lastPD = p
	f.write("loadavg", fmt.Sprintf("0.00 0.01 0.05 1/100 %d\n", p))
}

// listen adds a socket to the tables (state defaults to the listener state).
func (f *fakeProc) listen(proto, addr string, port uint16, uid int, ino uint64) {
	f.socks = append(f.socks, fakeListener{proto, netip.MustParseAddr(addr), port, uid, ino, diagState(proto)})
	f.writeNet()
}

// connected adds a non-listening socket that must not be reported.
func (f *fakeProc) connected(proto, addr string, port uint16, ino uint64) {
	f.socks = append(f.socks, fakeListener{proto, netip.MustParseAddr(addr), port, 0, ino, tcpEstablished})
	f.writeNet()
}

func (f *fakeProc) unlisten(ino uint64) {
	f.socks = slices.DeleteFunc(f.socks, func(l fakeListener) bool { return l.ino == ino })
	f.writeNet()
}

func hexAddr(a netip.Addr) string {
	if a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%08X", binary.NativeEndian.Uint32(b[:]))
	}
	b := a.As16()
	var s string
	for w := 0; w < 4; w++ {
		s += fmt.Sprintf("%08X", binary.NativeEndian.Uint32(b[4*w:]))
	}
	return s
}

func (f *fakeProc) writeNet() {
	for _, tab := range []string{"tcp", "tcp6", "udp", "udp6"} {
		proto, v6 := strings.TrimSuffix(tab, "6"), strings.HasSuffix(tab, "6")
		var b strings.Builder
		b.WriteString("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
		n := 0
		for _, l := range f.socks {
			if l.proto != proto || l.addr.Is4() == v6 {
				continue
			}
			zero := netip.IPv4Unspecified()
			if v6 {
				zero = netip.IPv6Unspecified()
			}
			fmt.Fprintf(&b, "%4d: %s:%04X %s:0000 %02X 00000000:00000000 00:00000000 00000000 %5d        0 %d 1 0000000000000000 100 0 0 10 0\n",
				n, hexAddr(l.addr), l.port, hexAddr(zero), l.state, l.uid, l.ino)
			n++
		}
		for _, line := range f.extra[tab] {
			b.WriteString(line + "\n")
		}
		f.write("net/"+tab, b.String())
	}
}

// hidePIDMount makes the tree look like a proc mount with hidepid=mode.
// foreignNS makes the tree look like another PID namespace's proc mount:
// "self" is not us, so loadavg cannot be trusted.
func (f *fakeProc) foreignNS() {
	p := filepath.Join(f.root, "self")
	_ = os.Remove(p)
	if err := os.Symlink("1", p); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeProc) hidePIDMount(mode string) {
	f.write(strconv.Itoa(os.Getpid())+"/mountinfo", fmt.Sprintf("22 27 0:21 / /proc rw,relatime - proc proc rw\n99 27 0:50 / %s rw,nosuid - proc proc rw,hidepid=%s\n", f.root, mode))
}
