/* Unit test of the one applet table: sorted, no duplicates, well-formed names and summaries; and of the run
 * times proc-tree and cron-graceful show (applets/applet.c). */
#include "unit.h"
#include "../../applets/applet.c"

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

START_TEST(durations)
{
	static const struct {
		double secs;
		const char *text;
	} cases[] = {
		{-1, "-"},          {-0.5, "-"},        {0, "00:00"},          {59.99, "00:59"},
		{60, "01:00"},      {3599, "59:59"},    {3600, "01:00:00"},    {86399.5, "23:59:59"},
		{86400, "1-00:00:00"}, {100 * 86400 + 3661, "100-01:01:01"},
	};
	struct pb_buf b;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pb_buf_init(&b);
		pb_buf_adds(&b, "|"); /* appended to what the buffer holds */
		applet_add_duration(&b, cases[i].secs);
		ck_assert(!b.failed);
		ck_assert_str_eq(b.data + 1, cases[i].text);
		ck_assert_int_eq(b.data[0], '|');
		pb_buf_free(&b);
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
	tc = tcase_create("shared");
	tcase_add_test(tc, durations);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(applets_suite)
