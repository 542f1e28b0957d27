//go:build ignore

// SPDX-License-Identifier: GPL-2.0
/* portui: the holders of a set of sockets, in one pass over every task's
 * open files, and the network namespace of every process.
 *
 * Each file table is visited once (threads that share their group
 * leader's table are skipped). For every open file that is a socket whose
 * inode is in `wanted`, one record goes to the iterator's seq_file: the
 * process (tgid, in the initial PID namespace), the fd, the socket's inode
 * and the network namespace of the task. Everything else stays in the
 * kernel. User space fills `wanted` before reading the iterator.
 *
 * Two programs do this: `tasks` (iter/task) walks each task's fd table
 * itself, reading the open-fd bitmap a word at a time; `holders`
 * (iter/task_file) lets the kernel hand it every file, which takes a lock
 * and a reference per fd and measured 2.2x the time of `tasks` on a host
 * with 216k fds. `holders` is the fallback for kernels without bpf_loop
 * or bpf_rdonly_cast (before 6.2).
 *
 * One task's records must fit the iterator's seq_file buffer (8 pages):
 * `tasks` writes at most MAX_PER_TASK of them per task, then a resume
 * record (ino 0: the task and the fd to go on from, the first of a byte of
 * the open-fd bitmap) and moves on. User
 * space puts that task and fd in `resume` and runs the iterator again,
 * which then walks only that task, from that fd, until a pass ends
 * without a resume record. A process with 60,000 listeners costs a pass
 * per 1,024 of them instead of failing the whole read with E2BIG.
 *
 * `netns` (iter/task) reports the processes whose network namespace is
 * not the host's (host_netns), for the namespace discovery.
 */
#include "kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define S_IFMT 00170000
#define S_IFSOCK 0140000

char LICENSE[] SEC("license") = "GPL";

/* Socket inodes to report. Sized by user space before load (max_entries);
 * entries are allocated as they are added, so a large max_entries costs
 * only the bucket array. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} wanted SEC(".maps");

/* Where a pass resumes: tid 0 is a full pass; otherwise only that task,
 * from fd on. */
struct resume {
	__u32 tid;
	__u32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct resume);
} resume SEC(".maps");

/* The task walk's counters, in a map rather than on the stack: the
 * verifier does not track a map value's contents, so a count that changes
 * on every call of the bpf_loop callback does not multiply the states it
 * explores (on the stack it took 10,351 instructions instead of 1,166). */
