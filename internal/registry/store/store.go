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
	"time"

	"github.com/portui/portui/assets"
	"github.com/portui/portui/internal/registry"
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

// Open returns the registry every command uses: the file given by
// override if set, else the user's registry if there is one, else the
// embedded one.
func Open(override string) (*registry.Registry, Info, error) {
	if override != "" {
		return openFile(override, "file")
	}
	dir, err := Dir()
	if err == nil {
		path := filepath.Join(dir, FileName)
		if _, err := os.Stat(path); err == nil {
			return openFile(path, "user")
		}
	}
	reg, err := registry.Load(assets.RegistryJSON)
	if err != nil {
		return nil, Info{}, fmt.Errorf("embedded registry: %w", err)
	}
	return reg, info(reg, "embedded", ""), nil
}

func openFile(path, kind string) (*registry.Registry, Info, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, Info{}, fmt.Errorf("cannot read registry %s: %w", path, unwrapPath(err))
	}
	reg, err := registry.Load(b)
	if err != nil {
		hint := ""
		if kind == "user" {
			hint = " (run `portui registry update FILE` or remove it to use the embedded registry)"
		}
		return nil, Info{}, fmt.Errorf("registry %s: %w%s", path, err, hint)
	}
	return reg, info(reg, kind, path), nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func info(reg *registry.Registry, kind, path string) Info {
	return Info{Kind: kind, Path: path, Updated: reg.Updated, Records: reg.Len(), Source: reg.Source}
}

// UpdateFile reads an IANA export from path and installs it (see Update).
func UpdateFile(dir, path string) (Info, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Info{}, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	return Update(dir, path, raw)
}

// Update validates an IANA export (XML or CSV), converts it and installs
// it as the user's registry in dir. Nothing is written unless every check
// passes, and the write is atomic: a failed update leaves the previous
// registry in place.
func Update(dir, name string, raw []byte) (Info, error) {
	data, err := registry.Convert(name, raw)
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	b, err := registry.Marshal(data)
	if err != nil {
		return Info{}, err
	}
	reg, err := registry.Load(b)
	if err != nil {
		return Info{}, fmt.Errorf("%s: converted registry does not load: %w", filepath.Base(name), err)
	}
	if err := checkComplete(reg); err != nil {
		return Info{}, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Info{}, fmt.Errorf("cannot create %s: %w", dir, unwrapPath(err))
	}
	path := filepath.Join(dir, FileName)
	if err := WriteFileAtomic(path, b); err != nil {
		return Info{}, err
	}
	return info(reg, "user", path), nil
}

// checkComplete refuses a file that parses but is not the whole registry
// (an excerpt, a filtered export): installing it would silently turn most
// ports into "unassigned".
func checkComplete(reg *registry.Registry) error {
	missing := 0
	for p := 0; p <= 1023; p++ {
		if !reg.Covered(p, registry.Combined) {
			missing++
		}
	}
	if missing > 0 {
		return fmt.Errorf("not the complete registry: %d of the 1,024 system ports have no record", missing)
	}
	return nil
}

// IANAURL is where IANA publishes the registry.
const IANAURL = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xml"

// Download limits: the 2026 file is 3.9 MB.
const (
	DefaultMaxBytes = 64 << 20
	DefaultTimeout  = 60 * time.Second
)

// Download fetches url over HTTPS with a size limit and a timeout.
func Download(ctx context.Context, client *http.Client, url string, maxBytes int64, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", url, err)
	}
	if req.URL.Scheme != "https" {
		return nil, fmt.Errorf("refusing to download over %s: use an https:// URL", req.URL.Scheme)
	}
	req.Header.Set("User-Agent", "portui (+https://github.com/portui/portui)")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("download from %s timed out after %s", req.URL.Host, timeout)
		}
		return nil, fmt.Errorf("download from %s failed: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download from %s failed: HTTP %s", req.URL.Host, resp.Status)
	}
	if resp.ContentLength > maxBytes {
		return nil, fmt.Errorf("download from %s refused: %d bytes is over the %d-byte limit", req.URL.Host, resp.ContentLength, maxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("download from %s timed out after %s", req.URL.Host, timeout)
		}
		return nil, fmt.Errorf("download from %s failed: %w", req.URL.Host, err)
	}
	if int64(len(b)) > maxBytes {
		return nil, fmt.Errorf("download from %s stopped: over the %d-byte limit", req.URL.Host, maxBytes)
	}
	return b, nil
}
