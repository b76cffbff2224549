/* Fuzz target: the cmdline/environ vector functions. The elements must rebuild the buffer; lookups point into it. */
#include "fuzz.h"

static void check_iteration(const char *buf, size_t len)
{
	struct pb_vec_iter it;
	const char *item, *expect = buf;
	size_t n, count = 0, covered = 0;

	pb_vec_iter_init(&it, buf, len);
	while (pb_vec_next(&it, &item, &n)) {
		/* elements follow each other, separated by one NUL, and hold none themselves */
		REQUIRE(item == expect);
		REQUIRE(fuzz_inside(buf, len, item, n));
		REQUIRE(!memchr(item, 0, n));
		REQUIRE(item + n == buf + len || item[n] == 0);
		covered += n + (item + n < buf + len);
		expect = item + n + 1;
		count++;
		REQUIRE(count <= len);
	}
	REQUIRE(covered == len);
	/* the end stays the end */
	REQUIRE(pb_vec_next(&it, &item, &n) == 0);
}

static void check_cmdline(const char *buf, size_t len)
{
	size_t trim = pb_cmdline_trim(buf, len), argc = pb_cmdline_argc(buf, len), nuls = 0, i;

	REQUIRE(trim <= len);
	REQUIRE(trim == 0 || buf[trim - 1] != 0);
	for (i = trim; i < len; i++)
		REQUIRE(buf[i] == 0);
	/* trailing NULs are padding: the arguments are the NUL-separated pieces of what is left */
	for (i = 0; i < trim; i++)
		nuls += buf[i] == 0;
	REQUIRE(argc == (trim ? nuls + 1 : 0));
}

static void check_environ(const char *buf, size_t len, const char *name)
{
	size_t nlen = strlen(name), vlen = 999, i;
	const char *v = pb_environ_get(buf, len, name, &vlen), *entry;

	if (!v) {
		REQUIRE(vlen == 0);
		/* no entry NAME=... anywhere */
		if (!nlen)
			return;
		for (i = 0; i + nlen < len; i++)
			REQUIRE(!((i == 0 || buf[i - 1] == 0) && !memcmp(buf + i, name, nlen) && buf[i + nlen] == '='));
		return;
	}
	REQUIRE(nlen > 0);
	REQUIRE(fuzz_inside(buf, len, v, vlen));
	REQUIRE(!memchr(v, 0, vlen));
	REQUIRE(v + vlen == buf + len || v[vlen] == 0);
	entry = v - nlen - 1;
	REQUIRE(entry >= buf && (entry == buf || entry[-1] == 0));
	REQUIRE(!memcmp(entry, name, nlen) && entry[nlen] == '=');
	/* the first such entry wins */
	for (i = 0; buf + i < entry; i++)
		REQUIRE(!((i == 0 || buf[i - 1] == 0) && !memcmp(buf + i, name, nlen) && buf[i + nlen] == '='));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"DISPLAY", "HOME", "A", "=", "X=Y"};
	struct fuzz_split in;
	size_t i;

	if (fuzz_split(data, size, 16, &in))
		return 0;
	check_iteration(in.buf, in.len);
	check_cmdline(in.buf, in.len);
	check_environ(in.buf, in.len, in.arg);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		check_environ(in.buf, in.len, names[i]);
	free(in.buf);
	return 0;
}
