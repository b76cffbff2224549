/* Fuzz target: pb_parse_stat. Checks comm's bounds and bytes, the field ranges, and a print-and-parse round trip. */
#include <errno.h>

#include "fuzz.h"

static void same_stat(const struct pb_stat *a, const struct pb_stat *b)
{
	REQUIRE(a->pid == b->pid && a->ppid == b->ppid && a->pgrp == b->pgrp && a->session == b->session);
	REQUIRE(a->tty_nr == b->tty_nr && a->flags == b->flags && a->state == b->state);
	REQUIRE(a->comm_len == b->comm_len && !memcmp(a->comm, b->comm, a->comm_len + 1));
	REQUIRE(a->utime == b->utime && a->stime == b->stime && a->starttime == b->starttime);
	REQUIRE(a->vsize == b->vsize && a->rss == b->rss);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1), line[512];
	const char *open, *close;
	struct pb_stat st, again;
	size_t name_len;
	int n, m;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	errno = 0;
	if (pb_parse_stat(buf, size, &st)) {
		REQUIRE(errno == EINVAL);
		free(buf);
		return 0;
	}
	/* comm: the bytes between the first '(' and the last ')', cut to PB_COMM_MAX-1, NUL-terminated */
	open = memchr(buf, '(', size);
	close = memrchr(buf, ')', size);
	REQUIRE(open && close && close > open);
	name_len = (size_t)(close - open - 1);
	REQUIRE(st.comm_len <= PB_COMM_MAX - 1 && st.comm_len <= size);
	REQUIRE(st.comm_len == (name_len < PB_COMM_MAX - 1 ? name_len : PB_COMM_MAX - 1));
	REQUIRE(!memcmp(st.comm, open + 1, st.comm_len));
	REQUIRE(st.comm[st.comm_len] == 0);
	if (!memchr(st.comm, 0, st.comm_len))
		REQUIRE(strlen(st.comm) == st.comm_len);
	/* fields */
	REQUIRE(st.pid > 0 && st.ppid >= 0);
	REQUIRE((st.state >= 'A' && st.state <= 'Z') || (st.state >= 'a' && st.state <= 'z'));
	REQUIRE(close[1] == ' ' && close[2] == st.state);

	/* what was parsed, printed as a stat line, parses to the same thing (names that were not cut only) */
	if (name_len < PB_COMM_MAX) {
		n = snprintf(line, sizeof line, "%d (", st.pid);
		memcpy(line + n, st.comm, st.comm_len);
		n += (int)st.comm_len;
		m = snprintf(line + n, sizeof line - (size_t)n,
			     ") %c %d %d %d %d -1 %u 0 0 0 0 %llu %llu 0 0 20 0 1 0 %llu %llu %lld 0 0\n", st.state,
			     st.ppid, st.pgrp, st.session, st.tty_nr, st.flags, st.utime, st.stime, st.starttime,
			     st.vsize, st.rss);
		REQUIRE(m > 0 && (size_t)(n + m) < sizeof line);
		REQUIRE(pb_parse_stat(line, (size_t)(n + m), &again) == 0);
		same_stat(&st, &again);
	}
	free(buf);
	return 0;
}
