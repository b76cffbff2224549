/* Unit tests of the guardian: stopped child processes, a caller killed by SIGKILL, timeouts, reused pids. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static struct pb_root root;

static void setup(void)
{
	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
}

static void teardown(void)
{
	pb_root_close(&root);
}

static struct pb_ident ident_of(pid_t pid)
{
	struct pb_pin pin;
	struct pb_ident id = {pid, 0};

	ck_assert_int_eq(pb_pin_open(&root, pid, 0, &pin), 0);
	id.starttime = pin.starttime;
	pb_pin_close(&pin);
	return id;
}

/* a state in want within 2 s; the last state seen otherwise */
static char wait_state(struct pb_ident id, const char *want)
{
	char s = 0;
	int i;

	for (i = 0; i < 200; i++) {
		s = pb_state(&root, id);
		if (s && strchr(want, s))
			return s;
		usleep(10000);
	}
	return s;
}

/* running again (R or S) within 2 s */
static int resumed(struct pb_ident id)
{
	char s = wait_state(id, "RS");

	return s == 'R' || s == 'S';
}

/* a child that sleeps until killed, stopped (state T) */
static struct pb_ident stopped_child(void)
{
	pid_t pid = fork();
	struct pb_ident id;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		for (;;)
			pause();
	id = ident_of(pid);
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	ck_assert_int_eq(wait_state(id, "T"), 'T');
	return id;
}

static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* what /proc/PID/fd/FD links to */
static void fd_link(pid_t pid, int fd, char *out, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, out, size - 1);
	out[n < 0 ? 0 : n] = 0;
}

/* the status of a guardian that a killed caller left to us (its subreaper) */
static int reap_status(pid_t pid)
{
	int status = -1, i;

	for (i = 0; i < 300; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	return -1;
}

START_TEST(done_leaves_them_stopped)
{
	struct pb_ident x = stopped_child();
	struct pb_guardian g;

	ck_assert_int_eq(pb_guardian_start(&g, &root, &x, 1, -1), 0);
	ck_assert_int_gt(g.pid, 0);
	ck_assert_int_eq(pb_guardian_done(&g), 0);
	ck_assert_int_eq(g.pid, 0);
	usleep(100000);
	ck_assert_int_eq(pb_state(&root, x), 'T');
	end_child(x.pid);
}
END_TEST

START_TEST(caller_killed_resumes_them)
{
	struct pb_ident x = stopped_child(), y = stopped_child(), ids[2] = {x, y};
	struct pb_guardian g;
	long long t0;
	pid_t caller;
	int p[2];

	/* the guardian outlives its caller and comes to us, so that its status can be read */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe(p), 0);
	caller = fork();
	ck_assert_int_ge(caller, 0);
	if (caller == 0) {
		if (pb_guardian_start(&g, &root, ids, 2, -1) || write(p[1], &g.pid, sizeof g.pid) != sizeof g.pid)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &g.pid, sizeof g.pid), sizeof g.pid);
	close(p[0]);
	ck_assert_int_eq(pb_state(&root, x), 'T');
	t0 = pb_now_ms();
	end_child(caller);
	ck_assert(resumed(x));
	ck_assert(resumed(y));
	ck_assert_int_lt(pb_now_ms() - t0, 1000);
	ck_assert_int_eq(reap_status(g.pid), 3 << 8);
	end_child(x.pid);
	end_child(y.pid);
}
END_TEST

START_TEST(timeout_resumes_them)
{
	struct pb_ident x = stopped_child();
	struct pb_guardian g;
	long long t0 = pb_now_ms();

	ck_assert_int_eq(pb_guardian_start(&g, &root, &x, 1, 300), 0);
	ck_assert(resumed(x));
	ck_assert_int_ge(pb_now_ms() - t0, 300);
	ck_assert_int_eq(pb_guardian_done(&g), 1);
	end_child(x.pid);
}
END_TEST

START_TEST(another_starttime_is_never_signalled)
{
	struct pb_ident x = stopped_child(), other = x;
	struct pb_guardian g;

	/* the pid of x, but the start time of a process that had it before: not x */
	other.starttime = x.starttime + 1;
	ck_assert_int_eq(pb_guardian_start(&g, &root, &other, 1, 50), 0);
	usleep(400000);
	ck_assert_int_eq(pb_state(&root, x), 'T');
	ck_assert_int_eq(pb_guardian_done(&g), 1);
	end_child(x.pid);
}
END_TEST

START_TEST(ended_process_is_no_error)
{
	struct pb_ident x = stopped_child();
	struct pb_guardian g;

	ck_assert_int_eq(pb_guardian_start(&g, &root, &x, 1, 100), 0);
	end_child(x.pid);
	usleep(300000);
	ck_assert_int_eq(pb_guardian_done(&g), 1);
}
END_TEST

