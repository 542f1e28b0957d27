package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// writeCommands are command lines that print to stdout, one of each kind
// of printer (documents in both formats, cobra's help and version, the
// man page, completion, the registry commands).
var writeCommands = [][]string{
	{"lookup", "22"},
	{"lookup", "320-335"},
	{"lookup", "22", "--json"},
	{"search", "kerb"},
	{"search", "kerb", "--json"},
	{"listeners"},
	{"listeners", "--json"},
	{"audit", "--range", "all"},
	{"audit", "--json"},
	{"registry", "info"},
	{"registry", "info", "--json"},
	{"--help"},
	{"listeners", "--help"},
	{"--version"},
	{"man"},
	{"completion", "bash"},
}

func binaryCmd(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(builtBinary(t), args...)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+t.TempDir())
	return cmd
}

// S6: with stdout on /dev/full every command fails: exit 2 and one line
// on stderr. They used to exit 0 (audit 1) having printed nothing.
func TestWriteToFullDevice(t *testing.T) {
	for _, args := range writeCommands {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full")
		}
		cmd := binaryCmd(t, args...)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		err = cmd.Run()
		full.Close()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%q > /dev/full: %v, want exit 2", args, err)
		}
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "portui: ") || !strings.Contains(lines[0], "no space left on device") {
			t.Errorf("%q > /dev/full: stderr %q, want one line naming the error", args, errb.String())
		}
	}
}

// S6, a reader that went away: portui ends quietly by SIGPIPE, as cat and
// ls do. Go's runtime raises SIGPIPE for a write to stdout even when the
// parent left it ignored; should a write ever return EPIPE instead,
// portui exits 2, still without a message.
func TestWriteToClosedPipe(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		for _, args := range writeCommands {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			cmd := binaryCmd(t, args...)
			if ignore {
				// The shell's trap "" sets SIG_IGN, which exec keeps.
				cmd = binaryCmd(t, append([]string{"-c", `trap "" PIPE; exec "$0" "$@"`, builtBinary(t)}, args...)...)
				cmd.Path, cmd.Args[0] = "/bin/sh", "sh"
			}
			var errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = w, &errb
			err = cmd.Run()
			w.Close()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Errorf("%q into a closed pipe (SIGPIPE ignored: %v): %v, want a failure", args, ignore, err)
				continue
			}
			st := ee.Sys().(syscall.WaitStatus)
			switch {
			case !ignore && !(st.Signaled() && st.Signal() == syscall.SIGPIPE):
				t.Errorf("%q into a closed pipe: %v, want killed by SIGPIPE", args, ee)
			case ignore && ee.ExitCode() != 2 && !(st.Signaled() && st.Signal() == syscall.SIGPIPE):
				t.Errorf("%q into a closed pipe, SIGPIPE ignored: %v, want SIGPIPE or exit 2", args, ee)
			}
			if errb.Len() != 0 {
				t.Errorf("%q into a closed pipe (SIGPIPE ignored: %v): stderr %q, want nothing", args, ignore, errb.String())
			}
		}
	}
}

// `portui … | head -1` prints the first line and no error.
func TestPipeIntoHead(t *testing.T) {
	bin := builtBinary(t)
	for _, args := range []string{"lookup 0-4095", "listeners", "search a --limit 0", "--help"} {
		cmd := exec.Command("/bin/sh", "-c", bin+" "+args+" | head -1")
		cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+t.TempDir())
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Errorf("%s | head -1: %v", args, err)
		}
		if strings.Count(out.String(), "\n") != 1 || errb.Len() != 0 {
			t.Errorf("%s | head -1: stdout %q stderr %q", args, out.String(), errb.String())
		}
	}
}

// chunkRecorder keeps every Write it is given, separately.
type chunkRecorder struct{ chunks []string }

func (r *chunkRecorder) Write(p []byte) (int, error) {
	r.chunks = append(r.chunks, string(p))
	return len(p), nil
}

// TestLineBufferHandsOnWholeLines: whatever the sizes of the writes (a
// whole table in one, line by line, a line cut in two), what the writer
// below gets is the same bytes in the same order, in pieces that end
// with a line, never more than lineChunk bytes held back.
func TestLineBufferHandsOnWholeLines(t *testing.T) {
	var doc strings.Builder
	for i := range 5000 {
		doc.WriteString(strings.Repeat("x", i%97) + "\x1b[1mcell\x1b[m\n")
	}
	text := doc.String() + "tail without newline"
	for _, sizes := range [][]int{{len(text)}, {1}, {7, 70000, 3}, {lineChunk - 1, 2, lineChunk + 5}, {200000, 1}} {
		var r chunkRecorder
		lb := &lineBuffer{w: &r}
		rest, k := text, 0
		for len(rest) > 0 {
			n := min(sizes[k%len(sizes)], len(rest))
			k++
			if got, err := lb.Write([]byte(rest[:n])); got != n || err != nil {
				t.Fatalf("sizes %v: Write = %d, %v", sizes, got, err)
			}
			rest = rest[n:]
			if len(lb.buf) > lineChunk+sizes[(k-1)%len(sizes)] {
				t.Fatalf("sizes %v: %d bytes held back", sizes, len(lb.buf))
			}
		}
		if len(r.chunks) == 0 {
			t.Fatalf("sizes %v: nothing handed on before Flush", sizes)
		}
		if err := lb.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(r.chunks, ""); got != text {
			t.Fatalf("sizes %v: %d bytes handed on, want %d, or not in order", sizes, len(got), len(text))
		}
		for i, c := range r.chunks[:len(r.chunks)-1] {
			if !strings.HasSuffix(c, "\n") {
				t.Fatalf("sizes %v: chunk %d does not end a line: …%q", sizes, i, c[max(0, len(c)-20):])
			}
		}
	}
}
