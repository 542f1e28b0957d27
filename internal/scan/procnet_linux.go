package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// procNetSource reads the text tables under ProcRoot/net. It is the fallback
// where netlink is refused, and the source for fixture trees.
type procNetSource struct {
	root string
	buf  []byte
}

func (s *procNetSource) name() string { return "procfs" }
func (s *procNetSource) close() error { return nil }

// procNetChunk is the read size. Each read() of a /proc/net table makes the
// kernel walk the socket list again up to the resume point (for UDP from the
// start), so few large reads beat many small ones by far on busy hosts.
const procNetChunk = 1 << 20

func (s *procNetSource) listeners(ctx context.Context, f Filter) ([]sockEntry, []string, error) {
	return s.listSlots(ctx, f, allSlots)
}

// listSlots reads the tables in slots (bits of slotOf) that f wants.
func (s *procNetSource) listSlots(ctx context.Context, f Filter, slots uint8) ([]sockEntry, []string, error) {
	var out []sockEntry
	var warns []string
	for _, t := range [...]struct {
		file  string
		proto string
		v6    bool
	}{{"tcp", "tcp", false}, {"tcp6", "tcp", true}, {"udp", "udp", false}, {"udp6", "udp", true}} {
		if !f.wants(t.proto) || slots&(1<<slotOf(t.proto, t.v6)) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		path := s.root + "/net/" + t.file
		data, err := s.read(path)
		if err != nil {
			if t.v6 && errors.Is(err, os.ErrNotExist) {
				continue // kernel without IPv6
			}
			return nil, nil, fmt.Errorf("cannot read socket table: %w", err)
		}
		r := parseProcNet(data, t.proto, t.v6, f)
		out = append(out, r.Entries...)
		if r.Bad > 0 {
			warns = append(warns, fmt.Sprintf("%s: skipped %d malformed line(s), first %s", path, r.Bad, r.FirstBad))
		}
		if r.Dups > 0 {
			warns = append(warns, fmt.Sprintf("%s changed while it was read: %d repeated line(s) ignored", path, r.Dups))
		}
	}
	return out, warns, nil
}

func (s *procNetSource) read(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if s.buf == nil {
		s.buf = make([]byte, 0, procNetChunk)
	}
	b := s.buf[:0]
	for {
		if cap(b)-len(b) < procNetChunk/2 {
			b = append(b, make([]byte, procNetChunk)...)[:len(b)]
		}
		n, err := fh.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF || (err == nil && n == 0) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if cap(b) <= 4*procNetChunk {
		s.buf = b // reuse between polls, but do not pin a huge TCP table
	} else {
		s.buf = nil
	}
	return b, nil
}

// bindV6OnlyDefault reads net.ipv6.bindv6only, which decides whether a
// [::] socket is dual-stack when the text tables cannot say per socket.
func bindV6OnlyDefault(root string) bool {
	b, err := os.ReadFile(root + "/sys/net/ipv6/bindv6only")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}
