//go:build linux

package container

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"github.com/google/nftables/xt"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// natRule is one DNAT rule: traffic for Host reaches Target. ID is the
// container id netavark writes into the rule's comment, "" if none.
type natRule struct {
	Proto  string
	Host   netip.AddrPort
	Target netip.AddrPort
	ID     string
}

// maxNATRules bounds what one read of the ruleset keeps.
const maxNATRules = 4096

// nftReader reads DNAT rules through nftables' netlink API, read-only.
// netnsFD is the namespace to read (0: the caller's).
type nftReader struct {
	netnsFD int
	conn    *netlink.Conn // kept for gen: one round trip per poll, no dial
}

// gen is the ruleset's generation (NFT_MSG_GETGEN): it changes with
// every committed change of the ruleset, so rules are re-read only when
// it does.
func (n *nftReader) gen() (uint32, error) {
	if n.conn == nil {
		c, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: n.netnsFD})
		if err != nil {
			return 0, fmt.Errorf("nftables: %w", err)
		}
		n.conn = c
	}
	msgs, err := n.conn.Execute(netlink.Message{
		Header: netlink.Header{
			Type:  netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | unix.NFT_MSG_GETGEN),
			Flags: netlink.Request,
		},
		Data: []byte{unix.AF_UNSPEC, unix.NFNETLINK_V0, 0, 0},
	})
	if err != nil {
		n.close()
		return 0, fmt.Errorf("nftables generation: %w", err)
	}
	for _, m := range msgs {
		if len(m.Data) < 4 {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[4:])
		if err != nil {
			return 0, fmt.Errorf("nftables generation: %w", err)
		}
		ad.ByteOrder = binary.BigEndian
		for ad.Next() {
			if ad.Type() == unix.NFTA_GEN_ID {
				return ad.Uint32(), nil
			}
		}
	}
	return 0, fmt.Errorf("nftables generation: no NFTA_GEN_ID in the answer")
}

func (n *nftReader) close() {
	if n.conn != nil {
		n.conn.Close()
		n.conn = nil
	}
}

// rules reads every DNAT rule of every ip, ip6 and inet table.
func (n *nftReader) rules() ([]natRule, error) {
	var opts []nftables.ConnOption
	if n.netnsFD > 0 {
		opts = append(opts, nftables.WithNetNSFd(n.netnsFD))
	}
	c, err := nftables.New(append(opts, nftables.AsLasting())...)
	if err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	defer func() { _ = c.CloseLasting() }()
	chains, err := c.ListChains()
	if err != nil {
		return nil, fmt.Errorf("nftables chains: %w", err)
	}
	// DNAT is valid only in nat chains hooked at prerouting and output,
	// and in the chains they jump to: read those alone. The kernel keeps
	// SNAT and MASQUERADE out of them, whose xt info the library decodes
	// unsafely (a nf_nat_range2 read as a compat range count).
	byName := map[string]*nftables.Chain{}
	var queue []*nftables.Chain
	for _, ch := range chains {
		switch ch.Table.Family {
		case nftables.TableFamilyIPv4, nftables.TableFamilyIPv6, nftables.TableFamilyINet:
		default:
			continue
		}
		byName[chainKey(ch.Table, ch.Name)] = ch
		if ch.Type == nftables.ChainTypeNAT && ch.Hooknum != nil &&
			(*ch.Hooknum == *nftables.ChainHookPrerouting || *ch.Hooknum == *nftables.ChainHookOutput) {
			queue = append(queue, ch)
		}
	}
	seen := map[string]bool{}
	var all []chainRules
	for len(queue) > 0 && len(all) < 4096 {
		ch := queue[0]
		queue = queue[1:]
		k := chainKey(ch.Table, ch.Name)
		if seen[k] {
			continue
		}
		seen[k] = true
		rs, err := c.GetRules(ch.Table, ch)
		if err != nil {
			continue // the chain went away meanwhile
		}
		all = append(all, chainRules{chain: ch.Table.Name + "/" + ch.Name, family: ch.Table.Family, rules: rs})
		for _, r := range rs {
			for _, e := range r.Exprs {
				if v, ok := e.(*expr.Verdict); ok && (v.Kind == expr.VerdictJump || v.Kind == expr.VerdictGoto) {
					if next := byName[chainKey(ch.Table, v.Chain)]; next != nil {
						queue = append(queue, next)
					}
				}
			}
		}
	}
	return decodeRules(all), nil
}