START_TEST(termination_signals_resume_others_do_not)
{
	struct pb_ident x = stopped_child();
	struct pb_guardian g;

	ck_assert_int_eq(pb_guardian_start(&g, &root, &x, 1, -1), 0);
	/* blocked: nothing happens */
	ck_assert_int_eq(kill(g.pid, SIGUSR1), 0);
	ck_assert_int_eq(kill(g.pid, SIGPIPE), 0);
	usleep(200000);
	ck_assert_int_eq(pb_state(&root, x), 'T');
	ck_assert_int_eq(kill(g.pid, SIGTERM), 0);
	ck_assert(resumed(x));
	ck_assert_int_eq(pb_guardian_done(&g), 1);
	end_child(x.pid);
}
END_TEST

START_TEST(keeps_nothing_of_the_caller)
{
	struct pb_ident x = stopped_child();
	struct pb_guardian g;
	struct pollfd pfd;
	struct dirent *e;
	char path[64], link[256];
	DIR *d;
	int p[2], nfd = 0;

	ck_assert_int_eq(pipe(p), 0); /* inheritable, as a caller's stdout pipe is */
	ck_assert_int_eq(pb_guardian_start(&g, &root, &x, 1, -1), 0);
	/* the write end closed here is closed everywhere: the reader sees EOF at once */
	close(p[1]);
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
	ck_assert_int_eq(read(p[0], link, 1), 0);
	close(p[0]);
	/* its own session, in /, standard descriptors on /dev/null, and only its own few others */
	ck_assert_int_eq(getsid(g.pid), g.pid);
	snprintf(path, sizeof path, "/proc/%d/cwd", g.pid);
	ck_assert_int_eq(readlink(path, link, sizeof link), 1);
	ck_assert_int_eq(link[0], '/');
	for (p[0] = 0; p[0] < 3; p[0]++) {
		fd_link(g.pid, p[0], link, sizeof link);
		ck_assert_str_eq(link, "/dev/null");
	}
	snprintf(path, sizeof path, "/proc/%d/fd", g.pid);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		nfd++;
		fd_link(g.pid, atoi(e->d_name), link, sizeof link);
		ck_assert_msg(!strncmp(link, "/dev/null", 9) || !strncmp(link, "socket:", 7) ||
				      !strcmp(link, "anon_inode:[pidfd]") || !strcmp(link, "anon_inode:[signalfd]") ||
				      !strcmp(link, "/proc"),
			      "the guardian holds %s", link);
	}
	closedir(d);
	/* 0-2, the socket, the caller's pidfd, the signalfd, the proc root, x's pidfd */
	ck_assert_int_le(nfd, 8);
	ck_assert_int_eq(pb_guardian_done(&g), 0);
	end_child(x.pid);
}
END_TEST

START_TEST(caller_without_standard_descriptors)
{
	struct pb_ident x = stopped_child();
	struct pb_guardian g;
	struct pb_root r2;
	pid_t caller;
	int p[2];

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe(p), 0);
	caller = fork();
	ck_assert_int_ge(caller, 0);
	if (caller == 0) {
		/* the proc root, the pidfds and the socket pair all land on 0, 1, 2 and above */
		close(0);
		close(1);
		close(2);
		if (pb_root_open(&r2, "/proc") || pb_guardian_start(&g, &r2, &x, 1, -1) ||
		    write(p[1], &g.pid, sizeof g.pid) != sizeof g.pid)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &g.pid, sizeof g.pid), sizeof g.pid);
	close(p[0]);
	usleep(100000);
	ck_assert_int_eq(pb_state(&root, x), 'T');
	end_child(caller);
	ck_assert(resumed(x));
	ck_assert_int_eq(reap_status(g.pid), 3 << 8);
	end_child(x.pid);
}
END_TEST

START_TEST(saved_tree_refused)
{
	struct pb_root fixture;
	struct pb_guardian g;
	struct pb_ident id = {1, 1};

	ck_assert_int_eq(pb_root_open(&fixture, FIXTURES "/normal"), 0);
	errno = 0;
	ck_assert_int_eq(pb_guardian_start(&g, &fixture, &id, 1, -1), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(g.pid, 0);
	pb_root_close(&fixture);
	ck_assert_int_eq(pb_guardian_done(&g), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

static Suite *guardian_suite(void)
{
	Suite *s = suite_create("guardian");
	TCase *tc = tcase_create("guardian");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, done_leaves_them_stopped);
	tcase_add_test(tc, caller_killed_resumes_them);
	tcase_add_test(tc, timeout_resumes_them);
	tcase_add_test(tc, another_starttime_is_never_signalled);
	tcase_add_test(tc, ended_process_is_no_error);
	tcase_add_test(tc, termination_signals_resume_others_do_not);
	tcase_add_test(tc, keeps_nothing_of_the_caller);
	tcase_add_test(tc, caller_without_standard_descriptors);
	tcase_add_test(tc, saved_tree_refused);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(guardian_suite)
