//go:build linux

// Package bpfiter finds the processes that hold a set of sockets in one
// pass of a BPF task-file iterator (iter/task_file, Linux 5.8+ with BTF):
// the kernel visits every open file of every process and sends back only
// the sockets asked for, so a host with 200,000 open fds costs one pass in
// the kernel instead of a readlink per fd.
//
// The program is taskfile.bpf.c, compiled by bpf2go (gen.go) into the
// committed taskfile_bpf*.o and loaded with github.com/cilium/ebpf, which is
// pure Go and resolves the program's field offsets against the running
// kernel's BTF (CO-RE).
package bpfiter

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// Holder is one process holding one socket: the socket's inode, the
// process (its thread-group id in the initial PID namespace) and fd, and
// the inode of the process's network namespace.
type Holder struct {
	Inode uint64
	PID   int
	FD    int
	NetNS uint64
}

// recordSize is sizeof(struct holder) in taskfile.bpf.c.
const recordSize = 24

// MaxOutput caps what one pass may return (about 2.8 million holders).
const MaxOutput = 64 << 20

// minEntries is the size of the wanted map at first (its entries are
// allocated as they are added; the buckets take 16 bytes each): enough for
// a host with 60,000 listeners without a reload, which costs as much as
// the first load. It doubles when a set is larger.
const minEntries = 1 << 16

// Unavailable is why the iterator cannot be used here, one line: the
// caller falls back to reading /proc and says so.
type Unavailable struct{ Reason string }

func (e *Unavailable) Error() string { return e.Reason }

// Iter is a loaded iterator. Not safe for concurrent use.
type Iter struct {
	objs    objects
	holders *link.Iter
	members *link.Iter
	prog    string              // "task" or "task_file": which walk is loaded
	host    uint32              // the host's network namespace inode
	entries int                 // max_entries of objs.Wanted
	inMap   map[uint64]struct{} // what objs.Wanted holds
	buf     []byte
	batch   bool // the kernel takes batch updates
}

// objects is what one load takes from the collection: the walk (Tasks or
// Holders, one of them), the namespace program and the map.
type objects struct {
	Tasks   *ebpf.Program `ebpf:"tasks"`
	Holders *ebpf.Program `ebpf:"holders"`
	Netns   *ebpf.Program `ebpf:"netns"`
	Wanted  *ebpf.Map     `ebpf:"wanted"`
	Resume  *ebpf.Map     `ebpf:"resume"`  // the task walk's only
	Scratch *ebpf.Map     `ebpf:"scratch"` // the task walk's only
}

type withTasks struct {
	Tasks   *ebpf.Program `ebpf:"tasks"`
	Netns   *ebpf.Program `ebpf:"netns"`
	Wanted  *ebpf.Map     `ebpf:"wanted"`
	Resume  *ebpf.Map     `ebpf:"resume"`
	Scratch *ebpf.Map     `ebpf:"scratch"`
}

type withTaskFile struct {
	Holders *ebpf.Program `ebpf:"holders"`
	Netns   *ebpf.Program `ebpf:"netns"`
	Wanted  *ebpf.Map     `ebpf:"wanted"`
}

func (o *objects) close() {
	for _, c := range []interface{ Close() error }{o.Tasks, o.Holders, o.Netns, o.Wanted, o.Resume, o.Scratch} {
		if c != nil && !isNil(c) {
			_ = c.Close()
		}
	}
	*o = objects{}
}

func isNil(c interface{ Close() error }) bool {
	switch v := c.(type) {
	case *ebpf.Program:
		return v == nil
	case *ebpf.Map:
		return v == nil
	}
	return false
}

// Hooks for tests: loadHook replaces loading (to make it fail);
// forceTaskFile loads the iter/task_file walk instead of the faster one.
var (
	loadHook      func() error
	forceTaskFile bool
)

var memlockOnce sync.Once

// Open loads the programs and attaches the iterators; hostNetNS is the
// inode of the host's network namespace (NetNS reports processes outside
// it). A kernel, a policy or a user that does not allow it gives an
// *Unavailable.
func Open(hostNetNS uint64) (*Iter, error) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		return nil, &Unavailable{"no kernel BTF (/sys/kernel/btf/vmlinux)"}
	}
	it := &Iter{inMap: make(map[uint64]struct{}), batch: true, host: uint32(hostNetNS)}
	if err := it.load(minEntries); err != nil {
		return nil, err
	}
	return it, nil
}

// Walk says which program finds the holders: "task" (the fd-table walk)
// or "task_file" (the kernel's per-file iterator, on older kernels).
func (it *Iter) Walk() string { return it.prog }

