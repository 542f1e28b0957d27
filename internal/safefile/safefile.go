// Package safefile holds what every reader of a user-named file shares:
// naming what a non-regular file is, and reading one that was checked
// regular (by fstat of what was opened) within a limit, in case it grows
// while read. The callers open and check it themselves, each with its own
// messages: the registry store and the expectations file.
package safefile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
)

// Kind names what a non-regular file is, for a message ("is a named pipe
// (FIFO), not a regular file").
func Kind(m fs.FileMode) string {
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

// ErrGrew is ReadAll's error for a file that held more than the limit
// when it was read (its size, checked before, was within it).
var ErrGrew = errors.New("grew while read")

// ReadAll reads r, a file whose fstat gave size bytes, at most limit
// bytes; ErrGrew if there was more. Room for the whole file and one read
// more is made at once, so the read that finds EOF (or growth) does not
// reallocate.
func ReadAll(r io.Reader, size, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(size, limit)) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, ErrGrew
	}
	return buf.Bytes(), nil
}
