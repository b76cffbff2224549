/* Fuzz target: the time zone parsers of core/localtime.c (TZif files with their POSIX footer, POSIX TZ strings)
 * and pb_localtime over the zone they made: every field in range, the offset from UTC within what the formats
 * allow (a day for TZif types, a week for POSIX offsets), and no moment refused that struct tm holds. */
#include "fuzz.h"

#include <time.h>

static void check_times(void)
{
	static const long long moments[] = {-2147483648LL, -1, 0, 86399, 951782400, 1700000000, 2147483647LL,
					    4102444800LL, 253402300799LL, 50000000000000000LL};
	struct tm tm;

	for (size_t i = 0; i < sizeof moments / sizeof *moments; i++) {
		long long t = moments[i], local, utc_days, days;

		REQUIRE(pb_localtime(t, &tm) == 0);
		REQUIRE(tm.tm_sec >= 0 && tm.tm_sec <= 59 && tm.tm_min >= 0 && tm.tm_min <= 59);
		REQUIRE(tm.tm_hour >= 0 && tm.tm_hour <= 23 && tm.tm_mday >= 1 && tm.tm_mday <= 31);
		REQUIRE(tm.tm_mon >= 0 && tm.tm_mon <= 11 && tm.tm_wday >= 0 && tm.tm_wday <= 6);
		REQUIRE(tm.tm_yday >= 0 && tm.tm_yday <= 365);
		/* the local time's distance from UTC, through the week day and the time of day */
		utc_days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
		days = utc_days + ((tm.tm_wday - ((utc_days + 4) % 7 + 7) % 7) + 7 + 3) % 7 - 3;
		local = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		REQUIRE(local - t >= -8 * 86400 && local - t <= 8 * 86400);
	}
	REQUIRE(pb_localtime(1000000000000000000LL, &tm) == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);
	char *posix = malloc(size + 1);

	REQUIRE(copy && posix);
	/* as a file, in an allocation of exactly its size (ASan sees a read past the end) */
	memcpy(copy, data, size);
	pb_zone_set(copy, size, NULL);
	check_times();
	/* as a POSIX string */
	memcpy(posix, data, size);
	posix[size] = 0;
	pb_zone_set(NULL, 0, posix);
	check_times();
	free(copy);
	free(posix);
	return 0;
}
