/* Fuzz target: pb_status_field and pb_parse_status, checked against a reference scan written apart from the core. */
#include <errno.h>

#include "fuzz.h"

/* The first line "KEY:" of buf, found byte by byte; its value with leading blanks skipped. */
static const char *ref_field(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), start = 0, i, end;

	while (start < len) {
		for (end = start; end < len && buf[end] != '\n'; end++)
			;
		if (end - start > klen && !memcmp(buf + start, key, klen) && buf[start + klen] == ':') {
			for (i = start + klen + 1; i < end && (buf[i] == ' ' || buf[i] == '\t'); i++)
				;
			*vlen = end - i;
			return buf + i;
		}
		start = end + 1;
	}
	return NULL;
}

/* Blank-separated unsigned 32-bit numbers: how many (all of them counted), -1 on anything else. */
static int ref_numbers(const char *v, size_t n, unsigned int *out, int max)
{
	size_t i = 0;
	unsigned long long x;
	int count = 0;

	for (;;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n)
			return count;
		if (v[i] < '0' || v[i] > '9')
			return -1;
		for (x = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			if ((x = x * 10 + (unsigned)(v[i] - '0')) > 0xffffffffULL)
				return -1;
		if (i < n && v[i] != ' ' && v[i] != '\t')
			return -1;
		if (count < max)
			out[count] = (unsigned int)x;
		count++;
	}
}

static void check_field(const char *buf, size_t len, const char *key)
{
	const char *v, *ref;
	size_t vlen = 12345, ref_len = 0;

	v = pb_status_field(buf, len, key, &vlen);
	ref = ref_field(buf, len, key, &ref_len);
	REQUIRE(v == ref);
	if (!v) {
		REQUIRE(vlen == 0);
		return;
	}
	REQUIRE(vlen == ref_len);
	REQUIRE(fuzz_inside(buf, len, v, vlen));
	REQUIRE(!memchr(v, '\n', vlen));
	REQUIRE(v + vlen == buf + len || v[vlen] == '\n');
	REQUIRE(!vlen || (v[0] != ' ' && v[0] != '\t'));
}

static void check_ids(const char *buf, size_t len, const char *key, int have, const struct pb_ids *ids)
{
	unsigned int v[4];
	size_t n;
	const char *val = ref_field(buf, len, key, &n);
	int ok = val && ref_numbers(val, n, v, 4) == 4;

	REQUIRE(have == ok);
	if (ok)
		REQUIRE(ids->real == v[0] && ids->effective == v[1] && ids->saved == v[2] && ids->fs == v[3]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"Uid", "Gid", "Groups", "Name", "VmRSS", ""};
	struct fuzz_split in;
	struct pb_status st;
	unsigned int groups[PB_GROUPS_MAX];
	const char *val;
	size_t i, n;
	int r, count;

	if (fuzz_split(data, size, 12, &in))
		return 0;
	check_field(in.buf, in.len, in.arg);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		check_field(in.buf, in.len, keys[i]);

	errno = 0;
	r = pb_parse_status(in.buf, in.len, &st);
	REQUIRE(r == ((st.have_uid || st.have_gid) ? 0 : -1));
	if (r)
		REQUIRE(errno == EINVAL);
	check_ids(in.buf, in.len, "Uid", st.have_uid, &st.uid);
	check_ids(in.buf, in.len, "Gid", st.have_gid, &st.gid);
	/* Groups: up to PB_GROUPS_MAX of a well-formed line, none of a bad one */
	val = ref_field(in.buf, in.len, "Groups", &n);
	count = val ? ref_numbers(val, n, groups, PB_GROUPS_MAX) : 0;
	if (count < 0)
		count = 0;
	REQUIRE(st.ngroups == (count > PB_GROUPS_MAX ? PB_GROUPS_MAX : count));
	for (i = 0; i < (size_t)st.ngroups; i++)
		REQUIRE(st.groups[i] == groups[i]);
	free(in.buf);
	return 0;
}
