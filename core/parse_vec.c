/* NUL-separated vectors: /proc/PID/cmdline and /proc/PID/environ. */
#include <string.h>

#include "procbox.h"

void pb_vec_iter_init(struct pb_vec_iter *it, const char *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->pos = 0;
}

/* the next piece up to sep (or the end, for a last piece without one) */
static int split_next(struct pb_vec_iter *it, int sep, const char **item, size_t *item_len)
{
	const char *start, *end;

	if (it->pos >= it->len)
		return 0;
	start = it->buf + it->pos;
	end = memchr(start, sep, it->len - it->pos);
	*item = start;
	*item_len = end ? (size_t)(end - start) : it->len - it->pos;
	it->pos += *item_len + 1;
	return 1;
}

int pb_vec_next(struct pb_vec_iter *it, const char **item, size_t *item_len)
{
	return split_next(it, 0, item, item_len);
}

int pb_line_next(struct pb_vec_iter *it, const char **line, size_t *line_len)
{
	return split_next(it, '\n', line, line_len);
}

size_t pb_cmdline_trim(const char *buf, size_t len)
{
	/* setproctitle() pads with NULs; a final NUL only ends the last argument */
	while (len > 0 && buf[len - 1] == 0)
		len--;
	return len;
}

size_t pb_cmdline_argc(const char *buf, size_t len)
{
	struct pb_vec_iter it;
	const char *item;
	size_t n = 0, item_len;

	pb_vec_iter_init(&it, buf, pb_cmdline_trim(buf, len));
	while (pb_vec_next(&it, &item, &item_len))
		n++;
	return n;
}

const char *pb_environ_get(const char *buf, size_t len, const char *name, size_t *vlen)
{
	struct pb_vec_iter it;
	const char *item;
	size_t nlen = strlen(name), item_len;

	*vlen = 0;
	if (!nlen)
		return NULL;
	pb_vec_iter_init(&it, buf, len);
	while (pb_vec_next(&it, &item, &item_len)) {
		if (item_len > nlen && item[nlen] == '=' && !memcmp(item, name, nlen)) {
			*vlen = item_len - nlen - 1;
			return item + nlen + 1;
		}
	}
	*vlen = 0;
	return NULL;
}
