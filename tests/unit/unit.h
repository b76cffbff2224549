/* Shared bits of the check suites: fixture paths and a main() per suite. */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/procbox.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

#define SUITE_MAIN(make_suite)                                                                                     \
	int main(void)                                                                                             \
	{                                                                                                          \
		SRunner *sr = srunner_create(make_suite());                                                        \
		int failed;                                                                                        \
		srunner_run_all(sr, CK_NORMAL);                                                                    \
		failed = srunner_ntests_failed(sr);                                                                \
		srunner_free(sr);                                                                                  \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                                       \
	}

/* the process with that pid in a scanned table; the test fails when it is missing */
static inline struct pb_proc *unit_pid(const struct pb_table *t, int pid)
{
	struct pb_proc *p = pb_find_pid(t, pid);

	ck_assert_msg(p != NULL, "pid %d missing", pid);
	return p;
}

static inline void unit_close(struct pb_root *root, struct pb_table *t)
{
	pb_table_free(t);
	pb_root_close(root);
}

/* a string literal and its length, for the pure parsers */
#define S(lit) (lit), (sizeof(lit) - 1)

#endif
