/* Unit tests of identity, signals, waiting and terminating, against real child processes. */
#include <errno.h>
#include <signal.h>
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

/* mode 0: sleeps; 1: ignores SIGTERM; 2: exits 0 on SIGTERM */
static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static pid_t child(int mode)
{
	int p[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (mode == 1)
			signal(SIGTERM, SIG_IGN);
		if (mode == 2)
			signal(SIGTERM, on_term);
		close(p[0]);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(p[1]);
	/* ready once the handlers are in place */
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

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

START_TEST(alive_then_zombie_then_gone)
{
	pid_t pid = child(0);
	struct pb_ident id = ident_of(pid);
	int status;

	ck_assert_int_eq(pb_is_alive(&root, id), 1);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	/* not reaped yet: a zombie, which counts as ended */
	ck_assert_int_eq(wait_state(id, "Z"), 'Z');
	ck_assert_int_eq(pb_is_alive(&root, id), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(pb_is_alive(&root, id), 0);
	ck_assert_int_eq(pb_state(&root, id), 0);
	ck_assert_int_eq(pb_signal(&root, id, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

START_TEST(reused_pid_is_another_process)
{
	pid_t pid = child(0);
	struct pb_ident id = ident_of(pid), other = id;

	other.starttime++;
	ck_assert_int_eq(pb_is_alive(&root, other), 0);
	ck_assert_int_eq(pb_signal(&root, other, SIGKILL), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* the real one was not touched */
	ck_assert_int_eq(pb_is_alive(&root, id), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(suspend_resume)
{
	pid_t pid = child(0);
	struct pb_ident id = ident_of(pid);

	ck_assert_int_eq(pb_suspend(&root, id), 0);
	ck_assert_int_eq(wait_state(id, "T"), 'T');
	ck_assert_int_eq(pb_is_alive(&root, id), 1);
	ck_assert_int_eq(pb_resume(&root, id), 0);
	ck_assert(strchr("SR", wait_state(id, "SR")));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(stop_terminates_politely)
{
	pid_t pid = child(2);
	struct pb_ident id = ident_of(pid);
	enum pb_stop_result r;
	int status;

	ck_assert_int_eq(pb_stop(&root, id, SIGTERM, 5000, 0, &r), 0);
	ck_assert_int_eq(r, PB_STOP_TERMINATED);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(stop_kills_after_timeout)
{
	pid_t pid = child(1);
	struct pb_ident id = ident_of(pid);
	enum pb_stop_result r;
	long long t0 = pb_now_ms();
	int status;

	ck_assert_int_eq(pb_stop(&root, id, SIGTERM, 300, 0, &r), 0);
	ck_assert_int_eq(r, PB_STOP_KILLED);
	ck_assert_int_ge(pb_now_ms() - t0, 300);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
END_TEST

START_TEST(stop_no_kill_reports_survivor)
{
	pid_t pid = child(1);
	struct pb_ident id = ident_of(pid);
	enum pb_stop_result r;

	ck_assert_int_eq(pb_stop(&root, id, SIGTERM, 100, 1, &r), 0);
	ck_assert_int_eq(r, PB_STOP_SURVIVED);
	ck_assert_int_eq(pb_is_alive(&root, id), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(stop_stopped_process_gets_sigcont)
{
	pid_t pid = child(2);
	struct pb_ident id = ident_of(pid);
	enum pb_stop_result r;
	int status;

	kill(pid, SIGSTOP);
	ck_assert_int_eq(wait_state(id, "T"), 'T');
	ck_assert_int_eq(pb_stop(&root, id, SIGTERM, 5000, 0, &r), 0);
	ck_assert_int_eq(r, PB_STOP_TERMINATED);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(stop_gone)
{
	pid_t pid = child(0);
	struct pb_ident id = ident_of(pid);
	enum pb_stop_result r;

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(pb_stop(&root, id, SIGTERM, 100, 0, &r), 0);
	ck_assert_int_eq(r, PB_STOP_GONE);
}
END_TEST

START_TEST(waitset_mixed)
{
	pid_t a = child(0), b = child(0), c = child(0);
	struct pb_ident ids[4] = {ident_of(a), ident_of(b), ident_of(c), {0x7ffffffe, 1}};
	struct pb_waitset ws;
	long left;

	ck_assert_int_eq(pb_waitset_init(&ws, &root, ids, 4), 0);
	/* a pid that does not exist has ended already */
	ck_assert_uint_eq(ws.left, 3);
	ck_assert_int_eq(pb_waitset_wait(&ws, 50), 3);
	kill(b, SIGKILL); /* left a zombie: ended */
	left = pb_waitset_wait(&ws, 5000);
	ck_assert_int_eq(left, 2);
	ck_assert_int_eq(ws.ended[1], 1);
	kill(a, SIGKILL);
	kill(c, SIGKILL);
	while (left > 0)
		left = pb_waitset_wait(&ws, 5000);
	ck_assert_int_eq(left, 0);
	pb_waitset_free(&ws);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	waitpid(c, NULL, 0);
}
END_TEST

START_TEST(waitset_not_our_child)
{
	/* a grandchild: we are not its parent, so only /proc and pidfds can tell when it ends */
	int p[2];
	pid_t mid, gc;
	struct pb_ident id;
	struct pb_waitset ws;

	ck_assert_int_eq(pipe(p), 0);
	mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			sleep(1);
			_exit(0);
		}
		if (write(p[1], &g, sizeof g) != sizeof g)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &gc, sizeof gc), (ssize_t)sizeof gc);
	waitpid(mid, NULL, 0);
	id = ident_of(gc);
	ck_assert_int_eq(pb_waitset_init(&ws, &root, &id, 1), 0);
	ck_assert_int_eq(pb_waitset_wait(&ws, 50), 1);
	while (pb_waitset_wait(&ws, 5000) > 0)
		;
	ck_assert_int_eq(pb_is_alive(&root, id), 0);
	pb_waitset_free(&ws);
}
END_TEST

START_TEST(fixture_root_never_signals)
{
	struct pb_root fake;
	struct pb_ident id = {getpid(), 1};

	ck_assert_int_eq(pb_root_open(&fake, FIXTURES "/normal"), 0);
	ck_assert_int_eq(pb_signal(&fake, id, 0), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	pb_root_close(&fake);
}
END_TEST

static Suite *signal_suite(void)
{
	Suite *s = suite_create("signal");
	TCase *tc = tcase_create("children");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, alive_then_zombie_then_gone);
	tcase_add_test(tc, reused_pid_is_another_process);
	tcase_add_test(tc, suspend_resume);
	tcase_add_test(tc, stop_terminates_politely);
	tcase_add_test(tc, stop_kills_after_timeout);
	tcase_add_test(tc, stop_no_kill_reports_survivor);
	tcase_add_test(tc, stop_stopped_process_gets_sigcont);
	tcase_add_test(tc, stop_gone);
	tcase_add_test(tc, waitset_mixed);
	tcase_add_test(tc, waitset_not_our_child);
	tcase_add_test(tc, fixture_root_never_signals);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(signal_suite)
