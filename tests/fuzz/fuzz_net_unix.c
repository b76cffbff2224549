/* Fuzz target: pb_parse_net_unix and pb_socket_inode. Every line is a socket, the header, empty or counted bad. */
#include <errno.h>

#include "fuzz.h"

struct seen {
	const char *buf;
	size_t len, sockets, stop_after;
};

static int on_socket(const struct pb_unix_sock *s, void *arg)
{
	struct seen *seen = arg;

	REQUIRE(fuzz_inside(seen->buf, seen->len, s->path, s->path_len));
	/* a path never runs into the next line */
	REQUIRE(!memchr(s->path, '\n', s->path_len));
	REQUIRE(s->type <= 0xffff && s->state <= 0xff);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split in;
	struct seen seen;
	size_t bad = 0, lines = 0, empty = 0, header, i, start;
	int r;

	if (fuzz_split(data, size, 0, &in))
		return 0;
	/* count the lines the way the file is cut: by '\n', a last line without one included */
	for (i = 0, start = 0; i < in.len; i++) {
		if (in.buf[i] == '\n') {
			lines++;
			empty += i == start;
			start = i + 1;
		}
	}
	if (start < in.len)
		lines++;
	header = in.len >= 4 && !memcmp(in.buf, "Num ", 4);

	seen = (struct seen){in.buf, in.len, 0, 0};
	r = pb_parse_net_unix(in.buf, in.len, on_socket, &seen, &bad);
	REQUIRE(r == 0);
	REQUIRE(seen.sockets + bad + empty + header == lines);

	/* a callback's non-zero answer stops the walk and comes back (the first byte picks when) */
	if (seen.sockets) {
		size_t all = seen.sockets;
		seen = (struct seen){in.buf, in.len, 0, (size_t)data[0] % all + 1};
		REQUIRE(pb_parse_net_unix(in.buf, in.len, on_socket, &seen, &bad) == 7);
		REQUIRE(seen.sockets == seen.stop_after);
	}
	REQUIRE(pb_socket_inode(in.buf, in.len) == ref_inode(in.buf, in.len));
	free(in.buf);
	return 0;
}
