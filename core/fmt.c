/* A small printf and a strict number reader: what procbox uses of printf and strtoul, so the static binary
 * carries neither musl's vfprintf (10 KB with fmt_fp) nor its strtol family.
 *
 * Flags '-' and '0'; width and precision as digits or '*'; lengths hh h l ll z j t; conversions d i u x c s f %.
 * %f rounds the exact binary value to nearest, ties to even, as printf does: for precisions up to 3 the product
 * with 10^p is exact in x87 long double (53 + 10 bits fit its 64-bit mantissa), so rintl decides like printf;
 * values that do not fit 64 bits once scaled print as the largest that does. Anything else is copied as is. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "procbox.h"

struct sink {
	char *out;
	size_t size, len; /* len counts every byte, written or not, as snprintf's return does */
};

static void put(struct sink *s, const char *p, size_t n)
{
	size_t room = s->len < s->size ? s->size - s->len - 1 : 0;

	if (s->size)
		memcpy(s->out + s->len, p, n < room ? n : room);
	s->len += n;
}

static void pad(struct sink *s, char c, long n)
{
	while (n-- > 0)
		put(s, &c, 1);
}

/* digits of v in base 10 or 16 into the end of tmp; returns the first digit */
static char *digits(char *end, unsigned long long v, unsigned base)
{
	do
		*--end = "0123456789abcdef"[v % base];
	while (v /= base);
	return end;
}

/* one field: sign or prefix, zeros to the precision, the body; padded to the width */
static void field(struct sink *s, const char *sign, const char *body, size_t n, long zeros, long width, int left,
		  int zero_pad)
{
	size_t sn = strlen(sign);
	long fill = width - (long)(sn + n) - zeros;

	if (zero_pad && !left) {
		zeros += fill > 0 ? fill : 0;
		fill = 0;
	}
	if (!left)
		pad(s, ' ', fill);
	put(s, sign, sn);
	pad(s, '0', zeros);
	put(s, body, n);
	if (left)
		pad(s, ' ', fill);
}

static void fixed(struct sink *s, long double v, int prec, long width, int left, int zero_pad)
{
	static const long double scale[] = { 1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	char tmp[48], *end = tmp + sizeof tmp, *p = end;
	const char *sign = signbit(v) ? "-" : "";
	unsigned long long n;

	if (prec > 9)
		prec = 9;
	if (isnan(v) || isinf(v)) {
		field(s, sign, isnan(v) ? "nan" : "inf", 3, 0, width, left, 0);
		return;
	}
	v = rintl(fabsl(v) * scale[prec]);
	n = v < 18446744073709551615.0L ? (unsigned long long)v : ~0ULL;
	for (int i = 0; i < prec; i++) {
		*--p = (char)('0' + n % 10);
		n /= 10;
	}
	if (prec)
		*--p = '.';
	p = digits(p, n, 10);
	field(s, sign, p, (size_t)(end - p), 0, width, left, zero_pad);
}

size_t pb_vfmt(char *out, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { out, size, 0 };
	char tmp[24], *end = tmp + sizeof tmp;

	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		int left = 0, zero_pad = 0, lng = 0;
		long width = 0, prec = -1;
		unsigned long long u;
		long long i;

		if (!pct) {
			put(&s, fmt, strlen(fmt));
			break;
		}
		put(&s, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero_pad = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0)
				left = 1, width = -width;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			if (*++fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		/* lng: 0 int, 1 long (and z j t: all 64 bits here), 2 long long; h and hh narrow after the fetch */
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't')
				lng++;
			else if (*fmt == 'h')
				lng--;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			i = lng > 0 ? va_arg(ap, long long) : va_arg(ap, int);
			if (lng == -1)
				i = (short)i;
			else if (lng < -1)
				i = (signed char)i;
			u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
			goto number;
		case 'u':
		case 'x':
			u = lng > 0 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng < -1)
				u = (unsigned char)u;
			i = 0;
		number: {
			char *p = prec == 0 && u == 0 ? end : digits(end, u, *fmt == 'x' ? 16 : 10);

			long zeros = prec > end - p ? prec - (end - p) : 0;

			field(&s, i < 0 ? "-" : "", p, (size_t)(end - p), zeros, width, left, zero_pad && prec < 0);
			break;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			field(&s, "", tmp, 1, 0, width, left, 0);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n;

			if (!str)
				str = "(null)";
			n = prec < 0 ? strlen(str) : strnlen(str, (size_t)prec);
			field(&s, "", str, n, 0, width, left, 0);
			break;
		}
		case 'f':
			fixed(&s, va_arg(ap, double), prec < 0 ? 6 : (int)prec, width, left, zero_pad);
			break;
		case '%':
			put(&s, "%", 1);
			break;
		default: /* not ours: shown as written */
			put(&s, pct, (size_t)(fmt - pct) + (*fmt != 0));
			if (!*fmt)
				continue;
		}
		fmt++;
	}
	if (size)
		out[s.len < size ? s.len : size - 1] = 0;
	return s.len;
}

int pb_snprintf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = pb_vfmt(out, size, fmt, ap);
	va_end(ap);
	return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

int pb_parse_ull(const char *s, int base, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;

	for (;; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (base == 16 && d > 9)
			d = (unsigned)((*p | 0x20) - 'a') + 10;
		if (d >= (unsigned)base) /* also the end: NUL gives a huge d */
			break;
		if (v > (max - d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + d;
	}
	if (p == s || *p)
		return -1;
	*out = v;
	return 0;
}
