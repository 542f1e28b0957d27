package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
)

// Convert parses an IANA export (XML or CSV, told apart by content),
// stamps it with its source (the file's base name and SHA-256) and
// neutralises all of its text, the file name included: Convert is where an
// export enters, ParseXML and ParseCSV return the text as read. It stops
// with ctx's error (wrapped: errors.Is(err, context.Canceled)) when ctx is
// cancelled, checking between records.
func Convert(ctx context.Context, name string, raw []byte) (*Data, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("conversion stopped: %w", err)
	}
	var (
		data *Data
		err  error
	)
	format := sniffFormat(raw)
	switch format {
	case "xml":
		data, err = ParseXML(ctx, bytes.NewReader(raw))
	default:
		data, err = ParseCSV(ctx, bytes.NewReader(raw))
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	data.Source = Source{Format: format, File: filepath.Base(name), SHA256: hex.EncodeToString(sum[:])}
	data.neutralise()
	return data, nil
}

func sniffFormat(raw []byte) string {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte("<")) {
		return "xml"
	}
	return "csv"
}

// header is the first line of registry.json. Its index lets Load build
// every port table without decoding a single record: decoding all 14,000
// records with encoding/json takes ~60 ms, merely validating the 2.6 MB
// takes ~13 ms, and start-up has a 15 ms budget. Records are then decoded
// one at a time, when a port is looked at.
type header struct {
	Schema  int    `json:"schema"`
	Updated string `json:"updated"`
	Source  Source `json:"source"`
	// Index holds three numbers per record, in record order: lo, hi and
	// kind (status | transport<<2, see recordKind).
	Index []int32 `json:"index"`
}

// Marshal writes the registry.json form: the header on the first line,
// then one record per line and one person per line, so that a regenerated
// file diffs well and Load can find a record without parsing the others.
// Output is deterministic: the same Data gives the same bytes.
func Marshal(d *Data) ([]byte, error) {
	h := header{Schema: d.Schema, Updated: d.Updated, Source: d.Source, Index: make([]int32, 0, 3*len(d.Records))}
	for i := range d.Records {
		r := &d.Records[i]
		h.Index = append(h.Index, int32(r.Lo), int32(r.Hi), int32(recordKind(r)))
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Reopen the header object to append records and people line by line.
	buf.Write(hb[:len(hb)-1])
	buf.WriteString(",\n" + recordsOpen)
	for i := range d.Records {
		rb, err := json.Marshal(&d.Records[i])
		if err != nil {
			return nil, err
		}
		buf.Write(rb)
		if i < len(d.Records)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString(peopleOpen)
	ids := slices.Sorted(maps.Keys(d.People))
	for i, id := range ids {
		kb, _ := json.Marshal(id)
		pb, err := json.Marshal(d.People[id])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(pb)
		if i < len(ids)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("}}\n")
	return buf.Bytes(), nil
}

const (
	recordsOpen = "\"records\":[\n"
	peopleOpen  = "],\n\"people\":{\n"
)

// UnmarshalData decodes a registry.json completely and checks it. It is
// the slow, thorough path: used to validate files, not at start-up. The
// text is as the file has it: New, which Load hands the Data to,
// neutralises it.
func UnmarshalData(b []byte) (*Data, error) {
	var d Data
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("registry file is not valid JSON: %w", err)
	}
	if err := checkSchema(d.Schema); err != nil {
		return nil, err
	}
	if len(d.Records) == 0 {
		return nil, fmt.Errorf("registry file holds no records")
	}
	for i := range d.Records {
		r := &d.Records[i]
		if err := checkRange(r.Lo, r.Hi); err != nil {
			return nil, fmt.Errorf("registry file record %d: %w", i+1, err)
		}
	}
	return &d, nil
}

func checkSchema(v int) error {
	if v != SchemaVersion {
		return fmt.Errorf("registry file has schema %d, this portui reads schema %d", v, SchemaVersion)
	}
	return nil
}

func checkRange(lo, hi int) error {
	if lo == -1 && hi == -1 {
		return nil
	}
	if lo < 0 || hi > MaxPort || hi < lo {
		return fmt.Errorf("bad port range %d-%d", lo, hi)
	}
	return nil
}
