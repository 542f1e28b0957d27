// Command ctrlisten is the listener inside the test containers that
// scripts/containers.sh starts: busybox's nc has no UDP mode and busybox
// httpd binds [::] only, so the image carries this small static helper.
//
// Each argument is NETWORK:ADDRESS, where NETWORK is one of tcp4, tcp6,
// tcp (dual stack on an unspecified address), udp4, udp6 or udp, e.g.
//
//	ctrlisten tcp4:0.0.0.0:80 udp4:0.0.0.0:53 tcp:[::]:81
//
// A TCP connection is answered with one line naming the socket and closed;
// a UDP datagram is echoed back with the same prefix. The helper prints
// "READY" once every socket is bound and runs until it is killed.
package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ctrlisten NETWORK:ADDRESS...")
		os.Exit(2)
	}
	for _, arg := range os.Args[1:] {
		network, addr, ok := strings.Cut(arg, ":")
		if !ok {
			fmt.Fprintf(os.Stderr, "ctrlisten: %q is not NETWORK:ADDRESS\n", arg)
			os.Exit(2)
		}
		if err := listen(network, addr); err != nil {
			fmt.Fprintf(os.Stderr, "ctrlisten: %v\n", err)
			os.Exit(1)
		}
	}
	fmt.Println("READY")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}

func listen(network, addr string) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
		l, err := net.Listen(network, addr)
		if err != nil {
			return fmt.Errorf("listen %s %s: %w", network, addr, err)
		}
		go serveTCP(l, network)
	case "udp", "udp4", "udp6":
		c, err := net.ListenPacket(network, addr)
		if err != nil {
			return fmt.Errorf("listen %s %s: %w", network, addr, err)
		}
		go serveUDP(c, network)
	default:
		return fmt.Errorf("unknown network %q", network)
	}
	return nil
}

func serveTCP(l net.Listener, network string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		_, _ = fmt.Fprintf(c, "ctrlisten %s %s %s\n", hostname(), network, l.Addr())
		_ = c.Close()
	}
}

func serveUDP(c net.PacketConn, network string) {
	buf := make([]byte, 2048)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		reply := fmt.Sprintf("ctrlisten %s %s %s %s", hostname(), network, c.LocalAddr(), buf[:n])
		_, _ = c.WriteTo([]byte(reply), from)
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "?"
	}
	return h
}
