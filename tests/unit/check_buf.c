/* Unit tests of the byte buffer and its escapers (JSON, terminal text, shell words). */
#include "unit.h"

static const char *json(struct pb_buf *b, const char *s, size_t n)
{
	b->len = 0;
	pb_buf_json_str(b, s, n);
	return b->data;
}

START_TEST(json_escapes)
{
	struct pb_buf b;

	pb_buf_init(&b);
	ck_assert_str_eq(json(&b, S("plain")), "\"plain\"");
	ck_assert_str_eq(json(&b, S("a\"b\\c")), "\"a\\\"b\\\\c\"");
	ck_assert_str_eq(json(&b, S("l1\nl2\tx\r")), "\"l1\\nl2\\tx\\r\"");
	ck_assert_str_eq(json(&b, S("\x01\x1f\x7f")), "\"\\u0001\\u001f\\u007f\"");
	ck_assert_str_eq(json(&b, S("a\0b")), "\"a\\u0000b\"");
	/* valid UTF-8 passes untouched, invalid bytes are escaped one by one */
	ck_assert_str_eq(json(&b, S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	ck_assert_str_eq(json(&b, S("\xff\xfe")), "\"\\u00ff\\u00fe\"");
	ck_assert_str_eq(json(&b, S("\xc3")), "\"\\u00c3\"");
	ck_assert_str_eq(json(&b, S("\xc0\xaf")), "\"\\u00c0\\u00af\"");         /* overlong '/' */
	ck_assert_str_eq(json(&b, S("\xed\xa0\x80")), "\"\\u00ed\\u00a0\\u0080\""); /* a surrogate */
	ck_assert_str_eq(json(&b, S("\xf4\x90\x80\x80")), "\"\\u00f4\\u0090\\u0080\\u0080\"");
	ck_assert_str_eq(json(&b, S("")), "\"\"");
	/* C1 controls in UTF-8 (U+0085, U+009B CSI) are escaped byte by byte, U+00A0 passes (hostile.sh found them raw) */
	ck_assert_str_eq(json(&b, S("\xc2\x9b" "2J\xc2\x85")), "\"\\u00c2\\u009b2J\\u00c2\\u0085\"");
	ck_assert_str_eq(json(&b, S("\xc2\xa0")), "\"\xc2\xa0\"");
	pb_buf_free(&b);
}
END_TEST

START_TEST(text_sanitizes)
{
	struct pb_buf b;

	pb_buf_init(&b);
	pb_buf_text_str(&b, S("ok \x1b[31mred\n\t\x7f\xff caf\xc3\xa9 \xc2\x9b"));
	ck_assert_str_eq(b.data, "ok ?[31mred???? caf\xc3\xa9 ??");
	pb_buf_free(&b);
}
END_TEST

START_TEST(shell_quotes)
{
	struct pb_buf b;

	pb_buf_init(&b);
	pb_buf_shell_str(&b, S("it's $HOME `x`"));
	ck_assert_str_eq(b.data, "'it'\\''s $HOME `x`'");
	b.len = 0;
	pb_buf_shell_str(&b, S(""));
	ck_assert_str_eq(b.data, "''");
	pb_buf_free(&b);
}
END_TEST

START_TEST(growth_and_numbers)
{
	struct pb_buf b;
	size_t i;

	pb_buf_init(&b);
	for (i = 0; i < 100000; i++)
		pb_buf_addc(&b, 'x');
	ck_assert_uint_eq(b.len, 100000);
	b.len = 0;
	pb_buf_addu(&b, 0);
	pb_buf_addc(&b, ' ');
	pb_buf_addu(&b, 18446744073709551615ULL);
	pb_buf_addc(&b, ' ');
	pb_buf_addi(&b, -9223372036854775807LL - 1);
	ck_assert_str_eq(b.data, "0 18446744073709551615 -9223372036854775808");
	b.len = 0;
	pb_buf_addf(&b, "%0500d|%s", 7, "end");
	ck_assert_uint_eq(b.len, 504);
	ck_assert_str_eq(b.data + 500, "|end");
	ck_assert_int_eq(b.failed, 0);
	pb_buf_free(&b);
}
END_TEST

static Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, json_escapes);
	tcase_add_test(tc, text_sanitizes);
	tcase_add_test(tc, shell_quotes);
	tcase_add_test(tc, growth_and_numbers);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(buf_suite)