func (it *Iter) load(entries int) error {
	if loadHook != nil {
		if err := loadHook(); err != nil {
			return classify(err)
		}
	}
	// Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK; later ones
	// to the cgroup, and this does nothing.
	memlockOnce.Do(func() { _ = rlimit.RemoveMemlock() })
	spec, err := loadTaskfile()
	if err != nil {
		return fmt.Errorf("bpfiter: %w", err)
	}
	spec.Maps[taskfileMapWanted].MaxEntries = uint32(entries)
	if err := spec.Variables[taskfileVarHostNetns].Set(it.host); err != nil {
		return fmt.Errorf("bpfiter: %w", err)
	}
	var objs objects
	prog := "task"
	var t withTasks
	err = errors.New("iter/task_file forced")
	if !forceTaskFile {
		err = spec.LoadAndAssign(&t, nil)
	}
	if err == nil {
		objs = objects{Tasks: t.Tasks, Netns: t.Netns, Wanted: t.Wanted, Resume: t.Resume, Scratch: t.Scratch}
	} else if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return classify(err)
	} else {
		// No bpf_loop or bpf_rdonly_cast here (before 6.2): the
		// kernel's own per-file iterator.
		var f withTaskFile
		if err := spec.LoadAndAssign(&f, nil); err != nil {
			return classify(err)
		}
		objs = objects{Holders: f.Holders, Netns: f.Netns, Wanted: f.Wanted}
		prog = "task_file"
	}
	walk := objs.Tasks
	if walk == nil {
		walk = objs.Holders
	}
	holders, err := link.AttachIter(link.IterOptions{Program: walk})
	if err != nil {
		objs.close()
		return classify(err)
	}
	members, err := link.AttachIter(link.IterOptions{Program: objs.Netns})
	if err != nil {
		_ = holders.Close()
		objs.close()
		return classify(err)
	}
	it.closeObjs()
	it.objs, it.holders, it.members, it.prog, it.entries = objs, holders, members, prog, entries
	clear(it.inMap)
	return nil
}

// classify turns a load or attach error into one line for a warning.
func classify(err error) error {
	var ve *ebpf.VerifierError
	switch {
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		// cilium/ebpf's wording suggests RLIMIT_MEMLOCK, which this
		// kernel generation no longer uses; the cause is privilege.
		return &Unavailable{"BPF not permitted: needs root, or CAP_BPF and CAP_PERFMON, and no security policy that forbids it"}
	case errors.Is(err, ebpf.ErrNotSupported), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return &Unavailable{"kernel has no BPF task-file iterator (Linux 5.8+ with BTF): " + oneLine(err)}
	case errors.As(err, &ve):
		return &Unavailable{"the kernel's verifier refused the program: " + oneLine(err)}
	}
	return &Unavailable{"BPF iterator unavailable: " + oneLine(err)}
}

