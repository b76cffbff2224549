/* Parser of /proc/PID/stat: pid (comm) state ppid ... starttime vsize rss ... */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "procbox.h"

/*
 * Every process of every scan passes through here, so the helpers below count instructions: no division in the
 * per-digit loop, a pointer returned instead of stored through a pointer.
 */

/* One unsigned decimal field after optional spaces, ending at a space, a newline or the end; no signs, no empty
 * fields. Returns the position after it, NULL when malformed. */
static const char *field_u64(const char *p, const char *end, unsigned long long *out)
{
	unsigned long long v = 0;
	unsigned int d;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || (unsigned int)(*p - '0') > 9)
		return NULL;
	for (; p < end && (d = (unsigned int)(*p - '0')) <= 9; p++) {
		if (v >= ULLONG_MAX / 10 && (v > ULLONG_MAX / 10 || d > ULLONG_MAX % 10))
			return NULL;
		v = v * 10 + d;
	}
	if (p < end && *p != ' ' && *p != '\n')
		return NULL;
	*out = v;
	return p;
}

static const char *field_i64(const char *p, const char *end, long long *out)
{
	unsigned long long v;
	int neg = 0;

	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (!(p = field_u64(p, end, &v)) || v > (unsigned long long)LLONG_MAX)
		return NULL;
	*out = neg ? -(long long)v : (long long)v;
	return p;
}

static const char *field_int(const char *p, const char *end, int *out)
{
	long long v;

	if (!(p = field_i64(p, end, &v)) || v < INT_MIN || v > INT_MAX)
		return NULL;
	*out = (int)v;
	return p;
}

/* Does the decimal [p, end) fit in a long long? Asked only of numbers of 19 digits or more. */
static int fits_i64(const char *p, const char *end)
{
	unsigned long long v = 0;
	unsigned int d;

	for (; p < end; p++) {
		d = (unsigned int)(*p - '0');
		if (v > ((unsigned long long)LLONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return 1;
}

/* n fields as field_i64 reads them (same signs, blanks and range), without computing their values */
static const char *skip_fields(const char *p, const char *end, int n)
{
	const char *digits;

	while (n-- > 0) {
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '-')
			for (p++; p < end && *p == ' '; p++)
				;
		if (p >= end || (unsigned int)(*p - '0') > 9)
			return NULL;
		for (digits = p; p < end && (unsigned int)(*p - '0') <= 9; p++)
			;
		if ((p < end && *p != ' ' && *p != '\n') || (p - digits >= 19 && !fits_i64(digits, p)))
			return NULL;
	}
	return p;
}

int pb_parse_stat(const char *buf, size_t len, struct pb_stat *st)
{
	const char *end = buf + len, *open, *close, *p;
	unsigned long long pid, flags;

	memset(st, 0, sizeof *st);
	if (!(p = field_u64(buf, end, &pid)) || pid == 0 || pid > INT_MAX)
		goto bad;
	open = memchr(buf, '(', len);
	if (!open || open != p + 1 || *p != ' ')
		goto bad;
	/* the name may hold ')' itself: the real end is the last one */
	if (!(close = memrchr(open + 1, ')', (size_t)(end - open - 1))))
		goto bad;
	st->pid = (int)pid;
	st->comm_len = (size_t)(close - open - 1);
	if (st->comm_len > PB_COMM_MAX - 1)
		st->comm_len = PB_COMM_MAX - 1;
	memcpy(st->comm, open + 1, st->comm_len);
	st->comm[st->comm_len] = 0;

	p = close + 1;
	if (end - p < 3 || p[0] != ' ' || p[2] != ' ' || !((p[1] >= 'A' && p[1] <= 'Z') || (p[1] >= 'a' && p[1] <= 'z')))
		goto bad;
	st->state = p[1];
	p += 2;
	/* fields 3..23, numbered as in proc(5) minus one */
	if (!(p = field_int(p, end, &st->ppid)) || st->ppid < 0 || !(p = field_int(p, end, &st->pgrp)) ||
	    !(p = field_int(p, end, &st->session)) || !(p = field_int(p, end, &st->tty_nr)))
		goto bad;
	if (!(p = skip_fields(p, end, 1)) || !(p = field_u64(p, end, &flags)) || flags > 0xffffffffULL)
		goto bad;
	st->flags = (unsigned int)flags;
	if (!(p = skip_fields(p, end, 4)) || !(p = field_u64(p, end, &st->utime)) ||
	    !(p = field_u64(p, end, &st->stime)))
		goto bad;
	if (!(p = skip_fields(p, end, 6)) || !(p = field_u64(p, end, &st->starttime)) ||
	    !(p = field_u64(p, end, &st->vsize)) || !field_i64(p, end, &st->rss))
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
