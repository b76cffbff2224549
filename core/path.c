/* Programs on PATH, searched the way execvp() searches (an empty entry is the current directory). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procbox.h"

int pb_find_program(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH"), *colon, *dir;
	char full[4096];
	struct stat sb;
	size_t dlen, nlen = strlen(name);

	if (!nlen || strchr(name, '/')) {
		errno = EINVAL;
		return -1;
	}
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin"; /* execvp's default */
	for (;; path = colon + 1) {
		colon = strchr(path, ':');
		if (!colon)
			colon = path + strlen(path);
		dir = colon > path ? path : ".";
		dlen = colon > path ? (size_t)(colon - path) : 1;
		if (dlen + nlen + 2 <= sizeof full) {
			memcpy(full, dir, dlen);
			full[dlen] = '/';
			memcpy(full + dlen + 1, name, nlen + 1);
			if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode) && access(full, X_OK) == 0) {
				if (out && dlen + nlen + 2 <= size)
					memcpy(out, full, dlen + nlen + 2);
				return 0;
			}
		}
		if (!*colon)
			break;
	}
	errno = ENOENT;
	return -1;
}
