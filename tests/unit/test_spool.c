/*
** test_spool.c: rows written out in blocks (util/spool.h): the block goes
** out at SPOOL_BLOCK bytes and not one byte before, what the descriptor
** holds is every row in order, and memory stays one block whatever the
** length.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/spool.h"

/* Reads the whole of fd from its start into a new string. */
static char *slurp(int fd, size_t *n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *s = malloc((size_t)end + 1);
	ssize_t got;

	assert_non_null(s);
	got = pread(fd, s, (size_t)end, 0);
	assert_int_equal(got, end);
	s[end] = '\0';
	*n = (size_t)end;
	return s;
}

static void block_goes_out_at_its_size(void **state)
{
	struct spool s;
	char row[SPOOL_BLOCK];

	(void)state;
	assert_int_equal(spool_open_temp(&s), HAT_OK);
	assert_true(s.fd >= 0);
	memset(row, 'x', sizeof row);
	/* One byte short of the block: nothing written yet. */
	assert_int_equal(buf_append(&s.b, row, SPOOL_BLOCK - 1), HAT_OK);
	assert_int_equal(spool_row(&s), HAT_OK);
	assert_int_equal(s.written, 0);
	assert_int_equal(lseek(s.fd, 0, SEEK_END), 0);
	/* At the block: all of it goes, and the block is empty again. */
	assert_int_equal(buf_append(&s.b, "y", 1), HAT_OK);
	assert_int_equal(spool_row(&s), HAT_OK);
	assert_int_equal(s.written, SPOOL_BLOCK);
	assert_int_equal(s.b.len, 0);
	assert_int_equal(lseek(s.fd, 0, SEEK_END), (off_t)SPOOL_BLOCK);
	spool_free(&s);
	spool_free(&s); /* twice is fine */
}

static void many_rows_in_order_in_one_block(void **state)
{
	struct spool s;
	size_t n, off = 0, most = 0;
	char *all;
	int fd;

	(void)state;
	assert_int_equal(spool_open_temp(&s), HAT_OK);
	for (int i = 0; i < 200000; i++) {
		assert_int_equal(buf_printf(&s.b, "row %d,some text\r\n", i), HAT_OK);
		assert_int_equal(spool_row(&s), HAT_OK);
		if (s.b.alloc > most)
			most = s.b.alloc;
	}
	assert_int_equal(spool_flush(&s), HAT_OK);
	/* Megabytes written through a block that never grew past twice its size. */
	assert_true(s.written > 4 * SPOOL_BLOCK);
	assert_true(most <= 2 * SPOOL_BLOCK + 1);
	fd = spool_take_fd(&s);
	assert_true(fd >= 0);
	spool_free(&s); /* does not close a descriptor given up */
	all = slurp(fd, &n);
	for (int i = 0; i < 200000; i++) {
		char want[64];
		int w = snprintf(want, sizeof want, "row %d,some text\r\n", i);

		assert_true(off + (size_t)w <= n);
		assert_memory_equal(all + off, want, (size_t)w);
		off += (size_t)w;
	}
	assert_int_equal(off, n);
	free(all);
	assert_int_equal(close(fd), 0);
}

static void a_row_longer_than_the_block(void **state)
{
	struct spool s;
	char *big = malloc(3 * SPOOL_BLOCK);
	size_t n;
	char *all;

	(void)state;
	assert_non_null(big);
	memset(big, 'z', 3 * SPOOL_BLOCK);
	assert_int_equal(spool_open_temp(&s), HAT_OK);
	assert_int_equal(buf_append(&s.b, big, 3 * SPOOL_BLOCK), HAT_OK);
	assert_int_equal(spool_row(&s), HAT_OK);
	assert_int_equal(s.written, 3 * SPOOL_BLOCK);
	all = slurp(s.fd, &n);
	assert_int_equal(n, 3 * SPOOL_BLOCK);
	assert_memory_equal(all, big, n);
	free(all);
	free(big);
	spool_free(&s);
}

static void a_row_past_its_cap_is_refused(void **state)
{
	struct spool s;
	char *big = malloc(SPOOL_BLOCK + SPOOL_ROW_CAP + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'q', SPOOL_BLOCK + SPOOL_ROW_CAP + 1);
	assert_int_equal(spool_open_temp(&s), HAT_OK);
	/* The block and one row at its longest: accepted. */
	assert_int_equal(buf_append(&s.b, big, SPOOL_BLOCK + SPOOL_ROW_CAP), HAT_OK);
	assert_int_equal(spool_flush(&s), HAT_OK);
	/* One byte more than that at once: refused, nothing appended. */
	assert_int_equal(buf_append(&s.b, big, SPOOL_BLOCK + SPOOL_ROW_CAP + 1),
			 HAT_E_BODY_TOO_LARGE);
	assert_int_equal(s.b.len, 0);
	free(big);
	spool_free(&s);
}

static void a_refused_write_is_an_io_error(void **state)
{
	struct spool s;
	int fd = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	spool_open_fd(&s, fd, true);
	assert_int_equal(buf_puts(&s.b, "a row\r\n"), HAT_OK);
	assert_int_equal(spool_row(&s), HAT_OK); /* short of a block: kept */
	assert_int_equal(spool_flush(&s), HAT_E_IO);
	spool_free(&s);
	/* No descriptor at all: nothing to write to. */
	spool_open_fd(&s, -1, false);
	assert_int_equal(spool_flush(&s), HAT_OK); /* empty: nothing to do */
	assert_int_equal(buf_puts(&s.b, "x"), HAT_OK);
	assert_int_equal(spool_flush(&s), HAT_E_IO);
	spool_free(&s);
}

static void the_temporary_file_has_no_name(void **state)
{
	struct spool s;
	char proc[64], target[512];
	ssize_t n;

	(void)state;
	assert_int_equal(spool_open_temp(&s), HAT_OK);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", s.fd);
	n = readlink(proc, target, sizeof target - 1);
	if (n > 0) {
		target[n] = '\0';
		assert_non_null(strstr(target, "(deleted)"));
	}
	spool_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_goes_out_at_its_size),
		cmocka_unit_test(many_rows_in_order_in_one_block),
		cmocka_unit_test(a_row_longer_than_the_block),
		cmocka_unit_test(a_row_past_its_cap_is_refused),
		cmocka_unit_test(a_refused_write_is_an_io_error),
		cmocka_unit_test(the_temporary_file_has_no_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
