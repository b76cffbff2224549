/* Unit tests of Apache discovery and worker classification (core/apache.c) on the tests/fixtures/apache tree. */
#include <errno.h>

#include "unit.h"

static struct pb_root root;
static struct pb_table t;

static void open_fixture(void)
{
	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/apache"), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
}

static void close_fixture(void)
{
	unit_close(&root, &t);
}

#define P(pid) unit_pid(&t, (pid))

/* pb_wsgi_group on a cmdline, the name as a string ("" when it is no WSGI daemon) */
static const char *wsgi(const char *buf, size_t len)
{
	static char out[128];
	const char *name;
	size_t n;

	if (!pb_wsgi_group(buf, len, &name, &n))
		return "";
	ck_assert_uint_lt(n, sizeof out);
	ck_assert(name >= buf && name + n <= buf + len);
	memcpy(out, name, n);
	out[n] = 0;
	return out;
}

START_TEST(wsgi_names)
{
	ck_assert_str_eq(wsgi(S("(wsgi:alpha)\0-k\0start\0")), "wsgi:alpha");
	/* mod_wsgi pads the display name with blanks over the old argv */
	ck_assert_str_eq(wsgi(S("(wsgi:alpha)      \0-f\0/etc/x.conf\0")), "wsgi:alpha");
	/* truncated: no closing parenthesis; blanks at the end are padding, not name */
	ck_assert_str_eq(wsgi(S("(wsgi:a-very-long-na\0")), "wsgi:a-very-long-na");
	ck_assert_str_eq(wsgi(S("(wsgi:cut   ")), "wsgi:cut");
	/* no final NUL at all */
	ck_assert_str_eq(wsgi(S("(wsgi:beta)")), "wsgi:beta");
	/* a name with a blank inside survives; what follows ')' is not name */
	ck_assert_str_eq(wsgi(S("(wsgi:my app) extra\0")), "wsgi:my app");
	ck_assert_str_eq(wsgi(S("(wsgi:)\0")), "wsgi:");
	ck_assert_str_eq(wsgi(S("(wsgi:\0")), "wsgi:");
	/* not WSGI: other first arguments, the prefix only in a later argument, short or empty cmdlines */
	ck_assert_str_eq(wsgi(S("/usr/sbin/apache2\0-k\0start\0")), "");
	ck_assert_str_eq(wsgi(S("apache2\0(wsgi:alpha)\0")), "");
	ck_assert_str_eq(wsgi(S(" (wsgi:alpha)\0")), "");
	ck_assert_str_eq(wsgi(S("(WSGI:alpha)\0")), "");
	ck_assert_str_eq(wsgi(S("(wsgi")), "");
	ck_assert_str_eq(wsgi(S("(wsg\0i:x)")), "");
	ck_assert_str_eq(wsgi(S("")), "");
	ck_assert_str_eq(wsgi(S("\0\0\0")), "");
}
END_TEST

START_TEST(masters)
{
	static const char *const defaults[] = {"apache2", "httpd"};
	static const char *const only_httpd[] = {"httpd"};
	static const char *const bash[] = {"bash"};
	size_t i;
	int found[2] = {0, 0}, others = 0;

	open_fixture();
	for (i = 0; i < t.n; i++) {
		if (!pb_apache_is_master(&t, &t.procs[i], defaults, 2))
			continue;
		if (t.procs[i].st.pid == 500)
			found[0]++;
		else if (t.procs[i].st.pid == 701)
			found[1]++;
		else
			others++;
	}
	/* 500 under init, 701 under a shell; no worker (parent runs the same program), no CGI, no zombie */
	ck_assert_int_eq(found[0], 1);
	ck_assert_int_eq(found[1], 1);
	ck_assert_int_eq(others, 0);
	ck_assert(!pb_apache_is_master(&t, P(500), only_httpd, 1));
	ck_assert(pb_apache_is_master(&t, P(701), only_httpd, 1));
	ck_assert(!pb_apache_is_master(&t, P(502), defaults, 2));
	ck_assert(!pb_apache_is_master(&t, P(506), defaults, 2));
	/* any program can be asked for */
	ck_assert(pb_apache_is_master(&t, P(700), bash, 1));
	close_fixture();
}
END_TEST

