package registry

// The port space in blocks of 1,024 ports, as the explorer's map shows it.

// BlockPorts is the number of ports in a block; NumBlocks the number of
// blocks in the port space (0–1023, 1024–2047, … 64512–65535).
const (
	BlockPorts = 1024
	NumBlocks  = (MaxPort + 1) / BlockPorts
)

// BlockCounts tallies the statuses of every block's ports under view v:
// out[b][st] is how many ports of block b (ports b*1024 … b*1024+1023)
// have status st. One pass over the per-port status table (65,536
// bytes), so it is cheap enough to call per frame.
func (r *Registry) BlockCounts(v View) [NumBlocks][4]int {
	var out [NumBlocks][4]int
	if v >= numViews {
		v = Combined
	}
	st := &r.ports.status[v]
	for b := range out {
		c := &out[b]
		for _, s := range st[b*BlockPorts : (b+1)*BlockPorts] {
			c[s&3]++
		}
	}
	return out
}
