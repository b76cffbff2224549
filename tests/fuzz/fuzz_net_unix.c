/*
 * Fuzz target: pb_parse_net_unix, pb_parse_unix_diag and pb_socket_inode. A socket line is passed only when no
 * other line contradicts it (its inode on no other line, the next line a socket line, its newline there).
 */
#include <errno.h>

#include "fuzz.h"

/* One line of the input, parsed alone: the parser's verdict on it without any other line around. */
struct line {
	const char *start;
	size_t len;     /* without the newline */
	int complete;   /* ends in '\n' */
	int socket;     /* a well-formed socket line on its own */
	int header;     /* the first line, "Num ..." */
	unsigned long long inode;
};

struct seen {
	const char *buf;
	size_t len, sockets, stop_after;
	const struct line *lines;
	size_t nlines, next; /* next: the first line a passed socket may still be on */
};

static int alone(const struct pb_unix_sock *s, void *arg)
{
	*(unsigned long long *)arg = s->inode;
	return 1;
}

static int on_socket(const struct pb_unix_sock *s, void *arg)
{
	struct seen *seen = arg;
	const struct line *l;
	size_t i;

	REQUIRE(fuzz_inside(seen->buf, seen->len, s->path, s->path_len));
	/* a path never runs into the next line */
	REQUIRE(!memchr(s->path, '\n', s->path_len));
	REQUIRE(s->type <= 0xffff && s->state <= 0xff);
	REQUIRE(s->uid == -1 && !s->vfs_dev && !s->vfs_ino);
	/* the line it is on: in file order, after the last one passed */
	for (i = seen->next; i < seen->nlines; i++)
		if (s->path >= seen->lines[i].start && s->path <= seen->lines[i].start + seen->lines[i].len)
			break;
	REQUIRE(i < seen->nlines);
	l = &seen->lines[i];
	seen->next = i + 1;
	REQUIRE(l->socket && l->complete && l->inode == s->inode);
	/* nothing contradicts it: no other socket line claims its inode, and the next line does not continue its
	 * path */
	REQUIRE(i + 1 == seen->nlines || seen->lines[i + 1].socket);
	for (size_t j = 0; j < seen->nlines; j++)
		REQUIRE(j == i || !seen->lines[j].socket || seen->lines[j].inode != s->inode);
	seen->sockets++;
	return seen->sockets == seen->stop_after ? 7 : 0;
}

/* "socket:[DIGITS]": the value of the digits, 0 when the link is anything else (or too big). */
static unsigned long long ref_inode(const char *s, size_t n)
{
	unsigned long long v = 0;
	size_t i;

	if (n < 10 || memcmp(s, "socket:[", 8) || s[n - 1] != ']')
		return 0;
	for (i = 8; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (~0ULL - 9) / 10)
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v;
}

static int on_diag(const struct pb_unix_sock *s, void *arg)
{
	struct seen *seen = arg;

	/* a path name from the buffer, cut at its NUL; an abstract one rebuilt, '@' first and no NUL left */
	REQUIRE(s->path_len <= 109);
	REQUIRE(!memchr(s->path, 0, s->path_len));
	REQUIRE(!s->path_len || s->path[0] == '@' || fuzz_inside(seen->buf, seen->len, s->path, s->path_len));
	REQUIRE(s->inode <= 0xffffffffULL && s->type <= 0xff);
	REQUIRE(s->flags == 0 || s->flags == PB_UNIX_LISTENING);
	REQUIRE(s->uid >= -1 && s->uid <= 0xffffffffLL);
	seen->sockets++;
	return seen->sockets == seen->stop_after ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split in;
	struct line *lines;
	struct seen seen;
	size_t bad = 0, nlines = 0, headers = 0, i, start;
	int r, done;

	if (fuzz_split(data, size, 0, &in))
		return 0;
	lines = calloc(in.len + 1, sizeof *lines);
	if (!lines)
		abort();
	/* cut the lines the way the file is cut: by '\n', a last line without one included; parse each alone */
	for (i = 0, start = 0; i <= in.len; i++) {
		if (i < in.len && in.buf[i] != '\n')
			continue;
		if (i == in.len && start == in.len)
			break;
		lines[nlines] = (struct line){in.buf + start, i - start, i < in.len, 0, 0, 0};
		lines[nlines].header = nlines == 0 && i - start >= 4 && !memcmp(in.buf, "Num ", 4);
		headers += lines[nlines].header;
		/* a socket line alone, the only line: after a made-up header so that "Num ..." stays data */
		if (!lines[nlines].header && i > start) {
			char *alone_buf = malloc(i - start + 6);
			unsigned long long inode = 0;

			if (!alone_buf)
				abort();
			memcpy(alone_buf, "Num \n", 5);
			memcpy(alone_buf + 5, in.buf + start, i - start);
			alone_buf[i - start + 5] = '\n';
			lines[nlines].socket = pb_parse_net_unix(alone_buf, i - start + 6, alone, &inode, &bad) == 1;
			lines[nlines].inode = inode;
			free(alone_buf);
		}
		nlines++;
		start = i + 1;
	}

	seen = (struct seen){in.buf, in.len, 0, 0, lines, nlines, 0};
	r = pb_parse_net_unix(in.buf, in.len, on_socket, &seen, &bad);
	REQUIRE(r == 0);
	/* every line is passed, the header, or counted bad */
	REQUIRE(seen.sockets + bad + headers == nlines);

	/* a callback's non-zero answer stops the walk and comes back (the first byte picks when) */
	if (seen.sockets) {
		size_t all = seen.sockets;
		seen = (struct seen){in.buf, in.len, 0, (size_t)data[0] % all + 1, lines, nlines, 0};
		REQUIRE(pb_parse_net_unix(in.buf, in.len, on_socket, &seen, &bad) == 7);
		REQUIRE(seen.sockets == seen.stop_after);
	}
	REQUIRE(pb_socket_inode(in.buf, in.len) == ref_inode(in.buf, in.len));

	/* the same bytes as a NETLINK_SOCK_DIAG answer */
	seen = (struct seen){in.buf, in.len, 0, 0, NULL, 0, 0};
	errno = 0;
	r = pb_parse_unix_diag(in.buf, in.len, on_diag, &seen, &done);
	REQUIRE(r == 0 || (r == -1 && errno != 0));
	if (r == 0 && seen.sockets) {
		size_t all = seen.sockets;
		seen = (struct seen){in.buf, in.len, 0, (size_t)data[0] % all + 1, NULL, 0, 0};
		REQUIRE(pb_parse_unix_diag(in.buf, in.len, on_diag, &seen, &done) == 7);
		REQUIRE(seen.sockets == seen.stop_after && !done);
	}
	free(lines);
	free(in.buf);
	return 0;
}
