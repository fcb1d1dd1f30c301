/*
** test_csv_log.c: CSV fields (util/csv.c) and one-line logging (util/log.c).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/csv.h"
#include "util/log.h"

static void field_is(const char *in, bool last, const char *want)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(csv_field(&b, in, last), HAT_OK);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void test_csv_plain_and_quoted(void **state)
{
	(void)state;
	field_is("Shannon Kerr", false, "\"Shannon Kerr\",");
	field_is("a \"quoted\" word", false, "\"a \"\"quoted\"\" word\",");
	field_is("two\nlines, one field", true, "\"two\nlines, one field\"\r\n");
	field_is(NULL, false, "\"\",");
	field_is("", true, "\"\"\r\n");
	field_is("\"", false, "\"\"\"\",");
	field_is("\"\"end", false, "\"\"\"\"\"end\",");
	field_is("start\"", true, "\"start\"\"\"\r\n");
}

/* A field too long for the stack's scratch is written in runs: the same
** quoting, the same guard. */
static void test_csv_long_fields(void **state)
{
	char in[700], want[1500];
	size_t n = 0;

	(void)state;
	want[n++] = '"';
	want[n++] = '\'';
	for (size_t i = 0; i < sizeof in - 1; i++) {
		in[i] = i == 0 ? '=' : i % 100 == 0 ? '"' : 'a';
		want[n++] = in[i];
		if (in[i] == '"')
			want[n++] = '"';
	}
	in[sizeof in - 1] = '\0';
	memcpy(want + n, "\",", 3);
	field_is(in, false, want);
	/* The longest that fits the scratch, and one more byte. */
	memset(in, '"', 253);
	in[253] = '\0';
	n = 0;
	want[n++] = '"';
	for (int i = 0; i < 253 * 2; i++)
		want[n++] = '"';
	memcpy(want + n, "\"\r\n", 4);
	field_is(in, true, want);
	memset(in, '"', 254);
	in[254] = '\0';
	n = 0;
	want[n++] = '"';
	for (int i = 0; i < 254 * 2; i++)
		want[n++] = '"';
	memcpy(want + n, "\"\r\n", 4);
	field_is(in, true, want);
}

static void test_csv_formulas_neutralised(void **state)
{
	(void)state;
	field_is("=HYPERLINK(\"x\")", false, "\"'=HYPERLINK(\"\"x\"\")\",");
	field_is("+1+1", false, "\"'+1+1\",");
	field_is("@SUM(A1)", false, "\"'@SUM(A1)\",");
	field_is("-2+3", false, "\"'-2+3\",");
	field_is("\t=1", false, "\"'\t=1\",");
	field_is("\r=1", false, "\"'\r=1\",");
}

static void test_csv_numbers_stay_numbers(void **state)
{
	(void)state;
	field_is("-1", false, "\"-1\",");
	field_is("4.999", false, "\"4.999\",");
	field_is("-0.5", false, "\"-0.5\",");
	field_is("-", false, "\"'-\",");
	field_is("-.5", false, "\"'-.5\",");
}

static void test_csv_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(csv_field(&b, "longer than four", false), HAT_E_BODY_TOO_LARGE);
	buf_free(&b);
}

/* A message carrying a newline is still one line in the log. */
static void test_log_one_line(void **state)
{
	char path[] = "/tmp/hat-log-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	char text[512] = { 0 };
	FILE *f;
	size_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_msg(LOG_WARN, "GET %s 404", "/x\nforged 200 line\r\x7f");
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	assert_non_null(strstr(text, "GET /x?forged 200 line?? 404\n"));
	assert_null(strchr(text, '\r'));
	assert_ptr_equal(strchr(text, '\n'), text + n - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_plain_and_quoted),
		cmocka_unit_test(test_csv_long_fields),
		cmocka_unit_test(test_csv_formulas_neutralised),
		cmocka_unit_test(test_csv_numbers_stay_numbers),
		cmocka_unit_test(test_csv_cap),
		cmocka_unit_test(test_log_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
