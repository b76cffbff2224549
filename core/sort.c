/* Heapsort with qsort's contract: O(n log n) always, no allocation, and 2 KB less than musl's smoothsort. */
#include <string.h>

#include "procbox.h"

static void swap(char *a, char *b, size_t size)
{
	char t[64];

	while (size) {
		size_t n = size < sizeof t ? size : sizeof t;

		memcpy(t, a, n);
		memcpy(a, b, n);
		memcpy(b, t, n);
		a += n, b += n, size -= n;
	}
}

static void sift(char *v, size_t root, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && cmp(v + child * size, v + (child + 1) * size) < 0)
			child++;
		if (cmp(v + root * size, v + child * size) >= 0)
			return;
		swap(v + root * size, v + child * size, size);
		root = child;
	}
}

void pb_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *v = base;
	size_t i;

	if (n < 2)
		return;
	/* build the heap, then move the largest to the end one by one */
	for (i = n / 2; i-- > 0;)
		sift(v, i, n, size, cmp);
	for (i = n - 1; i > 0; i--) {
		swap(v, v + i * size, size);
		sift(v, 0, i, size, cmp);
	}
}
