//go:build linux

package container

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// maxAddrs bounds the addresses kept for one namespace.
const maxAddrs = 256

// nsAddrs dumps the addresses of the network namespace of pid
// (RTM_GETADDR through NETLINK_ROUTE, opened inside the namespace).
func nsAddrs(procRoot string, pid int) ([]netip.Addr, error) {
	p := procRoot + "/" + strconv.Itoa(pid) + "/ns/net"
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	defer unix.Close(fd)
	return nsAddrsFD(fd)
}

// nsAddrsFD is nsAddrs for a namespace fd.
func nsAddrsFD(fd int) ([]netip.Addr, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: fd})
	if err != nil {
		return nil, fmt.Errorf("rtnetlink: %w", err)
	}
	defer c.Close()
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETADDR, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfAddrmsg),
	})
	if err != nil {
		return nil, fmt.Errorf("rtnetlink addresses: %w", err)
	}
	return parseAddrMsgs(msgs), nil
}

// parseAddrMsgs reads ifaddrmsg + IFA_LOCAL/IFA_ADDRESS attributes.
func parseAddrMsgs(msgs []netlink.Message) []netip.Addr {
	var out []netip.Addr
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofIfAddrmsg:])
		if err != nil {
			continue
		}
		ad.ByteOrder = binary.NativeEndian
		for ad.Next() {
			if t := ad.Type(); t != unix.IFA_LOCAL && t != unix.IFA_ADDRESS {
				continue
			}
			if a, ok := netip.AddrFromSlice(ad.Bytes()); ok && len(out) < maxAddrs {
				a = a.Unmap()
				found := false
				for _, b := range out {
					found = found || b == a
				}
				if !found {
					out = append(out, a)
				}
			}
		}
	}
	return out
}
