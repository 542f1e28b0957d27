package scan

// A network namespace of the test process's own, for benchmarks that need
// tens of thousands of loopback listeners without taking ports (and
// ephemeral ports) away from the rest of the machine. Network namespaces
// are per thread: the namespace is made on a locked OS thread, and sockets
// (listeners, the scanner's netlink socket) created on a thread that has
// entered it belong to it for good, whichever thread uses them later. A
// thread that entered a namespace is never unlocked, so it exits with its
// goroutine instead of going back to the runtime's pool.
//
// The tests of SO_BINDTODEVICE use a named namespace and `ip netns exec`
// instead (see bind_linux_test.go): interface names must be resolved there
// too.

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// inNetNS runs fn on a fresh OS thread that has entered the network
// namespace ns, and waits for it.
func inNetNS(ns *os.File, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// newPrivateNetNS makes an anonymous network namespace with its loopback
// device up and returns a handle to it; the namespace lives while the
// handle or any socket in it is open. It needs CAP_SYS_ADMIN.
func newPrivateNetNS() (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	rc := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			rc <- result{err: fmt.Errorf("unshare(CLONE_NEWNET): %w", err)}
			return
		}
		if err := loopbackUp(); err != nil {
			rc <- result{err: err}
			return
		}
		f, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		rc <- result{f, err}
	}()
	r := <-rc
	return r.f, r.err
}

// loopbackUp sets IFF_UP on "lo" in the calling thread's namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCGIFFLAGS lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCSIFFLAGS lo: %w", err)
	}
	return nil
}

// rawListeners opens a TCP listener on 127.0.0.1 for each port in
// [lo, lo+n) in the calling thread's namespace, as bare fds (no Go poller:
// sixty thousand of them cost only kernel memory). On error the ones
// opened are closed.
func rawListeners(lo, n int) ([]int, error) {
	fds := make([]int, 0, n)
	fail := func(err error) ([]int, error) {
		closeAll(fds)
		return nil, err
	}
	for port := lo; port < lo+n; port++ {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fail(fmt.Errorf("socket (listener %d of %d): %w", len(fds)+1, n, err))
		}
		fds = append(fds, fd)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			return fail(fmt.Errorf("bind 127.0.0.1:%d: %w", port, err))
		}
		if err := unix.Listen(fd, 1); err != nil {
			return fail(fmt.Errorf("listen 127.0.0.1:%d: %w", port, err))
		}
	}
	return fds, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		_ = unix.Close(fd)
	}
}
