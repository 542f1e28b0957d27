package registry

import (
	"bytes"
	"encoding/json"
	"errors"
)

// indexKey opens the header's index, which Marshal writes last.
const indexKey = `,"index":[`

// decodeHeader decodes the header line (without its trailing comma and
// with the object closed: `{…}`). The index, three numbers per record
// (43,599 on IANA's file), is read by parseInts when it ends the line as
// Marshal writes it, since encoding/json spends 5 ms on it, more than the
// rest of a lookup; any other layout is decoded by encoding/json alone.
func decodeHeader(line []byte) (header, error) {
	var h header
	i := bytes.LastIndex(line, []byte(indexKey))
	if i >= 0 && bytes.HasSuffix(line, []byte("]}")) {
		if idx, ok := parseInts(line[i+len(indexKey) : len(line)-2]); ok {
			rest := append(bytes.Clone(line[:i]), '}')
			if err := json.Unmarshal(rest, &h); err != nil {
				return header{}, err
			}
			if h.Index != nil {
				// An index key elsewhere too (the last one wins in
				// encoding/json): not Marshal's layout, decode it all.
				return decodeHeaderJSON(line)
			}
			h.Index = idx
			return h, nil
		}
	}
	return decodeHeaderJSON(line)
}

func decodeHeaderJSON(line []byte) (header, error) {
	var h header
	err := json.Unmarshal(line, &h)
	return h, err
}

var errNotInts = errors.New("not a list of integers")

// parseInts reads "1,-2,30" (a JSON array's inside, as Marshal writes it:
// decimal integers that fit an int32, no spaces, no leading zeros, no
// exponent) and reports false for anything else, which the caller then
// hands to encoding/json. An empty b is an empty list.
func parseInts(b []byte) ([]int32, bool) {
	if len(b) == 0 {
		return []int32{}, true
	}
	out := make([]int32, 0, bytes.Count(b, []byte(","))+1)
	for len(b) > 0 {
		v, n, err := parseInt32(b)
		if err != nil {
			return nil, false
		}
		out = append(out, v)
		b = b[n:]
		if len(b) > 0 {
			if b[0] != ',' || len(b) == 1 {
				return nil, false
			}
			b = b[1:]
		}
	}
	return out, true
}

// parseInt32 reads one integer at the start of b, returning it and the
// bytes it took.
func parseInt32(b []byte) (int32, int, error) {
	i, neg := 0, false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var v int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		v = v*10 + int64(b[i]-'0')
		if v > 1<<31 {
			return 0, 0, errNotInts
		}
		i++
	}
	digits := i - start
	if digits == 0 || (digits > 1 && b[start] == '0') {
		return 0, 0, errNotInts
	}
	if neg {
		v = -v
	}
	if v > 1<<31-1 || v < -1<<31 || (neg && v == 0) {
		return 0, 0, errNotInts // -0 is valid JSON but never Marshal's
	}
	return int32(v), i, nil
}
