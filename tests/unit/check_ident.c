/* Unit tests of process identities: PID@STARTTIME, the clock a start time is checked against, live roots. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

/* pb_parse_ident on a string: its result, with the identity and errno of the call */
static struct pb_ident id;
static int parse(const char *s, size_t len)
{
	memset(&id, 0x55, sizeof id);
	errno = 0;
	return pb_parse_ident(s, len, &id);
}

#define PARSE(lit) parse(S(lit))

START_TEST(pid_alone)
{
	ck_assert_int_eq(PARSE("1"), 0);
	ck_assert_int_eq(id.pid, 1);
	ck_assert_uint_eq(id.starttime, 0);
	ck_assert_int_eq(PARSE("2147483647"), 0);
	ck_assert_int_eq(id.pid, INT_MAX);
	/* the buffer's length decides, not a NUL */
	ck_assert_int_eq(parse("12@34", 2), 0);
	ck_assert_int_eq(id.pid, 12);
}
END_TEST

START_TEST(pid_and_starttime)
{
	ck_assert_int_eq(PARSE("4242@123456"), 1);
	ck_assert_int_eq(id.pid, 4242);
	ck_assert_uint_eq(id.starttime, 123456);
	/* 0 is a start time too (a process started in the first tick after boot), told apart by the result */
	ck_assert_int_eq(PARSE("2@0"), 1);
	ck_assert_uint_eq(id.starttime, 0);
	ck_assert_int_eq(PARSE("2@000"), 1);
	ck_assert_uint_eq(id.starttime, 0);
	ck_assert_int_eq(PARSE("7@18446744073709551615"), 1);
	ck_assert_uint_eq(id.starttime, ~0ULL);
}
END_TEST

/* each of these is no pid: EINVAL */
static const char *const bad_pids[] = {
	"", "0", "00", "-1", "+1", " 1", "1 ", "\t1", "1\n", "0x10", "1x", "x", "1.0", "1e3", "2147483648",
	"99999999999999999999999", "@5", "-1@5", " 1@5", "1 @5", "\xff" "1",
};

START_TEST(bad_pid)
{
	const char *s = bad_pids[_i];

	ck_assert_msg(parse(s, strlen(s)) == -1 && errno == EINVAL, "'%s' taken: pid %d", s, id.pid);
}
END_TEST

/* each of these has a pid but no start time in clock ticks: EDOM */
static const char *const bad_starttimes[] = {
	"1@", "1@@5", "1@5@6", "1@-5", "1@+5", "1@ 5", "1@5 ", "1@5\n", "1@0x5", "1@5x", "1@1.5", "1@5.", "1@.5",
	"1@1e9", "1@1796391835.45", "1@18446744073709551616", "1@99999999999999999999999", "1@-0", "1@\xc2\xb2",
};

START_TEST(bad_starttime)
{
	const char *s = bad_starttimes[_i];

	ck_assert_msg(parse(s, strlen(s)) == -1 && errno == EDOM, "'%s' taken: start %llu (errno %d)", s,
		      id.starttime, errno);
}
END_TEST

