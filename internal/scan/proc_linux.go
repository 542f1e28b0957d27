package scan

// Raw /proc access for the owner cache. The full walk looks at every fd on
// the host, so the inner loop avoids allocations: fd names are read with
// getdents and passed to the kernel straight from the dirent buffer, which
// already NUL-terminates them.
//
// The two per-fd system calls (getdents64 on /proc/PID/fd and readlinkat of
// each entry) are made with RawSyscall: they only touch procfs and the
// kernel's fd table, never the file's own filesystem, so they cannot block
// on I/O, and skipping the scheduler hand-off saves about 7% of the walk
// (measured). statx of the link would be as cheap, but it asks the target
// filesystem for attributes, and a 9p mount without caching answers that
// over the network.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// procDir reads one procfs tree. It is used by one scan at a time.
type procDir struct {
	root   string
	isProc bool // a real procfs mount
	seekOK bool // readdir offsets of the root map to PIDs (procfs)
	ownNS  bool // root/self is this process: loadavg's last PID applies
	// mustBeProc is set for the default root, /proc: anything else mounted
	// there hides the processes instead of being a tree to read.
	mustBeProc bool
	fsName     string // what is mounted at root when it is not procfs
	hidepid    string // hidepid= of the proc mount in effect, "" if none
	mntID      uint64 // mount ID of root, 0 if unknown
	dents      []byte
	link       []byte
	file       []byte
}

func newProcDir(root string) *procDir {
	d := &procDir{
		root:  filepath.Clean(root),
		dents: make([]byte, 32<<10),
		link:  make([]byte, 128),
		file:  make([]byte, maxCmdlineRead),
	}
	d.mustBeProc = d.root == "/proc"
	d.mntID, _ = mountID(d.root)
	d.inspect()
	return d
}

// inspect looks at what is mounted at the root: procfs or not, with which
// hidepid, and whether it shows our PID namespace.
func (d *procDir) inspect() {
	d.isProc, d.seekOK, d.ownNS, d.fsName = false, false, false, ""
	var st unix.Statfs_t
	if err := unix.Statfs(d.root, &st); err == nil {
		if st.Type == unix.PROC_SUPER_MAGIC {
			d.isProc, d.seekOK = true, true
		} else {
			d.fsName = fsName(st.Type)
		}
	} else {
		d.fsName = "unknown (statfs: " + err.Error() + ")"
	}
	if self, err := os.Readlink(d.root + "/self"); err == nil && self == strconv.Itoa(os.Getpid()) {
		d.ownNS = true
	}
	d.hidepid = hidePID(d.root, d.mntID)
}

// notProcError says the proc root is something other than procfs.
type notProcError struct{ root, fs string }

func (e *notProcError) Error() string { return e.root + " is " + e.fs + ", not procfs" }

func (d *procDir) pidPath(pid int, rest string) string {
	return d.root + "/" + strconv.Itoa(pid) + rest
}

// errProcGone and errProcDenied classify a failed look at one process: it
// exited (or never was), or its fds are not ours to read.
var (
	errProcGone   = errors.New("process exited")
	errProcDenied = errors.New("permission denied")
)

func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ESRCH), errors.Is(err, unix.ENOTDIR):
		return errProcGone
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return errProcDenied
	}
	return err
}

// listPIDs returns the numeric entries of the proc root in ascending order.
func (d *procDir) listPIDs() ([]int, error) {
	fd, err := unix.Open(d.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.root, Err: err}
	}
	defer unix.Close(fd)
	pids := make([]int, 0, 256)
	err = d.readPIDs(fd, d.dents, func(pid int) bool {
		pids = append(pids, pid)
		return true
	})
	if err != nil {
		return nil, err
	}
	if !d.isProc {
		// procfs lists PIDs in order; fixture directories do not.
		slices.Sort(pids)
	}
	return pids, nil
}

// procRootOffset is TGID_OFFSET in fs/proc/base.c: the readdir position of
// PID n in the proc root is procRootOffset+n, which lets a reader start
// listing right after a given PID.
const procRootOffset = 256 + 2

