/* Numbers from text that a user may have written: the whole string, digits of the base only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procbox.h"

int pb_parse_ull(const char *s, int base, unsigned long long max, unsigned long long *out)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
	unsigned long long v;
	char *end;

	/* strtoull alone would take leading blanks, a sign (and negate), and a 0x prefix in base 16 */
	if (!*s || s[strspn(s, digits)]) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}
