package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The real Prometheus tools (Debian's prometheus and
// prometheus-node-exporter packages). The tests that need one skip when
// it is absent, unless PORTUI_REQUIRE_PROM is set (CI installs them).
const (
	nodeExporterBin = "/usr/bin/prometheus-node-exporter"
	promtoolName    = "promtool"
)

func requireTool(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if os.Getenv("PORTUI_REQUIRE_PROM") != "" {
			t.Fatalf("%s is required (PORTUI_REQUIRE_PROM is set): %v", path, err)
		}
		t.Skipf("%s not installed (Debian: prometheus / prometheus-node-exporter); set PORTUI_REQUIRE_PROM to make this a failure", path)
	}
	return p
}

func parseExposition(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not valid exposition format: %v\n%s", err, text)
	}
	return fams
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// ownListener opens a TCP listener on a free loopback port for the test.
func ownListener(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func selfComm(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skipf("no /proc/self/comm: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// TestExportPrometheusStdout: the exposition on stdout has the test's own
// listener with its process name and no PID anywhere; every kind has a
// findings series.
func TestExportPrometheusStdout(t *testing.T) {
	port := ownListener(t)
	out, errOut, code := runCLI(t, "export", "prometheus")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fams := parseExposition(t, out)
	var found map[string]string
	for _, m := range fams["portui_listener_info"].GetMetric() {
		if l := labelMap(m); l["port"] == strconv.Itoa(port) && l["proto"] == "tcp" {
			found = l
		}
	}
	if found == nil {
		t.Fatalf("no portui_listener_info for 127.0.0.1:%d:\n%s", port, out)
	}
	want := map[string]string{"address": "127.0.0.1", "scope": "loopback", "process": selfComm(t), "expected": "unknown"}
	for k, v := range want {
		if found[k] != v {
			t.Errorf("%s = %q, want %q", k, found[k], v)
		}
	}
	// No label carries a PID (a series per process restart): checked by
	// label, not by substring, which a port number equal to this PID
	// (a namespace with thousands of listeners) would match.
	self := strconv.Itoa(os.Getpid())
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			for k, v := range labelMap(m) {
				if k == "pid" || (v == self && k != "port") {
					t.Errorf("%s{%s=%q}: a label carries this process's PID %s", name, k, v, self)
				}
			}
		}
	}
	kinds := map[string]bool{}
	for _, m := range fams["portui_audit_findings"].GetMetric() {
		kinds[labelMap(m)["kind"]] = true
	}
	for _, k := range exportKinds() {
		if !kinds[string(k)] {
			t.Errorf("no portui_audit_findings{kind=%q}", k)
		}
	}
	for _, name := range []string{"portui_scan_duration_seconds", "portui_scan_errors", "portui_registry_updated_timestamp_seconds"} {
		if len(fams[name].GetMetric()) != 1 {
			t.Errorf("no %s", name)
		}
	}
}

func TestExportPrometheusBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"export", "prometheus", "--range", "9-1"},
		{"export", "prometheus", "extra"},
		{"export", "prometheus", "--output", filepath.Join(t.TempDir(), "no", "such", "dir", "portui.prom")},
	} {
		out, errOut, code := runCLI(t, args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errOut)
		}
	}
}

// TestExportPrometheusOutputFile: --output writes the file (mode 0644 for
// node_exporter's user), leaves no temporary file, and a second run
// replaces it.
func TestExportPrometheusOutputFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "portui.prom")
	for range 2 {
		if out, errOut, code := runCLI(t, "export", "prometheus", "--output", file); code != 0 || out != "" || errOut != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries (a temporary file left?)", len(ents))
	}
	b, _ := os.ReadFile(file)
	parseExposition(t, string(b))
	_, errOut, code := runCLI(t, "export", "prometheus", "--output", filepath.Join(dir, "portui.txt"))
	if code != 0 || !strings.Contains(errOut, "does not end in .prom") {
		t.Errorf("a name node_exporter ignores: exit %d, stderr %q", code, errOut)
	}
}

