/* Unit tests of the summary statistics (core/stats.c), with proc 1.0's own examples. */
#include <errno.h>
#include <stdint.h>

#include "unit.h"

START_TEST(proc_examples)
{
	/* proc 1.0's StatsList: the first ten Fibonacci numbers average 8.8 with median 4 (mean of 3 and 5) */
	unsigned long long even[] = {34, 0, 21, 1, 13, 1, 8, 2, 5, 3};
	unsigned long long odd[] = {0, 1, 1, 2, 3, 5, 8, 13, 21};
	struct pb_stats st;

	ck_assert_int_eq(pb_stats_of(even, 10, &st), 0);
	ck_assert_uint_eq(st.count, 10);
	ck_assert_uint_eq(st.min, 0);
	ck_assert_uint_eq(st.max, 34);
	ck_assert_uint_eq(st.total, 88);
	ck_assert_double_eq_tol(st.average, 8.8, 1e-9);
	ck_assert_double_eq(st.median, 4);
	ck_assert_int_eq(pb_stats_of(odd, 9, &st), 0);
	ck_assert_double_eq(st.median, 3);
	ck_assert_uint_eq(st.total, 54);
	ck_assert_double_eq(st.average, 6);
}
END_TEST

START_TEST(sorted_in_place)
{
	unsigned long long v[] = {5, 3, 9, 1};
	struct pb_stats st;

	ck_assert_int_eq(pb_stats_of(v, 4, &st), 0);
	ck_assert(v[0] == 1 && v[1] == 3 && v[2] == 5 && v[3] == 9);
	ck_assert_double_eq(st.median, 4);
}
END_TEST

START_TEST(small_lists)
{
	unsigned long long one[] = {4096}, two[] = {1, 2}, same[] = {7, 7, 7};
	struct pb_stats st;

	ck_assert_int_eq(pb_stats_of(one, 1, &st), 0);
	ck_assert(st.min == 4096 && st.max == 4096 && st.total == 4096);
	ck_assert_double_eq(st.average, 4096);
	ck_assert_double_eq(st.median, 4096);
	/* an even count's median need not be a whole number */
	ck_assert_int_eq(pb_stats_of(two, 2, &st), 0);
	ck_assert_double_eq(st.median, 1.5);
	ck_assert_double_eq(st.average, 1.5);
	ck_assert_int_eq(pb_stats_of(same, 3, &st), 0);
	ck_assert_double_eq(st.median, 7);
}
END_TEST

START_TEST(empty_list)
{
	struct pb_stats st;

	memset(&st, 0xaa, sizeof st);
	errno = 0;
	ck_assert_int_eq(pb_stats_of(NULL, 0, &st), -1);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_uint_eq(st.count, 0);
	ck_assert_uint_eq(st.total, 0);
	ck_assert_uint_eq(st.min, 0);
	ck_assert_double_eq(st.median, 0);
}
END_TEST

START_TEST(huge_values)
{
	/* the two middle values near 2^64: their mean must not wrap */
	unsigned long long big[] = {UINT64_MAX / 2, UINT64_MAX / 2 + 1};
	unsigned long long odd[] = {UINT64_MAX / 2 - 1, UINT64_MAX / 2 + 2};
	unsigned long long over[] = {UINT64_MAX, 1};
	struct pb_stats st;

	ck_assert_int_eq(pb_stats_of(big, 2, &st), 0);
	ck_assert_double_eq_tol(st.median, (double)(UINT64_MAX / 2) + 0.5, 4096);
	ck_assert_int_eq(pb_stats_of(odd, 2, &st), 0);
	ck_assert_double_eq_tol(st.median, (double)(UINT64_MAX / 2) + 0.5, 4096);
	errno = 0;
	ck_assert_int_eq(pb_stats_of(over, 2, &st), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(st.count, 0);
}
END_TEST

START_TEST(exact_middle_of_odd_pair)
{
	/* 3 and 6: both odd halves add up to the .5 */
	unsigned long long v[] = {3, 6}, w[] = {5, 7};
	struct pb_stats st;

	ck_assert_int_eq(pb_stats_of(v, 2, &st), 0);
	ck_assert_double_eq(st.median, 4.5);
	ck_assert_int_eq(pb_stats_of(w, 2, &st), 0);
	ck_assert_double_eq(st.median, 6);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, proc_examples);
	tcase_add_test(tc, sorted_in_place);
	tcase_add_test(tc, small_lists);
	tcase_add_test(tc, empty_list);
	tcase_add_test(tc, huge_values);
	tcase_add_test(tc, exact_middle_of_odd_pair);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(stats_suite)