func chainKey(t *nftables.Table, chain string) string {
	return string(rune('0'+t.Family)) + "/" + t.Name + "/" + chain
}

type chainRules struct {
	chain  string // table/chain
	family nftables.TableFamily
	rules  []*nftables.Rule
}

// decodeRules finds the DNAT rules among chains' rules. A rule that jumps
// to a chain with a netavark comment lends its container id to the DNAT
// rules of that chain (netavark comments the jump, and sometimes the
// DNAT rule itself).
func decodeRules(all []chainRules) []natRule {
	chainID := map[string]string{}
	for _, cr := range all {
		table, _, _ := strings.Cut(cr.chain, "/")
		for _, r := range cr.rules {
			d := decodeRule(cr.family, r)
			if d.jump != "" && d.id != "" {
				chainID[table+"/"+d.jump] = d.id
			}
		}
	}
	var out []natRule
	for _, cr := range all {
		for _, r := range cr.rules {
			d := decodeRule(cr.family, r)
			if !d.dnat {
				continue
			}
			if d.id == "" {
				d.id = chainID[cr.chain]
			}
			if d.proto == "" || d.dport == 0 || !d.to.IsValid() {
				continue
			}
			if !d.daddr.IsValid() {
				if d.to.Is4() {
					d.daddr = netip.IPv4Unspecified()
				} else {
					d.daddr = netip.IPv6Unspecified()
				}
			}
			port := d.toPort
			if port == 0 {
				port = d.dport
			}
			nr := natRule{Proto: d.proto, Host: netip.AddrPortFrom(d.daddr, d.dport), Target: netip.AddrPortFrom(d.to, port), ID: d.id}
			if !slices.Contains(out, nr) && len(out) < maxNATRules {
				out = append(out, nr)
			}
		}
	}
	slices.SortFunc(out, func(a, b natRule) int {
		return cmp.Or(cmp.Compare(a.Host.Port(), b.Host.Port()), strings.Compare(a.Proto, b.Proto),
			a.Host.Addr().Compare(b.Host.Addr()), a.Target.Compare(b.Target), strings.Compare(a.ID, b.ID))
	})
	return out
}

// decoded is what decodeRule understood of one rule.
type decoded struct {
	proto  string
	daddr  netip.Addr
	dport  uint16
	dnat   bool
	to     netip.Addr
	toPort uint16
	id     string // netavark container id from a comment
	jump   string // chain jumped to
}

