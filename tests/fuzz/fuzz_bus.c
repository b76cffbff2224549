/* Fuzz target: pb_parse_bus_address (D-Bus addresses from other users' environments, core/session.c). Every
 * call moves forward and stays in the buffer, ends the list in at most one call per byte, and fills a path that
 * of a unix address that is NUL-terminated at path_len with no NUL before it. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct pb_bus_addr a;
	size_t pos = 0, last, calls = 0;
	int r;

	REQUIRE(buf);
	memcpy(buf, data, size);
	for (;;) {
		last = pos;
		r = pb_parse_bus_address(buf, size, &pos, &a);
		REQUIRE(r == 0 || r == 1);
		REQUIRE(pos <= size);
		REQUIRE(++calls <= size + 1);
		if (!r)
			break;
		REQUIRE(pos > last);
		REQUIRE(a.kind == PB_BUS_UNIX_PATH || a.kind == PB_BUS_UNIX_ABSTRACT || a.kind == PB_BUS_UNCHECKED ||
			a.kind == PB_BUS_MALFORMED);
		if (a.kind == PB_BUS_UNIX_PATH || a.kind == PB_BUS_UNIX_ABSTRACT)
			REQUIRE(a.path_len < sizeof a.path && a.path[a.path_len] == 0 && strlen(a.path) == a.path_len);
	}
	free(buf);
	return 0;
}
