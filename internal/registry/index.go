package registry

// Transport codes as stored in a record's kind (kind>>2).
const (
	protoAll   = 0 // a record without <protocol>: every transport
	protoTCP   = 1
	protoUDP   = 2
	protoSCTP  = 3
	protoDCCP  = 4
	protoOther = 5 // a transport newer than this code knows
)

func protoCode(p string) int {
	if p == "" {
		return protoAll
	}
	if i := protoIndex(p); i >= 0 {
		return i + 1
	}
	return protoOther
}

func recordKind(r *Record) uint8 { return uint8(r.Status()) | uint8(protoCode(r.Proto))<<2 }

// View selects whose status a query is about: the port overall, or one
// transport's records only (143 is imap over TCP but Reserved over UDP).
type View uint8

// Views: Combined looks at every record; the others at one transport.
const (
	Combined View = iota
	TCPOnly
	UDPOnly
	SCTPOnly
	DCCPOnly
	numViews
)

// ViewOf maps "" (combined) or a transport name to its View.
func ViewOf(proto string) (View, bool) {
	if proto == "" {
		return Combined, true
	}
	if i := protoIndex(proto); i >= 0 {
		return View(i + 1), true
	}
	return Combined, false
}

// Proto is the transport a view looks at ("" for Combined).
func (v View) Proto() string {
	if v == Combined || v >= numViews {
		return ""
	}
	return Protocols[v-1]
}

func (v View) String() string {
	if v == Combined {
		return "combined"
	}
	return v.Proto() + " only"
}

// portIndex holds per-port tables covering all 65,536 ports.
type portIndex struct {
	status  [numViews][MaxPort + 1]Status
	covered [numViews][MaxPort + 1]bool // false: no record at all
	start   [MaxPort + 2]int32          // records of port p: recs[start[p]:start[p+1]]
	recs    []int32
}

// statusRank orders statuses by precedence (higher wins).
var statusRank = [...]int8{Unassigned: 1, Assigned: 3, Reserved: 2, Other: 0}

func buildPortIndex(idx []int32, kinds []uint8) portIndex {
	var pi portIndex
	var best [numViews][MaxPort + 1]int8
	for v := range best {
		for p := range best[v] {
			best[v][p] = -1
		}
	}
	// Counting pass, then fill: a CSR table keeps the index to two slices
	// instead of 65,536 small ones.
	total := 0
	for i, k := range kinds {
		lo, hi := idx[3*i], idx[3*i+1]
		if lo < 0 {
			continue
		}
		st, code := Status(k&3), int(k>>2)
		rank := statusRank[st]
		for p := lo; p <= hi; p++ {
			pi.start[p+1]++
			total++
			if rank > best[Combined][p] {
				best[Combined][p] = rank
				pi.status[Combined][p] = st
			}
			for v := TCPOnly; v < numViews; v++ {
				if (code == protoAll || code == int(v)) && rank > best[v][p] {
					best[v][p] = rank
					pi.status[v][p] = st
				}
			}
		}
	}
	for v := range best {
		for p := range best[v] {
			if best[v][p] < 0 {
				pi.status[v][p] = Unassigned
			} else {
				pi.covered[v][p] = true
			}
		}
	}
	for p := 1; p < len(pi.start); p++ {
		pi.start[p] += pi.start[p-1]
	}
	pi.recs = make([]int32, total)
	fill := pi.start
	for i := range kinds {
		lo, hi := idx[3*i], idx[3*i+1]
		for p := lo; lo >= 0 && p <= hi; p++ {
			pi.recs[fill[p]] = int32(i)
			fill[p]++
		}
	}
	return pi
}
