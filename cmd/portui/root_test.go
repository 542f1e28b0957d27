package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// #12: --range opens what was asked for or refuses with one line naming
// what would open. Before the fix 60000-65535 opened 59392–60415 and
// 1000-2000 opened 0–1023, silently.
func TestParseTUIFlags(t *testing.T) {
	tests := []struct {
		rng     string
		rangeOK bool // --range given
		port    int
		portOK  bool
		block   int
		sel     int
		err     string
	}{
		{block: 0, sel: -1},
		{rng: "0-1023", rangeOK: true, block: 0, sel: -1},
		{rng: "1024-2047", rangeOK: true, block: 1024, sel: -1},
		{rng: "64512-65535", rangeOK: true, block: 64512, sel: -1},
		{rng: "8000-8100", rangeOK: true, block: 7168, sel: 8000},
		{rng: "443", rangeOK: true, block: 0, sel: 443},
		{port: 8080, portOK: true, block: 7168, sel: 8080},
		{port: 0, portOK: true, block: 0, sel: 0},
		{rng: "1024-2047", rangeOK: true, port: 1500, portOK: true, block: 1024, sel: 1500},
		{rng: "1000-2000", rangeOK: true,
			err: "--range 1000-2000 spans blocks 0–1023 and 1024–2047; the explorer shows one 1,024-port block: use --range 0-1023 or --port 1000"},
		{rng: "60000-65535", rangeOK: true,
			err: "--range 60000-65535 spans 6 blocks, 59392–60415 to 64512–65535; the explorer shows one 1,024-port block: use --range 59392-60415 or --port 60000"},
		{rng: "1024-2047", rangeOK: true, port: 443, portOK: true, err: "--port 443 is outside --range 1024-2047"},
		{rng: "2000-1000", rangeOK: true, err: `bad --range "2000-1000"`},
		{rng: "70000", rangeOK: true, err: `bad --range "70000"`},
		{rng: "http", rangeOK: true, err: `bad --range "http"`},
		{port: 70000, portOK: true, err: "bad --port 70000"},
		{port: -1, portOK: true, err: "bad --port -1"},
	}
	for _, tt := range tests {
		opts, err := parseTUIFlags(time.Second, tt.rng, tt.rangeOK, tt.port, tt.portOK)
		name := tt.rng + " port " + map[bool]string{true: "set", false: "unset"}[tt.portOK]
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", name, err, tt.err)
			}
			continue
		}
		if err != nil || opts.block != tt.block || opts.port != tt.sel {
			t.Errorf("%s: block %d port %d err %v, want block %d port %d", name, opts.block, opts.port, err, tt.block, tt.sel)
		}
	}
	if _, err := parseTUIFlags(50*time.Millisecond, "", false, 0, false); err == nil {
		t.Error("--interval 50ms accepted")
	}
}

// Whatever --range and --port say, the result is a block the explorer
// shows with the selection inside it, or one line of error.
func FuzzParseTUIFlags(f *testing.F) {
	for _, s := range []string{"0-1023", "1000-2000", "60000-65535", "443", "x", "-", "1-", "65535-65535", "99999999999999999999"} {
		f.Add(s, true, 80, false)
		f.Add(s, true, 1500, true)
	}
	f.Fuzz(func(t *testing.T, rng string, rangeSet bool, port int, portSet bool) {
		opts, err := parseTUIFlags(time.Second, rng, rangeSet, port, portSet)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !utf8.ValidString(msg) {
				t.Fatalf("error is not one clean line: %q", msg)
			}
			return
		}
		if opts.block%1024 != 0 || opts.block < 0 || opts.block > 64512 {
			t.Fatalf("block %d", opts.block)
		}
		if opts.port != -1 && (opts.port < opts.block || opts.port > opts.block+1023) {
			t.Fatalf("port %d outside block %d", opts.port, opts.block)
		}
	})
}

// #22 (the --port part): the help shows no "(-1)" default.
func TestPortFlagHelpHasNoSentinel(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("--help: exit %d: %s", code, errb.String())
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "--port") && strings.Contains(l, "-1") {
			t.Errorf("--port help shows the sentinel: %q", l)
		}
	}
	if !strings.Contains(out.String(), "--port") {
		t.Fatalf("no --port in the help:\n%s", out.String())
	}
}
