/* Unit tests of the graphical session finder: bus addresses, the vote, ties, validation, pinning, sizes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static struct pb_root root;
static struct pb_table t;
static struct pb_session_search s;

static void vote(const char *tree, long uid, const char *files_root)
{
	ck_assert_int_eq(pb_root_open(&root, tree), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	memset(&s, 0, sizeof s);
	s.uid = uid;
	s.files_root = files_root;
	ck_assert_int_eq(pb_session_find(&t, &s), 0);
}

static void done(void)
{
	pb_session_free(&s);
	pb_table_free(&t);
	pb_root_close(&root);
}

/* the candidate whose oldest process is pid, or a failure */
static const struct pb_session *by_pid(int pid)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (s.candidates[i].oldest_pid == pid)
			return &s.candidates[i];
	ck_abort_msg("no candidate with oldest pid %d", pid);
	return NULL;
}

static int rank_of(int pid)
{
	return (int)(by_pid(pid) - s.candidates);
}

#define ck_value(x, var, lit)                                                                                      \
	do {                                                                                                       \
		ck_assert_ptr_nonnull((x)->value[var]);                                                            \
		ck_assert_uint_eq((x)->len[var], sizeof(lit) - 1);                                                 \
		ck_assert_mem_eq((x)->value[var], lit, sizeof(lit) - 1);                                           \
		ck_assert_int_eq((x)->value[var][sizeof(lit) - 1], 0);                                             \
	} while (0)

/* ---- bus addresses ---- */

/* the kinds of every entry, as a string: P path, A abstract, U unchecked, M malformed */
static const char *kinds(const char *buf, size_t len)
{
	static char out[32];
	struct pb_bus_addr a;
	size_t pos = 0, n = 0;

	while (n < sizeof out - 1 && pb_parse_bus_address(buf, len, &pos, &a))
		out[n++] = "PAUM"[a.kind];
	out[n] = 0;
	return out;
}

START_TEST(bus_address_kinds)
{
	ck_assert_str_eq(kinds(S("")), "");
	ck_assert_str_eq(kinds(S(";;;")), "");
	ck_assert_str_eq(kinds(S("unix:path=/run/user/1000/bus")), "P");
	ck_assert_str_eq(kinds(S("unix:guid=abc,path=/tmp/x")), "P");
	ck_assert_str_eq(kinds(S("unix:abstract=/tmp/dbus-x,guid=1")), "A");
	ck_assert_str_eq(kinds(S("tcp:host=localhost,port=1")), "U");
	ck_assert_str_eq(kinds(S("launchd:env=X")), "U");
	ck_assert_str_eq(kinds(S("unix:tmpdir=/tmp")), "U");
	ck_assert_str_eq(kinds(S("unix:runtime=yes")), "U");
	ck_assert_str_eq(kinds(S("unix:path=/a;tcp:host=h;unix:abstract=b;;x")), "PUAM");
	ck_assert_str_eq(kinds(S("nocolon")), "M");
	ck_assert_str_eq(kinds(S(":path=/x")), "M");
	ck_assert_str_eq(kinds(S("unix:")), "M");
	ck_assert_str_eq(kinds(S("unix:guid=1")), "M");
	ck_assert_str_eq(kinds(S("unix:path=")), "M");
	ck_assert_str_eq(kinds(S("unix:path=%zz")), "M");
	ck_assert_str_eq(kinds(S("unix:path=/x%4")), "M");
	ck_assert_str_eq(kinds(S("unix:path=/x%")), "M");
	ck_assert_str_eq(kinds(S("unix:path=/a%00b")), "M");
	ck_assert_str_eq(kinds(S("unix:pathx=/a")), "M");
}
END_TEST

