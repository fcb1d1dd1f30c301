/*
** test_buf.c: the capped byte buffer, str_copy and str_to_int64.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/buf.h"
#include "util/err.h"

static void init_allocates_nothing(void **state)
{
	struct buf b;

	(void)state;
	memset(&b, 0x5a, sizeof b);
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, 100);
	buf_free(&b);
	buf_free(&b); /* twice is fine */
	assert_int_equal(b.cap, 100);
}

static void exactly_at_cap(void **state)
{
	struct buf b;
	char ten[10];

	(void)state;
	memset(ten, 'a', sizeof ten);
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, ten, 10), HAT_OK);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, ten, 10);
	assert_int_equal(b.data[10], '\0');
	/* Nothing more fits, not even one byte; an empty append is fine. */
	assert_int_equal(buf_append(&b, "b", 1), HAT_E_BODY_TOO_LARGE);
	assert_int_equal(buf_append(&b, "", 0), HAT_OK);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, ten, 10);
	assert_int_equal(b.data[10], '\0');
	buf_free(&b);
}

static void one_over_in_pieces(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "abcd"), HAT_OK);
	assert_int_equal(buf_puts(&b, "efghij"), HAT_OK);
	assert_string_equal(b.data, "abcdefghij");
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 10); /* kept */

	assert_int_equal(buf_puts(&b, "abcd"), HAT_OK);
	/* 4 + 7 is one over: refused, and nothing of it appended. */
	assert_int_equal(buf_puts(&b, "efghijk"), HAT_E_BODY_TOO_LARGE);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "abcd");
	assert_int_equal(buf_puts(&b, "efghij"), HAT_OK);
	assert_string_equal(b.data, "abcdefghij");
	buf_free(&b);
}

static void one_over_at_once(void **state)
{
	struct buf b;
	char eleven[11];

	(void)state;
	memset(eleven, 'z', sizeof eleven);
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, eleven, 11), HAT_E_BODY_TOO_LARGE);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	/* A size that would wrap around is refused too. */
	assert_int_equal(buf_append(&b, eleven, SIZE_MAX), HAT_E_BODY_TOO_LARGE);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, eleven, 1), HAT_E_BODY_TOO_LARGE);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void grows_past_first_block(void **state)
{
	struct buf b;
	char chunk[300];
	size_t cap = 1000;

	(void)state;
	buf_init(&b, cap);
	for (size_t i = 0; i < 3; i++) {
		memset(chunk, 'a' + (int)i, sizeof chunk);
		assert_int_equal(buf_append(&b, chunk, sizeof chunk), HAT_OK);
	}
	assert_int_equal(b.len, 900);
	assert_true(b.alloc >= 901);
	assert_true(b.alloc <= cap + 1); /* never more than the cap needs */
	assert_int_equal(buf_append(&b, chunk, 101), HAT_E_BODY_TOO_LARGE);
	assert_int_equal(buf_append(&b, chunk, 100), HAT_OK);
	assert_int_equal(b.len, cap);
	for (size_t i = 0; i < 900; i++)
		assert_int_equal(b.data[i], 'a' + (int)(i / 300));
	assert_int_equal(b.data[cap], '\0');
	buf_free(&b);
}

static void printf_respects_cap(void **state)
{
	struct buf b;
	char big[1200];

	(void)state;
	buf_init(&b, 20);
	assert_int_equal(buf_printf(&b, "%s=%d", "dose", 42), HAT_OK);
	assert_string_equal(b.data, "dose=42");
	assert_int_equal(buf_printf(&b, "%013d", 7), HAT_OK); /* exactly 20 */
	assert_int_equal(b.len, 20);
	assert_int_equal(buf_printf(&b, "%c", 'x'), HAT_E_BODY_TOO_LARGE);
	assert_string_equal(b.data, "dose=420000000000007");
	buf_free(&b);

	/* Output longer than the function's own stack buffer. */
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_init(&b, 2000);
	assert_int_equal(buf_printf(&b, "<%s>", big), HAT_OK);
	assert_int_equal(b.len, sizeof big + 1);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[b.len - 1], '>');
	assert_int_equal(b.data[600], 'q');
	buf_free(&b);
	buf_init(&b, 1000);
	assert_int_equal(buf_printf(&b, "<%s>", big), HAT_E_BODY_TOO_LARGE);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void copy_fits_and_truncates(void **state)
{
	char dst[6];

	(void)state;
	memset(dst, 'x', sizeof dst);
	assert_true(str_copy(dst, sizeof dst, "abcde")); /* 5 + NUL: exactly fits */
	assert_string_equal(dst, "abcde");
	assert_false(str_copy(dst, sizeof dst, "abcdef")); /* one over */
	assert_string_equal(dst, "abcde");
	assert_false(str_copy(dst, sizeof dst, "a much longer string"));
	assert_string_equal(dst, "a muc");
	assert_true(str_copy(dst, sizeof dst, ""));
	assert_string_equal(dst, "");
	assert_false(str_copy(dst, 1, "a"));
	assert_string_equal(dst, "");
	assert_true(str_copy(dst, 1, ""));
	dst[0] = 'k';
	assert_false(str_copy(dst, 0, "a")); /* nowhere to write */
	assert_int_equal(dst[0], 'k');
}

static void int64_accepts(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_true(str_to_int64("0", 0, 10, &v));
	assert_int_equal(v, 0);
	assert_true(str_to_int64("10", 0, 10, &v));
	assert_int_equal(v, 10);
	assert_true(str_to_int64("-5", -5, 5, &v));
	assert_int_equal(v, -5);
	assert_true(str_to_int64("007", 0, 10, &v));
	assert_int_equal(v, 7);
	assert_true(str_to_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v));
	assert_true(v == INT64_MAX);
	assert_true(str_to_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v));
	assert_true(v == INT64_MIN);
}

static void int64_refuses(void **state)
{
	static const char *const junk[] = {
		"", " ", "abc", "12x", "x12", "1.5", "1e3", "0x10", "5 ", " 5", "\t5", "\n5",
		"--5", "-", "+", "9223372036854775808", "-9223372036854775809",
		"99999999999999999999999",
	};
	int64_t v = 1234;

	(void)state;
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		if (str_to_int64(junk[i], INT64_MIN, INT64_MAX, &v))
			fail_msg("accepted \"%s\"", junk[i]);
	}
	assert_false(str_to_int64(NULL, 0, 10, &v));
	/* Bounds: one past either end. */
	assert_false(str_to_int64("11", 0, 10, &v));
	assert_false(str_to_int64("-1", 0, 10, &v));
	assert_false(str_to_int64("-6", -5, 5, &v));
	assert_int_equal(v, 1234); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_allocates_nothing),
		cmocka_unit_test(exactly_at_cap),
		cmocka_unit_test(one_over_in_pieces),
		cmocka_unit_test(one_over_at_once),
		cmocka_unit_test(grows_past_first_block),
		cmocka_unit_test(printf_respects_cap),
		cmocka_unit_test(copy_fits_and_truncates),
		cmocka_unit_test(int64_accepts),
		cmocka_unit_test(int64_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
