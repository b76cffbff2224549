/* Fuzz target: pb_parse_smaps. Values are whole kB; a failure leaves nothing; one more line adds exactly its value. */
#include <errno.h>

#include "fuzz.h"

#define FIELDS 8

static void values(const struct pb_smaps *sm, unsigned long long v[FIELDS])
{
	v[0] = sm->rss;
	v[1] = sm->pss;
	v[2] = sm->shared_clean;
	v[3] = sm->shared_dirty;
	v[4] = sm->private_clean;
	v[5] = sm->private_dirty;
	v[6] = sm->swap;
	v[7] = sm->swap_pss;
}

/* parse buf plus one extra line and compare with the first result: only the named field moved, by kb */
static void check_added_line(const char *buf, size_t len, int ok, const struct pb_smaps *before, const char *line,
			     int field, unsigned long long kb)
{
	size_t add = strlen(line), i;
	char *more = malloc(len + add + 1);
	unsigned long long a[FIELDS], b[FIELDS];
	struct pb_smaps after;

	if (!more)
		return;
	memcpy(more, buf, len);
	/* a newline first ends a last line without one, which changes nothing about how that line reads */
	more[len] = '\n';
	memcpy(more + len + 1, line, add);
	values(before, a);
	if (ok && a[field] > ~0ULL - (kb << 10)) {
		free(more);
		return; /* would overflow: the parser rightly refuses */
	}
	REQUIRE(pb_parse_smaps(more, len + 1 + add, &after) == 0);
	values(&after, b);
	for (i = 0; i < FIELDS; i++)
		REQUIRE(b[i] == (ok ? a[i] : 0) + ((int)i == field ? kb << 10 : 0));
	REQUIRE(after.have_pss == (field == 1 || (ok && before->have_pss)));
	free(more);
}

/* a run of 10 digits or more: a value or a sum could overflow */
static int long_number(const char *buf, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		run = buf[i] >= '0' && buf[i] <= '9' ? run + 1 : 0;
		if (run >= 10)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	unsigned long long v[FIELDS];
	struct pb_smaps sm;
	size_t i;
	int ok;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	errno = 0;
	ok = pb_parse_smaps(buf, size, &sm) == 0;
	values(&sm, v);
	if (!ok) {
		REQUIRE(errno == EINVAL);
		for (i = 0; i < FIELDS; i++)
			REQUIRE(v[i] == 0);
		REQUIRE(!sm.have_pss);
	} else {
		for (i = 0; i < FIELDS; i++)
			REQUIRE(v[i] % 1024 == 0);
		/* a Pss line was read only if the buffer holds one */
		if (sm.have_pss)
			REQUIRE(size >= 4 && (!memcmp(buf, "Pss:", 4) || memmem(buf, size, "\nPss:", 5)));
	}
	/* a failure from an overflow stays a failure whatever follows; without numbers long enough to overflow,
	 * a failure means no line counted, and the new line alone must */
	if (ok || !long_number(buf, size)) {
		check_added_line(buf, size, ok, &sm, "Rss:        7 kB\n", 0, 7);
		check_added_line(buf, size, ok, &sm, "Pss: 3 kB", 1, 3);
		check_added_line(buf, size, ok, &sm, "SwapPss: 0 kB\n", 7, 0);
	}
	free(buf);
	return 0;
}
