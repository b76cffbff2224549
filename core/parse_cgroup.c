/* Parser of /proc/PID/cgroup and the systemd unit a cgroup path names. */
#include <errno.h>
#include <string.h>

#include "procbox.h"

int pb_parse_cgroup(const char *buf, size_t len, const char **path)
{
	const char *line, *nl, *c1, *c2, *v1 = NULL;
	size_t line_len, v1_len = 0;
	struct pb_vec_iter it;

	pb_vec_iter_init(&it, buf, len);
	while (pb_line_next(&it, &line, &line_len)) {
		nl = line + line_len;
		/* hierarchy-ID:controllers:path; the path itself may hold ':' */
		c1 = memchr(line, ':', (size_t)(nl - line));
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', (size_t)(nl - c1 - 1));
		/* a line may end right after the second ':', and the buffer with it */
		if (!c2 || c2 + 1 >= nl || c2[1] != '/')
			continue;
		if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1) {
			*path = c2 + 1;
			return (int)(nl - c2 - 1);
		}
		if (!v1 && c2 - c1 - 1 == 12 && !memcmp(c1 + 1, "name=systemd", 12)) {
			v1 = c2 + 1;
			v1_len = (size_t)(nl - c2 - 1);
		}
	}
	if (v1) {
		*path = v1;
		return (int)v1_len;
	}
	errno = ENOENT;
	return -1;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && !memcmp(s + n - k, suffix, k);
}

int pb_cgroup_unit(const char *path, size_t len, char *unit, size_t size)
{
	size_t end = len, start;

	unit[0] = 0;
	while (end > 0) {
		for (start = end; start > 0 && path[start - 1] != '/'; start--)
			;
		if (ends_with(path + start, end - start, ".service") || ends_with(path + start, end - start, ".scope")) {
			if (end - start >= size)
				return 0;
			memcpy(unit, path + start, end - start);
			unit[end - start] = 0;
			return (int)(end - start);
		}
		end = start ? start - 1 : 0;
	}
	return 0;
}
