/* Unit test of pb_localtime (core/localtime.c) against the C library's localtime_r (glibc here) for zone files
 * of every kind (southern DST, half-hour and 45-minute offsets, negative DST, abolished DST) and POSIX TZ
 * strings, from 1902 to 2100: past the files' last transitions their POSIX rule decides. */
#include <time.h>
#include <unistd.h>

#include "unit.h"

static void compare(const char *tz, long long from, long long to, long long step)
{
	struct tm want, got;
	long long t;
	unsigned x = 7;

	setenv("TZ", tz, 1);
	tzset();
	pb_localtime_reset();
	for (t = from; t < to; t += step + (x = x * 1103515245 + 12345) % 7919) {
		time_t tt = (time_t)t;

		ck_assert_ptr_nonnull(localtime_r(&tt, &want));
		pb_localtime(t, &got);
		ck_assert_msg(want.tm_year == got.tm_year && want.tm_mon == got.tm_mon && want.tm_mday == got.tm_mday &&
				      want.tm_hour == got.tm_hour && want.tm_min == got.tm_min && want.tm_sec == got.tm_sec &&
				      want.tm_wday == got.tm_wday && want.tm_yday == got.tm_yday,
			      "TZ=%s t=%lld: want %d-%02d-%02d %02d:%02d:%02d (wday %d yday %d), got %d-%02d-%02d "
			      "%02d:%02d:%02d (wday %d yday %d)",
			      tz, t, want.tm_year + 1900, want.tm_mon + 1, want.tm_mday, want.tm_hour, want.tm_min,
			      want.tm_sec, want.tm_wday, want.tm_yday, got.tm_year + 1900, got.tm_mon + 1, got.tm_mday,
			      got.tm_hour, got.tm_min, got.tm_sec, got.tm_wday, got.tm_yday);
	}
}

START_TEST(zone_files)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata",
		"Pacific/Chatham", "America/St_Johns", "Europe/Dublin", "America/Sao_Paulo", "Africa/Casablanca",
		"Asia/Tehran", "America/Santiago", "Pacific/Apia", "Antarctica/Troll", "Etc/GMT+5", "UTC",
		"Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati",
	};
	char path[256];

	for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
		pb_snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zones[i]);
		if (access(path, R_OK)) /* tzdata is a test dependency (make deps); say so rather than pass */
			ck_abort_msg("%s missing: install tzdata", path);
		/* 1902..2100 by about 3 days, then the years around now by about 4 hours */
		compare(zones[i], -2145916800LL, 4102444800LL, 250000);
		compare(zones[i], 1600000000LL, 1900000000LL, 14000);
		/* ":NAME" and an absolute path name the same file */
		pb_snprintf(path, sizeof path, ":%s", zones[i]);
		compare(path, 1700000000LL, 1800000000LL, 900000);
	}
}
END_TEST

START_TEST(posix_strings)
{
	static const char *const rules[] = {
		"CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
		"AEST-10AEDT,M10.1.0,M4.1.0/3", "IST-1GMT0,M10.5.0,M3.5.0/1", "<-03>3", "JST-9", "UTC0",
		"NZST-12NZDT,J60/2:30,J300", "XXX3YYY,100/1,300", "EST5EDT", "WART4WARST,J1/0,J365/25",
	};

	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		compare(rules[i], 1500000000LL, 2200000000LL, 86000);
}
END_TEST

START_TEST(unusable_is_utc)
{
	struct tm tm;
	static const char *const bad[] = {"", "/nonexistent/zone", "Nowhere/At_All", "../../etc/passwd", "X", "AB1",
					  "XXXY344444444444444444444444,JY0Y300", "ABC-99999999999999999999"};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		setenv("TZ", bad[i], 1);
		pb_localtime_reset();
		pb_localtime(1700000000LL, &tm); /* 2023-11-14 22:13:20 UTC */
		ck_assert_msg(tm.tm_hour == 22 && tm.tm_min == 13 && tm.tm_mday == 14, "TZ=%s: %02d:%02d", bad[i],
			      tm.tm_hour, tm.tm_min);
	}
	/* beyond what struct tm holds: refused at once (a forged stat's start time must not stall a scan) */
	ck_assert_int_eq(pb_localtime(1000000000000000000LL, &tm), -1);
	ck_assert_int_eq(pb_localtime(-1000000000000000000LL, &tm), -1);
	ck_assert_int_eq(pb_localtime(50000000000000000LL, &tm), 0);
	ck_assert_int_gt(tm.tm_year, 1500000000);
	/* a file that is no TZif */
	setenv("TZ", "/etc/hostname", 1);
	pb_localtime_reset();
	pb_localtime(1700000000LL, &tm);
	ck_assert_int_eq(tm.tm_hour, 22);
}
END_TEST

static Suite *localtime_suite(void)
{
	Suite *s = suite_create("localtime");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, zone_files);
	tcase_add_test(tc, posix_strings);
	tcase_add_test(tc, unusable_is_utc);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(localtime_suite)
