/* Fuzz target: what vouches for a graphical session (core/session.c): X display names (pb_parse_x_display),
 * logind's session records (pb_parse_logind_session) and Xauthority files (pb_parse_xauth). The first byte
 * picks the parser. A display is local only as "[unix]:DIGITS[.DIGITS]" and its number is those digits; a
 * record's fields point inside its buffer, within one line; Xauthority entries tile the buffer in order. */
#include "fuzz.h"

static int digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void x_display(const char *buf, size_t len)
{
	const char *colon = NULL, *dot;
	unsigned long v = 0;
	unsigned int n = 77777;
	size_t i;

	if (pb_parse_x_display(buf, len, &n)) {
		REQUIRE(n == 77777);
		return;
	}
	for (i = 0; i < len; i++)
		if (buf[i] == ':')
			colon = buf + i;
	REQUIRE(colon);
	REQUIRE(colon == buf || (colon - buf == 4 && !memcmp(buf, "unix", 4)));
	dot = memchr(colon + 1, '.', len - (size_t)(colon + 1 - buf));
	REQUIRE(digits(colon + 1, (size_t)((dot ? dot : buf + len) - colon - 1)));
	if (dot)
		REQUIRE(digits(dot + 1, (size_t)(buf + len - dot - 1)));
	for (i = 1; colon + i < (dot ? dot : buf + len); i++)
		v = v * 10 + (unsigned long)(colon[i] - '0');
	REQUIRE(v == n && n <= 65535);
}

/* the number of the first line that starts with UID=, as a reference; -1 when there is none */
static long long first_uid(const char *buf, size_t len)
{
	const char *line = buf, *end = buf + len, *p;
	long long v;

	for (; line < end; line = p + 1) {
		if (!(p = memchr(line, '\n', (size_t)(end - line))))
			p = end;
		if (p - line < 4 || memcmp(line, "UID=", 4))
			continue;
		for (v = 0, line += 4; line < p && *line >= '0' && *line <= '9' && v < 1LL << 40; line++)
			v = v * 10 + (*line - '0');
		return v;
	}
	return -1;
}

static void logind(const char *buf, size_t len)
{
	struct pb_logind_session ls;

	if (pb_parse_logind_session(buf, len, &ls))
		return;
	REQUIRE(!memchr(buf, 0, len));
	if (ls.have_uid)
		REQUIRE(first_uid(buf, len) == (long long)ls.uid);
	else
		REQUIRE(first_uid(buf, len) == -1);
	if (ls.display) {
		REQUIRE(fuzz_inside(buf, len, ls.display, ls.display_len));
		REQUIRE(!memchr(ls.display, '\n', ls.display_len));
		REQUIRE(ls.display - buf >= 8 && !memcmp(ls.display - 8, "DISPLAY=", 8));
	}
}

static void xauth(const char *buf, size_t len)
{
	struct pb_xauth e;
	size_t pos = 0, last;
	int r;

	for (;;) {
		last = pos;
		r = pb_parse_xauth(buf, len, &pos, &e);
		if (r <= 0) {
			REQUIRE(pos == last);
			REQUIRE(r == -1 || pos == len);
			break;
		}
		REQUIRE(pos > last && pos <= len);
		REQUIRE(e.address == buf + last + 4);
		REQUIRE(e.number == e.address + e.address_len + 2);
		REQUIRE(e.name == e.number + e.number_len + 2);
		REQUIRE(e.data == e.name + e.name_len + 2);
		REQUIRE(e.data + e.data_len == buf + pos);
		REQUIRE(e.family <= 65535);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (!size)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	REQUIRE(buf);
	memcpy(buf, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		x_display(buf, size - 1);
		break;
	case 1:
		logind(buf, size - 1);
		break;
	default:
		xauth(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
