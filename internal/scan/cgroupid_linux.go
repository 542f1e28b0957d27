package scan

import (
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/portui/portui/internal/sanitize"
)

// A socket's cgroup as the kernel reports it (INET_DIAG_CGROUP_ID) is the
// id of a cgroup2 cgroup, which is the inode number of its directory on
// the cgroup2 mount. Like `ss --cgroup`, the ids are mapped to paths by
// walking that mount and keeping inode → path. The walk is bounded (depth,
// directories), runs at the first poll that needs it and again only when a
// poll meets an id it has not seen, at most once per cgroupRewalk; ids a
// walk did not find (a removed cgroup a socket still pins) do not cause
// another. A poll otherwise costs one map lookup per listener.

const (
	cgroupRewalk   = 10 * time.Second
	maxCgroupDepth = 32
	maxCgroupDirs  = 65536
	maxCgroupGone  = 4096 // ids a walk did not find, remembered
)

// cgroupPaths maps cgroup2 ids to paths. Not safe for concurrent use (the
// scanner is serialised).
type cgroupPaths struct {
	mount   string // cgroup2 mount point, "" if none
	prefix  string // the mount's root in the hierarchy ("" for "/")
	found   bool   // mount looked up
	paths   map[uint64]string
	gone    map[uint64]bool
	walked  time.Time
	pending bool // an unknown id was met since the last walk
	walks   int
	now     func() time.Time
	// findMount locates the cgroup2 mount: mountinfo of this process.
	findMount func() (mount, root string)
}

func newCgroupPaths() *cgroupPaths {
	return &cgroupPaths{now: time.Now, findMount: cgroup2Mount}
}

// path returns the cgroup path of id ("" for 0, the root, or unknown) and
// whether id was known; an unknown id schedules a walk (see prepare).
func (c *cgroupPaths) path(id uint64) (string, bool) {
	if id == 0 {
		return "", true
	}
	if p, ok := c.paths[id]; ok {
		return p, true
	}
	if !c.gone[id] {
		c.pending = true
		return "", false
	}
	return "", true
}

// rewalk walks the mount again if an unknown id was met and the rate
// allows it, and reports whether it did.
func (c *cgroupPaths) rewalk(ctx context.Context) bool {
	if !c.pending {
		return false
	}
	if c.walks > 0 && c.now().Sub(c.walked) < cgroupRewalk {
		return false
	}
	c.pending = false
	if !c.found {
		c.found = true
		c.mount, c.prefix = c.findMount()
	}
	c.walked = c.now()
	c.walks++
	if c.mount == "" {
		return false
	}
	c.paths = walkCgroups(ctx, c.mount, c.prefix, maxCgroupDepth, maxCgroupDirs)
	c.gone = nil
	return true
}

// after returns id's path after a walk; an id still unknown is recorded
// so that it does not cause another walk.
func (c *cgroupPaths) after(id uint64) string {
	if p, ok := c.paths[id]; ok {
		return p
	}
	c.miss(id)
	return ""
}

func (c *cgroupPaths) miss(id uint64) {
	if c.gone == nil || len(c.gone) >= maxCgroupGone {
		c.gone = make(map[uint64]bool)
	}
	c.gone[id] = true
}

// walkCgroups maps the inode of every directory under mount (at most
// maxDirs, maxDepth deep) to its cgroup path; the root maps to "".
// Symlinks are not followed (cgroupfs has none); unreadable directories
// are skipped.
func walkCgroups(ctx context.Context, mount, prefix string, maxDepth, maxDirs int) map[uint64]string {
	out := make(map[uint64]string)
	var st syscall.Stat_t
	if err := syscall.Lstat(mount, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return out
	}
	out[st.Ino] = ""
	type dir struct {
		abs, rel string
		depth    int
	}
	queue := []dir{{mount, "", 0}}
	for len(queue) > 0 && len(out) < maxDirs {
		if ctx.Err() != nil {
			return out
		}
		d := queue[0]
		queue = queue[1:]
		if d.depth >= maxDepth {
			continue
		}
		ents, err := readDirNames(d.abs)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !e.IsDir() {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			sys, ok := info.Sys().(*syscall.Stat_t)
			if !ok {
				continue
			}
			rel := d.rel + "/" + e.Name()
			out[sys.Ino] = sanitize.Truncate(sanitize.Line(prefix+rel), maxCgroupPath)
			if len(out) >= maxDirs {
				break
			}
			queue = append(queue, dir{filepath.Join(d.abs, e.Name()), rel, d.depth + 1})
		}
	}
	return out
}

// readDirNames lists a directory without sorting it.
func readDirNames(dir string) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return ents, err
}

// cgroup2Mount finds this process's cgroup2 mount in /proc/self/mountinfo
// (/sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid
// one): the first whose root is "/", else the first. It returns the mount
// point and the mount's root in the hierarchy ("" for "/").
func cgroup2Mount() (string, string) {
	b, err := readRegular("/proc/self/mountinfo", maxMountinfo)
	if err != nil {
		return "", ""
	}
	return pickCgroup2(b)
}

// pickCgroup2 is cgroup2Mount's choice among mountinfo lines.
func pickCgroup2(b []byte) (string, string) {
	mount, root := "", ""
	for line := range strings.SplitSeq(string(b), "\n") {
		m, ok := parseMountLine(line)
		if !ok || m.fstype != "cgroup2" || !strings.HasPrefix(m.mountPoint, "/") || !strings.HasPrefix(m.root, "/") {
			continue
		}
		r := path.Clean(m.root)
		if r == "/" {
			return m.mountPoint, ""
		}
		if mount == "" {
			mount, root = m.mountPoint, r
		}
	}
	return mount, root
}
