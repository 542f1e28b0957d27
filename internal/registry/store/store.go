package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/safefile"
	"github.com/portui/portui/internal/sanitize"
)

// FileName is the user's registry file inside Dir.
const FileName = "registry.json"

// Dir is where portui keeps the user's registry: $XDG_DATA_HOME/portui,
// else the platform's usual place (~/.local/share/portui on Unix,
// ~/Library/Application Support/portui on macOS, %LOCALAPPDATA%\portui on
// Windows).
func Dir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "portui"), nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "portui"), nil
		}
	case "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, "Library", "Application Support", "portui"), nil
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("cannot find a data directory: set XDG_DATA_HOME or HOME")
	}
	return filepath.Join(home, ".local", "share", "portui"), nil
}

// Info describes the active registry.
type Info struct {
	Kind    string // "embedded", "user" or "file" (--registry)
	Path    string // "" for embedded
	Updated string
	Records int
	Source  registry.Source
}

// Size caps, so that a wrong file (a disk image, /dev/zero, a log) is
// refused from its size before anything is read, rather than read until
// memory runs out.
const (
	// MaxRegistryBytes caps a registry.json: the user's and --registry.
	// The embedded one is 2.75 MB (2026); the registry grows by a few
	// percent a year, so 32 MiB is more than ten times today's and
	// decades of growth, while Load of a file that size stays well under
	// a second and ~100 MB of memory.
	MaxRegistryBytes = 32 << 20
	// MaxExportBytes caps an IANA export given to Update (a file or a
	// download): IANA's XML is 3.9 MB (2026), so 32 MiB is eight times
	// today's. Converting takes about ten times its input in memory
	// (the 3.9 MB file: 42 MB peak RSS), so the cap bounds an update near
	// 350 MB, where a 2 GB file used to peak at 11.6 GB before it was
	// refused.
	MaxExportBytes = 32 << 20
)

// ErrNotRegular and ErrTooLarge are why a file was refused before it was
// read (errors.Is).
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("over the size limit")
)

// Open returns the registry every command uses: the file given by
// override if set, else the user's registry if there is one, else the
// embedded one. Only regular files are read (a FIFO, a device or a
// directory is refused at once, without blocking), at most
// MaxRegistryBytes, and reading stops when ctx is cancelled.
func Open(ctx context.Context, override string) (*registry.Registry, Info, error) {
	if override != "" {
		return openFile(ctx, override, "file")
	}
	dir, err := Dir()
	if err == nil {
		reg, info, err := openFile(ctx, filepath.Join(dir, FileName), "user")
		if !errors.Is(err, fs.ErrNotExist) {
			return reg, info, err
		}
	}
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		return nil, Info{}, fmt.Errorf("embedded registry: %w", err)
	}
	return reg, info(reg, "embedded", ""), nil
}

func openFile(ctx context.Context, path, kind string) (*registry.Registry, Info, error) {
	hint := ""
	if kind == "user" {
		hint = " (run `portui registry update FILE`, or `portui registry reset` to use the embedded registry)"
	}
	b, err := readRegular(ctx, "registry", path, MaxRegistryBytes)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && kind == "user" {
			return nil, Info{}, err
		}
		if errors.Is(err, ErrNotRegular) || errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("%w%s", err, hint)
		}
		return nil, Info{}, err
	}
	reg, err := registry.Load(b)
	if err != nil {
		return nil, Info{}, fmt.Errorf("registry %s: %w%s", sanitize.Line(path), err, hint)
	}
	return reg, info(reg, kind, path), nil
}

// readRegular reads the regular file at path, at most limit bytes. It
// opens with O_NONBLOCK, so that a FIFO cannot block the open, checks
// what it opened (fstat, not the path, so nothing can be swapped in
// between), refuses anything but a regular file and anything over limit
// from its size before reading, and reads through a limit in case the
// file grows meanwhile. A cancelled ctx stops it before it reads. Errors
// name the file as "what PATH", the path neutralised.
func readRegular(ctx context.Context, what, path string, limit int64) ([]byte, error) {
	name := sanitize.Line(path)
	if what != "" {
		name = what + " " + name
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, %w", name, safefile.Kind(fi.Mode()), ErrNotRegular)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %s, %w of %s", name, byteSize(fi.Size()), ErrTooLarge, byteSize(limit))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading %s stopped: %w", name, err)
	}
	b, err := safefile.ReadAll(f, fi.Size(), limit)
	if errors.Is(err, safefile.ErrGrew) {
		return nil, fmt.Errorf("%s grew while read, %w of %s", name, ErrTooLarge, byteSize(limit))
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, unwrapPath(err))
	}
	return b, nil
}

// byteSize renders n for a message: "2.0 GiB", "32 MiB", "1000 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// info describes reg; the path is neutralised, as Info is for display.
func info(reg *registry.Registry, kind, path string) Info {
	return Info{Kind: kind, Path: sanitize.Line(path), Updated: reg.Updated, Records: reg.Len(), Source: reg.Source}
}

// UpdateOptions adjust Update's checks.
type UpdateOptions struct {
	// Force installs a registry whose date is older than the embedded
	// one's, or missing (`registry update --force`). Every other check of
	// a complete registry still applies.
	Force bool
}

