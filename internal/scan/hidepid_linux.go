package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/portui/portui/internal/sanitize"
)

// What is mounted at the proc root decides what a fruitless search for a
// socket's process means. With hidepid= on the proc mount, other users'
// processes are absent from the listing rather than unreadable, so "nobody
// holds it" means "hidden"; with something other than procfs on /proc (an
// empty tmpfs mounted over it) no process can be seen at all.
//
// Mounts stack: a procfs mounted over /proc shadows the first, and
// mountinfo lists both. The mount in effect is the one whose ID statx
// reports for the root we read (STATX_MNT_ID, Linux 5.8); without it, the
// last entry for the mount point, which is the newest.

// statx is swapped by tests to simulate a kernel without it.
var statx = unix.Statx

// mountID returns the ID of the mount path is on, 0 if the kernel cannot
// tell, and an error if path cannot be reached. Without statx (Linux <
// 4.11, ENOSYS), where seccomp refuses it (EPERM) or the kernel knows no
// STATX_MNT_ID (EINVAL, EOPNOTSUPP on some filesystems; < 5.8 just leaves
// the mask bit clear), the ID is unknown and a stat says whether path can
// be reached.
func mountID(path string) (uint64, error) {
	var stx unix.Statx_t
	err := statx(unix.AT_FDCWD, path, unix.AT_STATX_DONT_SYNC, unix.STATX_MNT_ID, &stx)
	switch {
	case err == nil:
		if stx.Mask&unix.STATX_MNT_ID == 0 {
			return 0, nil
		}
		return stx.Mnt_id, nil
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM), errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP):
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			return 0, &fs.PathError{Op: "stat", Path: path, Err: err}
		}
		return 0, nil
	}
	return 0, &fs.PathError{Op: "statx", Path: path, Err: err}
}

// hidePID returns the hidepid= option of the proc mount in effect at root
// (mount ID id, 0 if unknown), "" if none or not found.
func hidePID(root string, id uint64) string {
	f, err := os.Open(filepath.Join(root, "self", "mountinfo"))
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMountinfo))
	if err != nil {
		return ""
	}
	m, ok := findMount(b, id, filepath.Clean(root))
	if !ok || m.fstype != "proc" {
		return ""
	}
	return m.option("hidepid")
}

// maxMountinfo bounds the read of self/mountinfo (a host with thousands of
// container mounts has a few hundred kB).
const maxMountinfo = 4 << 20

// mountEntry is one line of /proc/PID/mountinfo:
// "id parent major:minor root mountpoint opts [optional...] - fstype source superopts".
type mountEntry struct {
	id         uint64
	root       string // the mount's root within its filesystem
	mountPoint string
	fstype     string
	superOpts  string
}

// option returns the value of name=value in the superblock options, "" if
// absent, "0" or "off".
func (m mountEntry) option(name string) string {
	for opt := range strings.SplitSeq(m.superOpts, ",") {
		if v, ok := strings.CutPrefix(opt, name+"="); ok && v != "0" && v != "off" {
			return v
		}
	}
	return ""
}

// findMount returns the mount with ID id, or if there is none (id 0, or a
// tree that is not the real one), the last one mounted at mountPoint.
// Malformed lines are skipped.
func findMount(b []byte, id uint64, mountPoint string) (mountEntry, bool) {
	var last mountEntry
	found := false
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		m, ok := parseMountLine(string(line))
		if !ok {
			continue
		}
		if id != 0 && m.id == id {
			return m, true
		}
		if m.mountPoint == mountPoint {
			last, found = m, true
		}
	}
	return last, found
}

func parseMountLine(line string) (mountEntry, bool) {
	pre, post, ok := strings.Cut(line, " - ")
	if !ok {
		return mountEntry{}, false
	}
	pf, qf := strings.Fields(pre), strings.Fields(post)
	if len(pf) < 6 || len(qf) < 3 {
		return mountEntry{}, false
	}
	id, err := strconv.ParseUint(pf[0], 10, 64)
	if err != nil {
		return mountEntry{}, false
	}
	// Options end up in hidden-process reasons (hidepid=…): outside text.
	return mountEntry{id: id, root: unescapeMount(pf[3]), mountPoint: unescapeMount(pf[4]), fstype: qf[0], superOpts: sanitize.Line(qf[2])}, true
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fsName names a filesystem by its statfs magic, for saying what is
// mounted where procfs was expected.
func fsName(magic int64) string {
	switch magic {
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.RAMFS_MAGIC:
		return "ramfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlayfs"
	case unix.EXT4_SUPER_MAGIC:
		return "ext2/3/4"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.NFS_SUPER_MAGIC:
		return "nfs"
	case unix.V9FS_MAGIC:
		return "9p"
	case unix.FUSE_SUPER_MAGIC:
		return "fuse"
	case unix.SYSFS_MAGIC:
		return "sysfs"
	case unix.SQUASHFS_MAGIC:
		return "squashfs"
	case unix.DEVPTS_SUPER_MAGIC:
		return "devpts"
	case unix.CGROUP2_SUPER_MAGIC:
		return "cgroup2"
	}
	return fmt.Sprintf("a filesystem with magic %#x", uint64(magic))
}

// canSeeAll reports whether this process may read every process's fds:
// CAP_SYS_PTRACE in the effective set (root normally has it).
func canSeeAll() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return os.Geteuid() == 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<19) != 0 // CAP_SYS_PTRACE
		}
	}
	return false
}
