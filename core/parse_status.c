/* Parser of /proc/PID/status ("Key:<TAB>value" lines): uids, gids, groups and single fields. */
#include <errno.h>
#include <string.h>

#include "procbox.h"

const char *pb_status_field(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), pos = 0;
	const char *line, *nl, *v;

	while (pos < len) {
		line = buf + pos;
		nl = memchr(line, '\n', len - pos);
		if (!nl)
			nl = buf + len;
		if ((size_t)(nl - line) > klen && !memcmp(line, key, klen) && line[klen] == ':') {
			for (v = line + klen + 1; v < nl && (*v == ' ' || *v == '\t'); v++)
				;
			*vlen = (size_t)(nl - v);
			return v;
		}
		pos = (size_t)(nl - buf) + 1;
	}
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

static int parse_ids(const char *buf, size_t len, const char *key, struct pb_ids *ids)
{
	unsigned int v[4];
	size_t vlen;
	const char *val = pb_status_field(buf, len, key, &vlen);

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
	size_t vlen;
	const char *val;
	int n;

	memset(st, 0, sizeof *st);
	st->have_uid = parse_ids(buf, len, "Uid", &st->uid);
	st->have_gid = parse_ids(buf, len, "Gid", &st->gid);
	val = pb_status_field(buf, len, "Groups", &vlen);
	if (val && (n = parse_u32_list(val, vlen, st->groups, PB_GROUPS_MAX)) > 0)
		st->ngroups = n > PB_GROUPS_MAX ? PB_GROUPS_MAX : n;
	if (!st->have_uid && !st->have_gid) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