// TestExportPrometheusFailedWriteKeepsFile: when the directory cannot be
// written, the previous file stays as it was, the run exits 2 with one
// line, and nothing is left behind. As root (who writes anywhere) the
// binary runs as nobody.
func TestExportPrometheusFailedWriteKeepsFile(t *testing.T) {
	bin := builtBinary(t)
	base, err := os.MkdirTemp("", "portui-export-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "out"), 0o755); os.RemoveAll(base) })
	// A copy everybody may run (the build directory is private).
	exe := filepath.Join(base, "portui")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "portui.prom")
	prev := []byte("# previous\nportui_scan_errors 0\n")
	if err := os.WriteFile(file, prev, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{base, dir} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(exe, "export", "prometheus", "--output", file)
	cmd.Env = append(os.Environ(), "HOME="+base, "XDG_DATA_HOME="+filepath.Join(base, "data"), "XDG_CONFIG_HOME="+filepath.Join(base, "config"))
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if code != 2 {
		t.Fatalf("exit %d (%v), want 2; stderr %q", code, err, stderr.String())
	}
	msg := strings.TrimSuffix(stderr.String(), "\n")
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "cannot write") || !strings.Contains(msg, file) {
		t.Errorf("want one line naming the file, got %q", stderr.String())
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, prev) {
		t.Errorf("the previous file changed: %q", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries", len(ents))
	}
}

// freeAddr is a loopback address with a port free just now, for a server
// the test starts (it must bind the port itself).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startNodeExporter runs node_exporter with only the textfile collector,
// reading dir, on a free loopback port; it is stopped by its PID when
// the test ends. It returns the /metrics URL once node_exporter answers.
func startNodeExporter(t *testing.T, dir string) string {
	t.Helper()
	bin := requireTool(t, nodeExporterBin)
	for range 3 {
		if url, ok := tryNodeExporter(t, bin, dir); ok {
			return url
		}
	}
	t.Fatal("node_exporter: no free port after 3 tries")
	return ""
}

// tryNodeExporter starts one node_exporter; ok is false when another
// process took its port first.
func tryNodeExporter(t *testing.T, bin, dir string) (url string, ok bool) {
	t.Helper()
	addr := freeAddr(t)
	logs := &syncBuffer{}
	cmd := exec.Command(bin, "--web.listen-address="+addr, "--collector.disable-defaults",
		"--collector.textfile", "--collector.textfile.directory="+dir)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-done
		}
	})
	url = "http://" + addr + "/metrics"
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			if strings.Contains(logs.String(), "address already in use") {
				return "", false
			}
			t.Fatalf("node_exporter exited: %s", logs.String())
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return url, true
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("node_exporter did not answer on %s: %s", addr, logs.String())
	return "", false
}

// syncBuffer is a bytes.Buffer safe for a process's output and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %v, %s", err, resp.Status)
	}
	return string(b)
}

// TestExportThroughNodeExporter: the real node_exporter, pointed at the
// directory portui (the real binary) writes to, serves the test's own
// listener as portui_listener_info, reads the file without error, and
// promtool's linter accepts the file.
func TestExportThroughNodeExporter(t *testing.T) {
	promtool := requireTool(t, promtoolName)
	dir := t.TempDir()
	url := startNodeExporter(t, dir)
	port := ownListener(t)
	file := filepath.Join(dir, "portui.prom")
	runPortui(t, builtBinary(t), 0, "export", "prometheus", "--output", file)

	text := scrape(t, url)
	want := fmt.Sprintf(`port="%d"`, port)
	var line string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if s := sc.Text(); strings.HasPrefix(s, "portui_listener_info{") && strings.Contains(s, want) && strings.Contains(s, `proto="tcp"`) {
			line = s
		}
	}
	if line == "" {
		t.Fatalf("node_exporter does not serve portui_listener_info for port %d:\n%s", port, text)
	}
	t.Logf("scraped: %s", line)
	fams := parseExposition(t, text)
	if e := fams["node_textfile_scrape_error"].GetMetric(); len(e) != 1 || e[0].GetGauge().GetValue() != 0 {
		t.Errorf("node_textfile_scrape_error = %v", e)
	}
	if len(fams["portui_audit_findings"].GetMetric()) == 0 {
		t.Error("no portui_audit_findings served")
	}

	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(b)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestPromtoolCheckMetricsCatches: the check above can fail (promtool
// rejects a broken file).
func TestPromtoolCheckMetricsCatches(t *testing.T) {
	promtool := requireTool(t, promtoolName)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader("# TYPE portui_x gauge\nportui_x{a=\"b} 1\n")
	if err := cmd.Run(); err == nil {
		t.Error("promtool accepted a broken file")
	}
}

// TestAlertRules: the shipped rules pass their promtool unit test (which
// fires PortuiUnexpectedListener and checks it does not fire at 0).
func TestAlertRules(t *testing.T) {
	promtool := requireTool(t, promtoolName)
	dir := filepath.Join("..", "..", "dist", "prometheus")
	for _, args := range [][]string{
		{"check", "rules", filepath.Join(dir, "portui.rules.yml")},
		{"test", "rules", filepath.Join(dir, "portui.rules.test.yml")},
	} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestExportPrometheusDiskFullKeepsFile: a write that fails half-way (the
// file system is full) leaves the previous file whole and no temporary
// file; exit 2 with one line. Needs root to mount a one-page tmpfs.
func TestExportPrometheusDiskFullKeepsFile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4k,mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	file := filepath.Join(dir, "portui.prom")
	// The previous file fills the file system's one page.
	prev := append([]byte("# previous\n"), bytes.Repeat([]byte("#\n"), (4096-11)/2)...)
	if err := os.WriteFile(file, prev, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "export", "prometheus", "--output", file)
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 2", code, out, errOut)
	}
	if msg := strings.TrimSuffix(errOut, "\n"); strings.Contains(msg, "\n") || !strings.Contains(msg, "cannot write "+file) {
		t.Errorf("want one line naming the file, got %q", errOut)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, prev) {
		t.Errorf("the previous file changed (%d bytes)", len(got))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries (a temporary file left?)", len(ents))
	}
}