struct scratch {
	__u32 n;    /* records written for this task */
	__u32 full; /* the resume record is written: stop */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Records per task per pass: at most this many holders and the resume
 * record (24 bytes each) fit in 8 pages of 4 KiB. */
#define MAX_PER_TASK 1024

/* The host's network namespace inode, set before load. */
const volatile __u32 host_netns = 0;

/* One holder; the Go side decodes the same 24 bytes. A resume record
 * has ino 0, the fd to resume from and the task's tid. */
struct holder {
	__u64 ino;
	__u32 tgid;
	__u32 fd;
	__u32 netns;
	__u32 tid;
};

SEC("iter/task_file")
int holders(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct inode *inode;
	struct holder h = {};

	if (!task || !file)
		return 0;
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	h.ino = inode->i_ino;
	if (!bpf_map_lookup_elem(&wanted, &h.ino))
		return 0;
	h.tgid = task->tgid;
	h.fd = ctx->fd;
	if (task->nsproxy && task->nsproxy->net_ns)
		h.netns = task->nsproxy->net_ns->ns.inum;
	bpf_seq_write(ctx->meta->seq, &h, sizeof(h));
	return 0;
}

struct walk {
	struct seq_file *seq;
	__u64 fds;  /* struct file ** */
	__u64 open; /* unsigned long *: the open-fd bitmap */
	__u64 bits; /* the word of the bitmap being read */
	__u64 idx;  /* its index */
	__u32 tgid;
	__u32 netns;
	__u32 tid;
	__u32 from;  /* the first fd to report */
	__u32 first; /* the bitmap word it is in */
	struct scratch *sc;
};

/* The verifier inlines this kfunc: a plain scalar becomes a read-only,
 * untrusted pointer of the given BTF type, so its fields are read with
 * ordinary (fault-safe) loads rather than one helper call each. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* One byte of the open-fd bitmap: up to 8 fds, whose file pointers are
 * read in one go. A callback of bpf_loop is verified once, whatever the
 * number of calls, which keeps the load cheap. */
static long byte8(__u64 k, struct walk *w)
{
	__u8 byte = (w->bits >> (k * 8)) & 0xff;
	struct file *fs[8];
	struct holder h = {};
	__u32 base;

	if (!byte)
		return 0;
	base = w->idx * 64 + k * 8;
	/* Resume points are bytes of the bitmap: one check per 8 fds keeps
	 * the loop below as small for the verifier as without them. */
	if (base < w->from)
		return 0;
	if (w->sc->n > MAX_PER_TASK - 8) {
		h.fd = base;
		h.tgid = w->tgid;
		h.netns = w->netns;
		h.tid = w->tid;
		bpf_seq_write(w->seq, &h, sizeof(h));
		w->sc->full = 1;
		return 1;
	}
	/* max_fds is a multiple of 64, so all 8 are in the table. */
	if (bpf_probe_read_kernel(fs, sizeof(fs), (void *)(w->fds + base * 8)))
		return 0;
	for (int j = 0; j < 8; j++) {
		struct file *f;
		struct inode *inode;

		if (!(byte & (1 << j)) || !fs[j])
			continue;
		f = bpf_rdonly_cast(fs[j], bpf_core_type_id_kernel(struct file));
		inode = f->f_inode;
		if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
			continue;
		h.ino = inode->i_ino;
		if (!bpf_map_lookup_elem(&wanted, &h.ino))
			continue;
		h.tgid = w->tgid;
		h.fd = base + j;
		h.netns = w->netns;
		bpf_seq_write(w->seq, &h, sizeof(h));
		w->sc->n++;
	}
	return 0;
}

/* One word of the open-fd bitmap. */
static long word(__u64 i, struct walk *w)
{
	__u64 idx = i + w->first;

	if (bpf_probe_read_kernel(&w->bits, sizeof(w->bits), (void *)(w->open + idx * 8)))
		return 1;
	if (!w->bits)
		return 0;
	w->idx = idx;
	bpf_loop(8, byte8, w, 0);
	return w->sc->full ? 1 : 0;
}

SEC("iter/task")
int tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct fdtable *fdt;
	struct walk w = {};
	struct resume *r;
	__u32 key = 0, max, first = 0;

	if (!task)
		return 0;
	w.sc = bpf_map_lookup_elem(&scratch, &key);
	if (!w.sc)
		return 0;
	r = bpf_map_lookup_elem(&resume, &key);
	if (r && r->tid) {
		if (task->pid != r->tid)
			return 0;
		w.from = r->fd;
		first = r->fd / 64;
	}
	/* A thread that shares its leader's file table: the leader's visit
	 * covers it. */
	if (task->pid != task->tgid && task->files == task->group_leader->files)
		return 0;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt)
		return 0;
	max = BPF_CORE_READ(fdt, max_fds);
	w.fds = (__u64)BPF_CORE_READ(fdt, fd);
	w.open = (__u64)BPF_CORE_READ(fdt, open_fds);
	if (!w.fds || !w.open || !max)
		return 0;
	w.seq = ctx->meta->seq;
	w.tgid = task->tgid;
	w.tid = task->pid;
	w.netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	w.first = first;
	w.sc->n = 0;
	w.sc->full = 0;
	if (first >= (max + 63) / 64)
		return 0;
	bpf_loop((max + 63) / 64 - first, word, &w, 0);
	return 0;
}

/* One process outside the host's network namespace: 8 bytes. */
struct member {
	__u32 tgid;
	__u32 netns;
};

SEC("iter/task")
int netns(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct member m = {};

	if (!task || task->pid != task->tgid)
		return 0;
	m.netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	if (!m.netns || m.netns == host_netns)
		return 0;
	m.tgid = task->tgid;
	bpf_seq_write(ctx->meta->seq, &m, sizeof(m));
	return 0;
}