START_TEST(bus_address_values)
{
	static char long_path[6000];
	struct pb_bus_addr a;
	size_t pos = 0;
	const char *addr = "unix:path=/run/user/1000/b%75s%2C,guid=9;unix:abstract=/tmp/dbus-%41bc";

	ck_assert_int_eq(pb_parse_bus_address(addr, strlen(addr), &pos, &a), 1);
	ck_assert_int_eq(a.kind, PB_BUS_UNIX_PATH);
	ck_assert_str_eq(a.path, "/run/user/1000/bus,");
	ck_assert_uint_eq(a.path_len, strlen("/run/user/1000/bus,"));
	ck_assert_int_eq(pb_parse_bus_address(addr, strlen(addr), &pos, &a), 1);
	ck_assert_int_eq(a.kind, PB_BUS_UNIX_ABSTRACT);
	ck_assert_str_eq(a.path, "/tmp/dbus-Abc");
	ck_assert_int_eq(pb_parse_bus_address(addr, strlen(addr), &pos, &a), 0);
	/* a buffer without a final NUL: the length is the end */
	pos = 0;
	ck_assert_int_eq(pb_parse_bus_address("unix:path=/ab;tcp:", 12, &pos, &a), 1);
	ck_assert_str_eq(a.path, "/a");
	ck_assert_int_eq(pb_parse_bus_address("unix:path=/ab;tcp:", 12, &pos, &a), 0);
	/* a path longer than any path: malformed, not truncated */
	memcpy(long_path, "unix:path=/", 11);
	memset(long_path + 11, 'x', sizeof long_path - 12);
	pos = 0;
	ck_assert_int_eq(pb_parse_bus_address(long_path, strlen(long_path), &pos, &a), 1);
	ck_assert_int_eq(a.kind, PB_BUS_MALFORMED);
}
END_TEST

/* ---- the vote on the gui fixture tree ---- */

START_TEST(vote_winner_and_counters)
{
	const struct pb_session *w;

	vote(FIXTURES "/gui", -1, NULL);
	ck_assert_int_eq(s.found, 1);
	w = &s.candidates[0];
	/* alice's live session (5 processes) beats her stale tmux (6 processes, bus socket gone) */
	ck_assert_uint_eq(w->uid, 1000);
	ck_assert_uint_eq(w->gid, 1000);
	ck_assert_uint_eq(w->procs, 5);
	ck_assert_int_eq(w->oldest_pid, 100);
	ck_assert_int_eq(w->nvars, 2);
	ck_value(w, PB_SV_DISPLAY, ":0");
	ck_value(w, PB_SV_BUS, "unix:abstract=/tmp/dbus-pbguiAlice,guid=0123456789abcdef");
	/* empty XAUTHORITY= and WAYLAND_DISPLAY= of pid 104 count as unset, so 104 is one of the five */
	ck_assert_ptr_null(w->value[PB_SV_XAUTHORITY]);
	ck_assert_ptr_null(w->value[PB_SV_WAYLAND]);
	ck_assert_ptr_null(w->value[PB_SV_RUNTIME]);
	ck_assert_int_eq(w->bus_filled, 0);
	ck_assert_int_eq(w->reject, PB_SR_NONE);
	/* 43 processes: kthreadd and the zombie are not looked at */
	ck_assert_uint_eq(t.n, 43);
	ck_assert_uint_eq(s.screened, 41);
	ck_assert_uint_eq(s.carriers, 37);
	ck_assert_uint_eq(s.malformed, 1); /* 184: status without Uid */
	ck_assert_uint_eq(s.other_uid, 0);
	ck_assert_uint_eq(s.vanished, 0);
	ck_assert_uint_eq(s.denied, 0);
	ck_assert_uint_eq(s.n, 18);
	done();
}
END_TEST

/* the vote's first look done during the scan (pb_session_scan) gives the same candidates and counters, and
 * keeps no environment in the table */
