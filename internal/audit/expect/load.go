package expect

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portui/portui/internal/safefile"
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
		return nil, &Error{Path: name, Msg: "is " + safefile.Kind(fi.Mode()) + ", not a regular file"}
	}
	if fi.Size() > MaxFileSize {
		return nil, &Error{Path: name, Msg: "is larger than 1 MiB (an expectations file is a few kilobytes)"}
	}
	b, err := safefile.ReadAll(f, fi.Size(), MaxFileSize)
	if errors.Is(err, safefile.ErrGrew) {
		return nil, &Error{Path: name, Msg: "is larger than 1 MiB (it grew while read)"}
	}
	if err != nil {
		return nil, &Error{Path: name, Msg: "cannot read: " + reason(err), err: err}
	}
	return parse(path, b)
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
