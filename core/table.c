/* The process table: one scan of PID/stat, the tree links, and the lazily read files of each process. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "procbox.h"

const char *const pb_file_names[PB_F_COUNT] = {"stat", "status", "cmdline", "environ", "exe",
					       "cwd",  "cgroup", "smaps",   "fd"};

/* process flags */
#define F_DENIED 1u    /* counted once in denied_procs */
#define F_REACHED 2u   /* seen from a root while breaking parent cycles */
#define F_ON_PATH 4u   /* on the parent chain being followed */

/*
 * What a process's lazily read files leave behind. A view of 10,000 processes keeps one of these for each, so it
 * is small: the tried bits, the command line and the real ids (what the default views show); everything else
 * lives in a second block made on first use. Status is parsed as it is read and its text kept only when asked for.
 */
#define X_STATUS_OK 1u   /* status parsed: uid, gid (and more->status when set) hold it */
#define X_HAVE_UID 2u
#define X_HAVE_GID 4u
#define X_RAW_TRIED 8u   /* the status text was read to be kept */
#define X_EXE_DELETED 16u
#define X_STATUS_READ 32u /* the status file was read (parsed or not) */

struct pb_extra {
	unsigned short tried; /* file kinds tried, bits by enum pb_file */
	unsigned short flags; /* X_* */
	unsigned int cmdline_len;
	unsigned int uid, gid; /* real ids */
	const char *cmdline;
	struct pb_more *more;
};

struct pb_more {
	const char *environ, *status_raw, *exe, *exe_path, *exe_name, *cgroup;
	size_t environ_len, status_len;
	/* the parsed status: set at once when it says more than the real ids (other effective, saved or fs ids,
	 * supplementary groups), else made from them on the first pb_status() */
	struct pb_status *status;
	struct pb_smaps *smaps;
};

/* ---- arena: everything a table holds beyond the array is freed in one go ---- */
struct pb_arena {
	struct pb_arena *next;
	size_t used, size;
	char data[];
};

static void *arena_alloc(struct pb_table *t, size_t n)
{
	struct pb_arena *a = t->arena;
	size_t size;

	n = (n + 7) & ~(size_t)7;
	if (!a || a->size - a->used < n) {
		size = n > 32768 ? n : 32768;
		a = malloc(sizeof *a + size);
		if (!a)
			return NULL;
		a->next = t->arena;
		a->used = 0;
		a->size = size;
		t->arena = a;
	}
	a->used += n;
	return a->data + a->used - n;
}

