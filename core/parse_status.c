/* Parser of /proc/PID/status ("Key:<TAB>value" lines): uids, gids, groups and single fields. */
#include <errno.h>
#include <string.h>

#include "procbox.h"

/* The value of a "Key:" line (blanks after the colon skipped), or NULL when the line has another key */
static const char *key_value(const char *line, const char *nl, const char *key, size_t klen, size_t *vlen)
{
	const char *v;

	if ((size_t)(nl - line) <= klen || memcmp(line, key, klen) || line[klen] != ':')
		return NULL;
	for (v = line + klen + 1; v < nl && (*v == ' ' || *v == '\t'); v++)
		;
	*vlen = (size_t)(nl - v);
	return v;
}

const char *pb_status_field(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), line_len;
	struct pb_vec_iter it;
	const char *line, *v;

	pb_vec_iter_init(&it, buf, len);
	while (pb_line_next(&it, &line, &line_len))
		if ((v = key_value(line, line + line_len, key, klen, vlen)))
			return v;
	*vlen = 0;
	return NULL;
}

/* Up to max unsigned decimal numbers separated by blanks; returns how many, -1 on garbage. */
static int parse_u32_list(const char *p, size_t len, unsigned int *out, int max)
{
	const char *end = p + len;
	unsigned long long v;
	int n = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			return n;
		if (*p < '0' || *p > '9')
			return -1;
		for (v = 0; p < end && *p >= '0' && *p <= '9'; p++) {
			v = v * 10 + (unsigned)(*p - '0');
			if (v > 0xffffffffULL)
				return -1;
		}
		if (p < end && *p != ' ' && *p != '\t')
			return -1;
		if (n < max)
			out[n] = (unsigned int)v;
		n++;
	}
}

/* "Key:" at the start of the line [line, nl)? Then the value after blanks. */
static int ids_from(const char *val, size_t vlen, struct pb_ids *ids)
{
	unsigned int v[4];

	if (!val || parse_u32_list(val, vlen, v, 4) != 4)
		return 0;
	ids->real = v[0];
	ids->effective = v[1];
	ids->saved = v[2];
	ids->fs = v[3];
	return 1;
}

int pb_parse_status(const char *buf, size_t len, struct pb_status *st)
{
	const char *line, *nl, *uid = NULL, *gid = NULL, *groups = NULL, *v;
	size_t ulen = 0, glen = 0, grlen = 0, vlen, line_len;
	struct pb_vec_iter it;
	int n;

	memset(st, 0, sizeof *st);
	/* one pass, up to the last of the three lines (the first of duplicated keys wins): this runs for every
	 * process whose user is shown */
	pb_vec_iter_init(&it, buf, len);
	while (!(uid && gid && groups) && pb_line_next(&it, &line, &line_len)) {
		nl = line + line_len;
		if (*line == 'U' && !uid && (v = key_value(line, nl, "Uid", 3, &vlen))) {
			uid = v;
			ulen = vlen;
		} else if (*line == 'G' && !gid && (v = key_value(line, nl, "Gid", 3, &vlen))) {
			gid = v;
			glen = vlen;
		} else if (*line == 'G' && !groups && (v = key_value(line, nl, "Groups", 6, &vlen))) {
			groups = v;
			grlen = vlen;
		}
	}
	st->have_uid = ids_from(uid, ulen, &st->uid);
	st->have_gid = ids_from(gid, glen, &st->gid);
	if (groups && (n = parse_u32_list(groups, grlen, st->groups, PB_GROUPS_MAX)) > 0)
		st->ngroups = n > PB_GROUPS_MAX ? PB_GROUPS_MAX : n;
	if (!st->have_uid && !st->have_gid) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
