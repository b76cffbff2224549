/* The soak test: 2000 scans while ~200 processes a second come and go and PIDs wrap around, in a PID namespace
 * of its own (as root), so that forcing the wrap disturbs no one else; every scan must be internally consistent. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define SCANS 2000
#define TIME_LIMIT_MS 50000
#define SCAN_PAUSE_US 5000
#define IDLE_CHILDREN 40
#define FAMILY_EVERY_US 10000 /* a child and its orphaned grandchild: ~200 processes a second */
#define WRAP_EVERY_MS 200     /* ns_last_pid back to just below pid_max */

/* shared between the test, the namespace's init (the scanner) and the spawner */
struct soak {
	int ns;                 /* ran in its own PID namespace, with forced wraps */
	long pid_max;
	unsigned long scans, entries, orphans, cycles, reads, vanished_stat, forks, wraps;
	long long elapsed_ms;
	int min_pid, max_pid;
	int failures;
	char first_failure[256];
};

static struct soak *soak;

static void __attribute__((format(printf, 1, 2))) soak_fail(const char *fmt, ...)
{
	va_list ap;

	if (!soak->failures++) {
		va_start(ap, fmt);
		vsnprintf(soak->first_failure, sizeof soak->first_failure, fmt, ap);
		va_end(ap);
	}
}

static void set_last_pid(const char *proc, long value)
{
	char path[128], num[24];
	ssize_t w;
	int fd, n;

	snprintf(path, sizeof path, "%s/sys/kernel/ns_last_pid", proc);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(num, sizeof num, "%ld", value);
	/* a refused write shows in the wrap count, which the test asserts */
	w = write(fd, num, (size_t)n);
	(void)w;
	close(fd);
}

/* Keeps the churn going until killed: idle children that outlive every wrap, and families whose child exits at
 * once so that its grandchild is orphaned (to us: a subreaper) and lives 0-30 ms. */
