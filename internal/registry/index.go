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

// build fills pi, a zero portIndex, from the records' ranges (idx: lo,
// hi, kind per record) and kinds, in place: the index is 650 KB, and
// building it in a local and copying it, with a rank table beside it,
// was a third of Load.
func (pi *portIndex) build(idx []int32, kinds []uint8) {
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
			pi.raise(Combined, p, st, rank)
			for v := TCPOnly; v < numViews; v++ {
				if code == protoAll || code == int(v) {
					pi.raise(v, p, st, rank)
				}
			}
		}
	}
	// Ports no record covers keep the zero Status, Unassigned.
	for p := 1; p < len(pi.start); p++ {
		pi.start[p] += pi.start[p-1]
	}
	pi.recs = make([]int32, total)
	for i := range kinds {
		lo, hi := idx[3*i], idx[3*i+1]
		for p := lo; lo >= 0 && p <= hi; p++ {
			pi.recs[pi.start[p]] = int32(i)
			pi.start[p]++
		}
	}
	// Each start[p] moved to the start of p+1: shift them back.
	copy(pi.start[1:], pi.start[:len(pi.start)-1])
	pi.start[0] = 0
}

// raise gives port p status st under view v if st's rank beats what it
// has (an uncovered port has none).
func (pi *portIndex) raise(v View, p int32, st Status, rank int8) {
	if !pi.covered[v][p] || rank > statusRank[pi.status[v][p]] {
		pi.status[v][p], pi.covered[v][p] = st, true
	}
}