static char *arena_dup(struct pb_table *t, const char *s, size_t n)
{
	char *p = arena_alloc(t, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* ---- scan ---- */

/* canonical decimal pid ("0123" and "99999999999" are not process directories) */
static int dir_pid(const char *name)
{
	long long v = 0;
	const char *p = name;

	if (*p < '1' || *p > '9')
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || p - name >= 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v <= 0x7fffffff ? (int)v : 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct pb_proc *x = a, *y = b;

	return (x->st.pid > y->st.pid) - (x->st.pid < y->st.pid);
}

static size_t hash_slot(const struct pb_table *t, int pid)
{
	return ((unsigned int)pid * 2654435761u) & t->hash_mask;
}

/* "PID/name" into path (40 bytes hold any pid and file name here): built by hand, as printf costs more
 * instructions than the kernel's openat for every file of every process */
static void proc_path(char *path, int pid, const char *name)
{
	char digits[12], *d = digits + sizeof digits;
	unsigned int v = (unsigned int)pid;
	size_t n, k;

	do
		*--d = (char)('0' + v % 10);
	while (v /= 10);
	n = (size_t)(digits + sizeof digits - d);
	memcpy(path, d, n);
	path[n++] = '/';
	k = strlen(name);
	if (k > 40 - 1 - n)
		k = 40 - 1 - n;
	memcpy(path + n, name, k);
	path[n + k] = 0;
}

static void count_error(struct pb_table *t, struct pb_proc *p, enum pb_file kind, int err)
{
	if (err == ENOENT || err == ESRCH) {
		t->count.vanished[kind]++;
	} else if (err == EACCES || err == EPERM) {
		t->count.denied[kind]++;
		if (p && !(p->flags & F_DENIED)) {
			p->flags |= F_DENIED;
			t->count.denied_procs++;
		}
	}
}

static int read_stat(struct pb_table *t, int pid, struct pb_proc *p)
{
	char path[40];

	proc_path(path, pid, "stat");
	t->scratch.len = 0;
	if (pb_read_at(t->root->fd, path, &t->scratch)) {
		count_error(t, NULL, PB_F_STAT, errno);
		return -1;
	}
	if (pb_parse_stat(t->scratch.data, t->scratch.len, &p->st) || p->st.pid != pid) {
		/* an empty read is a process that ended after the open */
		if (t->scratch.len == 0)
			t->count.vanished[PB_F_STAT]++;
		else
			t->count.malformed++;
		return -1;
	}
	return 0;
}

/* Does every parent chain end at a root? Each chain is followed upwards until a root or a process already known
 * to lead to one: O(n) in all, and near in memory (parents sit mostly close by), unlike a walk down the tree,
 * which at 10,000 processes costs a cache miss per process. 0 at the first loop. */
static int chains_end_at_roots(struct pb_table *t)
{
	size_t i;
	struct pb_proc *p, *q;
	int ok = 1;

	for (i = 0; i < t->n && ok; i++) {
		for (p = &t->procs[i]; !(p->flags & (F_REACHED | F_ON_PATH)) && p->parent >= 0; p = &t->procs[p->parent])
			p->flags |= F_ON_PATH;
		ok = !(p->flags & F_ON_PATH);
		for (q = &t->procs[i]; q->flags & F_ON_PATH; q = &t->procs[q->parent])
			q->flags = (q->flags & ~F_ON_PATH) | F_REACHED;
		p->flags |= F_REACHED;
	}
	for (i = 0; i < t->n; i++)
		t->procs[i].flags &= ~(F_REACHED | F_ON_PATH);
	return ok;
}

/* Parents whose chains loop (possible only in a forged tree or across pid reuse) would make walks endless:
 * every process not reachable from a root becomes a root itself. */
static void break_cycles(struct pb_table *t)
{
	size_t i;
	struct pb_proc *p, *q, *par;

	if (chains_end_at_roots(t))
		return;
	for (i = 0; i < t->n; i++)
		if (t->procs[i].parent < 0)
			for (p = &t->procs[i], q = p; q; q = pb_next_descendant(t, p, q))
				q->flags |= F_REACHED;
	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		if (p->flags & F_REACHED)
			continue;
		par = &t->procs[p->parent];
		if (par->first_child == (int)i) {
			par->first_child = p->next_sibling;
		} else {
			for (q = &t->procs[par->first_child]; q->next_sibling != (int)i; q = &t->procs[q->next_sibling])
				;
			q->next_sibling = p->next_sibling;
		}
		p->parent = -1;
		p->next_sibling = -1;
		for (q = p; q; q = pb_next_descendant(t, p, q))
			q->flags |= F_REACHED;
	}
	for (i = 0; i < t->n; i++)
		t->procs[i].flags &= ~F_REACHED;
}

static void link_tree(struct pb_table *t)
{
	size_t i, j, size = 16;
	struct pb_proc *p, *par;

	while (size < t->n * 2)
		size *= 2;
	t->hash = malloc(size * sizeof *t->hash);
	if (!t->hash)
		return;
	t->hash_mask = size - 1;
	memset(t->hash, 0xff, size * sizeof *t->hash);
	for (i = 0; i < t->n; i++) {
		for (j = hash_slot(t, t->procs[i].st.pid); t->hash[j] >= 0; j = (j + 1) & t->hash_mask)
			;
		t->hash[j] = (int)i;
	}
	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		p->parent = p->first_child = p->next_sibling = -1;
		if (p->st.ppid != p->st.pid && (par = pb_find_pid(t, p->st.ppid)))
			p->parent = pb_index(t, par);
	}
	/* backwards, so that every child list comes out sorted by pid */
	for (i = t->n; i-- > 0;) {
		p = &t->procs[i];
		if (p->parent >= 0) {
			p->next_sibling = t->procs[p->parent].first_child;
			t->procs[p->parent].first_child = (int)i;
		}
	}
	break_cycles(t);
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void read_eager(struct pb_table *t, struct pb_proc *p, unsigned int files);

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it and the pages fault in one by one */
#endif

/* Memory about to be written in full: one madvise maps its pages instead of a page fault for each (on a VM a
 * fault costs 2-4 us, 400 of them for 10,000 processes) */
static void prefault(void *p, size_t n)
{
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)4095, end = (uintptr_t)p + n;

	if (n >= 65536)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

/* procfs counts its processes in the root's link count: the array sized once from it (pages of the tail that
 * stay unused are never touched) instead of grown by copies, each a round of page faults. Returns its room;
 * 0 when the count is unusable or the allocation failed (the scan then grows the array as it goes). */
static size_t size_from_links(struct pb_table *t, int dirfd)
{
	struct stat sb;
	size_t cap;

	if (fstat(dirfd, &sb) || sb.st_nlink == 0 || sb.st_nlink >= 1u << 22)
		return 0;
	cap = (size_t)sb.st_nlink + (size_t)sb.st_nlink / 8 + 64;
	if (!(t->procs = malloc(cap * sizeof *t->procs)))
		return 0;
	prefault(t->procs, (size_t)sb.st_nlink * sizeof *t->procs);
	return cap;
}

/* the table's next entry, the array grown (doubled) when full; NULL when it cannot grow */
static struct pb_proc *next_entry(struct pb_table *t, size_t *cap)
{
	struct pb_proc *procs;

	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 512;
		procs = realloc(t->procs, *cap * sizeof *procs);
		if (!procs)
			return NULL;
		t->procs = procs;
	}
	return &t->procs[t->n];
}