static void spawner(const char *proc)
{
	unsigned int seed = (unsigned int)getpid();
	long long next_wrap = pb_now_ms() + WRAP_EVERY_MS;
	pid_t c, last = 0;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (i = 0; i < IDLE_CHILDREN; i++)
		if ((c = fork()) == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	for (;;) {
		seed = seed * 1103515245u + 12345u;
		c = fork();
		if (c == 0) {
			if (fork() == 0) {
				usleep(seed % 30000);
				_exit(0);
			}
			_exit(0);
		}
		if (c > 0) {
			__atomic_add_fetch(&soak->forks, 2, __ATOMIC_RELAXED);
			if (c < last)
				__atomic_add_fetch(&soak->wraps, 1, __ATOMIC_RELAXED);
			last = c;
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (soak->ns && pb_now_ms() >= next_wrap) {
			/* 20 pids below the top: the next ~40 forks run past pid_max and wrap to the bottom */
			set_last_pid(proc, soak->pid_max - 20);
			next_wrap = pb_now_ms() + WRAP_EVERY_MS;
		}
		usleep(FAMILY_EVERY_US);
	}
}

static const char *const states = "RSDZTtWXxKPI";

/* Everything one scan must satisfy, whatever raced with it. */
static void check_scan(struct pb_table *t, const char *own_comm, const char *own_cmdline, size_t own_len)
{
	unsigned char *seen = calloc(t->n + 1, 1);
	struct pb_proc *p, *q, *par;
	size_t i, walked = 0, len;
	const char *cmd;
	int prev;

	if (!seen) {
		soak_fail("out of memory");
		return;
	}
	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		par = NULL;
		soak->entries++;
		if (p->st.pid < 1 || p->st.pid > soak->pid_max || (i && p->st.pid <= t->procs[i - 1].st.pid))
			soak_fail("pid %d out of range or out of order", p->st.pid);
		if (pb_find_pid(t, p->st.pid) != p)
			soak_fail("pid %d not found by lookup", p->st.pid);
		if (p->st.comm_len >= PB_COMM_MAX || strlen(p->st.comm) != p->st.comm_len || !p->st.state ||
		    !strchr(states, p->st.state))
			soak_fail("garbage name or state for pid %d", p->st.pid);
		/* in our namespace every process is a fork of this test: another name is garbage */
		if (soak->ns && strcmp(p->st.comm, own_comm))
			soak_fail("pid %d is named '%s', not '%s'", p->st.pid, p->st.comm, own_comm);
		if (p->st.ppid < 0 || p->st.ppid > soak->pid_max)
			soak_fail("pid %d has ppid %d", p->st.pid, p->st.ppid);
		if (p->st.pid < soak->min_pid || !soak->min_pid)
			soak->min_pid = p->st.pid;
		if (p->st.pid > soak->max_pid)
			soak->max_pid = p->st.pid;
		/* the parent is in this scan, or the process is a root: its parent is missing, or (a parent chain that
		 * loops across a reused pid) its listed parent sits below it */
		if (p->parent >= 0) {
			if ((size_t)p->parent >= t->n || p->parent == (int)i || t->procs[p->parent].st.pid != p->st.ppid)
				soak_fail("pid %d linked to the wrong parent", p->st.pid);
		} else if (p->st.ppid && (par = pb_find_pid(t, p->st.ppid)) && par != p) {
			if (!pb_is_ancestor(t, p, par))
				soak_fail("pid %d is a root although its parent %d is listed", p->st.pid, p->st.ppid);
			soak->cycles++;
		} else if (p->st.ppid && !par) {
			soak->orphans++;
		}
		/* children lists sorted by pid */
		for (prev = 0, q = pb_first_child(t, p); q; prev = q->st.pid, q = pb_next_sibling(t, q))
			if (q->st.pid <= prev || q->parent != (int)i)
				soak_fail("children of pid %d out of order or mislinked", p->st.pid);
	}
	/* the forest covers every process exactly once */
	for (i = 0; i < t->n; i++) {
		if (!pb_is_root_proc(&t->procs[i]))
			continue;
		for (p = &t->procs[i]; p; p = pb_next_descendant(t, &t->procs[i], p)) {
			if (seen[pb_index(t, p)]++)
				soak_fail("pid %d reached twice", p->st.pid);
			if (++walked > t->n)
				break;
		}
	}
	if (walked != t->n)
		soak_fail("the tree walk reached %zu of %zu processes", walked, t->n);
	/* lazy reads of a racing process: what comes back is ours or nothing (a reused pid is a fork of us too) */
	for (i = 0; soak->ns && i < t->n; i += 7) {
		cmd = pb_cmdline(t, &t->procs[i], &len);
		soak->reads++;
		if (len && (len != own_len || memcmp(cmd, own_cmdline, len)))
			soak_fail("pid %d has a command line that is not ours", t->procs[i].st.pid);
	}
	free(seen);
}

/* The scanner; in namespace mode it is the namespace's init. Returns nothing: results go to *soak. */
static void scanner(const char *proc)
{
	struct pb_root root;
	struct pb_table t;
	struct pb_buf own;
	char comm[PB_COMM_MAX] = "", path[64];
	long long start = pb_now_ms(), deadline = start + TIME_LIMIT_MS;
	pid_t sp;
	FILE *f;

	snprintf(path, sizeof path, "%s/sys/kernel/pid_max", proc);
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%ld", &soak->pid_max) != 1)
			soak->pid_max = 4194304;
		fclose(f);
	}
	if (pb_root_open(&root, proc)) {
		soak_fail("cannot open %s", proc);
		return;
	}
	pb_buf_init(&own);
	snprintf(path, sizeof path, "%d/cmdline", (int)getpid());
	if (pb_read_at(root.fd, soak->ns ? "1/cmdline" : path, &own))
		soak_fail("cannot read our own command line");
	prctl(PR_GET_NAME, comm);
	sp = fork();
	if (sp == 0)
		spawner(proc);
	if (sp < 0) {
		soak_fail("fork: %s", strerror(errno));
		return;
	}
	while (soak->scans < SCANS && pb_now_ms() < deadline) {
		if (pb_scan(&root, &t)) {
			soak_fail("scan %lu failed: %s", soak->scans, strerror(errno));
			break;
		}
		check_scan(&t, comm, own.data, own.len);
		soak->vanished_stat += t.count.vanished[PB_F_STAT];
		soak->scans++;
		pb_table_free(&t);
		usleep(SCAN_PAUSE_US);
	}
	soak->elapsed_ms = pb_now_ms() - start;
	kill(sp, SIGKILL);
	waitpid(sp, NULL, 0);
	pb_buf_free(&own);
	pb_root_close(&root);
}

