/* Unit tests of the scan, the tree and the lazily read files, on the fixture trees. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static struct pb_root root;
static struct pb_table t;

static void open_fixture(const char *name)
{
	char path[256];

	snprintf(path, sizeof path, FIXTURES "/%s", name);
	ck_assert_int_eq(pb_root_open(&root, path), 0);
	ck_assert_int_eq(root.is_live, 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
}

static void close_fixture(void)
{
	unit_close(&root, &t);
}

#define P(pid) unit_pid(&t, (pid))

START_TEST(scan_normal)
{
	size_t i;

	open_fixture("normal");
	/* 1 2 3 100 101 102 103 200 201 202 300; net, self and 0123 are not processes */
	ck_assert_uint_eq(t.n, 11);
	for (i = 1; i < t.n; i++)
		ck_assert_int_lt(t.procs[i - 1].st.pid, t.procs[i].st.pid);
	ck_assert_ptr_null(pb_find_pid(&t, 123));
	ck_assert_ptr_null(pb_find_pid(&t, 0));
	ck_assert_str_eq(P(3)->st.comm, "kworker/0:0-events_unbound");
	ck_assert_uint_eq(t.count.malformed, 0);
	close_fixture();
}
END_TEST

START_TEST(tree_links)
{
	struct pb_proc *cron, *p;
	int pids[8], n = 0;

	open_fixture("normal");
	cron = P(100);
	ck_assert_ptr_eq(pb_parent(&t, cron), P(1));
	ck_assert_ptr_eq(pb_first_child(&t, cron), P(101));
	ck_assert_ptr_null(pb_next_sibling(&t, P(101)));
	/* children of init in pid order */
	ck_assert_ptr_eq(pb_first_child(&t, P(1)), P(100));
	ck_assert_ptr_eq(pb_next_sibling(&t, P(100)), P(200));
	ck_assert_ptr_null(pb_next_sibling(&t, P(200)));
	/* descendants of cron, pre-order */
	for (p = pb_next_descendant(&t, cron, cron); p; p = pb_next_descendant(&t, cron, p))
		pids[n++] = p->st.pid;
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(pids[0], 101);
	ck_assert_int_eq(pids[1], 102);
	ck_assert_int_eq(pids[2], 103);
	ck_assert(pb_is_ancestor(&t, P(1), P(103)));
	ck_assert(!pb_is_ancestor(&t, P(103), P(1)));
	ck_assert(!pb_is_ancestor(&t, P(200), P(103)));
	/* roots: init, kthreadd, and the orphan whose parent 299 is not in the tree */
	ck_assert(pb_is_root_proc(P(1)));
	ck_assert(pb_is_root_proc(P(2)));
	ck_assert(pb_is_root_proc(P(300)));
	ck_assert(!pb_is_root_proc(P(3)));
	close_fixture();
}
END_TEST

START_TEST(find_all)
{
	struct pb_match m = {0};
	struct pb_proc *p;
	int n;

	open_fixture("normal");
	/* grandchildren of the daemon: the jobs (proc.tree's cron example) */
	m.exe_name = "cron";
	p = pb_find_next(&t, P(1), &m, NULL);
	ck_assert_ptr_eq(p, P(100));
	ck_assert_ptr_null(pb_find_next(&t, P(1), &m, p)); /* 101 is a grandchild: not without recursive */
	m.recursive = 1;
	p = pb_find_next(&t, P(1), &m, NULL);
	ck_assert_ptr_eq(p, P(100));
	ck_assert_ptr_eq(pb_find_next(&t, P(1), &m, p), P(101));
	/* by path, over the whole table */
	memset(&m, 0, sizeof m);
	m.exe_path = "/usr/bin/sleep";
	ck_assert_ptr_eq(pb_find_next(&t, NULL, &m, NULL), P(103));
	memset(&m, 0, sizeof m);
	m.pid = 102;
	ck_assert_ptr_eq(pb_find_next(&t, NULL, &m, NULL), P(102));
	ck_assert_ptr_null(pb_find_next(&t, NULL, &m, P(102)));
	/* everything */
	memset(&m, 0, sizeof m);
	for (n = 0, p = pb_find_next(&t, NULL, &m, NULL); p; p = pb_find_next(&t, NULL, &m, p))
		n++;
	ck_assert_int_eq(n, 11);
	close_fixture();
}
END_TEST

