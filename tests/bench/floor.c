/* Benchmark floor: the least work that yields a process tree from /proc, and variants reading what applets read. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Usage: floor [-p] [FILES]
 * FILES is a comma-separated list of what to read per process besides stat: cmdline, environ, status, exe, cwd,
 * cgroup, smaps (smaps_rollup), owner (fstatat of PID: its euid, as procps and busybox read it); "user" reads
 * those only for user processes, not kernel threads (PF_KTHREAD in stat), as applets that look for a program
 * or an environment do (a kernel thread has no exe, cmdline or environ to read). "stat" alone
 * (the default) is the floor of every scan. Per process that is openat, one read (more only when a file fills the buffer), close; exe and cwd are one
 * readlinkat, owner one fstatat. The proc root is $PROCBOX_PROC or /proc, like procbox's.
 * Prints one summary line, or with -p "pid ppid comm" per process in tree order (to check the floor's data).
 */

enum { F_CMDLINE = 1, F_ENVIRON = 2, F_STATUS = 4, F_EXE = 8, F_CWD = 16, F_CGROUP = 32, F_OWNER = 64, F_SMAPS = 128,
       F_USER = 256 };

struct proc {
	int pid, ppid, parent, first_child, next_sibling;
	unsigned int uid;
	char comm[64];
};

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static char buf[1 << 16];
static unsigned long long bytes_read; /* keeps every read observable */

static int pid_of(const char *name)
{
	int v = 0;

	if (*name < '1' || *name > '9')
		return 0;
	for (; *name; name++) {
		if (*name < '0' || *name > '9')
			return 0;
		v = v * 10 + (*name - '0');
	}
	return v;
}

/* "PID/" + name into path; returns its length */
static size_t path_of(char *path, const char *dir, size_t dirlen, const char *name)
{
	size_t n = strlen(name);

	memcpy(path, dir, dirlen);
	path[dirlen] = '/';
	memcpy(path + dirlen + 1, name, n + 1);
	return dirlen + 1 + n;
}

/* Reads a whole file into buf; returns its length (of the last buffer full), -1 when it cannot be opened. */
static ssize_t read_file(int rootfd, const char *path)
{
	ssize_t r, total = 0;
	int fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof buf - 1)) > 0) {
		total = r;
		bytes_read += (unsigned long long)r;
		if ((size_t)r < sizeof buf - 1)
			break; /* procfs fills a read unless it reached the end */
	}
	close(fd);
	buf[total] = 0;
	return total;
}

/* status "Uid:\treal\t..." */
static unsigned int status_uid(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	unsigned int v = 0;

	while (p < end && (p = memmem(p, (size_t)(end - p), "\nUid:", 5))) {
		for (p += 5; p < end && (*p == '\t' || *p == ' '); p++)
			;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (unsigned)(*p - '0');
		return v;
	}
	return (unsigned)-1;
}

