//go:build darwin || freebsd || linux

package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/portui/portui/internal/sanitize"
)

// Bounds of one lsof run.
const (
	lsofTimeout   = 5 * time.Second
	maxLsofOutput = 32 << 20
	maxLsofStderr = 4 << 10
)

// lsofPaths are where lsof lives, tried before $PATH (a service's PATH
// may lack the sbin directories): macOS, FreeBSD's package, Linux.
var lsofPaths = []string{"/usr/sbin/lsof", "/usr/local/sbin/lsof", "/usr/bin/lsof", "/usr/local/bin/lsof"}

// errLsofMissing is the one line a person sees when there is no lsof.
var errLsofMissing = errors.New("lsof not found: install it (macOS ships it; FreeBSD: pkg install lsof) to see listeners")

// NewLsof returns the lsof source: the scanner on darwin and freebsd, where
// go-netstat has no tables. Each snapshot runs lsof once for TCP LISTEN
// sockets and once for UDP (an lsof state filter such as -sTCP:LISTEN
// drops every socket without that state, UDP included), never through a
// shell, each bounded by 5 s and 32 MiB of output. On Linux it exists for
// the tests that hold the parser to the real lsof.
//
// lsof tells neither the socket's owner nor IPV6_V6ONLY nor a bound device:
// a listener's UID and User are those of its lowest PID, DualStack is false
// and Iface empty; Inode is 0, so sockets on one address and port
// (SO_REUSEPORT) are one listener with all their processes. Opts is unused.
func NewLsof(opts Options) (Scanner, error) {
	_ = opts
	path, err := findLsof()
	if err != nil {
		return nil, err
	}
	l := &lsofScanner{path: path, timeout: lsofTimeout}
	return newSerial(l.snapshot, nil), nil
}

func findLsof() (string, error) {
	for _, p := range lsofPaths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath("lsof"); err == nil {
		return p, nil
	}
	return "", errLsofMissing
}

type lsofScanner struct {
	path    string
	timeout time.Duration // of one run; lsof walks every fd of every process, whatever the filter
}

func (l *lsofScanner) snapshot(ctx context.Context, f Filter) (Snapshot, error) {
	snap := Snapshot{Source: "lsof", Owners: "lsof"}
	for _, proto := range []string{"tcp", "udp"} {
		if !f.wants(proto) {
			continue
		}
		ls, warns, err := l.run(ctx, proto, f)
		if err != nil {
			return Snapshot{}, err
		}
		snap.Warnings = append(snap.Warnings, warns...)
		for _, x := range ls {
			if f.Match(x.Proto, x.Port) {
				snap.Listeners = append(snap.Listeners, x)
			}
		}
	}
	if os.Geteuid() != 0 {
		snap.Warnings = append(snap.Warnings, "not root: lsof may not see other users' processes, so their listeners can be missing (run as root to see every listener)")
	}
	snap.Taken = timeNow()
	SortListeners(snap.Listeners)
	return snap, nil
}

// lsofArgs is the command line of one run: numeric addresses and ports,
// no blocking kernel calls, no warnings, field output, one protocol and
// the filter's ports.
func lsofArgs(proto string, f Filter) []string {
	sel := "-i" + strings.ToUpper(proto)
	switch {
	case f.All():
	case f.Lo == f.Hi:
		sel += ":" + strconv.Itoa(int(f.Lo))
	default:
		sel += ":" + strconv.Itoa(int(f.Lo)) + "-" + strconv.Itoa(int(f.Hi))
	}
	args := []string{"-nP", "-b", "-w", "-Ts", "-F" + lsofFields, sel}
	if proto == "tcp" {
		args = append(args, "-sTCP:LISTEN")
	}
	return args
}

// run runs lsof for one protocol. lsof exits 1 when it found nothing and
// when some files could not be read: what it printed is kept either way,
// and what it said on stderr becomes a warning.
func (l *lsofScanner) run(parent context.Context, proto string, f Filter) ([]Listener, []string, error) {
	ctx, cancel := context.WithTimeout(parent, l.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.path, lsofArgs(proto, f)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	stderr := &cappedBuffer{max: maxLsofStderr}
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("lsof: %w", err)
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return nil, nil, errLsofMissing
		}
		return nil, nil, fmt.Errorf("lsof: %w", err)
	}
	cr := &countingReader{r: out}
	ls, warns, perr := parseLsof(cr, maxLsofOutput)
	if perr != nil || cr.n > maxLsofOutput {
		cancel() // lsof would block on a pipe nobody reads
	}
	werr := cmd.Wait()
	if err := parent.Err(); err != nil {
		return nil, nil, err
	}
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && werr != nil:
		warns = append(warns, fmt.Sprintf("lsof %s did not finish within %v: listeners may be missing", proto, l.timeout))
	case perr != nil:
		warns = append(warns, sanitize.Line(fmt.Sprintf("lsof %s: reading its output: %v", proto, perr)))
	case werr != nil && !errors.As(werr, &exit) && !errors.Is(werr, exec.ErrWaitDelay):
		return ls, warns, fmt.Errorf("lsof: %w", werr)
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " · ")), " ")
		warns = append(warns, sanitize.Truncate(sanitize.Line("lsof "+proto+": "+msg), 300))
	}
	return ls, warns, nil
}

// cappedBuffer keeps the first max bytes written to it and drops the rest
// (so a chatty lsof never blocks on its stderr).
type cappedBuffer struct {
	buf bytes.Buffer
	max int
	cut bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := max(c.max-c.buf.Len(), 0)
	if len(p) > room {
		c.cut = true
	}
	c.buf.Write(p[:min(room, len(p))])
	return len(p), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *cappedBuffer) String() string {
	if c.cut {
		return c.buf.String() + "…"
	}
	return c.buf.String()
}
