/* Parser of /proc/PID/stat: pid (comm) state ppid ... starttime vsize rss ... */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "procbox.h"

/* One unsigned decimal field ending at a space, a newline or the end; no signs, no empty fields. */
static int field_u64(const char **pp, const char *end, unsigned long long *out)
{
	const char *p = *pp;
	unsigned long long v = 0;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (p < end && *p != ' ' && *p != '\n')
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

static int field_i64(const char **pp, const char *end, long long *out)
{
	unsigned long long v;
	int neg = 0;

	while (*pp < end && **pp == ' ')
		(*pp)++;
	if (*pp < end && **pp == '-') {
		neg = 1;
		(*pp)++;
	}
	if (field_u64(pp, end, &v) || v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

static int field_int(const char **pp, const char *end, int *out)
{
	long long v;

	if (field_i64(pp, end, &v) || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static int skip_field(const char **pp, const char *end)
{
	long long v;

	return field_i64(pp, end, &v);
}

int pb_parse_stat(const char *buf, size_t len, struct pb_stat *st)
{
	const char *end = buf + len, *open, *close, *p;
	unsigned long long pid, flags;
	int i;

	memset(st, 0, sizeof *st);
	p = buf;
	if (field_u64(&p, end, &pid) || pid == 0 || pid > INT_MAX)
		goto bad;
	open = memchr(buf, '(', len);
	if (!open || open != p + 1 || *p != ' ')
		goto bad;
	/* the name may hold ')' itself: the real end is the last one */
	for (close = end - 1; close > open && *close != ')'; close--)
		;
	if (close <= open)
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
	if (field_int(&p, end, &st->ppid) || st->ppid < 0 || field_int(&p, end, &st->pgrp) ||
	    field_int(&p, end, &st->session) || field_int(&p, end, &st->tty_nr))
		goto bad;
	if (skip_field(&p, end) || field_u64(&p, end, &flags) || flags > 0xffffffffULL)
		goto bad;
	st->flags = (unsigned int)flags;
	for (i = 9; i <= 12; i++)
		if (skip_field(&p, end))
			goto bad;
	if (field_u64(&p, end, &st->utime) || field_u64(&p, end, &st->stime))
		goto bad;
	for (i = 15; i <= 20; i++)
		if (skip_field(&p, end))
			goto bad;
	if (field_u64(&p, end, &st->starttime) || field_u64(&p, end, &st->vsize) || field_i64(&p, end, &st->rss))
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
