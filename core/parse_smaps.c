/* Parser of /proc/PID/smaps_rollup, and of a whole smaps (the per-mapping values add up). */
#include <errno.h>
#include <string.h>

#include "procbox.h"

int pb_parse_smaps(const char *buf, size_t len, struct pb_smaps *sm)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"Rss", offsetof(struct pb_smaps, rss)},
		{"Pss", offsetof(struct pb_smaps, pss)},
		{"Shared_Clean", offsetof(struct pb_smaps, shared_clean)},
		{"Shared_Dirty", offsetof(struct pb_smaps, shared_dirty)},
		{"Private_Clean", offsetof(struct pb_smaps, private_clean)},
		{"Private_Dirty", offsetof(struct pb_smaps, private_dirty)},
		{"Swap", offsetof(struct pb_smaps, swap)},
		{"SwapPss", offsetof(struct pb_smaps, swap_pss)},
	};
	const char *line, *nl, *colon, *p;
	unsigned long long v, *slot;
	size_t line_len, i, klen;
	struct pb_vec_iter it;
	int seen = 0;

	memset(sm, 0, sizeof *sm);
	pb_vec_iter_init(&it, buf, len);
	while (pb_line_next(&it, &line, &line_len)) {
		nl = line + line_len;
		colon = memchr(line, ':', (size_t)(nl - line));
		if (!colon)
			continue;
		klen = (size_t)(colon - line);
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strlen(keys[i].key) == klen && !memcmp(line, keys[i].key, klen))
				break;
		if (i == sizeof keys / sizeof keys[0])
			continue; /* another key, or a mapping's header line */
		for (p = colon + 1; p < nl && *p == ' '; p++)
			;
		if (p >= nl || *p < '0' || *p > '9')
			continue;
		for (v = 0; p < nl && *p >= '0' && *p <= '9'; p++) {
			if (v > (~0ULL >> 10) / 10)
				goto bad;
			v = v * 10 + (unsigned)(*p - '0');
		}
		if (nl - p < 3 || memcmp(p, " kB", 3))
			continue;
		slot = (unsigned long long *)((char *)sm + keys[i].off);
		if (*slot + (v << 10) < *slot)
			goto bad;
		*slot += v << 10;
		if (keys[i].off == offsetof(struct pb_smaps, pss))
			sm->have_pss = 1;
		seen = 1;
	}
	if (seen)
		return 0;
bad:
	memset(sm, 0, sizeof *sm);
	errno = EINVAL;
	return -1;
}