START_TEST(embedded_nul)
{
	ck_assert_int_eq(parse("12\0", 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(parse("12@5\0", 5), -1);
	ck_assert_int_eq(errno, EDOM);
}
END_TEST

/* a proc root of its own with an uptime file holding text */
static char dir[64];
static struct pb_root root;

static int ticks_of(const char *uptime, unsigned long long *ticks)
{
	char path[96];
	int fd, r;

	snprintf(dir, sizeof dir, "/tmp/check_ident.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/uptime", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, uptime, strlen(uptime)), (int)strlen(uptime));
	close(fd);
	ck_assert_int_eq(pb_root_open(&root, dir), 0);
	root.clk_tck = 100;
	errno = 0;
	r = pb_root_ticks(&root, ticks);
	pb_root_close(&root);
	unlink(path);
	rmdir(dir);
	return r;
}

START_TEST(ticks_from_uptime)
{
	unsigned long long ticks = 0;

	ck_assert_int_eq(ticks_of("1000.50 1900.00\n", &ticks), 0);
	ck_assert_uint_eq(ticks, 100050);
	/* a part of a tick counts as the next one: a process started in it is not in the future */
	ck_assert_int_eq(ticks_of("12.345 1.00\n", &ticks), 0);
	ck_assert_uint_eq(ticks, 1235);
	ck_assert_int_eq(ticks_of("12.3 1.00\n", &ticks), 0);
	ck_assert_uint_eq(ticks, 1230);
	ck_assert_int_eq(ticks_of("7\n", &ticks), 0);
	ck_assert_uint_eq(ticks, 700);
	ck_assert_int_eq(ticks_of("7", &ticks), 0);
	ck_assert_uint_eq(ticks, 700);
	ck_assert_int_eq(ticks_of("0.00 0.00\n", &ticks), 0);
	ck_assert_uint_eq(ticks, 0);
}
END_TEST

static const char *const bad_uptimes[] = {
	"", "\n", "x", "-5.00 1.00\n", "+5.00 1.00\n", " 5.00 1.00\n", "5.00x 1.00\n", "99999999999999999999.00 1\n",
};

START_TEST(bad_uptime)
{
	unsigned long long ticks = 4242;

	ck_assert_int_eq(ticks_of(bad_uptimes[_i], &ticks), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(ticks, 4242);
}
END_TEST

START_TEST(ticks_of_the_live_root)
{
	unsigned long long before, after;
	struct pb_pin pin;

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	ck_assert_int_eq(pb_root_ticks(&root, &before), 0);
	/* our own start time lies before now, in the same unit */
	ck_assert_int_eq(pb_pin_open(&root, getpid(), 0, &pin), 0);
	ck_assert_uint_le(pin.starttime, before);
	pb_pin_close(&pin);
	usleep(30000);
	ck_assert_int_eq(pb_root_ticks(&root, &after), 0);
	ck_assert_uint_ge(after, before + 2);
	pb_root_close(&root);
}
END_TEST

START_TEST(live_only_where_self_is_us)
{
	char path[64];

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	ck_assert_int_eq(root.is_live, 1);
	pb_root_close(&root);
	/* a procfs directory that lists pids without being a proc root */
	snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
	ck_assert_int_eq(pb_root_open(&root, path), 0);
	ck_assert_int_eq(root.is_live, 0);
	pb_root_close(&root);
	/* a saved tree whose self names some other pid */
	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/normal"), 0);
	ck_assert_int_eq(root.is_live, 0);
	pb_root_close(&root);
}
END_TEST

/* the identity members of pb_json_ident, as a string */
static const char *ident_json(long long btime, struct pb_ident pi, int known)
{
	static struct pb_buf b;
	struct pb_root r = {.clk_tck = 100};

	pb_buf_free(&b);
	pb_json_ident(&b, &r, btime, pi, known);
	ck_assert(!b.failed);
	return b.data;
}

START_TEST(json_identity)
{
	struct pb_ident pi = {4242, 150099}; /* 1500.99 s after boot: whole seconds, not rounded up */

	setenv("TZ", "UTC0", 1);
	tzset();
	ck_assert_str_eq(ident_json(1700000000, pi, 1),
			 "\"pid\":4242,\"starttime\":150099,\"started\":\"2023-11-14T22:38:20+00:00\"");
	/* the offset with its colon, east and west */
	setenv("TZ", "<+0530>-5:30", 1);
	tzset();
	ck_assert_str_eq(ident_json(1700000000, pi, 1),
			 "\"pid\":4242,\"starttime\":150099,\"started\":\"2023-11-15T04:08:20+05:30\"");
	setenv("TZ", "<-0945>9:45", 1);
	tzset();
	ck_assert_str_eq(ident_json(1700000000, pi, 1),
			 "\"pid\":4242,\"starttime\":150099,\"started\":\"2023-11-14T12:53:20-09:45\"");
	/* a pid never found: no start time to give */
	ck_assert_str_eq(ident_json(1700000000, pi, 0), "\"pid\":4242,\"starttime\":null,\"started\":null");
	/* no boot time: the ticks are known, the date is not */
	ck_assert_str_eq(ident_json(-1, pi, 1), "\"pid\":4242,\"starttime\":150099,\"started\":null");
	/* a forged boot time or start time beyond year 9999: null, and no overflow of the sum */
	ck_assert_str_eq(ident_json(LLONG_MAX, pi, 1), "\"pid\":4242,\"starttime\":150099,\"started\":null");
	pi.starttime = ~0ULL;
	ck_assert_str_eq(ident_json(1700000000, pi, 1),
			 "\"pid\":4242,\"starttime\":18446744073709551615,\"started\":null");
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(started_text)
{
	struct pb_root r = {.clk_tck = 100};
	char out[40];

	setenv("TZ", "UTC0", 1);
	tzset();
	ck_assert_uint_eq(pb_started_text(out, sizeof out, &r, 1700000000, 1, 0), 19);
	ck_assert_str_eq(out, "2023-11-14 22:13:20");
	/* the last second of year 9999 is still a time; the next is not */
	ck_assert_uint_eq(pb_started_text(out, sizeof out, &r, PB_TIME_MAX, 99, 1), 25);
	ck_assert_str_eq(out, "9999-12-31T23:59:59+00:00");
	ck_assert_uint_eq(pb_started_text(out, sizeof out, &r, PB_TIME_MAX, 100, 1), 0);
	ck_assert_str_eq(out, "");
	/* nor when the zone makes it year 10000 */
	setenv("TZ", "<+14>-14", 1);
	tzset();
	ck_assert_uint_eq(pb_started_text(out, sizeof out, &r, PB_TIME_MAX, 0, 1), 0);
	ck_assert_uint_eq(pb_started_text(out, sizeof out, &r, PB_TIME_MAX - 14 * 3600, 0, 1), 25);
	ck_assert_str_eq(out, "9999-12-31T23:59:59+14:00");
	/* the seconds of an offset are dropped, as strftime's %z drops them */
	setenv("TZ", "<+053045>-5:30:45", 1);
	tzset();
	ck_assert_uint_eq(pb_started_text(out, sizeof out, &r, 1700000000, 0, 1), 25);
	ck_assert_str_eq(out, "2023-11-15T03:44:05+05:30");
	setenv("TZ", "UTC0", 1);
	tzset();
	/* a buffer too small: nothing, never a cut string */
	ck_assert_uint_eq(pb_started_text(out, 20, &r, 1700000000, 1, 1), 0);
	ck_assert_uint_eq(pb_started_text(out, 25, &r, 1700000000, 1, 1), 0);
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(btime_of_a_table)
{
	char dir[] = "/tmp/pb-unit-btime-XXXXXX";
	struct pb_table t;

	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/normal"), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	ck_assert_int_eq(pb_table_btime(&t), 1700000000);
	unit_close(&root, &t);
	/* a tree without stat: unknown, and asked again it stays so */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(pb_root_open(&root, dir), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	ck_assert_int_lt(pb_table_btime(&t), 0);
	ck_assert_int_lt(pb_table_btime(&t), 0);
	unit_close(&root, &t);
	rmdir(dir);
}
END_TEST

static Suite *ident_suite(void)
{
	Suite *s = suite_create("ident");
	TCase *tc = tcase_create("parse");
	TCase *clock = tcase_create("clock");
	TCase *json = tcase_create("json");

	tcase_add_test(tc, pid_alone);
	tcase_add_test(tc, pid_and_starttime);
	tcase_add_loop_test(tc, bad_pid, 0, sizeof bad_pids / sizeof bad_pids[0]);
	tcase_add_loop_test(tc, bad_starttime, 0, sizeof bad_starttimes / sizeof bad_starttimes[0]);
	tcase_add_test(tc, embedded_nul);
	suite_add_tcase(s, tc);
	tcase_add_test(clock, ticks_from_uptime);
	tcase_add_loop_test(clock, bad_uptime, 0, sizeof bad_uptimes / sizeof bad_uptimes[0]);
	tcase_add_test(clock, ticks_of_the_live_root);
	tcase_add_test(clock, live_only_where_self_is_us);
	suite_add_tcase(s, clock);
	tcase_add_test(json, json_identity);
	tcase_add_test(json, started_text);
	tcase_add_test(json, btime_of_a_table);
	suite_add_tcase(s, json);
	return s;
}

SUITE_MAIN(ident_suite)
