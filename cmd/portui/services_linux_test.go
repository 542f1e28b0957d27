package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// servicesEnv names the facts file of scripts/services.sh: with it set,
// TestRealServices runs against the daemons the script started.
const servicesEnv = "PORTUI_SERVICES"

// servicesFacts is scripts/services.sh's facts.json (portui-s.facts/v1).
type servicesFacts struct {
	Schema   string `json:"schema"`
	Services []struct {
		Name      string `json:"name"`
		PID       int    `json:"pid"`
		Process   string `json:"process"`
		Listeners []struct {
			Proto   string `json:"proto"`
			Address string `json:"address"`
			Port    int    `json:"port"`
		} `json:"listeners"`
	} `json:"services"`
}

// svcAuditGroup is one finding group of `audit --json` (portui.audit/v3):
// the fields this test relies on.
type svcAuditGroup struct {
	Kind      string   `json:"kind"`
	Proto     string   `json:"proto"`
	Port      int      `json:"port"`
	Addresses []string `json:"addresses"`
	Message   string   `json:"message"`
}

type svcAuditDoc struct {
	Schema   string          `json:"schema"`
	Findings []svcAuditGroup `json:"groups"`
}

// The Done-when on an ordinary server: nginx, rpcbind, chronyd
// and dnsmasq running (Debian's packages, started by scripts/services.sh),
// `expect save` then `audit` exits 0 as expected, and each drift is
// reported exactly once: an unexpected listener, a missing one, one
// widened from loopback to every address; back as saved, exit 0 again.
// The drifts are the test's own sockets on free system ports (the
// default audit range, 0-1023, where no other test opens anything), so
// the shared daemons are never stopped.
func TestRealServices(t *testing.T) {
	path := os.Getenv(servicesEnv)
	if path == "" {
		t.Skipf("%s is not set: run `scripts/services.sh install && scripts/services.sh up` as root and set %s=/run/portui-s/facts.json", servicesEnv, servicesEnv)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", servicesEnv, err)
	}
	var facts servicesFacts
	if err := json.Unmarshal(raw, &facts); err != nil || facts.Schema != "portui-s.facts/v1" || len(facts.Services) != 4 {
		t.Fatalf("%s: not the facts of scripts/services.sh up (%v): %s", path, err, raw)
	}
	dir := t.TempDir()
	portui := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := binaryCmd(t, args...)
		// No expectations but those the test names: an empty config home.
		cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return out.String(), errb.String(), 0
		case errors.As(err, &ee):
			return out.String(), errb.String(), ee.ExitCode()
		}
		t.Fatalf("portui %s: %v", strings.Join(args, " "), err)
		return "", "", 0
	}

	t.Run("daemons", func(t *testing.T) {
		out, errOut, code := portui("listeners", "--json", "--netns", "host")
		if code != 0 {
			t.Fatalf("listeners: exit %d, stderr %q", code, errOut)
		}
		var doc struct {
			Listeners []struct {
				Proto     string `json:"proto"`
				Address   string `json:"address"`
				Port      int    `json:"port"`
				Processes []struct {
					PID  int    `json:"pid"`
					Name string `json:"name"`
				} `json:"processes"`
			} `json:"listeners"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		for _, s := range facts.Services {
			for _, want := range s.Listeners {
				found := false
				for _, l := range doc.Listeners {
					if l.Proto != want.Proto || l.Address != want.Address || l.Port != want.Port {
						continue
					}
					for _, p := range l.Processes {
						if p.Name == s.Process && (p.PID == s.PID || s.Name == "nginx") {
							found = true
						}
					}
				}
				if !found {
					t.Errorf("%s (pid %d): no listener %s %s:%d held by %q in listeners --json", s.Name, s.PID, want.Proto, want.Address, want.Port, s.Process)
				}
			}
		}
	})

	// Without an expectations file the built-in rules stand, and chronyd's
	// command port is explained by the de-facto uses table (owner audit's
	// practice table): no private-use or unexpected-service about it.
	t.Run("no file: chronyd explained", func(t *testing.T) {
		if _, err := os.Stat("/etc/portui/expected.toml"); err == nil {
			t.Skip("/etc/portui/expected.toml exists: audit would use it")
		}
		out, errOut, code := portui("audit", "--json")
		if code != 0 && code != 1 {
			t.Fatalf("audit: exit %d, stderr %q", code, errOut)
		}
		doc := svcDecodeAudit(t, out)
		for _, g := range doc.Findings {
			if g.Port == 323 && g.Proto == "udp" {
				t.Errorf("chronyd's 323/udp is a finding without an expectations file: %+v", g)
			}
		}
	})

	// The test's own listeners, on free system ports: one to go missing,
	// one to widen, one unexpected.
	ports := svcFreeSystemPorts(t, 3)
	pMissing, pWiden, pNew := ports[0], ports[1], ports[2]
	listen := func(addr string, port int) net.Listener {
		t.Helper()
		ln, err := net.Listen("tcp4", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("listen %s:%d: %v", addr, port, err)
		}
		t.Cleanup(func() { ln.Close() })
		return ln
	}
	missing := listen("127.0.0.1", pMissing)
	widen := listen("127.0.0.1", pWiden)

	file := filepath.Join(dir, "expected.toml")
	if _, errOut, code := portui("expect", "save", "--file", file); code != 0 {
		t.Fatalf("expect save: exit %d, stderr %q", code, errOut)
	}
	audit := func(t *testing.T, wantCode int) svcAuditDoc {
		t.Helper()
		out, errOut, code := portui("audit", "--expect", file, "--json")
		if code != wantCode {
			t.Fatalf("audit --expect: exit %d, want %d; stderr %q; %s", code, wantCode, errOut, out)
		}
		return svcDecodeAudit(t, out)
	}
	// exactlyOne: the audit's only finding group is kind on port.
	exactlyOne := func(t *testing.T, kind string, port int) {
		t.Helper()
		doc := audit(t, 1)
		if len(doc.Findings) != 1 || doc.Findings[0].Kind != kind || doc.Findings[0].Port != port || doc.Findings[0].Proto != "tcp" {
			t.Fatalf("findings %+v, want exactly one group: %s on %d/tcp", doc.Findings, kind, port)
		}
		if !strings.Contains(doc.Findings[0].Message, strconv.Itoa(port)) {
			t.Errorf("message %q does not name port %d", doc.Findings[0].Message, port)
		}
		text, _, code := portui("audit", "--expect", file)
		lines := strings.Split(strings.TrimSpace(text), "\n")
		if code != 1 || !strings.Contains(text, strconv.Itoa(port)+"/tcp") || !strings.HasPrefix(lines[len(lines)-1], "drift: 1 ") {
			t.Errorf("audit text: exit %d, want 1 naming %d/tcp (%s) and a last line \"drift: 1 …\":\n%s", code, port, kind, text)
		}
	}
	asExpected := func(t *testing.T) {
		t.Helper()
		if doc := audit(t, 0); len(doc.Findings) != 0 {
			t.Fatalf("findings %+v, want none", doc.Findings)
		}
		text, _, code := portui("audit", "--expect", file)
		lines := strings.Split(strings.TrimSpace(text), "\n")
		if code != 0 || !strings.Contains(lines[len(lines)-1], "as expected") {
			t.Errorf("audit text: exit %d, want 0 and a last line saying as expected:\n%s", code, text)
		}
	}

	t.Run("as saved", asExpected)
	t.Run("unexpected", func(t *testing.T) {
		ln := listen("0.0.0.0", pNew)
		exactlyOne(t, "unexpected-listener", pNew)
		ln.Close()
	})
	t.Run("missing", func(t *testing.T) {
		missing.Close()
		exactlyOne(t, "missing-listener", pMissing)
		missing = listen("127.0.0.1", pMissing)
	})
	t.Run("widened", func(t *testing.T) {
		widen.Close()
		wide := listen("0.0.0.0", pWiden)
		exactlyOne(t, "scope-widened", pWiden)
		wide.Close()
		widen = listen("127.0.0.1", pWiden)
	})
	t.Run("back as saved", asExpected)
}

func svcDecodeAudit(t *testing.T, out string) svcAuditDoc {
	t.Helper()
	var doc svcAuditDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("audit --json: %v: %s", err, out)
	}
	if doc.Schema != "portui.audit/v3" {
		t.Errorf("audit --json schema %q, want portui.audit/v3", doc.Schema)
	}
	return doc
}

// svcFreeSystemPorts finds n ports in 900-1023 where nothing listens, tcp or
// udp, on any address: audit's default range, and no test opens a fixed
// port there.
func svcFreeSystemPorts(t *testing.T, n int) []int {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the drift listeners are on system ports (audit's default range)")
	}
	var out []int
	for p := 1023; p >= 900 && len(out) < n; p-- {
		ok := true
		for _, nw := range []string{"tcp4", "tcp6"} {
			ln, err := net.Listen(nw, fmt.Sprintf(":%d", p))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) < n {
		t.Fatalf("fewer than %d free ports in 900-1023", n)
	}
	return out
}
