/* The proc root and every read from it: whole files, links, uptime, boot time, pinned processes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "procbox.h"

#define PROC_SUPER_MAGIC 0x9fa0

/*
 * A procfs lists the processes of the pid namespace it was mounted for, under that namespace's pids: the
 * procfs of a container (/proc/PID/root/proc) names as 2 another process than our pid 2, and a directory inside
 * a procfs (/proc/PID/task) is no proc root at all. Only where `self` resolves to our own pid do its pids mean
 * what our signals and pidfds mean. A process outside the namespace has no `self` there (ENOENT).
 */
static int self_is_us(int fd)
{
	char link[16];
	ssize_t n = readlinkat(fd, "self", link, sizeof link - 1);
	long long pid = 0;
	ssize_t i;

	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (link[i] < '0' || link[i] > '9' || pid > INT_MAX)
			return 0;
		pid = pid * 10 + (link[i] - '0');
	}
	return pid == (long long)getpid();
}

int pb_root_open(struct pb_root *root, const char *path)
{
	struct statfs sfs;

	memset(root, 0, sizeof *root);
	root->fd = -1;
	if (!path)
		path = getenv("PROCBOX_PROC");
	if (!path || !*path)
		path = "/proc";
	if (strlen(path) >= sizeof root->path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(root->path, path);
	root->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root->fd < 0)
		return -1;
	/* only a real procfs of our own pid namespace lists processes that our signals reach; a fixture tree is
	 * just files */
	root->is_live = fstatfs(root->fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && self_is_us(root->fd);
	root->clk_tck = sysconf(_SC_CLK_TCK);
	if (root->clk_tck <= 0)
		root->clk_tck = 100;
	root->page_size = sysconf(_SC_PAGESIZE);
	if (root->page_size <= 0)
		root->page_size = 4096;
	return 0;
}

void pb_root_close(struct pb_root *root)
{
	if (root->fd >= 0)
		close(root->fd);
	root->fd = -1;
}

/*
 * Does the kernel produce this file whole on the first read(2)? The files of one record (single_open seq_files:
 * stat, status, cgroup, smaps_rollup, uptime) and cmdline and environ (which loop until the count is met) fill
 * the whole request unless they reached the end, so a short read is the end and the scan keeps its three system
 * calls a process. A seq_file of many records (net/unix, mountinfo, a whole smaps) hands out about a page per
 * read whatever was asked for: only read(2) returning 0 ends it. So do files of other kinds (pid files).
 */
static int whole_in_one_read(const char *name)
{
	static const char *const one_shot[] = {"stat", "status", "cmdline", "environ", "cgroup", "smaps_rollup",
					       "uptime"};
	const char *base = strrchr(name, '/');
	size_t i;

	base = base ? base + 1 : name;
	for (i = 0; i < sizeof one_shot / sizeof *one_shot; i++)
		if (!strcmp(base, one_shot[i]))
			return 1;
	return 0;
}

int pb_read_at(int dirfd, const char *name, struct pb_buf *b)
{
	int fd, saved, short_is_end = whole_in_one_read(name);
	size_t want;
	ssize_t r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	for (;;) {
		if (pb_buf_reserve(b, b->len < 4096 ? 4096 - b->len : b->len))
			goto fail;
		want = b->cap - b->len - 1;
		r = read(fd, b->data + b->len, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		b->len += (size_t)r;
		b->data[b->len] = 0;
		if (r == 0 || (short_is_end && (size_t)r < want))
			break;
	}
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

ssize_t pb_readlink_at(int dirfd, const char *name, char *out, size_t size)
{
	ssize_t n = readlinkat(dirfd, name, out, size - 1);

	if (n < 0)
		return -1;
	out[n] = 0;
	return n;
}

int pb_root_ticks(const struct pb_root *root, unsigned long long *ticks)
{
	unsigned long long secs = 0, nsec = 0, scale = 100000000, tck = (unsigned long long)root->clk_tck;
	struct pb_buf b;
	const char *p;
	int r;

	/* integers, not a double: a start time one tick before now must not round past it */
	pb_buf_init(&b);
	r = pb_read_at(root->fd, "uptime", &b);
	if (r == 0) {
		p = b.data ? b.data : "";
		if (*p < '0' || *p > '9')
			r = -1;
		for (; *p >= '0' && *p <= '9' && r == 0; p++)
			if ((secs = secs * 10 + (unsigned long long)(*p - '0')) > 1ULL << 40)
				r = -1; /* 35 000 years */
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
				nsec += (unsigned long long)(*p - '0') * scale;
		if (r || (*p && *p != ' ' && *p != '\n')) {
			errno = EINVAL;
			r = -1;
		} else {
			*ticks = secs * tck + (nsec * tck + 999999999) / 1000000000;
		}
	}
	pb_buf_free(&b);
	return r;
}

int pb_root_uptime(const struct pb_root *root, double *uptime)
{
	unsigned long long ticks;

	if (pb_root_ticks(root, &ticks))
		return -1;
	*uptime = (double)ticks / (double)root->clk_tck;
	return 0;
}

int pb_root_btime(const struct pb_root *root, long long *btime)
{
	unsigned long long v;
	struct pb_vec_iter it;
	struct pb_buf b;
	const char *line;
	char num[24];
	size_t len;
	int r = -1;

	pb_buf_init(&b);
	if (pb_read_at(root->fd, "stat", &b) == 0) {
		errno = EINVAL;
		pb_vec_iter_init(&it, b.data, b.len);
		/* "btime 1700000000" among the lines of PROC/stat: whole seconds since the epoch */
		while (pb_line_next(&it, &line, &len))
			if (len > 6 && !memcmp(line, "btime ", 6)) {
				if (len - 6 < sizeof num) {
					memcpy(num, line + 6, len - 6);
					num[len - 6] = 0;
					if (pb_parse_ull(num, 10, 1ULL << 62, &v) == 0) {
						*btime = (long long)v;
						r = 0;
					}
				}
				break;
			}
	}
	pb_buf_free(&b);
	return r;
}

int pb_pin_open(const struct pb_root *root, int pid, unsigned long long starttime, struct pb_pin *pin)
{
	char name[16];
	struct pb_buf b;
	struct pb_stat st;
	int r;

	pin->dirfd = -1;
	pin->pid = pid;
	pin->starttime = starttime;
	if (pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(name, sizeof name, "%d", pid);
	pin->dirfd = openat(root->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pin->dirfd < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	/* the directory now stays with this process: confirm it is the one the caller means */
	pb_buf_init(&b);
	r = pb_read_at(pin->dirfd, "stat", &b);
	if (r == 0 && pb_parse_stat(b.data, b.len, &st) == 0) {
		if (starttime && st.starttime != starttime) {
			errno = ESRCH;
			r = -1;
		}
		pin->starttime = st.starttime;
	} else {
		if (r == 0)
			errno = EINVAL;
		else if (errno == ENOENT)
			errno = ESRCH;
		r = -1;
	}
	pb_buf_free(&b);
	if (r)
		pb_pin_close(pin);
	return r;
}

int pb_pin_read(const struct pb_pin *pin, const char *name, struct pb_buf *b)
{
	return pb_read_at(pin->dirfd, name, b);
}

void pb_pin_close(struct pb_pin *pin)
{
	if (pin->dirfd >= 0)
		close(pin->dirfd);
	pin->dirfd = -1;
}