/* As root: a PID namespace and a mount namespace, proc mounted privately at dir, the scanner as init. */
static int in_namespace(const char *dir)
{
	pid_t init;
	int status;

	if (unshare(CLONE_NEWPID | CLONE_NEWNS))
		return -1;
	init = fork();
	if (init == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
			soak_fail("cannot mount a private proc: %s", strerror(errno));
			_exit(1);
		}
		soak->ns = 1;
		scanner(dir);
		_exit(0);
	}
	if (init < 0 || waitpid(init, &status, 0) != init)
		soak_fail("the namespace's init did not run");
	else if (!WIFEXITED(status))
		soak_fail("the scanner died of signal %d", WTERMSIG(status));
	return 0;
}

START_TEST(soak_scans_during_churn_and_pid_wrap)
{
	char dir[] = "/tmp/pb-soak.XXXXXX";
	pid_t child;
	int status;

	soak = mmap(NULL, sizeof *soak, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(soak, MAP_FAILED);
	memset(soak, 0, sizeof *soak);
	soak->pid_max = 4194304;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		if (in_namespace(dir)) {
			/* not root: the live /proc, churn without forced wraps */
			soak->ns = 0;
			scanner("/proc");
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	rmdir(dir);
	printf("soak: %lu scans in %.1f s (%s), %lu entries checked, %lu processes forked (%.0f/s), %lu pid wraps "
	       "(pids %d..%d of %ld), %lu orphans, %lu parent loops broken, %lu lazy reads, %lu vanished during a "
	       "scan, %d failures\n",
	       soak->scans, soak->elapsed_ms / 1000.0, soak->ns ? "own PID namespace" : "live /proc, no forced wrap",
	       soak->entries, soak->forks, soak->forks * 1000.0 / (double)(soak->elapsed_ms ? soak->elapsed_ms : 1),
	       soak->wraps, soak->min_pid, soak->max_pid, soak->pid_max, soak->orphans, soak->cycles, soak->reads,
	       soak->vanished_stat, soak->failures);
	fflush(stdout);
	ck_assert_msg(soak->failures == 0, "first failure: %s", soak->first_failure);
	/* the live /proc of a busy machine may hold thousands of processes: fewer scans fit in the time limit */
	ck_assert_uint_ge(soak->scans, soak->ns ? SCANS : SCANS / 20);
	ck_assert_int_lt(soak->elapsed_ms, 60000);
	ck_assert_msg(soak->forks * 1000 / (unsigned long)(soak->elapsed_ms + 1) >= 80, "only %lu forks", soak->forks);
	if (soak->ns) {
		/* the wraps happened: pids came back from the top of the range, many times */
		ck_assert_uint_ge(soak->wraps, 10);
		ck_assert_int_gt(soak->max_pid, soak->pid_max - 100);
	} else {
		printf("soak: PID wraps not forced: that needs root (a PID namespace of our own)\n");
	}
	munmap(soak, sizeof *soak);
}
END_TEST

static Suite *soak_suite(void)
{
	Suite *s = suite_create("soak");
	TCase *tc = tcase_create("churn");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, soak_scans_during_churn_and_pid_wrap);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(soak_suite)