START_TEST(master_of)
{
	open_fixture();
	ck_assert_ptr_eq(pb_apache_master_of(&t, P(503)), P(500));
	ck_assert_ptr_eq(pb_apache_master_of(&t, P(510)), P(500));
	ck_assert_ptr_eq(pb_apache_master_of(&t, P(500)), P(500));
	ck_assert_ptr_eq(pb_apache_master_of(&t, P(701)), P(701));
	/* the CGI script runs /bin/sh: it is its own top, not Apache's */
	ck_assert_ptr_eq(pb_apache_master_of(&t, P(600)), P(600));
	/* a rotatelogs helper runs another program: the climb stops at it */
	ck_assert_ptr_eq(pb_apache_master_of(&t, P(540)), P(540));
	ck_assert(pb_same_exe(&t, P(500), P(502)));
	ck_assert(pb_same_exe(&t, P(500), P(510)));
	ck_assert(!pb_same_exe(&t, P(500), P(540)));
	ck_assert(!pb_same_exe(&t, P(500), P(701)));
	close_fixture();
}
END_TEST

static const struct pb_apache_member *member(const struct pb_apache *a, int pid)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->members[i].proc->st.pid == pid)
			return &a->members[i];
	return NULL;
}

static void expect(const struct pb_apache *a, int pid, enum pb_apache_role role, const char *group)
{
	const struct pb_apache_member *m = member(a, pid);

	ck_assert_msg(m != NULL, "pid %d is no member", pid);
	ck_assert_msg(m->role == role, "pid %d: role %d, wanted %d", pid, (int)m->role, (int)role);
	ck_assert_str_eq(m->group, group);
}

START_TEST(classification)
{
	struct pb_apache a;
	size_t i;

	open_fixture();
	ck_assert_int_eq(pb_apache_members(&t, P(500), &a), 0);
	ck_assert_ptr_eq(a.master, P(500));
	/* 501..505, 507, 510, 511, 520..522, 530, 540: the zombie 506 and the grandchild 600 are not members */
	ck_assert_uint_eq(a.n, 13);
	ck_assert_ptr_null(member(&a, 506));
	ck_assert_ptr_null(member(&a, 600));
	ck_assert_ptr_null(member(&a, 500));
	for (i = 1; i < a.n; i++)
		ck_assert_int_lt(a.members[i - 1].proc->st.pid, a.members[i].proc->st.pid);
	/* mod_cgid's daemon: Apache's executable and command line, told apart by its own listening socket */
	expect(&a, 501, PB_APACHE_HELPER, "helper:cgisock");
	/* a connected socket (502) or a listening one the master holds too (503) leave a worker a worker */
	expect(&a, 502, PB_APACHE_WORKER, "workers");
	expect(&a, 503, PB_APACHE_WORKER, "workers");
	expect(&a, 504, PB_APACHE_WORKER, "workers");
	expect(&a, 505, PB_APACHE_WORKER, "workers");
	expect(&a, 507, PB_APACHE_WORKER, "workers");
	expect(&a, 510, PB_APACHE_WSGI, "wsgi:alpha");
	expect(&a, 511, PB_APACHE_WSGI, "wsgi:alpha");
	expect(&a, 520, PB_APACHE_WSGI, "wsgi:beta");
	expect(&a, 522, PB_APACHE_WSGI, "wsgi:beta");
	expect(&a, 530, PB_APACHE_WSGI, "wsgi:a-very-long-group-na");
	expect(&a, 540, PB_APACHE_HELPER, "helper:rotatelogs");
	ck_assert_int_eq(a.helpers_unknown, 0);
	pb_apache_free(&a);
	ck_assert_uint_eq(a.n, 0);
	ck_assert_ptr_null(a.members);

	/* a master without children: no members, not an error */
	ck_assert_int_eq(pb_apache_members(&t, P(701), &a), 0);
	ck_assert_uint_eq(a.n, 0);
	pb_apache_free(&a);
	close_fixture();
}
END_TEST