/* procfs lists pids in ascending order; a fixture tree on another filesystem does not: sorted, each pid once */
static void sort_unique(struct pb_table *t)
{
	size_t i, out;

	qsort(t->procs, t->n, sizeof *t->procs, by_pid);
	for (i = 1, out = 1; i < t->n; i++)
		if (t->procs[i].st.pid != t->procs[out - 1].st.pid)
			t->procs[out++] = t->procs[i];
	t->n = out;
}

/* pb_scan, reading the files in the mask for each process right after its stat and calling visit (see
 * pb_scan_with, pb_scan_visit) */
static int scan(const struct pb_root *root, struct pb_table *t, unsigned int files, pb_visit_fn *visit, void *arg)
{
	char dents[32768];
	size_t cap;
	long nread;
	int dirfd, pid, sorted = 1, saved;
	struct pb_proc *p;

	memset(t, 0, sizeof *t);
	t->root = root;
	t->uptime = -1;
	t->btime = -1;
	t->visited = visit;
	pb_buf_init(&t->scratch);
	/* a fresh descriptor per scan: the root's own offset stays untouched */
	dirfd = openat(root->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	cap = size_from_links(t, dirfd);
	while ((nread = syscall(SYS_getdents64, dirfd, dents, sizeof dents)) > 0) {
		for (long off = 0; off < nread;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			off += d->d_reclen;
			if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
				continue;
			if (!(pid = dir_pid(d->d_name)))
				continue;
			if (!(p = next_entry(t, &cap)))
				goto fail;
			/* (pb_parse_stat clears st; the rest is set here, without clearing the whole entry twice) */
			if (read_stat(t, pid, p))
				continue;
			p->flags = 0;
			p->x = NULL;
			if (t->n && t->procs[t->n - 1].st.pid >= pid)
				sorted = 0;
			t->n++;
			if (files)
				read_eager(t, p, files);
			if (visit)
				visit(t, p, arg);
		}
	}
	if (nread < 0)
		goto fail;
	close(dirfd);
	if (!sorted && t->n)
		sort_unique(t);
	link_tree(t);
	if (!t->hash && t->n) {
		errno = ENOMEM;
		pb_table_free(t);
		return -1;
	}
	return 0;
fail:
	saved = errno;
	close(dirfd);
	pb_table_free(t);
	errno = saved;
	return -1;
}

int pb_scan(const struct pb_root *root, struct pb_table *t)
{
	return scan(root, t, 0, NULL, NULL);
}

void pb_table_free(struct pb_table *t)
{
	struct pb_arena *a, *next;

	for (a = t->arena; a; a = next) {
		next = a->next;
		free(a);
	}
	free(t->procs);
	free(t->hash);
	pb_buf_free(&t->scratch);
	memset(t, 0, sizeof *t);
}

struct pb_proc *pb_find_pid(const struct pb_table *t, int pid)
{
	size_t j;

	if (!t->hash)
		return NULL;
	for (j = hash_slot(t, pid); t->hash[j] >= 0; j = (j + 1) & t->hash_mask)
		if (t->procs[t->hash[j]].st.pid == pid)
			return &t->procs[t->hash[j]];
	return NULL;
}

struct pb_proc *pb_parent(const struct pb_table *t, const struct pb_proc *p)
{
	return p->parent >= 0 ? &t->procs[p->parent] : NULL;
}

struct pb_proc *pb_first_child(const struct pb_table *t, const struct pb_proc *p)
{
	return p->first_child >= 0 ? &t->procs[p->first_child] : NULL;
}

struct pb_proc *pb_next_sibling(const struct pb_table *t, const struct pb_proc *p)
{
	return p->next_sibling >= 0 ? &t->procs[p->next_sibling] : NULL;
}

struct pb_proc *pb_next_descendant(const struct pb_table *t, const struct pb_proc *p, const struct pb_proc *cur)
{
	if (cur->first_child >= 0)
		return &t->procs[cur->first_child];
	while (cur != p) {
		if (cur->next_sibling >= 0)
			return &t->procs[cur->next_sibling];
		if (cur->parent < 0)
			return NULL;
		cur = &t->procs[cur->parent];
	}
	return NULL;
}

int pb_is_ancestor(const struct pb_table *t, const struct pb_proc *a, const struct pb_proc *p)
{
	size_t steps = 0;

	while (p->parent >= 0 && steps++ < t->n) {
		p = &t->procs[p->parent];
		if (p == a)
			return 1;
	}
	return 0;
}

/* ---- lazily read files ---- */

static struct pb_extra *extra(struct pb_table *t, struct pb_proc *p)
{
	if (!p->x) {
		p->x = arena_alloc(t, sizeof *p->x);
		if (p->x)
			memset(p->x, 0, sizeof *p->x);
	}
	return p->x;
}

/* The second block of the process's extras (NULL when out of memory); extra(t, p) must be set. */
static struct pb_more *more(struct pb_table *t, struct pb_proc *p)
{
	if (!p->x->more) {
		p->x->more = arena_alloc(t, sizeof *p->x->more);
		if (p->x->more)
			memset(p->x->more, 0, sizeof *p->x->more);
	}
	return p->x->more;
}

/* First use of a file kind: 1 when it must be read now, 0 when it was tried already (or no memory). */
static int first_try(struct pb_table *t, struct pb_proc *p, enum pb_file kind)
{
	struct pb_extra *x = extra(t, p);

	if (!x || (x->tried & 1u << kind))
		return 0;
	x->tried |= (unsigned short)(1u << kind);
	return 1;
}

/* Reads PID/name into the scratch buffer; -1 (and counted) on failure. */
static int read_scratch(struct pb_table *t, struct pb_proc *p, enum pb_file kind, const char *name)
{
	char path[40];

	proc_path(path, p->st.pid, name);
	t->scratch.len = 0;
	if (pb_read_at(t->root->fd, path, &t->scratch)) {
		count_error(t, p, kind, errno);
		return -1;
	}
	return 0;
}

/* Reads PID/name and copies it into the arena; NULL (and counted) on failure. */
static const char *read_file(struct pb_table *t, struct pb_proc *p, enum pb_file kind, const char *name, size_t *len)
{
	const char *copy;

	*len = 0;
	if (read_scratch(t, p, kind, name) || !(copy = arena_dup(t, t->scratch.data, t->scratch.len)))
		return NULL;
	*len = t->scratch.len;
	return copy;
}

const char *pb_cmdline(struct pb_table *t, struct pb_proc *p, size_t *len)
{
	size_t n;

	/* a kernel thread has no memory of its own, so no command line: procfs gives 0 bytes, we skip the read */
	if (p->st.flags & PB_PF_KTHREAD) {
		*len = 0;
		return "";
	}
	if (first_try(t, p, PB_F_CMDLINE)) {
		p->x->cmdline = read_file(t, p, PB_F_CMDLINE, "cmdline", &n);
		/* a command line is at most a few MiB (ARG_MAX); a bigger file is no command line */
		if (n > 0xffffffffu)
			p->x->cmdline = NULL;
		else
			p->x->cmdline_len = (unsigned int)n;
	}
	*len = p->x && p->x->cmdline ? p->x->cmdline_len : 0;
	return p->x && p->x->cmdline ? p->x->cmdline : "";
}

const char *pb_environ(struct pb_table *t, struct pb_proc *p, size_t *len)
{
	struct pb_more *m;

	if (p->st.flags & PB_PF_KTHREAD) { /* no memory, no environment (as for the command line) */
		*len = 0;
		return "";
	}
	if (first_try(t, p, PB_F_ENVIRON) && (m = more(t, p)))
		m->environ = read_file(t, p, PB_F_ENVIRON, "environ", &m->environ_len);
	m = p->x ? p->x->more : NULL;
	*len = m && m->environ ? m->environ_len : 0;
	return m && m->environ ? m->environ : "";
}

const char *pb_environ_peek(struct pb_table *t, struct pb_proc *p, size_t *len)
{
	struct pb_more *m = p->x ? p->x->more : NULL;

	if (m && m->environ) {
		*len = m->environ_len;
		return m->environ;
	}
	*len = 0;
	if ((p->st.flags & PB_PF_KTHREAD) || read_scratch(t, p, PB_F_ENVIRON, "environ"))
		return "";
	*len = t->scratch.len;
	return t->scratch.data;
}

const char *pb_getenv(struct pb_table *t, struct pb_proc *p, const char *name, size_t *vlen)
{
	size_t len;
	const char *env = pb_environ(t, p, &len);

	return pb_environ_get(env, len, name, vlen);
}

/* Parses the status text in the scratch buffer into the process's ids (and its whole status when that says more). */
static void parse_status_scratch(struct pb_table *t, struct pb_proc *p)
{
	struct pb_extra *x = p->x;
	struct pb_status st;
	struct pb_more *m;
	int i;

	if (pb_parse_status(t->scratch.data, t->scratch.len, &st))
		return;
	x->flags |= X_STATUS_OK | (st.have_uid ? X_HAVE_UID : 0) | (st.have_gid ? X_HAVE_GID : 0);
	x->uid = st.uid.real;
	x->gid = st.gid.real;
	/* (a Groups: line that failed to parse may still have left numbers in the array) */
	for (i = 0; i < PB_GROUPS_MAX && !st.groups[i]; i++)
		;
	if (st.uid.effective != st.uid.real || st.uid.saved != st.uid.real || st.uid.fs != st.uid.real ||
	    st.gid.effective != st.gid.real || st.gid.saved != st.gid.real || st.gid.fs != st.gid.real || st.ngroups ||
	    i < PB_GROUPS_MAX) {
		if (!(m = more(t, p)) || !(m->status = arena_alloc(t, sizeof *m->status)))
			x->flags &= (unsigned short)~X_STATUS_OK;
		else
			*m->status = st;
	}
}

/* The ids from status, read on first use. */
static void load_status(struct pb_table *t, struct pb_proc *p)
{
	if (first_try(t, p, PB_F_STATUS) && read_scratch(t, p, PB_F_STATUS, "status") == 0) {
		p->x->flags |= X_STATUS_READ;
		parse_status_scratch(t, p);
	}
}

/* The text is kept only for those who ask for it: read after the ids, it is a later copy of the file (the ids
 * already handed out stay those of the first read). */
const char *pb_status_raw(struct pb_table *t, struct pb_proc *p, size_t *len)
{
	struct pb_extra *x = extra(t, p);
	struct pb_more *m;
	int first;

	if (x && !(x->flags & X_RAW_TRIED)) {
		x->flags |= X_RAW_TRIED;
		/* an earlier read that failed would fail again */
		first = !(x->tried & 1u << PB_F_STATUS);
		if ((first || (x->flags & X_STATUS_READ)) && (m = more(t, p))) {
			x->tried |= 1u << PB_F_STATUS;
			if (read_scratch(t, p, PB_F_STATUS, "status") == 0) {
				x->flags |= X_STATUS_READ;
				if (first)
					parse_status_scratch(t, p);
				if ((m->status_raw = arena_dup(t, t->scratch.data, t->scratch.len)))
					m->status_len = t->scratch.len;
			}
		}
	}
	m = x ? x->more : NULL;
	*len = m && m->status_raw ? m->status_len : 0;
	return m && m->status_raw ? m->status_raw : "";
}

const struct pb_status *pb_status(struct pb_table *t, struct pb_proc *p)
{
	struct pb_extra *x;
	struct pb_more *m;
	struct pb_status *st;

	load_status(t, p);
	if (!(x = p->x) || !(x->flags & X_STATUS_OK))
		return NULL;
	if (!(m = more(t, p)))
		return NULL;
	if (!m->status && (st = arena_alloc(t, sizeof *st))) {
		/* the ids said nothing more than the real ones: every id equals them, no groups */
		memset(st, 0, sizeof *st);
		st->have_uid = !!(x->flags & X_HAVE_UID);
		st->have_gid = !!(x->flags & X_HAVE_GID);
		st->uid.real = st->uid.effective = st->uid.saved = st->uid.fs = x->uid;
		st->gid.real = st->gid.effective = st->gid.saved = st->gid.fs = x->gid;
		m->status = st;
	}
	return m->status;
}

static void load_exe(struct pb_table *t, struct pb_proc *p)
{
	static const char deleted[] = " (deleted)";
	char path[40], link[4096];
	struct pb_more *m = more(t, p);
	ssize_t n;

	if (!m)
		return;
	m->exe = "";
	/* kernel threads have no executable, zombies have lost theirs: neither is a race */
	if ((p->st.flags & PB_PF_KTHREAD) || p->st.state == 'Z')
		return;
	proc_path(path, p->st.pid, "exe");
	n = pb_readlink_at(t->root->fd, path, link, sizeof link);
	if (n < 0) {
		count_error(t, p, PB_F_EXE, errno);
		return;
	}
	/* a binary replaced while it runs (a package upgrade) is still the same program */
	if ((size_t)n > sizeof deleted - 1 && !memcmp(link + n - (sizeof deleted - 1), deleted, sizeof deleted - 1)) {
		n -= sizeof deleted - 1;
		p->x->flags |= X_EXE_DELETED;
	}
	m->exe = arena_dup(t, link, (size_t)n);
	if (!m->exe)
		m->exe = "";
}

const char *pb_exe(struct pb_table *t, struct pb_proc *p)
{
	if (first_try(t, p, PB_F_EXE))
		load_exe(t, p);
	return p->x && p->x->more && p->x->more->exe ? p->x->more->exe : "";
}

int pb_exe_deleted(struct pb_table *t, struct pb_proc *p)
{
	pb_exe(t, p);
	return p->x ? !!(p->x->flags & X_EXE_DELETED) : 0;
}

static int is_executable_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/* argv[0] as a NUL-terminated string in the arena (cmdline's first element), "" when none */
static const char *argv0(struct pb_table *t, struct pb_proc *p, size_t *n)
{
	size_t len;
	const char *cmd = pb_cmdline(t, p, &len);
	const char *nul = memchr(cmd, 0, len);

	*n = nul ? (size_t)(nul - cmd) : len;
	/* the arena copy always has a NUL after the last byte, so cmd[*n] is 0 in both cases */
	return cmd;
}

const char *pb_exe_path(struct pb_table *t, struct pb_proc *p)
{
	const char *exe = pb_exe(t, p), *a0;
	struct pb_more *m;
	size_t n;

	if (!p->x || !(m = more(t, p)))
		return "";
	if (!m->exe_path) {
		m->exe_path = "";
		if (*exe) {
			m->exe_path = exe;
		} else {
			a0 = argv0(t, p, &n);
			if (n && a0[0] == '/' && is_executable_file(a0))
				m->exe_path = a0;
		}
	}
	return m->exe_path;
}

const char *pb_exe_name(struct pb_table *t, struct pb_proc *p)
{
	const char *path = pb_exe_path(t, p), *slash, *a0;
	struct pb_more *m;
	size_t n;

	if (!p->x || !(m = p->x->more))
		return p->st.comm;
	if (!m->exe_name) {
		if (*path) {
			slash = strrchr(path, '/');
			m->exe_name = slash ? slash + 1 : path;
		} else {
			a0 = argv0(t, p, &n);
			m->exe_name = n && !memchr(a0, '/', n) && !memchr(a0, ' ', n) && pb_find_program(a0, NULL, 0) == 0
					      ? a0
					      : p->st.comm;
		}
	}
	return m->exe_name;
}

const char *pb_cgroup(struct pb_table *t, struct pb_proc *p)
{
	size_t len;
	const char *raw, *path;
	struct pb_more *m;
	int n;

	if (first_try(t, p, PB_F_CGROUP) && (m = more(t, p))) {
		m->cgroup = "";
		raw = read_file(t, p, PB_F_CGROUP, "cgroup", &len);
		if (raw && (n = pb_parse_cgroup(raw, len, &path)) >= 0)
			m->cgroup = arena_dup(t, path, (size_t)n);
		if (!m->cgroup)
			m->cgroup = "";
	}
	return p->x && p->x->more && p->x->more->cgroup ? p->x->more->cgroup : "";
}

const struct pb_smaps *pb_smaps(struct pb_table *t, struct pb_proc *p)
{
	char path[40];
	struct pb_smaps sm;
	struct pb_more *m;
	int r;

	if (first_try(t, p, PB_F_SMAPS) && (m = more(t, p))) {
		proc_path(path, p->st.pid, "smaps_rollup");
		t->scratch.len = 0;
		r = pb_read_at(t->root->fd, path, &t->scratch);
		if (r && errno == ENOENT) {
			/* kernels before 4.14 have no rollup: sum the whole smaps instead */
			proc_path(path, p->st.pid, "smaps");
			t->scratch.len = 0;
			r = pb_read_at(t->root->fd, path, &t->scratch);
		}
		if (r)
			count_error(t, p, PB_F_SMAPS, errno);
		else if (!pb_parse_smaps(t->scratch.data, t->scratch.len, &sm) && (m->smaps = arena_alloc(t, sizeof sm)))
			*m->smaps = sm;
	}
	return p->x && p->x->more ? p->x->more->smaps : NULL;
}

int pb_cwd(struct pb_table *t, struct pb_proc *p, char *out, size_t size)
{
	char path[40];

	proc_path(path, p->st.pid, "cwd");
	if (pb_readlink_at(t->root->fd, path, out, size) < 0) {
		count_error(t, p, PB_F_CWD, errno);
		out[0] = 0;
		return -1;
	}
	return 0;
}

long pb_uid(struct pb_table *t, struct pb_proc *p)
{
	load_status(t, p);
	return p->x && (p->x->flags & X_STATUS_OK) && (p->x->flags & X_HAVE_UID) ? (long)p->x->uid : -1;
}

long pb_gid(struct pb_table *t, struct pb_proc *p)
{
	load_status(t, p);
	return p->x && (p->x->flags & X_STATUS_OK) && (p->x->flags & X_HAVE_GID) ? (long)p->x->gid : -1;
}

const char *pb_user(struct pb_table *t, struct pb_proc *p)
{
	long uid = pb_uid(t, p);

	return uid < 0 ? "?" : pb_uid_name((unsigned int)uid);
}

const char *pb_group(struct pb_table *t, struct pb_proc *p)
{
	long gid = pb_gid(t, p);

	return gid < 0 ? "?" : pb_gid_name((unsigned int)gid);
}

static double boot_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double pb_starttime(struct pb_table *t, const struct pb_proc *p)
{
	if (t->btime < 0 && pb_root_btime(t->root, &t->btime))
		t->btime = -2; /* unknown: do not read again */
	if (t->btime < 0)
		return -1;
	return (double)t->btime + (double)p->st.starttime / (double)t->root->clk_tck;
}

double pb_runtime(struct pb_table *t, const struct pb_proc *p)
{
	double now, r;

	if (t->uptime == -1) {
		if (pb_root_uptime(t->root, &t->uptime))
			t->uptime = -2;
		t->clock0 = boot_clock();
	}
	if (t->uptime < 0)
		return -1;
	/* a live root keeps counting; a saved tree is a snapshot frozen at its own uptime */
	now = t->root->is_live ? t->uptime + (boot_clock() - t->clock0) : t->uptime;
	r = now - (double)p->st.starttime / (double)t->root->clk_tck;
	return r < 0 ? 0 : r;
}

unsigned long long pb_rss_bytes(const struct pb_table *t, const struct pb_proc *p)
{
	return p->st.rss > 0 ? (unsigned long long)p->st.rss * (unsigned long long)t->root->page_size : 0;
}

static int matches(struct pb_table *t, struct pb_proc *p, const struct pb_match *m)
{
	if (m->pid && p->st.pid != m->pid)
		return 0;
	if (m->exe_name && strcmp(pb_exe_name(t, p), m->exe_name))
		return 0;
	if (m->exe_path && strcmp(pb_exe_path(t, p), m->exe_path))
		return 0;
	return 1;
}

struct pb_proc *pb_find_next(struct pb_table *t, const struct pb_proc *below, const struct pb_match *m,
			     const struct pb_proc *cur)
{
	struct pb_proc *p;

	for (;;) {
		if (!below)
			p = cur ? (cur + 1 < t->procs + t->n ? (struct pb_proc *)cur + 1 : NULL) : (t->n ? t->procs : NULL);
		else if (m->recursive)
			p = pb_next_descendant(t, below, cur ? cur : below);
		else
			p = cur ? pb_next_sibling(t, cur) : pb_first_child(t, below);
		if (!p || matches(t, p, m))
			return p;
		cur = p;
	}
}

/* ---- eager reads during the scan ---- */

static void read_eager(struct pb_table *t, struct pb_proc *p, unsigned int files)
{
	size_t len;

	if (files & 1u << PB_F_STATUS)
		load_status(t, p);
	if (files & 1u << PB_F_CMDLINE)
		pb_cmdline(t, p, &len);
	if (files & 1u << PB_F_ENVIRON)
		pb_environ(t, p, &len);
	if (files & 1u << PB_F_EXE)
		pb_exe(t, p);
	if (files & 1u << PB_F_CGROUP)
		pb_cgroup(t, p);
	if (files & 1u << PB_F_SMAPS)
		pb_smaps(t, p);
}

int pb_scan_with(const struct pb_root *root, struct pb_table *t, unsigned int files)
{
	return scan(root, t, files, NULL, NULL);
}

int pb_scan_visit(const struct pb_root *root, struct pb_table *t, unsigned int files, pb_visit_fn *visit, void *arg)
{
	return scan(root, t, files, visit, arg);
}
