package safefile

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestReadAll(t *testing.T) {
	b, err := ReadAll(strings.NewReader("hello"), 5, 5)
	if err != nil || string(b) != "hello" {
		t.Fatalf("within the limit: %q, %v", b, err)
	}
	// Its size said 3, it holds 6: grown past a limit of 5.
	if _, err := ReadAll(strings.NewReader("hello!"), 3, 5); !errors.Is(err, ErrGrew) {
		t.Fatalf("grown: %v, want ErrGrew", err)
	}
}

func TestKind(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		fs.ModeNamedPipe: "a named pipe (FIFO)", fs.ModeDevice | fs.ModeCharDevice: "a character device",
		fs.ModeDevice: "a block device", fs.ModeDir: "a directory", fs.ModeSocket: "a socket", fs.ModeIrregular: "a special file",
	} {
		if got := Kind(m); got != want {
			t.Errorf("Kind(%v) = %q, want %q", m, got, want)
		}
	}
}