START_TEST(vote_during_scan)
{
	struct pb_session_search once;
	size_t i;

	vote(FIXTURES "/gui", -1, NULL);
	once = s;
	s.candidates = NULL;
	s.n = 0;
	pb_table_free(&t);
	ck_assert_int_eq(pb_session_scan(&root, &t), 0);
	for (i = 0; i < t.n; i++)
		ck_assert_ptr_null(t.procs[i].x); /* nothing kept per process */
	memset(&s, 0, sizeof s);
	s.uid = -1;
	ck_assert_int_eq(pb_session_find(&t, &s), 0);
	ck_assert_uint_eq(s.n, once.n);
	ck_assert_uint_eq(s.screened, once.screened);
	ck_assert_uint_eq(s.carriers, once.carriers);
	ck_assert_uint_eq(s.malformed, once.malformed);
	ck_assert_int_eq(s.found, 1);
	for (i = 0; i < s.n; i++) {
		ck_assert_int_eq(s.candidates[i].oldest_pid, once.candidates[i].oldest_pid);
		ck_assert_uint_eq(s.candidates[i].procs, once.candidates[i].procs);
		ck_assert_int_eq(s.candidates[i].reject, once.candidates[i].reject);
	}
	pb_session_free(&once);
	done();
}
END_TEST

START_TEST(vote_stale_loses)
{
	const struct pb_session *x;

	vote(FIXTURES "/gui", -1, NULL);
	x = by_pid(110);
	ck_assert_uint_eq(x->procs, 6);
	ck_assert_int_eq(x->reject, PB_SR_BUS_GONE);
	ck_assert_int_eq(by_pid(170)->reject, PB_SR_BUS_GONE); /* abstract socket not in net/unix */
	ck_assert_int_eq(by_pid(173)->reject, PB_SR_BUS_GONE); /* "nonsense" */
	ck_assert_int_eq(by_pid(174)->reject, PB_SR_BUS_GONE); /* bad escape */
	ck_assert_int_eq(by_pid(168)->reject, PB_SR_RUNTIME_DIR_GONE);
	ck_assert_int_eq(by_pid(169)->reject, PB_SR_XAUTHORITY_GONE);
	ck_assert_int_eq(by_pid(172)->reject, PB_SR_NONE); /* one live entry in the list is enough */
	ck_assert_int_eq(by_pid(140)->reject, PB_SR_NONE); /* tcp: nothing to check */
	ck_assert_int_eq(by_pid(120)->reject, PB_SR_NONE);
	/* all the rejected rank after all the valid ones, even with more processes */
	ck_assert_int_eq(rank_of(110), 12);
	for (size_t i = 0; i < s.n; i++)
		ck_assert_int_eq(s.candidates[i].reject != PB_SR_NONE, i >= 12);
	done();
}
END_TEST

START_TEST(vote_ties)
{
	vote(FIXTURES "/gui", -1, NULL);
	/* carol and dave have 3 processes each: carol has two variables, dave one */
	ck_assert_int_eq(rank_of(140), 1);
	ck_assert_int_eq(rank_of(145), 2);
	/* erin: 2 and 2 processes, one variable each: the session whose oldest process started first */
	ck_assert_int_lt(rank_of(152), rank_of(150));
	/* frank: started in the same tick: the lower pid */
	ck_assert_int_lt(rank_of(160), rank_of(161));
	done();
	vote(FIXTURES "/gui", 1004, NULL);
	ck_assert_int_eq(s.found, 1);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":40");
	ck_assert_uint_eq(s.n, 2);
	done();
	vote(FIXTURES "/gui", 1005, NULL);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":5");
	done();
}
END_TEST