START_TEST(lazy_files)
{
	const char *s, *v;
	size_t len, n;
	const struct pb_status *st;

	open_fixture("normal");
	s = pb_cmdline(&t, P(102), &len);
	ck_assert_uint_eq(pb_cmdline_argc(s, len), 3);
	ck_assert_str_eq(s, "/bin/sh");
	/* cached: the same bytes come back without another read */
	ck_assert_ptr_eq(pb_cmdline(&t, P(102), &len), s);
	v = pb_getenv(&t, P(200), "DISPLAY", &n);
	ck_assert_int_eq(memcmp(v, ":0", n), 0);
	ck_assert_ptr_null(pb_getenv(&t, P(200), "NOEQUALS", &n));
	ck_assert_ptr_null(pb_getenv(&t, P(1), "DISPLAY", &n));
	st = pb_status(&t, P(102));
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(st->uid.real, 1000);
	ck_assert_int_eq(pb_uid(&t, P(102)), 1000);
	ck_assert_str_eq(pb_user(&t, P(1)), "root");
	ck_assert_str_eq(pb_group(&t, P(1)), "root");
	ck_assert_str_eq(pb_cgroup(&t, P(100)), "/system.slice/cron.service");
	ck_assert_str_eq(pb_cgroup(&t, P(1)), "/init.scope");
	ck_assert_uint_eq(pb_rss_bytes(&t, P(1)), 256 * (unsigned long long)root.page_size);
	close_fixture();
}
END_TEST

START_TEST(exe_rules)
{
	open_fixture("normal");
	/* " (deleted)" is stripped: an upgraded daemon is still found by name */
	ck_assert_str_eq(pb_exe(&t, P(100)), "/usr/sbin/cron");
	ck_assert_int_eq(pb_exe_deleted(&t, P(100)), 1);
	ck_assert_str_eq(pb_exe_name(&t, P(100)), "cron");
	ck_assert_int_eq(pb_exe_deleted(&t, P(101)), 0);
	ck_assert_str_eq(pb_exe_name(&t, P(103)), "sleep");
	/* no exe link: argv[0] "-bash" is not a path nor on PATH, so comm */
	ck_assert_str_eq(pb_exe(&t, P(200)), "");
	ck_assert_str_eq(pb_exe_path(&t, P(200)), "");
	ck_assert_str_eq(pb_exe_name(&t, P(200)), "bash");
	/* argv[0] "sh" found on PATH */
	ck_assert_str_eq(pb_exe_name(&t, P(201)), "sh");
	/* 200 and 201 have no exe link at all: counted as files that were not there */
	ck_assert_uint_eq(t.count.vanished[PB_F_EXE], 2);
	/* kernel threads and zombies: no exe, and no race counted for it */
	ck_assert_str_eq(pb_exe(&t, P(2)), "");
	ck_assert_str_eq(pb_exe_name(&t, P(2)), "kthreadd");
	ck_assert_str_eq(pb_exe(&t, P(202)), "");
	ck_assert_uint_eq(t.count.vanished[PB_F_EXE], 2);
	close_fixture();
}
END_TEST

