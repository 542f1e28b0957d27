package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// csvColumns are the header cells of IANA's CSV export, in order.
var csvColumns = []string{
	"Service Name", "Port Number", "Transport Protocol", "Description",
	"Assignee", "Contact", "Registration Date", "Modification Date",
	"Reference", "Service Code", "Unauthorized Use Reported", "Assignment Notes",
}

// ParseCSV reads IANA's CSV export of the same registry. The CSV carries
// person ids but not the <people> table, so assignees and contacts are
// shown by id, and it carries no registry date: the newest record date
// stands in for it. It stops with ctx's error when ctx is cancelled. The
// text is as the file has it: Convert neutralises it.
func ParseCSV(ctx context.Context, r io.Reader) (*Data, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("not an IANA port registry CSV: empty input")
	}
	if err != nil {
		return nil, fmt.Errorf("not an IANA port registry CSV: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, want := range csvColumns[:4] {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("not an IANA port registry CSV: no %q column in the header", want)
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	data := &Data{Schema: SchemaVersion}
	for line := 2; ; line++ {
		if err := checkCtx(ctx, line); err != nil {
			return nil, err
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV line %d: %w", line, err)
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		rec, err := convertCSVRow(get, row)
		if err != nil {
			return nil, fmt.Errorf("CSV line %d: %w", line, err)
		}
		data.Records = append(data.Records, rec)
		for _, d := range []string{rec.Registered, rec.Modified} {
			if d > data.Updated {
				data.Updated = d
			}
		}
	}
	if len(data.Records) == 0 {
		return nil, errors.New("not an IANA port registry CSV: no records")
	}
	return data, nil
}

func convertCSVRow(get func([]string, string) string, row []string) (Record, error) {
	rec := Record{
		Name:         get(row, "Service Name"),
		Lo:           -1,
		Hi:           -1,
		Description:  get(row, "Description"),
		Registered:   get(row, "Registration Date"),
		Modified:     get(row, "Modification Date"),
		ServiceCode:  get(row, "Service Code"),
		Unauthorized: get(row, "Unauthorized Use Reported"),
		Note:         get(row, "Assignment Notes"),
	}
	var err error
	if rec.Proto, err = parseProto(get(row, "Transport Protocol")); err != nil {
		return rec, err
	}
	if n := get(row, "Port Number"); n != "" {
		if rec.Lo, rec.Hi, err = ParseRange(n); err != nil {
			return rec, err
		}
	}
	rec.Assignee = bracketed(get(row, "Assignee"))
	rec.Contact = bracketed(get(row, "Contact"))
	for _, ref := range bracketed(get(row, "Reference")) {
		switch {
		case rfcRef.MatchString(ref):
			n, err := parseRFC(ref)
			if err != nil {
				return rec, err
			}
			rec.RFCs = appendUnique(rec.RFCs, n)
		case strings.HasPrefix(ref, "draft-") || strings.HasPrefix(ref, "RFC-"):
			rec.Drafts = appendUnique(rec.Drafts, ref)
		case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
			rec.URIs = appendUnique(rec.URIs, ref)
		default:
			rec.Texts = appendUnique(rec.Texts, ref)
		}
	}
	return rec, nil
}

var rfcRef = regexp.MustCompile(`(?i)^rfc\d+$`)

// bracketed splits IANA's "[A][B]" cells into their items; text outside
// brackets is kept as one item so nothing is silently lost.
func bracketed(cell string) []string {
	var out []string
	for cell = strings.TrimSpace(cell); cell != ""; cell = strings.TrimSpace(cell) {
		if cell[0] != '[' {
			i := strings.IndexByte(cell, '[')
			if i < 0 {
				i = len(cell)
			}
			out = appendUnique(out, cleanSpace(cell[:i]))
			cell = cell[i:]
			continue
		}
		end := strings.IndexByte(cell, ']')
		if end < 0 {
			out = appendUnique(out, cleanSpace(cell[1:]))
			break
		}
		out = appendUnique(out, cleanSpace(cell[1:end]))
		cell = cell[end+1:]
	}
	return out
}
