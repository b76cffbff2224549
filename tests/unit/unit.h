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

/* a string literal and its length, for the pure parsers */
#define S(lit) (lit), (sizeof(lit) - 1)

#endif
