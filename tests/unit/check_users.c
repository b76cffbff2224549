/* Unit tests of the uid/gid name helpers. */
#include "unit.h"

START_TEST(names_and_fallbacks)
{
	int i;

	ck_assert_str_eq(pb_uid_name(0), "root");
	ck_assert_str_eq(pb_gid_name(0), "root");
	/* no such user: the number, never NULL, never an error */
	ck_assert_str_eq(pb_uid_name(3999999999u), "3999999999");
	ck_assert_str_eq(pb_gid_name(3999999998u), "3999999998");
	/* more distinct ids than the cache holds still answer correctly */
	for (i = 0; i < 200; i++) {
		char want[16];
		snprintf(want, sizeof want, "%d", 3000000 + i);
		ck_assert_str_eq(pb_uid_name(3000000u + (unsigned)i), want);
	}
	ck_assert_str_eq(pb_uid_name(0), "root");
}
END_TEST

START_TEST(names_outlive_later_lookups)
{
	const char *first = pb_uid_name(0), *group = pb_gid_name(0), *again[300];
	char want[16];
	int i;

	/* far more distinct ids than a ring of a few dozen names would hold, each name kept while looking up more:
	 * a pointer handed out earlier still names its own user */
	for (i = 0; i < 300; i++) {
		again[i] = pb_uid_name(4000000u + (unsigned)i);
		ck_assert_str_eq(first, "root");
		ck_assert_str_eq(pb_gid_name(4000000u + (unsigned)i), again[i]);
	}
	ck_assert_str_eq(first, "root");
	ck_assert_str_eq(group, "root");
	for (i = 0; i < 300; i++) {
		snprintf(want, sizeof want, "%d", 4000000 + i);
		ck_assert_str_eq(again[i], want);
		/* looked up once: the same pointer again */
		ck_assert_ptr_eq(pb_uid_name(4000000u + (unsigned)i), again[i]);
	}
	ck_assert_ptr_eq(pb_uid_name(0), first);
	ck_assert_ptr_eq(pb_gid_name(0), group);
}
END_TEST

START_TEST(lookup)
{
	ck_assert_int_eq(pb_user_lookup("root"), 0);
	ck_assert_int_eq(pb_user_lookup("0"), 0);
	ck_assert_int_eq(pb_user_lookup("12345"), 12345);
	ck_assert_int_eq(pb_user_lookup("no-such-user-here"), -1);
	ck_assert_int_eq(pb_user_lookup("-1"), -1);
	ck_assert_int_eq(pb_user_lookup("12x"), -1);
	ck_assert_int_eq(pb_user_lookup(""), -1);
	ck_assert_int_eq(pb_user_lookup("99999999999"), -1);
}
END_TEST

static Suite *users_suite(void)
{
	Suite *s = suite_create("users");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, names_and_fallbacks);
	tcase_add_test(tc, names_outlive_later_lookups);
	tcase_add_test(tc, lookup);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(users_suite)
