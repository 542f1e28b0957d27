package scan

// The BPF path of the owner cache (issue 11): one iter/task_file pass in
// the kernel (package bpfiter) finds every holder of a set of socket
// inodes, instead of a readlink per open fd on the host. It replaces the
// census and the search for a new listener's holders; the cache's other
// rules (young processes, one stat per owner per poll, re-checks) are the
// same on both paths.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/portui/portui/internal/scan/bpfiter"
)

// holderPass finds every holder of the sockets want in one pass over every
// process's files.
// netns lists every process outside the host's network namespace with
// its namespace, in one pass over the tasks.
type holderPass interface {
	holders(ctx context.Context, want []uint64, fn func(ino uint64, pid, fd int)) error
	netns(ctx context.Context, fn func(pid int, ino uint64)) error
	close()
}

type bpfPass struct{ it *bpfiter.Iter }

func (p *bpfPass) holders(ctx context.Context, want []uint64, fn func(ino uint64, pid, fd int)) error {
	return p.it.Holders(ctx, want, func(h bpfiter.Holder) { fn(h.Inode, h.PID, h.FD) })
}

func (p *bpfPass) netns(ctx context.Context, fn func(pid int, ino uint64)) error {
	return p.it.NetNS(ctx, fn)
}

func (p *bpfPass) close() { _ = p.it.Close() }

// openBPF loads the iterator; a test replaces it to make the load fail.
var openBPF = bpfiter.Open

// initPIDNS is the inode of the initial PID namespace (PROC_PID_INIT_INO):
// the iterator reports PIDs as that namespace numbers them.
const initPIDNS = "pid:[4026531836]"

// bpfMinFiles is the number of open files on the host (fs.file-nr) from
// which mode "" loads the BPF pass. Loading it costs about 25 ms of CPU
// (cilium/ebpf reads the kernel's BTF for CO-RE, then the verifier runs);
// the /proc walk costs about 2 µs per open fd. Measured 2026-12-03 with
// bench/loadgen, cold `portui listeners --json`: at 6,600 open files
// bpf 44–53 ms against procfs 28–29 ms, at 19,000 about even (48–54 against
// 45–75), at 61,000 bpf 57–64 against 95. Tests set it to 0.
var bpfMinFiles = 16384

// hostFiles is the number of open files on the whole host (the first
// field of /proc/sys/fs/file-nr: every struct file, in every namespace).
func hostFiles(root string) (int, bool) {
	b, err := readRegular(root+"/sys/fs/file-nr", 256)
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(f[0]))
	return n, err == nil
}

// openOwnerPass returns the BPF pass for mode "" (when it can be had and
// the host has bpfMinFiles open files or more: below that the /proc walk
// is cheaper) or "bpf" (required: an error otherwise), and for "" the
// one-line reason it could not be had. Mode "procfs" and other proc
// roots than /proc use the /proc walk only.
func openOwnerPass(root, mode string, hostNS uint64) (holderPass, string, error) {
	switch mode {
	case "procfs":
		return nil, "", nil
	case "", "bpf":
	default:
		return nil, "", fmt.Errorf("scan: unknown owners %q (want bpf or procfs)", mode)
	}
	if root != "/proc" {
		// A fixture tree: its processes are not the kernel's.
		if mode == "bpf" {
			return nil, "", fmt.Errorf("scan: owners by BPF need the proc root /proc, not %s", root)
		}
		return nil, "", nil
	}
	if mode == "" {
		if n, ok := hostFiles(root); ok && n < bpfMinFiles {
			return nil, "", nil
		}
	}
	why := ""
	var pass holderPass
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil && ns != initPIDNS {
		why = "portui runs in a PID namespace of its own (" + ns + "), and the BPF iterator numbers processes as the host does"
	} else if it, err := openBPF(hostNS); err != nil {
		var un *bpfiter.Unavailable
		if !errors.As(err, &un) {
			why = "BPF iterator unavailable: " + err.Error()
		} else {
			why = un.Reason
		}
	} else {
		pass = &bpfPass{it}
	}
	if pass == nil && mode == "bpf" {
		return nil, "", fmt.Errorf("scan: owners by BPF: %s", why)
	}
	return pass, why, nil
}

// ownerWarning is the one line a snapshot carries when owners come from
// the /proc walk although the BPF pass was wanted.
func ownerWarning(why string) string {
	return "process owners read from /proc (one readlink per open fd), not by the BPF iterator: " + why
}
