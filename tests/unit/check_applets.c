/* Unit test of the one applet table: sorted, no duplicates, well-formed names and summaries. */
#include "unit.h"

static const char *const names[] = {
#define APPLET(name, fn, summary) name,
#include "../../applets/applets.h"
#undef APPLET
};
static const char *const summaries[] = {
#define APPLET(name, fn, summary) summary,
#include "../../applets/applets.h"
#undef APPLET
};

START_TEST(table_sorted_unique)
{
	size_t i, n = sizeof names / sizeof names[0];

	ck_assert_uint_gt(n, 0);
	for (i = 1; i < n; i++)
		ck_assert_msg(strcmp(names[i - 1], names[i]) < 0, "%s must sort before %s", names[i - 1], names[i]);
}
END_TEST

START_TEST(names_and_summaries)
{
	size_t i, n = sizeof names / sizeof names[0];
	const char *c;

	for (i = 0; i < n; i++) {
		ck_assert_uint_gt(strlen(names[i]), 0);
		for (c = names[i]; *c; c++)
			ck_assert_msg((*c >= 'a' && *c <= 'z') || *c == '-', "bad applet name %s", names[i]);
		ck_assert_msg(strncmp(names[i], "procbox", 7), "%s would be taken for procbox itself", names[i]);
		ck_assert_uint_gt(strlen(summaries[i]), 10);
		ck_assert_uint_lt(strlen(summaries[i]), 80);
	}
}
END_TEST

static Suite *applets_suite(void)
{
	Suite *s = suite_create("applets");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, table_sorted_unique);
	tcase_add_test(tc, names_and_summaries);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(applets_suite)