START_TEST(exe_path_from_absolute_argv0)
{
	char dir[] = "/tmp/pbfixXXXXXX", path[128];
	FILE *f;

	/* a tree made here: argv[0] is an absolute, executable path on this machine */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/5", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/5/stat", dir);
	f = fopen(path, "w");
	fputs("5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 10 0 0\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/5/cmdline", dir);
	f = fopen(path, "w");
	fwrite("/bin/sh\0-c\0", 1, 11, f);
	fclose(f);
	ck_assert_int_eq(pb_root_open(&root, dir), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	ck_assert_str_eq(pb_exe_path(&t, P(5)), "/bin/sh");
	ck_assert_str_eq(pb_exe_name(&t, P(5)), "sh");
	ck_assert_uint_eq(t.count.vanished[PB_F_EXE], 1); /* the link was missing */
	close_fixture();
	snprintf(path, sizeof path, "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

START_TEST(times)
{
	open_fixture("normal");
	/* starttime = btime + ticks / CLK_TCK; runtime = uptime - ticks / CLK_TCK, frozen for a saved tree */
	ck_assert_double_eq_tol(pb_starttime(&t, P(100)), 1700000000.0 + 5000.0 / (double)root.clk_tck, 1e-6);
	ck_assert_double_eq_tol(pb_runtime(&t, P(1)), 1000.5 - 1.0 / (double)root.clk_tck, 1e-6);
	ck_assert_double_eq_tol(pb_runtime(&t, P(1)), 1000.5 - 1.0 / (double)root.clk_tck, 1e-6);
	close_fixture();
	/* unparsable uptime and no btime: unknown, not garbage */
	open_fixture("malformed");
	ck_assert_double_eq(pb_runtime(&t, P(10)), -1);
	ck_assert_double_eq(pb_starttime(&t, P(10)), -1);
	close_fixture();
}
END_TEST

START_TEST(scan_malformed)
{
	const char *s;
	size_t len, n;
	struct pb_proc *p;

	open_fixture("malformed");
	/* 10 11 12 17 18 19 20 21 24 25 26 27 28 29 parse; 13 14 15 16 22 30 are malformed, 23 is empty */
	ck_assert_uint_eq(t.n, 14);
	ck_assert_uint_eq(t.count.malformed, 6);
	ck_assert_uint_eq(t.count.vanished[PB_F_STAT], 1);
	ck_assert_str_eq(P(10)->st.comm, "a b) (c");
	ck_assert_str_eq(P(11)->st.comm, "x\ny");
	ck_assert_str_eq(P(12)->st.comm, ") 9 9 9 (");
	ck_assert_uint_eq(P(17)->st.starttime, 100);
	/* without the final NUL */
	s = pb_cmdline(&t, P(18), &len);
	ck_assert_uint_eq(pb_cmdline_argc(s, len), 2);
	s = pb_getenv(&t, P(18), "B", &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(s[0], '2');
	/* empty files, missing files */
	pb_cmdline(&t, P(19), &len);
	ck_assert_uint_eq(len, 0);
	pb_cmdline(&t, P(20), &len);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_null(pb_status(&t, P(20)));
	ck_assert_str_eq(pb_user(&t, P(20)), "?");
	ck_assert_int_eq(pb_uid(&t, P(20)), -1);
	ck_assert_uint_eq(t.count.vanished[PB_F_CMDLINE], 1);
	ck_assert_uint_eq(t.count.vanished[PB_F_STATUS], 1);
	/* dangling deleted exe */
	ck_assert_str_eq(pb_exe(&t, P(21)), "/nonexistent/deleted-binary");
	ck_assert_str_eq(pb_exe_name(&t, P(21)), "deleted-binary");
	/* duplicated keys: the first wins */
	ck_assert_int_eq(pb_uid(&t, P(26)), 5);
	ck_assert_int_eq(pb_uid(&t, P(28)), -1);
	/* negative rss is no size at all */
	ck_assert_uint_eq(pb_rss_bytes(&t, P(29)), 0);
	/* the parent cycle is broken: every walk ends, everything hangs off some root */
	ck_assert(pb_is_root_proc(P(24)) || pb_is_root_proc(P(25)));
	ck_assert(pb_is_root_proc(P(27)));
	for (n = 0; n < t.n; n++) {
		p = &t.procs[n];
		ck_assert(!pb_is_ancestor(&t, p, p));
	}
	close_fixture();
}
END_TEST

/* status is kept as ids and parsed struct, its text only on demand: every order of calls sees the same data */
static void write_proc(const char *dir, int pid, const char *status)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof path, "%s/%d", dir, pid);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/%d/stat", dir, pid);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "%d (p%d) S 1 %d %d 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 4242 1048576 256 0 0\n", pid, pid, pid, pid);
	fclose(f);
	snprintf(path, sizeof path, "%s/%d/status", dir, pid);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(status, f);
	fclose(f);
}

START_TEST(status_orders)
{
	static const char *const statuses[] = {
		"Name:\tp\nUid:\t7\t7\t7\t7\nGid:\t8\t8\t8\t8\nGroups:\t\n",          /* all ids alike */
		"Name:\tp\nUid:\t1000\t0\t0\t0\nGid:\t5\t5\t5\t5\nGroups:\t4 24 \n",  /* setuid, groups */
		"Uid:\t3\t3\t3\t3\nGid:\t3\t3\t3\t3\nGroups:\t0 5 x\n",                  /* groups unparsable */
		"Uid:\t9\t9\t9\t9\n",                                                     /* no Gid: line */
		"Name:\tno ids at all\n",                                                   /* unparsable */
	};
	char dir[] = "/tmp/pbstatusXXXXXX", cmd[160];
	const struct pb_status *st;
	struct pb_status want;
	const char *raw;
	size_t i, len;
	int order, ok;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < 5; i++)
		write_proc(dir, 500 + (int)i, statuses[i]);
	for (order = 0; order < 3; order++) {
		ck_assert_int_eq(pb_root_open(&root, dir), 0);
		ck_assert_int_eq(pb_scan(&root, &t), 0);
		for (i = 0; i < 5; i++) {
			struct pb_proc *p = P(500 + (int)i);
			ok = pb_parse_status(statuses[i], strlen(statuses[i]), &want) == 0;
			if (order == 0)
				ck_assert_int_eq(pb_uid(&t, p), ok && want.have_uid ? (long)want.uid.real : -1);
			if (order == 1) {
				raw = pb_status_raw(&t, p, &len);
				ck_assert_uint_eq(len, strlen(statuses[i]));
				ck_assert_int_eq(memcmp(raw, statuses[i], len), 0);
			}
			st = pb_status(&t, p);
			if (!ok) {
				ck_assert_ptr_null(st);
			} else {
				ck_assert_ptr_nonnull(st);
				ck_assert_int_eq(memcmp(st, &want, sizeof want), 0);
				ck_assert_ptr_eq(pb_status(&t, p), st); /* cached */
			}
			ck_assert_int_eq(pb_gid(&t, p), ok && want.have_gid ? (long)want.gid.real : -1);
			/* the text after the ids: read then, and the ids stay */
			raw = pb_status_raw(&t, p, &len);
			ck_assert_uint_eq(len, strlen(statuses[i]));
			ck_assert_int_eq(memcmp(raw, statuses[i], len), 0);
			ck_assert_ptr_eq(pb_status(&t, p), st);
		}
		ck_assert_uint_eq(t.count.malformed, 0);
		close_fixture();
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* pb_scan_with reads during the scan what the lazy accessors would read later: same data, same counters */
START_TEST(scan_with_eager_files)
{
	static const char *const trees[] = {"normal", "malformed"};
	const unsigned int all = 1u << PB_F_STATUS | 1u << PB_F_CMDLINE | 1u << PB_F_ENVIRON | 1u << PB_F_EXE |
				 1u << PB_F_CGROUP | 1u << PB_F_SMAPS;
	struct pb_table lazy, eager;
	struct pb_root r, copy;
	char path[256], dir[] = "/tmp/pbeagerXXXXXX", cmd[600];
	size_t i, k, la, lb;
	const char *a, *b;

	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof path, FIXTURES "/%s", trees[k]);
		ck_assert_int_eq(pb_root_open(&r, path), 0);
		ck_assert_int_eq(pb_scan(&r, &lazy), 0);
		/* the eager table reads a copy of the tree that is gone before anything is asked of it: whatever it
		 * had not read during the scan would now count as vanished */
		strcpy(dir, "/tmp/pbeagerXXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dir));
		snprintf(cmd, sizeof cmd, "cp -r %s/. %s/", path, dir);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert_int_eq(pb_root_open(&copy, dir), 0);
		ck_assert_int_eq(pb_scan_with(&copy, &eager, all), 0);
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert_uint_eq(eager.n, lazy.n);
		for (i = 0; i < lazy.n; i++) {
			struct pb_proc *p = &lazy.procs[i], *q = &eager.procs[i];
			ck_assert_int_eq(p->st.pid, q->st.pid);
			ck_assert_ptr_nonnull(q->x);
			ck_assert_int_eq(pb_uid(&lazy, p), pb_uid(&eager, q));
			ck_assert_int_eq(pb_gid(&lazy, p), pb_gid(&eager, q));
			a = pb_cmdline(&lazy, p, &la);
			b = pb_cmdline(&eager, q, &lb);
			ck_assert_uint_eq(la, lb);
			ck_assert_int_eq(memcmp(a, b, la), 0);
			a = pb_environ(&lazy, p, &la);
			b = pb_environ(&eager, q, &lb);
			ck_assert_uint_eq(la, lb);
			ck_assert_int_eq(memcmp(a, b, la), 0);
			ck_assert_str_eq(pb_exe(&lazy, p), pb_exe(&eager, q));
			ck_assert_str_eq(pb_exe_name(&lazy, p), pb_exe_name(&eager, q));
			ck_assert_str_eq(pb_cgroup(&lazy, p), pb_cgroup(&eager, q));
			ck_assert_int_eq(!pb_smaps(&lazy, p), !pb_smaps(&eager, q));
			if (pb_status(&lazy, p))
				ck_assert_int_eq(memcmp(pb_status(&lazy, p), pb_status(&eager, q), sizeof(struct pb_status)), 0);
			else
				ck_assert_ptr_null(pb_status(&eager, q));
		}
		ck_assert_int_eq(memcmp(&lazy.count, &eager.count, sizeof lazy.count), 0);
		pb_table_free(&lazy);
		pb_table_free(&eager);
		pb_root_close(&r);
		pb_root_close(&copy);
	}
	/* no files asked: no extras made */
	ck_assert_int_eq(pb_root_open(&r, FIXTURES "/normal"), 0);
	ck_assert_int_eq(pb_scan_with(&r, &eager, 0), 0);
	for (i = 0; i < eager.n; i++)
		ck_assert_ptr_null(eager.procs[i].x);
	pb_table_free(&eager);
	pb_root_close(&r);
}
END_TEST

START_TEST(denied_counts)
{
	char dir[] = "/tmp/pbdenyXXXXXX", path[160];
	size_t len;
	FILE *f;

	/* root reads everything: drop to nobody (check runs each test in its own process) */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(path, sizeof path, "cp -r " FIXTURES "/normal/100 %s/ && chmod 000 %s/100/environ %s/100/status", dir, dir,
		 dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof path, "%s/100/stat", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	if (geteuid() == 0)
		ck_assert_int_eq(setuid(65534), 0);
	ck_assert_int_eq(pb_root_open(&root, dir), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	ck_assert_uint_eq(t.n, 1);
	pb_environ(&t, P(100), &len);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_null(pb_status(&t, P(100)));
	ck_assert_uint_eq(t.count.denied[PB_F_ENVIRON], 1);
	ck_assert_uint_eq(t.count.denied[PB_F_STATUS], 1);
	ck_assert_uint_eq(t.count.denied_procs, 1); /* one process, however many files */
	ck_assert_uint_eq(t.count.vanished[PB_F_ENVIRON], 0);
	close_fixture();
}
END_TEST

START_TEST(root_errors)
{
	ck_assert_int_eq(pb_root_open(&root, "/nonexistent/proc"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/README.md"), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	setenv("PROCBOX_PROC", FIXTURES "/normal", 1);
	ck_assert_int_eq(pb_root_open(&root, NULL), 0);
	ck_assert_int_eq(root.is_live, 0);
	pb_root_close(&root);
	unsetenv("PROCBOX_PROC");
	ck_assert_int_eq(pb_root_open(&root, NULL), 0);
	ck_assert_int_eq(root.is_live, 1);
	ck_assert_str_eq(root.path, "/proc");
	pb_root_close(&root);
}
END_TEST

START_TEST(live_scan_sees_self)
{
	struct pb_proc *me;
	size_t len, i;
	const char *cmd;

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	me = P(getpid());
	ck_assert_int_eq(me->st.ppid, getppid());
	ck_assert_ptr_eq(pb_parent(&t, me), P(getppid()));
	cmd = pb_cmdline(&t, me, &len);
	ck_assert_uint_gt(len, 0);
	ck_assert_ptr_nonnull(strstr(cmd, "check_table"));
	ck_assert_int_eq(pb_uid(&t, me), (long)getuid());
	ck_assert_ptr_nonnull(strstr(pb_exe(&t, me), "check_table"));
	ck_assert(pb_runtime(&t, me) >= 0 && pb_runtime(&t, me) < 3600);
	/* every parent link agrees with the ppid it came from */
	for (i = 0; i < t.n; i++)
		if (t.procs[i].parent >= 0)
			ck_assert_int_eq(t.procs[t.procs[i].parent].st.pid, t.procs[i].st.ppid);
	close_fixture();
}
END_TEST

START_TEST(pin)
{
	struct pb_pin pin;
	struct pb_buf b;
	struct pb_stat st;

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	pb_buf_init(&b);
	ck_assert_int_eq(pb_pin_open(&root, getpid(), 0, &pin), 0);
	ck_assert_int_eq(pb_pin_read(&pin, "stat", &b), 0);
	ck_assert_int_eq(pb_parse_stat(b.data, b.len, &st), 0);
	ck_assert_uint_eq(st.starttime, pin.starttime);
	pb_pin_close(&pin);
	/* the right pid with the wrong starttime is another process */
	ck_assert_int_eq(pb_pin_open(&root, getpid(), st.starttime + 1, &pin), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(pin.dirfd, -1);
	ck_assert_int_eq(pb_pin_open(&root, 0x7ffffffe, 0, &pin), -1);
	ck_assert_int_eq(errno, ESRCH);
	pb_buf_free(&b);
	pb_root_close(&root);
}
END_TEST

/* A seq_file of many records hands out about a page per read(2): pb_read_at must go on to the end. Our own
 * smaps (dozens of mappings under ASan, far more than a page) read whole equals a read to EOF by hand. */
START_TEST(read_many_pages)
{
	struct pb_buf b, want;
	char chunk[512];
	ssize_t r;
	int fd;

	pb_buf_init(&b);
	pb_buf_init(&want);
	ck_assert_int_eq(pb_read_at(AT_FDCWD, "/proc/self/smaps", &b), 0);
	fd = open("/proc/self/smaps", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		pb_buf_add(&want, chunk, (size_t)r);
	close(fd);
	ck_assert_uint_gt(want.len, 8192);
	/* the two reads are moments apart: the heap may have moved, the mappings' count not by much */
	ck_assert_uint_gt(b.len, want.len / 2);
	ck_assert_uint_lt(b.len, want.len * 2);
	pb_buf_free(&b);
	pb_buf_free(&want);
}
END_TEST

START_TEST(programs_on_path)
{
	char out[256], dir[] = "/tmp/pbpathXXXXXX", cwd[4096];

	setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
	ck_assert_int_eq(pb_find_program("sh", out, sizeof out), 0);
	ck_assert_str_eq(out, "/bin/sh");
	ck_assert_int_eq(pb_find_program("sh", out, 4), 0); /* too small for the path: found, out untouched */
	ck_assert_int_eq(pb_find_program("no-such-program-here", NULL, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pb_find_program("bin/sh", NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pb_find_program("", NULL, 0), -1);
	/* a directory or a file without x is not a program; an empty entry is the current directory */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(mkdir("prog", 0755), 0);
	ck_assert_int_eq(system("touch plain && printf '#!/bin/sh\\n' > tool && chmod 755 tool"), 0);
	setenv("PATH", ":/nonexistent", 1);
	ck_assert_int_eq(pb_find_program("prog", NULL, 0), -1);
	ck_assert_int_eq(pb_find_program("plain", NULL, 0), -1);
	ck_assert_int_eq(pb_find_program("tool", out, sizeof out), 0);
	ck_assert_str_eq(out, "./tool");
	ck_assert_int_eq(chdir(cwd), 0);
	setenv("PATH", "/bin:/usr/bin", 1);
	snprintf(out, sizeof out, "rm -rf %s", dir);
	ck_assert_int_eq(system(out), 0);
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, scan_normal);
	tcase_add_test(tc, tree_links);
	tcase_add_test(tc, find_all);
	tcase_add_test(tc, lazy_files);
	tcase_add_test(tc, exe_rules);
	tcase_add_test(tc, exe_path_from_absolute_argv0);
	tcase_add_test(tc, times);
	tcase_add_test(tc, scan_malformed);
	tcase_add_test(tc, status_orders);
	tcase_add_test(tc, scan_with_eager_files);
	tcase_add_test(tc, denied_counts);
	tcase_add_test(tc, root_errors);
	tcase_add_test(tc, live_scan_sees_self);
	tcase_add_test(tc, pin);
	tcase_add_test(tc, programs_on_path);
	tcase_add_test(tc, read_many_pages);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(table_suite)