/* PF_KTHREAD in the flags, the 7th field after the comm: " S ppid pgrp session tty_nr tpgid flags" */
static int kernel_thread(const char *p, const char *end)
{
	unsigned long flags = 0;

	for (int field = 0; field < 6; field++) {
		while (p < end && *p == ' ')
			p++;
		while (p < end && *p != ' ')
			p++;
	}
	for (p++; p < end && *p >= '0' && *p <= '9'; p++)
		flags = flags * 10 + (unsigned long)(*p - '0');
	return (flags & 0x00200000) != 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int find(const struct proc *procs, int n, int pid)
{
	int lo = 0, hi = n - 1, mid;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (procs[mid].pid == pid)
			return mid;
		if (procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static char dents[32768];
	const char *root = getenv("PROCBOX_PROC");
	char path[64], link[4096], list[256], *tok, *save;
	unsigned int what = 0;
	int rootfd, print = 0, n = 0, cap = 0, i, pid, roots = 0, argi = 1;
	struct proc *procs = NULL, *p;
	struct stat sb;
	long nread;

	if (argi < argc && !strcmp(argv[argi], "-p")) {
		print = 1;
		argi++;
	}
	if (argi < argc) {
		snprintf(list, sizeof list, "%s", argv[argi]);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "stat"))
				continue;
			else if (!strcmp(tok, "cmdline")) what |= F_CMDLINE;
			else if (!strcmp(tok, "environ")) what |= F_ENVIRON;
			else if (!strcmp(tok, "status")) what |= F_STATUS;
			else if (!strcmp(tok, "exe")) what |= F_EXE;
			else if (!strcmp(tok, "cwd")) what |= F_CWD;
			else if (!strcmp(tok, "cgroup")) what |= F_CGROUP;
			else if (!strcmp(tok, "owner")) what |= F_OWNER;
			else if (!strcmp(tok, "smaps")) what |= F_SMAPS;
			else if (!strcmp(tok, "user")) what |= F_USER;
			else {
				fprintf(stderr, "floor: unknown file '%s'\n", tok);
				return 2;
			}
		}
	}
	rootfd = open(root && *root ? root : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		perror("floor: proc root");
		return 1;
	}
	while ((nread = syscall(SYS_getdents64, rootfd, dents, sizeof dents)) > 0) {
		for (long off = 0; off < nread;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			const char *open_paren, *close_paren;
			ssize_t len;
			size_t dirlen, clen;

			off += d->d_reclen;
			if (!(pid = pid_of(d->d_name)))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				if (!(procs = realloc(procs, (size_t)cap * sizeof *procs)))
					return 1;
			}
			p = &procs[n];
			dirlen = strlen(d->d_name);
			path_of(path, d->d_name, dirlen, "stat");
			if ((len = read_file(rootfd, path)) <= 0)
				continue; /* vanished */
			open_paren = memchr(buf, '(', (size_t)len);
			close_paren = memrchr(buf, ')', (size_t)len);
			if (!open_paren || !close_paren || close_paren < open_paren || close_paren + 4 >= buf + len)
				continue;
			clen = (size_t)(close_paren - open_paren - 1);
			if (clen > sizeof p->comm - 1)
				clen = sizeof p->comm - 1;
			memcpy(p->comm, open_paren + 1, clen);
			p->comm[clen] = 0;
			p->pid = pid;
			p->ppid = atoi(close_paren + 4); /* ") S 1234" */
			p->uid = 0;
			if (what & F_USER && kernel_thread(close_paren + 1, buf + len)) {
				n++;
				continue;
			}
			if (what & F_CMDLINE) {
				path_of(path, d->d_name, dirlen, "cmdline");
				read_file(rootfd, path);
			}
			if (what & F_ENVIRON) {
				path_of(path, d->d_name, dirlen, "environ");
				read_file(rootfd, path);
			}
			if (what & F_STATUS) {
				path_of(path, d->d_name, dirlen, "status");
				if ((len = read_file(rootfd, path)) > 0)
					p->uid = status_uid(buf, (size_t)len);
			}
			if (what & F_OWNER && !fstatat(rootfd, d->d_name, &sb, 0))
				p->uid = sb.st_uid;
			if (what & F_EXE) {
				path_of(path, d->d_name, dirlen, "exe");
				bytes_read += (unsigned long long)readlinkat(rootfd, path, link, sizeof link);
			}
			if (what & F_CWD) {
				path_of(path, d->d_name, dirlen, "cwd");
				bytes_read += (unsigned long long)readlinkat(rootfd, path, link, sizeof link);
			}
			if (what & F_CGROUP) {
				path_of(path, d->d_name, dirlen, "cgroup");
				read_file(rootfd, path);
			}
			if (what & F_SMAPS) {
				path_of(path, d->d_name, dirlen, "smaps_rollup");
				read_file(rootfd, path);
			}
			n++;
		}
	}
	/* procfs lists pids in ascending order, so the array is sorted (a fixture tree on another file system may not
	 * be): link by binary search, children in pid order by walking backwards */
	for (i = 1; i < n; i++)
		if (procs[i - 1].pid > procs[i].pid) {
			qsort(procs, (size_t)n, sizeof *procs, by_pid);
			break;
		}
	for (i = 0; i < n; i++) {
		procs[i].first_child = procs[i].next_sibling = -1;
		procs[i].parent = procs[i].ppid != procs[i].pid ? find(procs, n, procs[i].ppid) : -1;
	}
	for (i = n; i-- > 0;) {
		if (procs[i].parent < 0) {
			roots++;
			continue;
		}
		procs[i].next_sibling = procs[procs[i].parent].first_child;
		procs[procs[i].parent].first_child = i;
	}
	if (print) {
		/* pre-order, iteratively */
		for (i = 0; i < n; i++) {
			int cur;
			if (procs[i].parent >= 0)
				continue;
			for (cur = i; cur >= 0;) {
				printf("%d %d %s\n", procs[cur].pid, procs[cur].ppid, procs[cur].comm);
				if (procs[cur].first_child >= 0) {
					cur = procs[cur].first_child;
					continue;
				}
				while (cur >= 0 && cur != i && procs[cur].next_sibling < 0)
					cur = procs[cur].parent;
				cur = cur == i || cur < 0 ? -1 : procs[cur].next_sibling;
			}
		}
	} else {
		printf("floor: %d processes, %d roots, %llu bytes read\n", n, roots, bytes_read);
	}
	free(procs);
	return 0;
}
