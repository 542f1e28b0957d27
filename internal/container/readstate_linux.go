//go:build linux

package container

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// errTooBig is returned for a state file over its cap.
var errTooBig = errors.New("file too large")

// readState reads a state file the safe way: opened with O_NOFOLLOW (a
// symlink planted in place of the file is refused), fstat must say a
// regular file, and at most max bytes are read.
func readState(path string, max int64) ([]byte, os.FileInfo, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("stat: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > max {
		return nil, nil, fmt.Errorf("%s: %w (%d bytes, cap %d)", path, errTooBig, fi.Size(), max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, nil, fmt.Errorf("%s: %w (cap %d)", path, errTooBig, max)
	}
	return data, fi, nil
}