START_TEST(vote_user_filter)
{
	const struct pb_session *w;

	vote(FIXTURES "/gui", 1001, NULL);
	ck_assert_int_eq(s.found, 1);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.other_uid, 34); /* 37 carriers, one without a uid, two of bob */
	w = &s.candidates[0];
	/* Wayland: no DISPLAY */
	ck_assert_uint_eq(w->uid, 1001);
	ck_assert_ptr_null(w->value[PB_SV_DISPLAY]);
	ck_value(w, PB_SV_WAYLAND, "wayland-0");
	ck_value(w, PB_SV_RUNTIME, "/tmp");
	ck_assert_uint_eq(w->nvars, 3);
	done();
	/* a user whose every candidate is stale: nothing found, the candidates still reported */
	vote(FIXTURES "/gui", 1010, NULL);
	ck_assert_int_eq(s.found, 0);
	ck_assert_uint_eq(s.n, 2);
	done();
	/* a user without processes */
	vote(FIXTURES "/gui", 4242, NULL);
	ck_assert_int_eq(s.found, 0);
	ck_assert_uint_eq(s.n, 0);
	done();
	/* root's own */
	vote(FIXTURES "/gui", 0, NULL);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":1");
	done();
}
END_TEST

START_TEST(vote_bytes_kept)
{
	vote(FIXTURES "/gui", 1006, NULL);
	ck_assert_uint_eq(s.n, 2);
	/* not UTF-8, a quote, a newline: kept byte for byte; one byte apart is another candidate */
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":6\xff\xfe'q\nx");
	ck_assert_uint_eq(s.candidates[0].procs, 2);
	ck_value(&s.candidates[1], PB_SV_DISPLAY, ":6\xff\xfd'q\nx");
	done();
}
END_TEST

START_TEST(vote_skips_non_carriers)
{
	size_t i;

	vote(FIXTURES "/gui", 1000, NULL);
	/* the kernel thread's :66, the zombie's :99, the empty DISPLAY of 181 never count */
	for (i = 0; i < s.n; i++) {
		ck_assert_int_ne(s.candidates[i].oldest_pid, 2);
		ck_assert_int_ne(s.candidates[i].oldest_pid, 180);
		ck_assert_int_ne(s.candidates[i].oldest_pid, 181);
		ck_assert_int_ne(s.candidates[i].oldest_pid, 184);
	}
	/* first DISPLAY= wins in 101 (a second DISPLAY=:9 follows), 103 lacks the final NUL: both are alice's */
	ck_assert_uint_eq(s.candidates[0].procs, 5);
	ck_assert_uint_eq(s.n, 2);
	done();
}
END_TEST

/* ---- validation against a files root ---- */

START_TEST(validation_files_root)
{
	const struct pb_session *x;

	vote(FIXTURES "/gui-fs/proc", -1, FIXTURES "/gui-fs/files");
	ck_assert_int_eq(s.found, 1);
	x = &s.candidates[0];
	/* alice: XAUTHORITY and XDG_RUNTIME_DIR exist; no bus address, but /run/user/1000/bus exists */
	ck_assert_uint_eq(x->uid, 1000);
	ck_assert_uint_eq(x->procs, 2);
	ck_value(x, PB_SV_XAUTHORITY, "/home/alice/.Xauthority");
	ck_value(x, PB_SV_BUS, "unix:path=/run/user/1000/bus");
	ck_assert_int_eq(x->bus_filled, 1);
	ck_assert_int_eq(x->nvars, 3); /* the filled-in bus is not a vote */
	/* an escaped path that exists */
	ck_assert_int_eq(by_pid(110)->reject, PB_SR_NONE);
	/* a list with a gone path and a live one */
	ck_assert_int_eq(by_pid(150)->reject, PB_SR_NONE);
	/* XDG_RUNTIME_DIR is a file: not a runtime directory */
	ck_assert_int_eq(by_pid(130)->reject, PB_SR_RUNTIME_DIR_GONE);
	/* a relative path cannot be checked: it does not reject */
	ck_assert_int_eq(by_pid(131)->reject, PB_SR_NONE);
	/* only the winner is filled in */
	ck_assert_ptr_null(by_pid(131)->value[PB_SV_BUS]);
	done();
	/* bob: /run/user/1001 exists, but holds no bus: nothing filled in */
	vote(FIXTURES "/gui-fs/proc", 1001, FIXTURES "/gui-fs/files");
	ck_assert_int_eq(s.found, 1);
	ck_assert_ptr_null(s.candidates[0].value[PB_SV_BUS]);
	ck_assert_int_eq(s.candidates[0].bus_filled, 0);
	done();
}
END_TEST

