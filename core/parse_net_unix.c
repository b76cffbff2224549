/* Parsers of /proc/net/unix, of NETLINK_SOCK_DIAG answers about unix sockets, and of "socket:[INODE]" fd links. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

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
	s->uid = -1;
	s->vfs_dev = s->vfs_ino = 0;
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

/*
 * The kernel prints socket paths raw, newlines included, so the owner of a socket writes whatever lines he
 * likes after its own: a path "/tmp/x\n<a well-formed line claiming another socket's inode>" is read as two
 * sockets. From the text alone a forged line cannot always be told from a real one, but what it breaks can:
 * - an inode that appears on two lines (a forged copy of a real socket) is used from neither;
 * - a line that does not parse in full, an empty line, or a header after the first line is a piece of some
 *   path, so the line before it (whose path it continues) is not used either;
 * - the last line must end with its newline, or its path may have been cut.
 * What remains trusted is only what no other line contradicts; where the exact names matter, a live root asks
 * the kernel through NETLINK_SOCK_DIAG instead (core/sockets.c).
 */
enum line_kind { LINE_SOCKET, LINE_HEADER, LINE_BAD };

struct line_walk {
	const char *buf;
	size_t len, pos;
	int first;
};

/* The next line and its kind, s filled for a socket line; 0 when none is left. *complete: it ends in '\n'. */
static int next_line(struct line_walk *w, enum line_kind *kind, struct pb_unix_sock *s, int *complete)
{
	const char *line, *nl;
	int first = w->first;

	if (w->pos >= w->len)
		return 0;
	line = w->buf + w->pos;
	nl = memchr(line, '\n', w->len - w->pos);
	*complete = nl != NULL;
	if (!nl)
		nl = w->buf + w->len;
	w->pos = (size_t)(nl - w->buf) + 1;
	w->first = 0;
	if (first && nl - line >= 4 && !memcmp(line, "Num ", 4))
		*kind = LINE_HEADER;
	else if (nl == line || parse_line(line, nl, s))
		*kind = LINE_BAD;
	else
		*kind = LINE_SOCKET;
	return 1;
}

