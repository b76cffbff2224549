/* Local time without musl's time zone code (6 KB of the binary with its allocator): the TZif file of TZ (or
 * /etc/localtime), its POSIX rule for times after the last transition, or a POSIX TZ string itself.
 *
 * TZ is read as musl reads it: unset is /etc/localtime; empty is UTC; a value starting with ':' or holding a '/'
 * (before any ',') names a file (absolute, or below /usr/share/zoneinfo); anything else is a POSIX string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3". What cannot be read or parsed is UTC. Leap seconds ("right/" zones) are not
 * applied. The zone is loaded once per process. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procbox.h"

#define MAX_TRANSITIONS 2000
#define MAX_TYPES 64

struct rule {
	char kind; /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day) */
	int a, b, c;
	long at; /* seconds after local midnight, may be negative or past a day */
};

static struct zone {
	int loaded, ntrans, ntypes, has_rule, has_dst;
	long long when[MAX_TRANSITIONS];
	unsigned char type[MAX_TRANSITIONS];
	long utoff[MAX_TYPES];
	long std_off, dst_off; /* east of UTC, seconds */
	struct rule start, end;
} zone;

/* ---- POSIX TZ strings ---- */

static const char *number(const char *s, long *v)
{
	if (*s < '0' || *s > '9')
		return NULL;
	for (*v = 0; *s >= '0' && *s <= '9'; s++)
		if ((*v = *v * 10 + (*s - '0')) > 100000) /* no field of a TZ string is that big (fuzz_zone) */
			return NULL;
	return s;
}

/* [+-]hh[:mm[:ss]] into seconds */
static const char *hms(const char *s, long *secs)
{
	long h, m = 0, sec = 0;
	int neg = *s == '-';

	if (*s == '-' || *s == '+')
		s++;
	if (!(s = number(s, &h)) || h > 167)
		return NULL;
	if (*s == ':' && (!(s = number(s + 1, &m)) || m > 59))
		return NULL;
	if (*s == ':' && (!(s = number(s + 1, &sec)) || sec > 59))
		return NULL;
	*secs = (neg ? -1 : 1) * (h * 3600 + m * 60 + sec);
	return s;
}

/* a zone name: 3 or more letters, or <anything but '>'> */
static const char *zone_name(const char *s)
{
	const char *start = s;

	if (*s == '<') {
		while (*++s && *s != '>')
			;
		return *s == '>' && s - start >= 4 ? s + 1 : NULL;
	}
	while ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')
		s++;
	return s - start >= 3 ? s : NULL;
}

static const char *rule(const char *s, struct rule *r)
{
	long m, w, d;

	r->at = 7200;
	if (*s == 'M') {
		if (!(s = number(s + 1, &m)) || *s++ != '.' || !(s = number(s, &w)) || *s++ != '.' || !(s = number(s, &d)) ||
		    m < 1 || m > 12 || w < 1 || w > 5 || d > 6)
			return NULL;
		r->kind = 'M', r->a = (int)m, r->b = (int)w, r->c = (int)d;
	} else {
		r->kind = *s == 'J' ? 'J' : 'N';
		if (!(s = number(s + (*s == 'J'), &d)) || d > 365 || (r->kind == 'J' && d < 1))
			return NULL;
		r->a = (int)d;
	}
	if (*s == '/' && !(s = hms(s + 1, &r->at)))
		return NULL;
	return s;
}

static int parse_posix(const char *s)
{
	long off;

	if (!(s = zone_name(s)) || !(s = hms(s, &off)))
		return -1;
	zone.std_off = zone.dst_off = -off;
	zone.has_rule = 1;
	zone.has_dst = 0;
	if (!*s)
		return 0;
	if (!(s = zone_name(s)))
		return -1;
	zone.dst_off = zone.std_off + 3600;
	if (*s && *s != ',') {
		if (!(s = hms(s, &off)))
			return -1;
		zone.dst_off = -off;
	}
	if (!*s) { /* no rule given: the US rule, as C libraries assume */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || !(s = rule(s, &zone.start)) || *s++ != ',' || !(s = rule(s, &zone.end)) || *s)
		return -1;
	zone.has_dst = 1;
	return 0;
}

/* ---- TZif files ---- */

static int has_dotdot(const char *s)
{
	for (; *s; s++)
		if (s[0] == '.' && s[1] == '.')
			return 1;
	return 0;
}

static long long be(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return n == 4 ? (long long)(int)(unsigned)v : (long long)v;
}

static int parse_tzif(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *d;
	long long cnt[6];
	int v2 = len > 4 && p[4] >= '2', size = 4;
	size_t block;

	for (int pass = 0; pass < 2; pass++) {
		if (end - p < 44 || memcmp(p, "TZif", 4))
			return -1;
		for (int i = 0; i < 6; i++)
			cnt[i] = be(p + 20 + 4 * i, 4);
		/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
		block = (size_t)(cnt[3] * (size + 1) + cnt[4] * 6 + cnt[5] + cnt[2] * (size + 4) + cnt[1] + cnt[0]);
		if (cnt[3] < 0 || cnt[4] < 1 || cnt[4] > MAX_TYPES || cnt[3] > MAX_TRANSITIONS || cnt[0] < 0 || cnt[1] < 0 ||
		    cnt[2] < 0 || cnt[5] < 0 || block > (size_t)(end - p - 44))
			return -1;
		if (pass == 0 && v2) { /* the 32-bit block first: skip it for the 64-bit one */
			p += 44 + block;
			size = 8;
			continue;
		}
		d = p + 44;
		zone.ntrans = (int)cnt[3];
		zone.ntypes = (int)cnt[4];
		for (int i = 0; i < zone.ntrans; i++) {
			zone.when[i] = be(d + i * size, size);
			zone.type[i] = d[zone.ntrans * size + i];
			if (zone.type[i] >= zone.ntypes)
				return -1;
		}
		d += zone.ntrans * (size + 1);
		for (int i = 0; i < zone.ntypes; i++) {
			zone.utoff[i] = (long)be(d + 6 * i, 4);
			/* RFC 8536: -89999..93599; a day either way covers every zone there ever was */
			if (zone.utoff[i] < -90000 || zone.utoff[i] > 93600)
				return -1;
		}
		p += 44 + block;
		break;
	}
	/* the footer of version 2 and later: "\n" POSIX-TZ "\n", for times after the last transition */
	if (v2 && p < end && *p == '\n') {
		char tz[128];
		const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));

		if (nl && nl - p - 1 > 0 && (size_t)(nl - p - 1) < sizeof tz) {
			memcpy(tz, p + 1, (size_t)(nl - p - 1));
			tz[nl - p - 1] = 0;
			if (parse_posix(tz))
				zone.has_rule = 0;
		}
	}
	return 0;
}