START_TEST(unusable_files_root)
{
	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/gui"), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	memset(&s, 0, sizeof s);
	s.uid = -1;
	s.files_root = FIXTURES "/no-such-dir";
	ck_assert_int_eq(pb_session_find(&t, &s), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(s.candidates);
	ck_assert_uint_eq(s.n, 0);
	pb_table_free(&t);
	pb_root_close(&root);
}
END_TEST

/* ---- generated trees: sizes and a pid reused between the scan and the pin ---- */

static char tmp_tree[64];

static void write_file(const char *dir, int pid, const char *name, const void *data, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/%d", dir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%d/%s", dir, pid, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void make_proc(const char *dir, int pid, unsigned int uid, unsigned long long start, const char *env,
		      size_t env_len)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof buf,
		     "%d (p%d) S 1 %d %d 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 %llu 1048576 256 18446744073709551615 "
		     "1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0\n",
		     pid, pid, pid, pid, start);
	write_file(dir, pid, "stat", buf, (size_t)n);
	n = snprintf(buf, sizeof buf, "Name:\tp%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t\n", pid, uid, uid,
		     uid, uid, uid, uid, uid, uid);
	write_file(dir, pid, "status", buf, (size_t)n);
	write_file(dir, pid, "environ", env, env_len);
}

static void rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_tree);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(huge_environments)
{
	size_t big = 8u << 20, vlen = 1u << 20, i, off;
	char *env = malloc(big + vlen + 64), small[64];
	int pid, n;

	ck_assert_ptr_nonnull(env);
	strcpy(tmp_tree, "/tmp/pbgui-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_tree));
	/* 8 MiB of other variables, then a 1 MiB DISPLAY at the very end, without a final NUL */
	for (off = 0, i = 0; off + 40 < big; i++)
		off += (size_t)sprintf(env + off, "FILLER_%zu=%032zu", i, i) + 1;
	memcpy(env + off, "DISPLAY=", 8);
	memset(env + off + 8, 'd', vlen);
	make_proc(tmp_tree, 10, 1000, 100, env, off + 8 + vlen);
	make_proc(tmp_tree, 11, 1000, 101, env, off + 8 + vlen);
	/* 3000 processes with a DISPLAY each of their own: 3000 candidates of one process */
	for (pid = 100; pid < 3100; pid++) {
		n = snprintf(small, sizeof small, "DISPLAY=:%d", pid);
		make_proc(tmp_tree, pid, 2000, 50, small, (size_t)n + 1);
	}
	vote(tmp_tree, -1, NULL);
	ck_assert_int_eq(s.found, 1);
	ck_assert_uint_eq(s.n, 3001);
	ck_assert_uint_eq(s.candidates[0].procs, 2);
	ck_assert_uint_eq(s.candidates[0].len[PB_SV_DISPLAY], vlen);
	ck_assert_int_eq(s.candidates[0].value[PB_SV_DISPLAY][vlen - 1], 'd');
	ck_assert_int_eq(s.candidates[0].value[PB_SV_DISPLAY][vlen], 0);
	/* the rest tie at one process and one variable, all started at 50: by pid */
	ck_assert_int_eq(s.candidates[1].oldest_pid, 100);
	ck_assert_int_eq(s.candidates[3000].oldest_pid, 3099);
	done();
	free(env);
	rm_tree();
}
END_TEST

START_TEST(reused_pid_is_caught)
{
	const char alice[] = "DISPLAY=:0", mallory[] = "DISPLAY=:666";
	char buf[256];
	int pid;

	strcpy(tmp_tree, "/tmp/pbgui-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_tree));
	make_proc(tmp_tree, 10, 1000, 100, alice, sizeof alice);
	for (pid = 11; pid < 14; pid++)
		make_proc(tmp_tree, pid, 1000, 100 + (unsigned)pid, alice, sizeof alice);
	ck_assert_int_eq(pb_root_open(&root, tmp_tree), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	/* after the scan, pid 11 is another process of another user, and pid 12 is gone: the scanned starttime
	 * tells the new 11 apart, so neither its uid nor its environment counts for anyone */
	make_proc(tmp_tree, 11, 6666, 99999, mallory, sizeof mallory);
	snprintf(buf, sizeof buf, "rm -rf '%s/12'", tmp_tree);
	ck_assert_int_eq(system(buf), 0);
	memset(&s, 0, sizeof s);
	s.uid = -1;
	ck_assert_int_eq(pb_session_find(&t, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.candidates[0].uid, 1000);
	ck_assert_uint_eq(s.candidates[0].procs, 2);
	/* 11 was reused and counts as vanished; 12's environment was gone before the table read it */
	ck_assert_uint_eq(s.vanished, 1);
	ck_assert_uint_eq(t.count.vanished[PB_F_ENVIRON], 1);
	done();
	rm_tree();
}
END_TEST

/* ---- a live process ---- */

START_TEST(live_process)
{
	char *const argv[] = {"sleep", "30", NULL};
	char *const envp[] = {"PATH=/usr/bin:/bin", "DISPLAY=:4242.0", "XDG_RUNTIME_DIR=/", NULL};
	pid_t child = fork();
	const struct pb_session *x;
	long long end = pb_now_ms() + 5000;

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* wait until the exec happened: the environment is the new one then */
	for (;;) {
		char path[64];
		struct pb_buf b;
		pb_buf_init(&b);
		snprintf(path, sizeof path, "/proc/%d/environ", (int)child);
		int ok = pb_read_at(AT_FDCWD, path, &b) == 0 && memmem(b.data, b.len, "DISPLAY=:4242.0", 15);
		pb_buf_free(&b);
		if (ok)
			break;
		ck_assert_msg(pb_now_ms() < end, "child did not exec");
		usleep(10000);
	}
	vote("/proc", (long)getuid(), NULL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	x = NULL;
	for (size_t i = 0; i < s.n; i++)
		if (s.candidates[i].value[PB_SV_DISPLAY] && !strcmp(s.candidates[i].value[PB_SV_DISPLAY], ":4242.0"))
			x = &s.candidates[i];
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->uid, getuid());
	ck_assert_uint_eq(x->gid, getgid());
	ck_assert_int_eq(x->oldest_pid, child);
	ck_assert_uint_eq(x->procs, 1);
	ck_assert_int_eq(x->reject, PB_SR_NONE);
	done();
}
END_TEST

static Suite *session_suite(void)
{
	Suite *su = suite_create("session");
	TCase *tc = tcase_create("bus");
	TCase *tv = tcase_create("vote");
	TCase *tg = tcase_create("generated");

	tcase_add_test(tc, bus_address_kinds);
	tcase_add_test(tc, bus_address_values);
	suite_add_tcase(su, tc);
	tcase_add_test(tv, vote_winner_and_counters);
	tcase_add_test(tv, vote_during_scan);
	tcase_add_test(tv, vote_stale_loses);
	tcase_add_test(tv, vote_ties);
	tcase_add_test(tv, vote_user_filter);
	tcase_add_test(tv, vote_bytes_kept);
	tcase_add_test(tv, vote_skips_non_carriers);
	tcase_add_test(tv, validation_files_root);
	tcase_add_test(tv, unusable_files_root);
	suite_add_tcase(su, tv);
	tcase_set_timeout(tg, 60);
	tcase_add_test(tg, huge_environments);
	tcase_add_test(tg, reused_pid_is_caught);
	tcase_add_test(tg, live_process);
	suite_add_tcase(su, tg);
	return su;
}

SUITE_MAIN(session_suite)
