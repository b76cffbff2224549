/* Parser of /proc/net/unix and of "socket:[INODE]" fd links. */
#include <errno.h>
#include <string.h>

#include "procbox.h"

static int hex_field(const char **pp, const char *end, unsigned long long *out)
{
	const char *p = *pp;
	unsigned long long v = 0;
	int d, n = 0;

	for (; p < end; p++, n++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v >> 60)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	if (!n)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

static int dec_field(const char **pp, const char *end, unsigned long long *out)
{
	const char *p = *pp;
	unsigned long long v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (~0ULL - 9) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*pp = p;
	*out = v;
	return 0;
}

static int expect_space(const char **pp, const char *end)
{
	if (*pp >= end || **pp != ' ')
		return -1;
	while (*pp < end && **pp == ' ')
		(*pp)++;
	return 0;
}

/* "Num: RefCount Protocol Flags Type St Inode [Path]" */
static int parse_line(const char *p, const char *end, struct pb_unix_sock *s)
{
	unsigned long long v[5];
	int i;

	if (hex_field(&p, end, &v[0]) || p >= end || *p++ != ':')
		return -1;
	for (i = 0; i < 5; i++)
		if (expect_space(&p, end) || hex_field(&p, end, &v[i]))
			return -1;
	if (v[2] > 0xffffffffULL || v[3] > 0xffff || v[4] > 0xff)
		return -1;
	s->flags = (unsigned int)v[2];
	s->type = (unsigned int)v[3];
	s->state = (unsigned int)v[4];
	if (expect_space(&p, end) || dec_field(&p, end, &s->inode))
		return -1;
	s->path = p;
	s->path_len = 0;
	if (p < end) {
		if (*p != ' ')
			return -1;
		/* exactly one space: a path may itself start with a blank */
		s->path = p + 1;
		s->path_len = (size_t)(end - p - 1);
	}
	return 0;
}

int pb_parse_net_unix(const char *buf, size_t len, int (*fn)(const struct pb_unix_sock *, void *), void *arg,
		      size_t *bad)
{
	const char *line, *nl;
	struct pb_unix_sock s;
	size_t pos = 0;
	int first = 1, r;

	*bad = 0;
	while (pos < len) {
		line = buf + pos;
		nl = memchr(line, '\n', len - pos);
		if (!nl)
			nl = buf + len;
		pos = (size_t)(nl - buf) + 1;
		if (first && nl - line >= 4 && !memcmp(line, "Num ", 4)) {
			first = 0;
			continue;
		}
		first = 0;
		if (nl == line)
			continue;
		if (parse_line(line, nl, &s)) {
			(*bad)++;
			continue;
		}
		if ((r = fn(&s, arg)))
			return r;
	}
	return 0;
}

unsigned long long pb_socket_inode(const char *link, size_t len)
{
	const char *p = link + 8, *end = link + len;
	unsigned long long v;

	if (len < 10 || memcmp(link, "socket:[", 8) || link[len - 1] != ']')
		return 0;
	if (dec_field(&p, end - 1, &v) || p != end - 1)
		return 0;
	return v;
}
