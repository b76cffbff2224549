/* Growable byte buffer and the escapers for JSON, terminals and the shell. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procbox.h"

void pb_buf_init(struct pb_buf *b)
{
	memset(b, 0, sizeof *b);
}

void pb_buf_free(struct pb_buf *b)
{
	free(b->data);
	pb_buf_init(b);
}

int pb_buf_reserve(struct pb_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	/* one spare byte so readers can NUL-terminate what was read */
	if (extra > (size_t)-1 - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	errno = ENOMEM;
	return -1;
}

/* The appenders below call pb_buf_reserve only when the buffer is full (or failed): they run for every field of
 * every process shown, and the call cost as much as the copy. */
void pb_buf_add(struct pb_buf *b, const void *p, size_t n)
{
	if (!n || ((b->failed || b->cap - b->len <= n) && pb_buf_reserve(b, n)))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void pb_buf_adds(struct pb_buf *b, const char *s)
{
	pb_buf_add(b, s, strlen(s));
}

void pb_buf_addc(struct pb_buf *b, char c)
{
	if ((b->failed || b->cap - b->len <= 1) && pb_buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = 0;
}

void pb_buf_addf(struct pb_buf *b, const char *fmt, ...)
{
	va_list ap, again;
	int n;

	if (pb_buf_reserve(b, 64))
		return;
	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n >= 0 && (size_t)n >= b->cap - b->len && pb_buf_reserve(b, (size_t)n) == 0)
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
	va_end(again);
	va_end(ap);
	if (n < 0) { /* EOVERFLOW: nothing of it is kept */
		b->failed = 1;
		b->data[b->len] = 0;
	} else if (!b->failed) {
		b->len += (size_t)n;
	}
}

/* Numbers are the most of what proc-tree writes: digits straight into the buffer, no format to interpret. */
void pb_buf_addu(struct pb_buf *b, unsigned long long v)
{
	char tmp[24], *p = tmp + sizeof tmp;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	pb_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void pb_buf_addi(struct pb_buf *b, long long v)
{
	if (v < 0) {
		pb_buf_addc(b, '-');
		pb_buf_addu(b, 0ULL - (unsigned long long)v);
	} else {
		pb_buf_addu(b, (unsigned long long)v);
	}
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there are not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* reject overlong forms, surrogates and code points past U+10FFFF */
	c = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++)
		c = c << 6 | (s[i] & 0x3f);
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

/* Length of the character at s when it is non-ASCII, valid UTF-8 and safe on a terminal, else 0. The C1
 * controls (U+0080..U+009F) are terminal escapes: neither JSON shown on a terminal nor text may carry them raw. */
static size_t safe_utf8_len(const unsigned char *s, size_t n)
{
	size_t k = s[0] >= 0x80 ? utf8_len(s, n) : 0;

	return k == 2 && s[0] == 0xc2 && s[1] < 0xa0 ? 0 : k;
}

void pb_buf_json_str(struct pb_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run, k;

	pb_buf_addc(b, '"');
	while (i < n) {
		/* copy the longest run that needs no escaping in one go */
		for (run = i; run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\'; run++)
			;
		pb_buf_add(b, s + i, run - i);
		if ((i = run) >= n)
			break;
		switch (u[i]) {
		case '"': pb_buf_add(b, "\\\"", 2); i++; continue;
		case '\\': pb_buf_add(b, "\\\\", 2); i++; continue;
		case '\n': pb_buf_add(b, "\\n", 2); i++; continue;
		case '\t': pb_buf_add(b, "\\t", 2); i++; continue;
		case '\r': pb_buf_add(b, "\\r", 2); i++; continue;
		}
		/* anything else is escaped byte by byte, so \u00XX always means byte XX */
		if ((k = safe_utf8_len(u + i, n - i))) {
			pb_buf_add(b, s + i, k);
			i += k;
		} else {
			char esc[6] = {'\\', 'u', '0', '0', hex[u[i] >> 4], hex[u[i] & 15]};
			pb_buf_add(b, esc, 6);
			i++;
		}
	}
	pb_buf_addc(b, '"');
}

void pb_buf_text_str(struct pb_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run, k;

	while (i < n) {
		for (run = i; run < n && u[run] >= 0x20 && u[run] < 0x7f; run++)
			;
		pb_buf_add(b, s + i, run - i);
		if ((i = run) >= n)
			break;
		if ((k = safe_utf8_len(u + i, n - i))) {
			pb_buf_add(b, s + i, k);
			i += k;
		} else {
			pb_buf_addc(b, '?');
			i++;
		}
	}
}

void pb_buf_shell_str(struct pb_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;

	pb_buf_addc(b, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] != '\'')
			continue;
		pb_buf_add(b, s + start, i - start);
		pb_buf_add(b, "'\\''", 4);
		start = i + 1;
	}
	pb_buf_add(b, s + start, n - start);
	pb_buf_addc(b, '\'');
}

int pb_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int pb_buf_write_fd(struct pb_buf *b, int fd)
{
	if (b->failed) {
		errno = ENOMEM;
		return -1;
	}
	if (pb_write_all(fd, b->data, b->len))
		return -1;
	b->len = 0;
	return 0;
}
