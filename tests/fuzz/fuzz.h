/* Shared bits of the libFuzzer targets: invariant checks that abort, an input splitter, a UTF-8 checker. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/procbox.h"

/* A broken invariant is a finding like a crash: libFuzzer saves the input that broke it. */
#define REQUIRE(cond)                                                                                              \
	do {                                                                                                       \
		if (!(cond)) {                                                                                     \
			fprintf(stderr, "invariant broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__);              \
			abort();                                                                                   \
		}                                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Splits an input into a short argument (a key, a name) and the buffer to parse: the first byte gives the
 * argument's length (mod max+1). The buffer is copied into its own allocation of exactly its size, so ASan
 * catches a parser reading one byte past the end.
 */
struct fuzz_split {
	char arg[64]; /* NUL-terminated; may be shorter than arg_len when the input holds a NUL */
	size_t arg_len;
	char *buf;
	size_t len;
};

static inline int fuzz_split(const uint8_t *data, size_t size, size_t max, struct fuzz_split *s)
{
	if (!size || max >= sizeof s->arg)
		return -1;
	s->arg_len = data[0] % (max + 1);
	if (s->arg_len > size - 1)
		s->arg_len = size - 1;
	memcpy(s->arg, data + 1, s->arg_len);
	s->arg[s->arg_len] = 0;
	s->len = size - 1 - s->arg_len;
	s->buf = malloc(s->len ? s->len : 1);
	if (!s->buf)
		return -1;
	memcpy(s->buf, data + 1 + s->arg_len, s->len);
	return 0;
}

/* Length of the valid UTF-8 sequence at s: no overlong forms, no surrogates, nothing past U+10FFFF; 0 if none.
 * Written apart from core/buf.c on purpose: the targets check the core, not themselves. */
static inline size_t fuzz_utf8_len(const unsigned char *s, size_t n)
{
	unsigned int c;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (n >= 2 && s[0] >= 0xc2 && s[0] <= 0xdf && (s[1] & 0xc0) == 0x80)
		return 2;
	if (n >= 3 && (s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		c = (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		return c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 3 : 0;
	}
	if (n >= 4 && (s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		c = (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
		return c >= 0x10000 && c <= 0x10ffff ? 4 : 0;
	}
	return 0;
}

static inline int fuzz_valid_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (!(k = fuzz_utf8_len((const unsigned char *)s + i, n - i)))
			return 0;
		i += k;
	}
	return 1;
}

/* Is [p, p+n) inside [buf, buf+len)? */
static inline int fuzz_inside(const char *buf, size_t len, const char *p, size_t n)
{
	return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

#endif