// listPIDsIn returns the processes whose PID lies in the cyclic range
// (after, upto], which holds every PID allocated since the last PID was
// after. On procfs it seeks straight to that range instead of listing all.
func (d *procDir) listPIDsIn(after, upto int) ([]int, error) {
	in := func(p int) bool {
		if after < upto {
			return p > after && p <= upto
		}
		return p > after || p <= upto
	}
	if d.seekOK {
		var out []int
		var err error
		if after < upto {
			out, err = d.seekPIDs(out, after+1, upto)
		} else {
			out, err = d.seekPIDs(out, after+1, 1<<30)
			if err == nil {
				out, err = d.seekPIDs(out, 1, upto)
			}
		}
		if !errors.Is(err, errBadOffsets) {
			return out, err
		}
		d.seekOK = false // offsets are not PIDs here: list everything from now on
	}
	all, err := d.listPIDs()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(p int) bool { return !in(p) }), nil
}

var errBadOffsets = errors.New("proc root readdir offsets are not PIDs")

// seekPIDs appends the PIDs in [from, to] using the procfs readdir offset.
func (d *procDir) seekPIDs(out []int, from, to int) ([]int, error) {
	fd, err := unix.Open(d.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return out, &fs.PathError{Op: "open", Path: d.root, Err: err}
	}
	defer unix.Close(fd)
	if _, err := unix.Seek(fd, int64(procRootOffset+from), 0); err != nil {
		return out, errBadOffsets
	}
	bad := false
	err = d.readPIDs(fd, d.dents[:2048], func(pid int) bool {
		if pid < from {
			bad = true
			return false
		}
		if pid > to {
			return false
		}
		out = append(out, pid)
		return true
	})
	if bad {
		return out, errBadOffsets
	}
	return out, err
}

// readPIDs calls fn for each numeric directory entry until fn returns false.
func (d *procDir) readPIDs(fd int, buf []byte, fn func(pid int) bool) error {
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			return &fs.PathError{Op: "readdir", Path: d.root, Err: err}
		}
		if n <= 0 {
			return nil
		}
		more := true
		eachDirent(buf[:n], func(name []byte) bool {
			pid, ok := atoiName(name)
			if !ok {
				return true
			}
			more = fn(pid)
			return more
		})
		if !more {
			return nil
		}
	}
}

// eachDirent walks linux_dirent64 records: ino u64, off s64, reclen u16,
// type u8, name NUL-terminated. fn gets the name without its NUL.
func eachDirent(b []byte, fn func(name []byte) bool) {
	for len(b) >= 19 {
		reclen := int(*(*uint16)(unsafe.Pointer(&b[16])))
		if reclen < 19 || reclen > len(b) {
			return
		}
		name := b[19:reclen]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if !fn(name) {
			return
		}
		b = b[reclen:]
	}
}

func atoiName(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// walkFDs calls fn for every socket fd of pid with its inode. It returns
// errProcGone if the process exited and errProcDenied if its fds are hidden
// from us; a process that exits half-way just ends the walk early.
func (d *procDir) walkFDs(pid int, fn func(fd int, ino uint64)) error {
	dir := d.pidPath(pid, "/fd")
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return classify(err)
	}
	defer unix.Close(dfd)
	for {
		r, _, errno := syscall.RawSyscall(unix.SYS_GETDENTS64, uintptr(dfd),
			uintptr(unsafe.Pointer(&d.dents[0])), uintptr(len(d.dents)))
		if errno != 0 {
			return classify(errno)
		}
		n := int(r)
		if n <= 0 {
			return nil
		}
		eachDirent(d.dents[:n], func(name []byte) bool {
			fd, ok := atoiName(name)
			if !ok {
				return true
			}
			if ino, ok := d.fdAt(dfd, name); ok {
				fn(fd, ino)
			}
			return true
		})
	}
}

// fdAt returns the socket inode of the fd entry name in the open fd
// directory dfd; ok is false for other files and fds closed since readdir.
// name must be followed by a NUL, as names in a dirent buffer are.
func (d *procDir) fdAt(dfd int, name []byte) (uint64, bool) {
	k, _, errno := syscall.RawSyscall6(unix.SYS_READLINKAT, uintptr(dfd),
		uintptr(unsafe.Pointer(&name[0])),
		uintptr(unsafe.Pointer(&d.link[0])), uintptr(len(d.link)), 0, 0)
	if errno != 0 || int(k) <= 0 {
		return 0, false
	}
	return parseSocketLink(d.link[:k])
}

