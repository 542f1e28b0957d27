package main

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// With an expectations file the audit (and the export) covers every port
// unless --range says otherwise: the file speaks for every port, so an
// unexpected listener on a user port is drift as much as one on 443.
func TestAuditWithFileCoversEveryPort(t *testing.T) {
	file := filepath.Join(t.TempDir(), "expected.toml")
	if _, errOut, code := runCLI(t, "expect", "save", "--file", file); code != 0 {
		t.Fatalf("expect save: exit %d: %s", code, errOut)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	out, errOut, code := runCLI(t, "audit", "--expect", file)
	if code != 1 || !strings.Contains(out, port+"/tcp on 127.0.0.1:"+port+": not expected") {
		t.Fatalf("audit --expect: exit %d, want 1 naming %s/tcp:\n%s%s", code, port, out, errOut)
	}
	if out, _, code := runCLI(t, "audit", "--expect", file, "--range", "0-1023"); code == 1 && strings.Contains(out, port+"/tcp") {
		t.Fatalf("--range 0-1023 still reports %s/tcp:\n%s", port, out)
	}
	out, errOut, code = runCLI(t, "export", "prometheus", "--expect", file)
	if code != 0 || !strings.Contains(out, `kind="unexpected-listener",proto="tcp",port="`+port+`"`) {
		t.Fatalf("export prometheus --expect: exit %d, no unexpected-listener on %s:\n%s%s", code, port, out, errOut)
	}
}
