/* Unit tests of the strict number reader (core/number.c). */
#include <errno.h>

#include "unit.h"

START_TEST(parse_numbers)
{
	unsigned long long v = 7;

	ck_assert_int_eq(pb_parse_ull("0", 10, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(pb_parse_ull("18446744073709551615", 10, ~0ULL, &v), 0);
	ck_assert(v == ~0ULL);
	ck_assert_int_eq(pb_parse_ull("18446744073709551616", 10, ~0ULL, &v), -1);
	ck_assert_int_eq(pb_parse_ull("99999999999999999999999", 10, ~0ULL, &v), -1);
	ck_assert_int_eq(pb_parse_ull("2147483647", 10, 2147483647, &v), 0);
	ck_assert_int_eq(pb_parse_ull("2147483648", 10, 2147483647, &v), -1);
	ck_assert_int_eq(pb_parse_ull("fffffffffffffffF", 16, ~0ULL, &v), 0);
	ck_assert(v == ~0ULL);
	ck_assert_int_eq(pb_parse_ull("0000000000000000000000000000012", 10, 12, &v), 0);
	ck_assert_uint_eq(v, 12);
	v = 5;
	/* nothing but digits of the base: no sign, blank, prefix or trailing byte; v untouched on failure */
	const char *bad[] = { "", " 1", "+1", "-1", "1 ", "1\n", "0x10", "12a", "1.5", "g" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(pb_parse_ull(bad[i], 10, ~0ULL, &v) == -1, "\"%s\" accepted", bad[i]);
	ck_assert_int_eq(pb_parse_ull("1f:", 16, ~0ULL, &v), -1);
	ck_assert_int_eq(pb_parse_ull("G", 16, ~0ULL, &v), -1);
	ck_assert_uint_eq(v, 5);
}
END_TEST

/* errno says which: not digits of the base, or a number beyond the maximum */
START_TEST(parse_number_errors)
{
	unsigned long long v;

	errno = 0;
	ck_assert_int_eq(pb_parse_ull("-0", 10, ~0ULL, &v), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pb_parse_ull("11", 10, 10, &v), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(pb_parse_ull("10", 16, 15, &v), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

static Suite *number_suite(void)
{
	Suite *s = suite_create("number");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_numbers);
	tcase_add_test(tc, parse_number_errors);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(number_suite)
