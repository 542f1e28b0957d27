package scan

import (
	"net"
	"strconv"
	"sync"

	"github.com/portui/portui/internal/sanitize"
)

// ifaceNames caches interface index -> (name, loopback) for sockets bound
// to a device; indexes are stable while the interface exists.
type ifaceNames struct {
	mu sync.Mutex
	m  map[int]ifaceInfo
}

type ifaceInfo struct {
	name     string
	loopback bool
}

// lookup names the device with ifindex index; the zero ifaceInfo for 0, a
// socket bound to no device.
func (c *ifaceNames) lookup(index int) ifaceInfo {
	if index <= 0 {
		return ifaceInfo{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.m[index]; ok {
		return i
	}
	var info ifaceInfo
	if ifc, err := net.InterfaceByIndex(index); err == nil {
		// Interface names are chosen by whoever created the device.
		info = ifaceInfo{name: sanitize.Line(ifc.Name), loopback: ifc.Flags&net.FlagLoopback != 0}
	} else {
		info.name = "if" + strconv.Itoa(index)
	}
	if c.m == nil || len(c.m) > 1024 {
		c.m = make(map[int]ifaceInfo)
	}
	c.m[index] = info
	return info
}