static int by_value(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

int pb_parse_net_unix(const char *buf, size_t len, int (*fn)(const struct pb_unix_sock *, void *), void *arg,
		      size_t *bad)
{
	struct line_walk w = {buf, len, 0, 1};
	struct pb_unix_sock s, held;
	unsigned long long *inodes = NULL, *hit;
	size_t lines = 1, n = 0, once = 0, i;
	enum line_kind kind;
	int complete, have_held = 0, r = 0;
	const char *p;

	*bad = 0;
	/* first pass: every inode that a well-formed line claims, to find those claimed twice */
	for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		lines++;
	if (len && !(inodes = malloc(lines * sizeof *inodes))) {
		errno = ENOMEM;
		return -1;
	}
	while (next_line(&w, &kind, &s, &complete))
		if (kind == LINE_SOCKET)
			inodes[n++] = s.inode;
	if (n)
		qsort(inodes, n, sizeof *inodes, by_value);
	for (i = 0; i < n; i++)
		if ((!i || inodes[i - 1] != inodes[i]) && (i + 1 == n || inodes[i + 1] != inodes[i]))
			inodes[once++] = inodes[i];

	/* second pass: a socket line waits for the next line, which may show that its path goes on */
	w = (struct line_walk){buf, len, 0, 1};
	while (!r && next_line(&w, &kind, &s, &complete)) {
		if (have_held) {
			have_held = 0;
			if (kind == LINE_BAD)
				(*bad)++;
			else
				r = fn(&held, arg);
			if (r)
				break;
		}
		if (kind == LINE_BAD) {
			(*bad)++;
			continue;
		}
		if (kind == LINE_HEADER)
			continue;
		hit = once ? bsearch(&s.inode, inodes, once, sizeof *inodes, by_value) : NULL;
		if (!hit || !complete) {
			(*bad)++;
			continue;
		}
		held = s;
		have_held = 1;
	}
	if (!r && have_held)
		r = fn(&held, arg);
	free(inodes);
	return r;
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

/*
 * NETLINK_SOCK_DIAG answers about unix sockets. musl's headers lack <linux/netlink.h> and <linux/unix_diag.h>:
 * the layout of the kernel's ABI, read by offset (an input may sit at any alignment).
 */
#define NLMSG_HEADER 16        /* struct nlmsghdr: len (u32), type (u16), flags (u16), seq, pid */
#define NL_TYPE_ERROR 2        /* NLMSG_ERROR: a negative errno (or 0, an acknowledgement), the request */
#define NL_TYPE_DONE 3         /* NLMSG_DONE: the end of a dump */
#define SOCK_DIAG_BY_FAMILY 20
#define UNIX_DIAG_MSG 16       /* struct unix_diag_msg: family, type, state, pad (u8), ino (u32), cookie[2] */
#define UNIX_DIAG_NAME 0       /* sun_path as bound: a path with its NUL, or NUL and an abstract name */
#define UNIX_DIAG_VFS 1        /* struct unix_diag_vfs: the bound file's inode, then its device (u32 each) */
#define UNIX_DIAG_UID 7        /* the uid that created the socket (u32; Linux 5.3 and later) */
#define DIAG_TCP_ESTABLISHED 1 /* the kernel keeps a unix socket's state in the TCP names */
#define DIAG_TCP_LISTEN 10
#define SUN_PATH_MAX 108

static uint32_t u32_at(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static uint16_t u16_at(const char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* The attributes of one unix_diag_msg into s; name is scratch for an abstract name. -1: malformed. */
static int diag_attributes(const char *p, size_t len, struct pb_unix_sock *s, char *name)
{
	size_t alen, i;
	const char *a;

	while (len >= 4) {
		alen = u16_at(p);
		if (alen < 4 || alen > len)
			return -1;
		a = p + 4;
		switch (u16_at(p + 2) & 0x3fff) { /* without NLA_F_NESTED and NLA_F_NET_BYTEORDER */
		case UNIX_DIAG_NAME:
			/* a path of all 108 bytes comes with a NUL after it */
			if (alen - 4 > SUN_PATH_MAX + 1)
				return -1;
			if (alen > 4 && a[0]) {
				s->path = a;
				s->path_len = strnlen(a, alen - 4);
			} else if (alen > 4) {
				/* as net/unix shows it: '@' first, NULs inside as '@' */
				for (i = 0; i < alen - 4; i++)
					name[i] = a[i] ? a[i] : '@';
				s->path = name;
				s->path_len = alen - 4;
			}
			break;
		case UNIX_DIAG_VFS:
			if (alen < 12)
				return -1;
			s->vfs_ino = u32_at(a);
			/* the kernel's own dev_t (major << 20 | minor), made into the number stat(2) shows */
			s->vfs_dev = makedev(u32_at(a + 4) >> 20, u32_at(a + 4) & 0xfffff);
			break;
		case UNIX_DIAG_UID:
			if (alen < 8)
				return -1;
			s->uid = u32_at(a);
			break;
		}
		alen = (alen + 3) & ~(size_t)3;
		if (alen >= len)
			break;
		p += alen;
		len -= alen;
	}
	return 0;
}

int pb_parse_unix_diag(const char *buf, size_t len, int (*fn)(const struct pb_unix_sock *, void *), void *arg,
		       int *done)
{
	char name[SUN_PATH_MAX + 1];
	struct pb_unix_sock s;
	size_t mlen, pos = 0;
	int32_t err;
	int r;

	*done = 0;
	while (pos < len) {
		if (len - pos < NLMSG_HEADER)
			goto malformed;
		mlen = u32_at(buf + pos);
		if (mlen < NLMSG_HEADER || mlen > len - pos)
			goto malformed;
		switch (u16_at(buf + pos + 4)) {
		case NL_TYPE_DONE:
			*done = 1;
			return 0;
		case NL_TYPE_ERROR:
			*done = 1;
			if (mlen < NLMSG_HEADER + 4)
				goto malformed;
			memcpy(&err, buf + pos + NLMSG_HEADER, sizeof err);
			if (!err)
				return 0;
			if (err > 0 || err < -4095)
				goto malformed;
			errno = -err;
			return -1;
		case SOCK_DIAG_BY_FAMILY:
			if (mlen < NLMSG_HEADER + UNIX_DIAG_MSG)
				goto malformed;
			if (buf[pos + NLMSG_HEADER] != AF_UNIX)
				break;
			memset(&s, 0, sizeof s);
			s.path = "";
			s.uid = -1;
			s.type = (unsigned char)buf[pos + NLMSG_HEADER + 1];
			s.flags = buf[pos + NLMSG_HEADER + 2] == DIAG_TCP_LISTEN ? PB_UNIX_LISTENING : 0;
			/* net/unix's St column: SS_CONNECTED or SS_UNCONNECTED */
			s.state = buf[pos + NLMSG_HEADER + 2] == DIAG_TCP_ESTABLISHED ? 3 : 1;
			s.inode = u32_at(buf + pos + NLMSG_HEADER + 4);
			if (diag_attributes(buf + pos + NLMSG_HEADER + UNIX_DIAG_MSG, mlen - NLMSG_HEADER - UNIX_DIAG_MSG,
					    &s, name))
				goto malformed;
			if ((r = fn(&s, arg)))
				return r;
			break;
		}
		/* messages are padded to 4 bytes; the last one may end the buffer unpadded */
		mlen = (mlen + 3) & ~(size_t)3;
		pos = mlen < len - pos ? pos + mlen : len;
	}
	return 0;
malformed:
	errno = EPROTO;
	return -1;
}
