package expect

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portui/portui/internal/sanitize"
)

func load(path string) (*File, error) {
	name := sanitize.Line(path)
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil && refusedLink(err) {
		return nil, &Error{Path: name, Msg: "is a symbolic link, not a regular file (name the file it points to)", err: err}
	}
	if err != nil {
		return nil, &Error{Path: name, Msg: "cannot read: " + reason(err), err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &Error{Path: name, Msg: "cannot read: " + reason(err), err: err}
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Path: name, Msg: "is " + fileKind(fi.Mode()) + ", not a regular file"}
	}
	if fi.Size() > MaxFileSize {
		return nil, &Error{Path: name, Msg: "is larger than 1 MiB (an expectations file is a few kilobytes)"}
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, &Error{Path: name, Msg: "cannot read: " + reason(err), err: err}
	}
	if buf.Len() > MaxFileSize {
		return nil, &Error{Path: name, Msg: "is larger than 1 MiB (it grew while read)"}
	}
	return parse(path, buf.Bytes())
}

// reason is the system's reason without the path (the message names it
// already): "no such file or directory", "too many levels of symbolic
// links" (a symbolic link: refused).
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return sanitize.Line(err.Error())
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// SystemPath is the system-wide expectations file.
const SystemPath = "/etc/portui/expected.toml"

func defaultPaths() []string {
	var out []string
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		out = append(out, filepath.Join(d, "portui", "expected.toml"))
	} else if home := os.Getenv("HOME"); home != "" && filepath.IsAbs(home) {
		out = append(out, filepath.Join(home, ".config", "portui", "expected.toml"))
	}
	return append(out, SystemPath)
}