// UpdateFile reads an IANA export from path and installs it (see Update).
// Only a regular file of at most MaxExportBytes is read.
func UpdateFile(ctx context.Context, dir, path string, opts UpdateOptions) (Info, error) {
	raw, err := readRegular(ctx, "", path, MaxExportBytes)
	if err != nil {
		return Info{}, err
	}
	return Update(ctx, dir, path, raw, opts)
}

// Update validates an IANA export (XML or CSV), converts it and installs
// it as the user's registry in dir. Nothing is written unless every check
// passes, and the write is atomic: a failed update leaves the previous
// registry in place. The export must look like the whole registry (see
// checkComplete). A cancelled ctx stops the conversion and writes nothing.
func Update(ctx context.Context, dir, name string, raw []byte, opts UpdateOptions) (Info, error) {
	base := sanitize.Line(filepath.Base(name))
	if len(raw) > MaxExportBytes {
		return Info{}, fmt.Errorf("%s: %s is %w of %s for an IANA export", base, byteSize(int64(len(raw))), ErrTooLarge, byteSize(MaxExportBytes))
	}
	data, err := registry.Convert(ctx, name, raw)
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", base, err)
	}
	b, err := registry.Marshal(data)
	if err != nil {
		return Info{}, err
	}
	reg, err := registry.Load(b)
	if err != nil {
		return Info{}, fmt.Errorf("%s: converted registry does not load: %w", base, err)
	}
	if err := checkComplete(reg, opts.Force); err != nil {
		return Info{}, fmt.Errorf("%s: %w", base, err)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("%s: update stopped: %w", base, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Info{}, fmt.Errorf("cannot create %s: %w", sanitize.Line(dir), unwrapPath(err))
	}
	path := filepath.Join(dir, FileName)
	if err := WriteFileAtomic(path, b); err != nil {
		return Info{}, err
	}
	return info(reg, "user", path), nil
}

// IANAURL is where IANA publishes the registry.
const IANAURL = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xml"

// Download limits: the 2026 file is 3.9 MB; Update takes at most
// MaxExportBytes anyway.
const (
	DefaultMaxBytes = MaxExportBytes
	DefaultTimeout  = 60 * time.Second
)

// ErrInsecureRedirect is why a download that was redirected off HTTPS
// was refused (errors.Is).
var ErrInsecureRedirect = errors.New("not HTTPS")

// redirectError names the hop a download refused to follow.
type redirectError struct{ from, to string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("redirect from %s to %s is %v", e.from, e.to, ErrInsecureRedirect)
}

func (e *redirectError) Unwrap() error { return ErrInsecureRedirect }

// httpsOnly is client refusing any redirect to a URL that is not https,
// in front of the client's own redirect policy (or Go's default of at
// most 10 redirects).
func httpsOnly(client *http.Client) *http.Client {
	c := *client
	next := client.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return &redirectError{from: sanitize.Line(via[len(via)-1].URL.Redacted()), to: sanitize.Line(req.URL.Redacted())}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// Download fetches url over HTTPS with a size limit and a timeout; every
// redirect must stay on HTTPS too.
func Download(ctx context.Context, client *http.Client, url string, maxBytes int64, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL %s: %w", sanitize.Line(url), err)
	}
	if req.URL.Scheme != "https" {
		return nil, fmt.Errorf("refusing to download over %s: use an https:// URL", req.URL.Scheme)
	}
	host := sanitize.Line(req.URL.Host) // for messages
	req.Header.Set("User-Agent", "portui (+https://github.com/portui/portui)")
	resp, err := httpsOnly(client).Do(req)
	if err != nil {
		var re *redirectError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("download from %s refused: %w", host, re)
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// Past the deadline whatever the transport says (a reset
			// connection, an EOF): it is the timeout that ended it.
			return nil, fmt.Errorf("download from %s timed out after %s", host, timeout)
		}
		return nil, fmt.Errorf("download from %s failed: %w", host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download from %s failed: HTTP %s", host, sanitize.Line(resp.Status))
	}
	if resp.ContentLength > maxBytes {
		return nil, fmt.Errorf("download from %s refused: %d bytes is over the %d-byte limit", host, resp.ContentLength, maxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = ctx.Err() // the answer came in after the deadline: a timeout all the same
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("download from %s timed out after %s", host, timeout)
		}
		return nil, fmt.Errorf("download from %s failed: %w", host, err)
	}
	if int64(len(b)) > maxBytes {
		return nil, fmt.Errorf("download from %s stopped: over the %d-byte limit", host, maxBytes)
	}
	return b, nil
}

// Reset removes the user's registry in dir, so that every command uses the
// embedded one again. It returns the file's path (neutralised, for
// messages) and whether there was one to remove; having none is not an
// error. A directory in its place is left alone and reported.
func Reset(dir string) (path string, removed bool, err error) {
	p := filepath.Join(dir, FileName)
	path = sanitize.Line(p)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return path, false, nil
	}
	if err != nil {
		return path, false, fmt.Errorf("cannot remove %s: %w", path, unwrapPath(err))
	}
	if fi.IsDir() {
		return path, false, fmt.Errorf("cannot remove %s: it is a directory, not a registry file; left alone", path)
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return path, false, nil
		}
		return path, false, fmt.Errorf("cannot remove %s: %w", path, unwrapPath(err))
	}
	return path, true, nil
}