// oneLine keeps the first line of an error (verifier logs run to pages).
func oneLine(err error) string {
	s := err.Error()
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

func (it *Iter) closeObjs() {
	for _, l := range []**link.Iter{&it.holders, &it.members} {
		if *l != nil {
			_ = (*l).Close()
			*l = nil
		}
	}
	it.objs.close()
}

// Close releases the program, its map and its link.
func (it *Iter) Close() error {
	it.closeObjs()
	return nil
}

// Holders calls fn for every process file that is one of the sockets want,
// in one pass. A process with several fds (or threads with their own fd
// tables) on a socket gives several calls. Holders honours ctx between
// reads of the iterator.
//
// The task walk writes at most 1,024 holders of one task per pass (its
// records must fit the iterator's buffer), then a resume record; Holders
// then runs the iterator again for that task alone, from that fd on,
// until nothing is left.
func (it *Iter) Holders(ctx context.Context, want []uint64, fn func(Holder)) error {
	if len(want) == 0 {
		return nil
	}
	if err := it.setWanted(want); err != nil {
		return err
	}
	var next []resumeAt
	emit := func(b []byte) {
		h := Holder{
			Inode: binary.NativeEndian.Uint64(b[0:]),
			PID:   int(binary.NativeEndian.Uint32(b[8:])),
			FD:    int(binary.NativeEndian.Uint32(b[12:])),
			NetNS: uint64(binary.NativeEndian.Uint32(b[16:])),
		}
		if h.Inode == 0 {
			next = append(next, resumeAt{Tid: binary.NativeEndian.Uint32(b[20:]), FD: uint32(h.FD)})
			return
		}
		fn(h)
	}
	if err := it.read(ctx, it.holders, recordSize, emit); err != nil || len(next) == 0 {
		return err
	}
	if it.objs.Resume == nil {
		return errors.New("bpfiter: a resume record from a walk that has no resume map")
	}
	defer func() { _ = it.objs.Resume.Put(uint32(0), resumeAt{}) }()
	for passes := 0; len(next) > 0; passes++ {
		if passes >= maxResumes {
			return fmt.Errorf("bpfiter: more than %d resumed passes", maxResumes)
		}
		r := next[0]
		next = next[1:]
		if err := it.objs.Resume.Put(uint32(0), r); err != nil {
			return fmt.Errorf("bpfiter: resume task %d: %w", r.Tid, err)
		}
		n := len(next)
		if err := it.read(ctx, it.holders, recordSize, emit); err != nil {
			return err
		}
		for _, q := range next[n:] {
			if q.Tid == r.Tid && q.FD <= r.FD {
				return fmt.Errorf("bpfiter: task %d resumed at fd %d, then at %d", r.Tid, r.FD, q.FD)
			}
		}
	}
	return nil
}

// resumeAt is struct resume of taskfile.bpf.c: the task (its tid) and fd
// a pass resumes from.
type resumeAt struct {
	Tid uint32
	FD  uint32
}

// maxResumes caps the resumed passes of one Holders call: 1,024 holders
// each, more than MaxOutput allows in all.
const maxResumes = MaxOutput/(1024*recordSize) + 1

// memberSize is sizeof(struct member) in taskfile.bpf.c.
const memberSize = 8

// NetNS calls fn for every process (thread-group leader) whose network
// namespace is not the host's, in one pass over the tasks.
func (it *Iter) NetNS(ctx context.Context, fn func(pid int, netns uint64)) error {
	return it.read(ctx, it.members, memberSize, func(b []byte) {
		fn(int(binary.NativeEndian.Uint32(b[0:])), uint64(binary.NativeEndian.Uint32(b[4:])))
	})
}

// read runs one pass of l and hands each size-byte record to fn. It
// honours ctx between reads and caps the output at MaxOutput.
func (it *Iter) read(ctx context.Context, l *link.Iter, size int, fn func([]byte)) error {
	r, err := l.Open()
	if err != nil {
		return fmt.Errorf("bpfiter: open iterator: %w", err)
	}
	defer r.Close()
	if it.buf == nil {
		it.buf = make([]byte, 64<<10)
	}
	buf := it.buf
	have, total := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf[have:])
		have += n
		total += n
		if total > MaxOutput {
			return fmt.Errorf("bpfiter: more than %d bytes from one pass", MaxOutput)
		}
		done := have - have%size
		for off := 0; off < done; off += size {
			fn(buf[off : off+size])
		}
		have = copy(buf, buf[done:have]) // a record split across reads
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			break
		}
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("bpfiter: read iterator: %w", err)
		}
	}
	if have != 0 {
		return fmt.Errorf("bpfiter: %d stray bytes at the end of a pass", have)
	}
	return nil
}

// setWanted makes the wanted map hold exactly want, growing it (a reload)
// when it is too small, by deleting and adding only the difference.
func (it *Iter) setWanted(want []uint64) error {
	if len(want) > it.entries {
		n := 1 << bits.Len(uint(2*len(want)-1))
		if err := it.load(max(n, minEntries)); err != nil {
			return err
		}
	}
	next := make(map[uint64]struct{}, len(want))
	var add []uint64
	for _, ino := range want {
		if _, dup := next[ino]; dup {
			continue
		}
		next[ino] = struct{}{}
		if _, ok := it.inMap[ino]; !ok {
			add = append(add, ino)
		}
	}
	var del []uint64
	for ino := range it.inMap {
		if _, ok := next[ino]; !ok {
			del = append(del, ino)
		}
	}
	if err := it.apply(del, add); err != nil {
		// The map is in an unknown state: start again from an empty one.
		if lerr := it.load(it.entries); lerr != nil {
			return lerr
		}
		if err := it.apply(nil, keys(next)); err != nil {
			return fmt.Errorf("bpfiter: fill wanted map: %w", err)
		}
	}
	it.inMap = next
	return nil
}

func keys(m map[uint64]struct{}) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (it *Iter) apply(del, add []uint64) error {
	m := it.objs.Wanted
	if len(del) > 0 {
		if it.batch {
			_, err := m.BatchDelete(del, nil)
			if errors.Is(err, ebpf.ErrNotSupported) {
				it.batch = false
			} else if err != nil {
				return err
			}
		}
		if !it.batch {
			for _, k := range del {
				if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
					return err
				}
			}
		}
	}
	if len(add) > 0 {
		vals := make([]uint8, len(add))
		if it.batch {
			_, err := m.BatchUpdate(add, vals, nil)
			if errors.Is(err, ebpf.ErrNotSupported) {
				it.batch = false
			} else if err != nil {
				return err
			}
		}
		if !it.batch {
			for _, k := range add {
				if err := m.Put(k, uint8(0)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
