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
 * `netns` (iter/task) reports the processes whose network namespace is
 * not the host's (host_netns), for the namespace discovery.
 */
#include "kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define S_IFMT 00170000
#define S_IFSOCK 0140000

char LICENSE[] SEC("license") = "GPL";

/* Socket inodes to report. Sized by user space before load (max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} wanted SEC(".maps");

/* The host's network namespace inode, set before load. */
const volatile __u32 host_netns = 0;

/* One holder; the Go side decodes the same 24 bytes. */
struct holder {
	__u64 ino;
	__u32 tgid;
	__u32 fd;
	__u32 netns;
	__u32 pad;
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
	}
	return 0;
}

/* One word of the open-fd bitmap. */
static long word(__u64 idx, struct walk *w)
{
	if (bpf_probe_read_kernel(&w->bits, sizeof(w->bits), (void *)(w->open + idx * 8)))
		return 1;
	if (!w->bits)
		return 0;
	w->idx = idx;
	bpf_loop(8, byte8, w, 0);
	return 0;
}

SEC("iter/task")
int tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct fdtable *fdt;
	struct walk w = {};
	__u32 max;

	if (!task)
		return 0;
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
	w.netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	bpf_loop((max + 63) / 64, word, &w, 0);
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