// decodeRule follows the registers of one rule's expressions: native nft
// (meta l4proto, payload + cmp for daddr and dport, immediate + nat) and
// iptables-nft's xtables compatibility (tcp/udp and comment matches, the
// DNAT target with its nf_nat_ipv4_multi_range_compat or nf_nat_range(2)
// info).
func decodeRule(fam nftables.TableFamily, r *nftables.Rule) decoded {
	var d decoded
	const (
		rNone = iota
		rProto
		rDaddr4
		rDaddr6
		rDport
	)
	what := map[uint32]int{}
	masked := map[uint32]bool{}
	imm := map[uint32][]byte{}
	if s, ok := userdata.GetString(r.UserData, userdata.TypeComment); ok {
		d.id = netavarkID(s)
	}
	for _, e := range r.Exprs {
		switch e := e.(type) {
		case *expr.Meta:
			if !e.SourceRegister && e.Key == expr.MetaKeyL4PROTO {
				what[e.Register] = rProto
			} else if !e.SourceRegister {
				what[e.Register] = rNone
			}
		case *expr.Payload:
			if e.OperationType != expr.PayloadLoad {
				continue
			}
			k := rNone
			switch {
			case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 16 && e.Len == 4 && fam != nftables.TableFamilyIPv6:
				k = rDaddr4
			case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 24 && e.Len == 16 && fam != nftables.TableFamilyIPv4:
				k = rDaddr6
			case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && e.Len == 2:
				k = rDport
			}
			what[e.DestRegister] = k
			masked[e.DestRegister] = false
		case *expr.Bitwise:
			what[e.DestRegister] = what[e.SourceRegister]
			masked[e.DestRegister] = !allOnes(e.Mask)
		case *expr.Cmp:
			if e.Op != expr.CmpOpEq {
				continue
			}
			switch what[e.Register] {
			case rProto:
				if len(e.Data) == 1 {
					d.proto = l4name(e.Data[0])
				}
			case rDaddr4, rDaddr6:
				if a, ok := netip.AddrFromSlice(e.Data); ok && !masked[e.Register] {
					d.daddr = a.Unmap()
				}
			case rDport:
				if len(e.Data) == 2 {
					d.dport = binary.BigEndian.Uint16(e.Data)
				}
			}
		case *expr.Immediate:
			imm[e.Register] = e.Data
		case *expr.NAT:
			if e.Type != expr.NATTypeDestNAT {
				continue
			}
			d.dnat = true
			if a, ok := netip.AddrFromSlice(imm[e.RegAddrMin]); ok && e.RegAddrMin != 0 {
				d.to = a.Unmap()
			}
			if p := imm[e.RegProtoMin]; e.RegProtoMin != 0 && len(p) == 2 {
				d.toPort = binary.BigEndian.Uint16(p)
			}
		case *expr.Match:
			switch info := e.Info.(type) {
			case *xt.Tcp:
				if info.DstPorts[0] == info.DstPorts[1] && info.InvFlags&xt.TcpInvDestPorts == 0 {
					d.dport, d.proto = info.DstPorts[0], "tcp"
				}
			case *xt.Udp:
				if info.DstPorts[0] == info.DstPorts[1] && info.InvFlags&xt.UdpInvDestPorts == 0 {
					d.dport, d.proto = info.DstPorts[0], "udp"
				}
			case *xt.Comment:
				if id := netavarkID(string(*info)); id != "" {
					d.id = id
				}
			}
		case *expr.Target:
			if e.Name != "DNAT" {
				continue
			}
			d.dnat = true
			switch info := e.Info.(type) {
			case *xt.NatIPv4MultiRangeCompat:
				if len(*info) > 0 {
					d.to, d.toPort = natTarget((*info)[0].Flags, (*info)[0].MinIP, (*info)[0].MinPort)
				}
			case *xt.NatRange:
				d.to, d.toPort = natTarget(info.Flags, info.MinIP, info.MinPort)
			case *xt.NatRange2:
				d.to, d.toPort = natTarget(info.Flags, info.MinIP, info.MinPort)
			}
		case *expr.Verdict:
			if e.Kind == expr.VerdictJump || e.Kind == expr.VerdictGoto {
				d.jump = e.Chain
			}
		}
	}
	return d
}

// natTarget reads an xt NAT range: the address when NF_NAT_RANGE_MAP_IPS
// is set, the port when NF_NAT_RANGE_PROTO_SPECIFIED is.
func natTarget(flags uint, ip net.IP, port uint16) (netip.Addr, uint16) {
	var a netip.Addr
	if xt.NatRangeFlags(flags)&xt.NatRangeMapIPs != 0 {
		if v4 := ip.To4(); v4 != nil {
			a, _ = netip.AddrFromSlice(v4)
		} else {
			a, _ = netip.AddrFromSlice(ip)
		}
	}
	if xt.NatRangeFlags(flags)&xt.NatRangeProtoSpecified == 0 {
		port = 0
	}
	return a.Unmap(), port
}

func allOnes(b []byte) bool {
	for _, c := range b {
		if c != 0xff {
			return false
		}
	}
	return true
}

func l4name(p byte) string {
	switch p {
	case unix.IPPROTO_TCP:
		return "tcp"
	case unix.IPPROTO_UDP:
		return "udp"
	}
	return ""
}

// legacyNAT reports whether legacy iptables has a nat table (whose rules
// nftables cannot see): /proc/net/ip_tables_names or ip6_tables_names
// lists "nat".
func legacyNAT(procRoot string) bool {
	for _, f := range []string{"/net/ip_tables_names", "/net/ip6_tables_names"} {
		data, _, err := readProc(procRoot + f)
		if err != nil {
			continue
		}
		for _, l := range bytes.Split(data, []byte("\n")) {
			if string(bytes.TrimSpace(l)) == "nat" {
				return true
			}
		}
	}
	return false
}

// readProc reads a small procfs file (size 0 in stat: read up to 64 KiB).
func readProc(path string) ([]byte, int, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, err := f.Read(buf)
	if err != nil && n == 0 {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return buf[:n], n, nil
}