// fdInode returns the socket inode that pid's fd refers to, 0 if it is not a
// socket (or no longer open).
func (d *procDir) fdInode(pid, fd int) (uint64, error) {
	n, err := unix.Readlink(d.pidPath(pid, "/fd/"+strconv.Itoa(fd)), d.link)
	if err != nil {
		return 0, classify(err)
	}
	ino, _ := parseSocketLink(d.link[:n])
	return ino, nil
}

// readFile reads a small /proc file into the shared buffer.
func (d *procDir) readFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, classify(err)
	}
	defer unix.Close(fd)
	n := 0
	for n < len(d.file) {
		k, err := unix.Read(fd, d.file[n:])
		if err != nil {
			return nil, classify(err)
		}
		if k == 0 {
			break
		}
		n += k
	}
	return d.file[:n], nil
}

// readRegular reads at most limit bytes of a regular file (O_NOFOLLOW,
// fstat), into a buffer of its own: for files whose size is not the
// shared buffer's.
func readRegular(path string, limit int) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, classify(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, classify(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	// Start small and grow: a 4 MiB buffer for a 10 KiB mountinfo is a
	// quarter of a one-shot command's first heap goal.
	buf := make([]byte, min(limit, readRegularStart))
	n := 0
	for {
		if n == len(buf) {
			if n == limit {
				break
			}
			buf = append(buf, make([]byte, min(len(buf), limit-len(buf)))...)
		}
		k, err := unix.Read(fd, buf[n:])
		if err != nil {
			return nil, classify(err)
		}
		if k == 0 {
			break
		}
		n += k
	}
	return buf[:n], nil
}

// readRegularStart is readRegular's first buffer; it doubles up to the
// limit.
const readRegularStart = 64 << 10

// cgroup returns pid's cgroup path (ParseCgroupFile), "" if unknown.
func (d *procDir) cgroup(pid int) string { return CgroupOf(d.root, pid) }

// CgroupOf returns the cgroup path of process pid under procRoot as
// Process.Cgroup holds it (ParseCgroupFile of its /proc/PID/cgroup, read
// as a capped regular file), "" if it cannot be read.
func CgroupOf(procRoot string, pid int) string {
	b, err := readRegular(procRoot+"/"+strconv.Itoa(pid)+"/cgroup", maxCgroupRead)
	if err != nil {
		return ""
	}
	return ParseCgroupFile(b)
}

func (d *procDir) stat(pid int) (procStat, error) {
	b, err := d.readFile(d.pidPath(pid, "/stat"))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

// ownerUID returns the owner of /proc/PID, the process's effective UID
// (root for processes that are not dumpable), or -1.
func (d *procDir) ownerUID(pid int) int {
	var st unix.Stat_t
	if unix.Stat(d.pidPath(pid, ""), &st) != nil {
		return -1
	}
	return int(st.Uid)
}

// lastPID reads the PID namespace's most recently allocated PID. loadavg
// reports the reader's namespace, so it is only used when the tree's "self"
// is this process, that is when the tree shows our namespace's PIDs.
func (d *procDir) lastPID() (int, bool) {
	if !d.ownNS {
		return 0, false
	}
	b, err := d.readFile(d.root + "/loadavg")
	if err != nil {
		return 0, false
	}
	return parseLastPID(b)
}

// available reports whether the proc root can be read, and changed
// whether what is mounted there is not what was there at the last call (a
// procfs or a tmpfs mounted over it since): what was learnt from the old
// mount no longer applies. One statx per call (and a stat where statx
// cannot tell the mount); more only on a change.
func (d *procDir) available() (changed bool, err error) {
	id, err := mountID(d.root)
	if err != nil {
		return false, err
	}
	if id != d.mntID {
		d.mntID = id
		d.inspect()
		changed = true
	}
	if d.mustBeProc && !d.isProc {
		return changed, &notProcError{d.root, d.fsName}
	}
	return changed, nil
}