START_TEST(fixture_smaps)
{
	const struct pb_smaps *sm;

	open_fixture();
	/* smaps_rollup */
	sm = pb_smaps(&t, P(502));
	ck_assert_ptr_nonnull(sm);
	ck_assert_uint_eq(sm->rss, 8000 * 1024ULL);
	ck_assert_uint_eq(sm->pss, 3000 * 1024ULL);
	ck_assert_uint_eq(sm->private_clean + sm->private_dirty, 3000 * 1024ULL);
	/* a rollup without Swap lines: swap is 0, the rest stands */
	sm = pb_smaps(&t, P(504));
	ck_assert_ptr_nonnull(sm);
	ck_assert_uint_eq(sm->swap, 0);
	ck_assert_uint_eq(sm->pss, 5000 * 1024ULL);
	sm = pb_smaps(&t, P(505));
	ck_assert_uint_eq(sm->swap, 512 * 1024ULL);
	/* a kernel before smaps_rollup: the whole smaps, its mappings added up */
	sm = pb_smaps(&t, P(507));
	ck_assert_ptr_nonnull(sm);
	ck_assert_uint_eq(sm->rss, 8000 * 1024ULL);
	ck_assert_uint_eq(sm->pss, 5000 * 1024ULL);
	ck_assert_uint_eq(sm->private_clean + sm->private_dirty, 4800 * 1024ULL);
	ck_assert_uint_eq(sm->swap, 128 * 1024ULL);
	/* garbage: unreadable as smaps, and no race or permission problem either */
	ck_assert_ptr_null(pb_smaps(&t, P(540)));
	ck_assert_uint_eq(t.count.vanished[PB_F_SMAPS], 0);
	ck_assert_uint_eq(t.count.denied[PB_F_SMAPS], 0);
	/* no smaps at all (the zombie): counted as vanished, as the kernel's ENOENT would be */
	ck_assert_ptr_null(pb_smaps(&t, P(506)));
	ck_assert_uint_eq(t.count.vanished[PB_F_SMAPS], 1);
	close_fixture();
}
END_TEST

START_TEST(group_statistics)
{
	/* the fixture's workers, as apache-mem summarises them: stat rss of 502 503 504 505 507 */
	unsigned long long rss[5], pss[5];
	static const int workers[] = {502, 503, 504, 505, 507};
	struct pb_stats st;
	size_t i;

	open_fixture();
	for (i = 0; i < 5; i++) {
		rss[i] = pb_rss_bytes(&t, P(workers[i]));
		pss[i] = pb_smaps(&t, P(workers[i]))->pss;
	}
	ck_assert_int_eq(pb_stats_of(rss, 5, &st), 0);
	ck_assert_uint_eq(st.min, 2000ULL * (unsigned long long)root.page_size);
	ck_assert_uint_eq(st.max, 3000ULL * (unsigned long long)root.page_size);
	ck_assert_double_eq(st.median, 2200.0 * (double)root.page_size);
	ck_assert_uint_eq(st.total, 11800ULL * (unsigned long long)root.page_size);
	ck_assert_int_eq(pb_stats_of(pss, 5, &st), 0);
	/* 3000 3400 5000 6000 5000 kB */
	ck_assert_double_eq(st.median, 5000 * 1024.0);
	ck_assert_double_eq(st.average, 22400 * 1024.0 / 5);
	close_fixture();
}
END_TEST

static Suite *apache_suite(void)
{
	Suite *s = suite_create("apache");
	TCase *tc = tcase_create("apache");

	tcase_add_test(tc, wsgi_names);
	tcase_add_test(tc, masters);
	tcase_add_test(tc, master_of);
	tcase_add_test(tc, classification);
	tcase_add_test(tc, fixture_smaps);
	tcase_add_test(tc, group_statistics);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(apache_suite)
