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

/* pb_snprintf against the C library's snprintf (glibc here), which is the contract it keeps */
#define SAME(...)                                                                                             \
	do {                                                                                                  \
		char want[256], got[256];                                                                     \
		int wn = snprintf(want, sizeof want, __VA_ARGS__), gn = pb_snprintf(got, sizeof got, __VA_ARGS__); \
		ck_assert_msg(wn == gn && strcmp(want, got) == 0, "%s: want \"%s\" (%d), got \"%s\" (%d)",       \
			      #__VA_ARGS__, want, wn, got, gn);                                                 \
	} while (0)

START_TEST(fmt_like_printf)
{
	SAME("plain text, no conversion");
	SAME("%s|%-10s|%10s|%.3s|%.*s|%-6.2s|", "abc", "left", "right", "truncated", 2, "xyz", "pq");
	SAME("%d %d %d %i %5d %-5d| %05d %.3d %.0d|", 0, -1, 2147483647, -2147483647 - 1, 42, 42, -42, 7, 0);
	SAME("%u %lu %llu %zu %02llu %x %lx %8x", 4294967295u, 18446744073709551615ul, 0ull, (size_t)123, 5ull,
	     255u, 0xdeadbeeful, 16u);
	SAME("%ld %lld %jd %td %hd %hhd %hu %hhu", -9223372036854775807L - 1, 9223372036854775807LL, (intmax_t)-5,
	     (ptrdiff_t)6, 70000, 300, 70000, 300);
	SAME("%c%c%3c%-3c|%%|", 'a', 0x7f, 'b', 'c');
	SAME("%*d|%-*d|%*s|%.*d", 6, 1, 6, 2, -6, "neg", 4, 3);
	SAME("%.0f %.1f %.2f %.3f %f %8.2f %-8.1f| %08.2f", 0.5, 0.25, 1.005, 2.0005, 3.14159265, -1.5, 2.25, -3.5);
	SAME("%.0f %.0f %.0f %.1f %.1f %.2f", 1.5, 2.5, -0.5, 0.05, 0.15, 1e15 / 3);
	SAME("%.1f %.3f %.0f %.2f", 1e18, 123456789.0005, 1e-300, -0.0);
	SAME("%s%%s%d", "x", 1);
}
END_TEST

START_TEST(fmt_rounding_and_truncation)
{
	/* every rounding case of %.0f..%.3f is decided on the exact binary value, ties to even, like printf */
	unsigned long long x = 88172645463325252ULL;

	for (int i = 0; i < 200000; i++) {
		double d;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (i % 4) {
		case 0: d = (double)(x % 100000000) / 1000; break;  /* thousandths: many near-ties */
		case 1: d = (double)(x % 4096) / 64; break;          /* exact binary ties */
		case 2: d = (double)(x >> 11) / 9007199254740992.0 * 1e6; break;
		default: d = -(double)(x % 1000003) / 8; break;
		}
		SAME("%.0f|%.1f|%.2f|%.3f", d, d, d, d);
	}

	char small[6];
	ck_assert_int_eq(pb_snprintf(small, sizeof small, "%s-%d", "abcdef", 123), 10);
	ck_assert_str_eq(small, "abcde");
	ck_assert_int_eq(pb_snprintf(small, 1, "%d", 99), 2);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(pb_snprintf(NULL, 0, "%s", "count only"), 10);
	/* not a conversion of ours: shown as written, arguments untouched */
	const char *odd = "%q%";
	ck_assert_int_eq(pb_snprintf(small, sizeof small, odd, 0), 3);
	ck_assert_str_eq(small, "%q%");
}
END_TEST

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

static int by_value(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

struct wide {
	char bytes[150]; /* wider than pb_sort's swap buffer */
	int key;
};

static int by_key(const void *a, const void *b)
{
	return by_value(&((const struct wide *)a)->key, &((const struct wide *)b)->key);
}

START_TEST(sort_like_qsort)
{
	enum { N = 5000 };
	static int v[N], w[N];
	static struct wide big[300];
	unsigned x = 12345;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i++) {
			x = x * 1103515245 + 12345;
			v[i] = round == 0 ? (int)(x >> 8) : round == 1 ? i : round == 2 ? N - i : (int)(x % 7);
			w[i] = v[i];
		}
		pb_sort(v, N, sizeof *v, by_value);
		qsort(w, N, sizeof *w, by_value);
		ck_assert_int_eq(memcmp(v, w, sizeof v), 0);
	}
	for (int i = 0; i < 300; i++) {
		big[i].key = (i * 7919) % 300;
		memset(big[i].bytes, big[i].key, sizeof big[i].bytes);
	}
	pb_sort(big, 300, sizeof *big, by_key);
	for (int i = 0; i < 300; i++) {
		ck_assert_int_eq(big[i].key, i);
		ck_assert_int_eq((unsigned char)big[i].bytes[149], (unsigned char)i);
	}
	pb_sort(v, 0, sizeof *v, by_value);
	pb_sort(v, 1, sizeof *v, by_value);
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
	tcase_add_test(tc, fmt_like_printf);
	tcase_add_test(tc, fmt_rounding_and_truncation);
	tcase_add_test(tc, parse_numbers);
	tcase_add_test(tc, sort_like_qsort);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(buf_suite)
