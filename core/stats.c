/* Summary statistics of a list of sizes: minimum, average, median, maximum and total, as proc 1.0's StatsList. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procbox.h"

static int ascending(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

int pb_stats_of(unsigned long long *values, size_t n, struct pb_stats *st)
{
	unsigned long long a, b;
	size_t i;

	memset(st, 0, sizeof *st);
	if (!n) {
		/* an empty group has a total (0) but no minimum, median or average */
		errno = EDOM;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (st->total + values[i] < st->total) {
			memset(st, 0, sizeof *st);
			errno = ERANGE;
			return -1;
		}
		st->total += values[i];
	}
	qsort(values, n, sizeof *values, ascending);
	st->count = n;
	st->min = values[0];
	st->max = values[n - 1];
	st->average = (double)st->total / (double)n;
	if (n % 2) {
		st->median = (double)values[n / 2];
	} else {
		/* the mean of the two middle values; halving first cannot overflow */
		a = values[n / 2 - 1];
		b = values[n / 2];
		st->median = (double)(a / 2 + b / 2) + (double)(a % 2 + b % 2) / 2;
	}
	return 0;
}