static void load(void)
{
	static unsigned char data[1 << 16];
	const char *tz = getenv("TZ"), *slash;
	char path[512];
	ssize_t n = -1;
	int fd;

	if (!tz)
		tz = "/etc/localtime";
	if (*tz != ':' && !((slash = strchr(tz, '/')) && !memchr(tz, ',', (size_t)(slash - tz)))) {
		pb_zone_set(NULL, 0, tz); /* "" is UTC too, as in musl and glibc */
		return;
	}
	tz += *tz == ':';
	path[0] = 0;
	if (*tz == '/')
		pb_snprintf(path, sizeof path, "%s", tz);
	else if (!has_dotdot(tz)) /* a name below the zoneinfo directory may not climb out of it */
		pb_snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	if (path[0] && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, data, sizeof data);
		close(fd);
	}
	pb_zone_set(data, n > 0 ? (size_t)n : 0, NULL);
}

int pb_zone_set(const void *tzif, size_t len, const char *posix)
{
	memset(&zone, 0, sizeof zone);
	zone.loaded = 1;
	if (posix ? parse_posix(posix) == 0 : len && parse_tzif(tzif, len) == 0)
		return 0;
	memset(&zone, 0, sizeof zone); /* UTC */
	zone.loaded = 1;
	return -1;
}

/* ---- the offset at a moment, and the calendar ---- */

static int leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days from 1970-01-01 to y-m-d (m 1..12), proleptic Gregorian */
static long long days_from_civil(long long y, int m, int d)
{
	long long era;
	int yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* the inverse: y-m-d of a day count */
static void civil_from_days(long long days, long long *y, int *m, int *d)
{
	long long era, z = days + 719468;
	unsigned doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

/* seconds from the start of year y (local) to the moment rule r names (local) */
static long long rule_time(const struct rule *r, long long y)
{
	long long day;

	if (r->kind == 'J')
		day = r->a - 1 + (leap(y) && r->a >= 60);
	else if (r->kind == 'N')
		day = r->a;
	else {
		static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		long long first = days_from_civil(y, r->a, 1);
		int wday = (int)(((first + 4) % 7 + 7) % 7), mday = 1 + (r->c - wday + 7) % 7 + (r->b - 1) * 7;
		int len = mdays[r->a - 1] + (r->a == 2 && leap(y));

		while (mday > len)
			mday -= 7;
		day = first + mday - 1 - days_from_civil(y, 1, 1);
	}
	return day * 86400 + r->at;
}

static long offset_at(long long t)
{
	int lo = 0, hi = zone.ntrans - 1;

	if (zone.ntrans && t < zone.when[0])
		return zone.utoff[0];
	if (zone.ntrans && (t < zone.when[zone.ntrans - 1] || !zone.has_rule)) {
		while (lo < hi) { /* the last transition at or before t */
			int mid = (lo + hi + 1) / 2;

			if (zone.when[mid] <= t)
				lo = mid;
			else
				hi = mid - 1;
		}
		return zone.utoff[zone.type[lo]];
	}
	if (!zone.has_rule)
		return zone.ntypes ? zone.utoff[0] : 0;
	if (!zone.has_dst)
		return zone.std_off;
	/* the year of t (in UTC, as glibc takes it), and that year's switches as moments (UTC) */
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400, y, start, end;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	start = days_from_civil(y, 1, 1) * 86400 + rule_time(&zone.start, y) - zone.std_off;
	end = days_from_civil(y, 1, 1) * 86400 + rule_time(&zone.end, y) - zone.dst_off;
	if (start < end ? t >= start && t < end : t >= start || t < end)
		return zone.dst_off;
	return zone.std_off;
}

void pb_localtime_reset(void)
{
	memset(&zone, 0, sizeof zone);
}

int pb_localtime(long long t, struct tm *tm)
{
	long long local, days, y;
	long secs;
	int m, d;

	/* the years a struct tm holds, with room for any offset (musl's localtime_r fails there too) */
	if (t > 60000000000000000LL || t < -60000000000000000LL)
		return -1;
	if (!zone.loaded)
		load();
	local = t + offset_at(t);
	days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	secs = (long)(local - days * 86400);
	civil_from_days(days, &y, &m, &d);
	memset(tm, 0, sizeof *tm);
	tm->tm_year = (int)(y - 1900);
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_yday = (int)(days - days_from_civil(y, 1, 1));
	tm->tm_wday = (int)(((days + 4) % 7 + 7) % 7);
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	return 0;
}
