/* The race test: scan and read the files of children that a helper keeps spawning and reaping. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define CHILDREN 25
#define SECONDS 10

/* keeps ~25 short-lived children running: each lives 0-4 ms, then is reaped */
static void spawner(void)
{
	int alive = 0;
	unsigned int seed = (unsigned int)getpid();

	for (;;) {
		while (alive < CHILDREN) {
			pid_t c = fork();
			if (c == 0) {
				usleep((useconds_t)(rand_r(&seed) % 4000));
				_exit(0);
			}
			if (c > 0)
				alive++;
			seed += 7;
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			alive--;
		usleep(100);
	}
}

static int sane(const struct pb_table *t, const struct pb_proc *p)
{
	return p->st.pid > 0 && p->st.ppid >= 0 && p->st.comm_len < PB_COMM_MAX &&
	       strlen(p->st.comm) == p->st.comm_len && strchr("RSDZTtWXxKPI", p->st.state) &&
	       (p->parent < 0 || t->procs[p->parent].st.pid == p->st.ppid);
}

static int all_risen(const struct pb_counters *c)
{
	return c->vanished[PB_F_STAT] && c->vanished[PB_F_CMDLINE] && c->vanished[PB_F_ENVIRON] &&
	       c->vanished[PB_F_EXE] && c->vanished[PB_F_STATUS];
}

START_TEST(race_counters_rise)
{
	struct pb_root root;
	struct pb_table t;
	struct pb_counters total = {0};
	struct pb_proc *sp, *c;
	pid_t spid;
	long long start, end;
	unsigned long scans = 0, reads = 0;
	size_t i, len;
	int k;

	spid = fork();
	ck_assert_int_ge(spid, 0);
	if (spid == 0)
		spawner();
	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	start = pb_now_ms();
	end = start + SECONDS * 1000;
	/* at least SECONDS; on a loaded machine a race can take longer to show, so go on (up to 4 times as
	 * long) while any counter is still at zero */
	while (pb_now_ms() < end || (!all_risen(&total) && pb_now_ms() < start + 4 * SECONDS * 1000)) {
		ck_assert_int_eq(pb_scan(&root, &t), 0);
		scans++;
		for (i = 0; i < t.n; i++)
			ck_assert_msg(sane(&t, &t.procs[i]), "garbage entry for pid %d", t.procs[i].st.pid);
		sp = pb_find_pid(&t, spid);
		ck_assert_ptr_nonnull(sp);
		/* the deliberate delay: some children end between the scan and the reads */
		usleep(1500);
		for (c = pb_first_child(&t, sp); c; c = pb_next_sibling(&t, c)) {
			const char *cmd = pb_cmdline(&t, c, &len);
			if (len)
				ck_assert_ptr_nonnull(memmem(cmd, len, "check_race", 10));
			pb_environ(&t, c, &len);
			pb_exe(&t, c);
			pb_status(&t, c);
			reads++;
		}
		for (k = 0; k < PB_F_COUNT; k++)
			total.vanished[k] += t.count.vanished[k];
		total.malformed += t.count.malformed;
		pb_table_free(&t);
	}
	kill(spid, SIGKILL);
	waitpid(spid, NULL, 0);
	pb_root_close(&root);
	printf("race: %lu scans, %lu child reads; vanished stat %lu cmdline %lu environ %lu exe %lu status %lu\n", scans,
	       reads, total.vanished[PB_F_STAT], total.vanished[PB_F_CMDLINE], total.vanished[PB_F_ENVIRON],
	       total.vanished[PB_F_EXE], total.vanished[PB_F_STATUS]);
	ck_assert_uint_eq(total.malformed, 0);
	ck_assert_uint_gt(total.vanished[PB_F_STAT], 0);
	ck_assert_uint_gt(total.vanished[PB_F_CMDLINE], 0);
	ck_assert_uint_gt(total.vanished[PB_F_ENVIRON], 0);
	ck_assert_uint_gt(total.vanished[PB_F_EXE], 0);
	ck_assert_uint_gt(total.vanished[PB_F_STATUS], 0);
}
END_TEST

static Suite *race_suite(void)
{
	Suite *s = suite_create("race");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, SECONDS * 8);
	tcase_add_test(tc, race_counters_rise);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(race_suite)
