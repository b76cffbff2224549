/* Fuzz target: pb_parse_cgroup and pb_cgroup_unit, checked against a reference scan of the lines. */
#include <errno.h>

#include "fuzz.h"

/* "0::/path" (unified) wins; else the first "N:name=systemd:/path"; NULL when neither. */
static const char *ref_cgroup(const char *buf, size_t len, size_t *n)
{
	const char *v1 = NULL, *line, *nl, *c1, *c2;
	size_t v1_len = 0, pos;

	for (pos = 0; pos < len; pos = (size_t)(nl - buf) + 1) {
		line = buf + pos;
		if (!(nl = memchr(line, '\n', len - pos)))
			nl = buf + len;
		if (!(c1 = memchr(line, ':', (size_t)(nl - line))) || !(c2 = memchr(c1 + 1, ':', (size_t)(nl - c1 - 1))))
			continue;
		if (c2 + 1 >= nl || c2[1] != '/')
			continue;
		if (c1 == line + 1 && line[0] == '0' && c2 == c1 + 1) {
			*n = (size_t)(nl - c2 - 1);
			return c2 + 1;
		}
		if (!v1 && c2 - c1 - 1 == 12 && !memcmp(c1 + 1, "name=systemd", 12)) {
			v1 = c2 + 1;
			v1_len = (size_t)(nl - c2 - 1);
		}
	}
	*n = v1_len;
	return v1;
}

/* The last '/'-separated component of path ending in .service or .scope (and longer than that suffix). */
static const char *ref_unit(const char *path, size_t len, size_t *n)
{
	const char *found = NULL;
	size_t start = 0, end, k;

	while (start <= len) {
		for (end = start; end < len && path[end] != '/'; end++)
			;
		k = end - start;
		if ((k > 8 && !memcmp(path + end - 8, ".service", 8)) || (k > 6 && !memcmp(path + end - 6, ".scope", 6))) {
			found = path + start;
			*n = k;
		}
		start = end + 1;
	}
	return found;
}

static void check_unit(const char *path, size_t len, size_t size)
{
	char *unit = malloc(size);
	const char *ref;
	size_t ref_len = 0;
	int r;

	if (!unit)
		return;
	r = pb_cgroup_unit(path, len, unit, size);
	ref = ref_unit(path, len, &ref_len);
	REQUIRE(r >= 0 && (size_t)r < size);
	REQUIRE(unit[r] == 0);
	if (ref && ref_len < size) {
		REQUIRE((size_t)r == ref_len && !memcmp(unit, ref, ref_len));
	} else {
		/* none, or the last one does not fit: nothing, never an earlier unit or a cut one */
		REQUIRE(r == 0 && unit[0] == 0);
	}
	free(unit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split in;
	const char *path = NULL, *ref;
	size_t ref_len = 0, unit_size;
	int r;

	if (fuzz_split(data, size, 0, &in))
		return 0;
	/* the first byte, otherwise unused, picks the size of the unit buffer */
	unit_size = size ? (size_t)data[0] % 80 + 1 : 1;
	errno = 0;
	r = pb_parse_cgroup(in.buf, in.len, &path);
	ref = ref_cgroup(in.buf, in.len, &ref_len);
	if (r < 0) {
		REQUIRE(errno == ENOENT && !ref);
	} else {
		REQUIRE(path == ref && (size_t)r == ref_len);
		REQUIRE(fuzz_inside(in.buf, in.len, path, (size_t)r));
		REQUIRE(path[0] == '/' && path[-1] == ':');
		REQUIRE(!memchr(path, '\n', (size_t)r));
		check_unit(path, (size_t)r, unit_size);
	}
	/* any bytes as a path */
	check_unit(in.buf, in.len, unit_size);
	free(in.buf);
	return 0;
}
