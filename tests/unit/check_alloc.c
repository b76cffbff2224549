/* Unit tests of the static binary's allocator (core/alloc.c), reached as pb_malloc & co. under glibc. */
#include <stdint.h>

#include "unit.h"

/* every byte of a block carries its owner's tag: an overlap or a lost copy shows as a wrong byte */
static void fill(unsigned char *p, size_t n, unsigned tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(tag + i * 7);
}

static int intact(const unsigned char *p, size_t n, unsigned tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(tag + i * 7))
			return 0;
	return 1;
}

START_TEST(random_workload)
{
	enum { SLOTS = 512, ROUNDS = 30000 };
	static unsigned char *ptr[SLOTS];
	static size_t len[SLOTS];
	unsigned x = 2463534242u;

	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned i, op;
		size_t n;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		i = x % SLOTS;
		op = (x >> 9) % 4;
		/* mostly small sizes, sometimes past the largest class, sometimes 0 */
		n = (x >> 12) % 16 == 0 ? (x >> 5) % 200000 : (x >> 5) % 600;
		if (ptr[i])
			ck_assert_msg(intact(ptr[i], len[i], i), "slot %u corrupted in round %u", i, r);
		if (op == 0 || !ptr[i]) {
			pb_free(ptr[i]);
			ptr[i] = op == 3 ? pb_calloc(n, 1) : pb_malloc(n);
			ck_assert_ptr_nonnull(ptr[i]);
			ck_assert_uint_eq((uintptr_t)ptr[i] % 16, 0);
			if (op == 3) {
				size_t k = 0;

				while (k < n && ptr[i][k] == 0)
					k++;
				ck_assert_uint_eq(k, n);
			}
		} else if (op == 1) {
			unsigned char *q = pb_realloc(ptr[i], n);

			ck_assert_ptr_nonnull(q);
			ck_assert_uint_eq((uintptr_t)q % 16, 0);
			ck_assert(intact(q, n < len[i] ? n : len[i], i)); /* realloc keeps the common part */
			ptr[i] = q;
		} else if (op == 2) {
			pb_free(ptr[i]);
			ptr[i] = NULL;
			n = 0;
		} else {
			continue;
		}
		len[i] = n;
		if (ptr[i])
			fill(ptr[i], n, i);
	}
	for (unsigned i = 0; i < SLOTS; i++) {
		if (ptr[i])
			ck_assert(intact(ptr[i], len[i], i));
		pb_free(ptr[i]);
	}
}
END_TEST

START_TEST(edges)
{
	unsigned char *p, *q;

	pb_free(NULL);
	p = pb_malloc(0);
	q = pb_malloc(0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_ne(p, q); /* distinct blocks even for 0 bytes */
	pb_free(p);
	pb_free(q);
	ck_assert_ptr_null(pb_malloc(SIZE_MAX - 8));
	ck_assert_ptr_null(pb_calloc(SIZE_MAX / 2, 3));
	/* a block that becomes its own mapping and grows in place or by moving (mremap), keeping its bytes */
	p = pb_malloc(40000);
	fill(p, 40000, 3);
	p = pb_realloc(p, 4 << 20);
	ck_assert(intact(p, 40000, 3));
	fill(p, 4 << 20, 4);
	p = pb_realloc(p, 100000); /* shrinks the mapping */
	ck_assert(intact(p, 100000, 4));
	p = pb_realloc(p, 100); /* back to a class block */
	ck_assert(intact(p, 100, 4));
	q = pb_realloc(NULL, 10);
	ck_assert_ptr_nonnull(q);
	/* a freed class block is handed out again for the same class */
	pb_free(q);
	ck_assert_ptr_eq(pb_malloc(12), q);
	pb_free(q);
	pb_free(p);
}
END_TEST

static Suite *alloc_suite(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, random_workload);
	tcase_add_test(tc, edges);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(alloc_suite)
