/*
** test_nhs.c: NHS number normalisation and the modulus-11 check digit.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/nhs.h"
#include "util/err.h"

static void accepts(const char *in, const char *want)
{
	char out[NHS_NUMBER_SIZE];

	memset(out, 'x', sizeof out);
	assert_int_equal(nhs_number_normalise(in, out), HAT_OK);
	assert_string_equal(out, want);
}

static void refuses(const char *in)
{
	char out[NHS_NUMBER_SIZE];

	memset(out, 'x', sizeof out);
	assert_int_equal(nhs_number_normalise(in, out), HAT_E_INVALID_NHS_NUMBER);
	/* Untouched on failure. */
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 'x');
}

static void valid_numbers(void **state)
{
	(void)state;
	accepts("9434765919", "9434765919");
	accepts("943 476 5919", "9434765919");
	accepts("943-476-5919", "9434765919");
	accepts("4010232137", "4010232137");
	accepts("401 023 2137", "4010232137");
}

static void check_digit_eleven_is_zero(void **state)
{
	/* 943 476 587: sum 10*9+9*4+8*3+7*4+6*7+5*6+4*5+3*8+2*7 = 308 = 28*11,
	** so 11 - 0 = 11, which means a check digit of 0. */
	(void)state;
	accepts("9434765870", "9434765870");
	refuses("9434765871");
	refuses("9434765879");
}

static void wrong_check_digit(void **state)
{
	(void)state;
	refuses("9434765918");
	refuses("9434765910");
	refuses("4010232138");
	refuses("943 476 5918");
}

static void check_value_ten_is_invalid(void **state)
{
	/* 100 000 001: sum 10*1 + 2*1 = 12, 12 mod 11 = 1, 11 - 1 = 10: no
	** check digit can make these nine digits valid. */
	(void)state;
	for (char d = '0'; d <= '9'; d++) {
		char in[11] = "100000001";

		in[9] = d;
		in[10] = '\0';
		refuses(in);
	}
}

static void wrong_shapes(void **state)
{
	(void)state;
	refuses(NULL);
	refuses("");
	refuses("943476591");		/* 9 digits */
	refuses("94347659190");		/* 11 digits */
	refuses("943476591a");
	refuses("A434765919");
	refuses("943 4765919");		/* one separator */
	refuses("9434 765 919");	/* 4-3-3 */
	refuses("94 3476 5919");
	refuses("943  476 5919");	/* doubled space */
	refuses("943 476-5919");	/* mixed separators */
	refuses("943-476 5919");
	refuses("943_476_5919");
	refuses("943.476.5919");
	refuses(" 9434765919");
	refuses("9434765919 ");
	refuses("9434765919\n");
	refuses("943 476 5919 ");
	refuses("+943 476 5919");
	refuses("943 476 59 19");
	refuses("943\t476\t5919");
	refuses("9434765919999999999999");
}

static void null_out(void **state)
{
	(void)state;
	assert_int_equal(nhs_number_normalise("9434765919", NULL), HAT_E_INTERNAL);
	assert_int_equal(nhs_number_format("9434765919", NULL), HAT_E_INTERNAL);
}

static void display_form(void **state)
{
	char disp[NHS_NUMBER_DISPLAY_SIZE];

	(void)state;
	assert_int_equal(nhs_number_format("9434765919", disp), HAT_OK);
	assert_string_equal(disp, "943 476 5919");
	assert_int_equal(nhs_number_format("401-023-2137", disp), HAT_OK);
	assert_string_equal(disp, "401 023 2137");
	memset(disp, 'x', sizeof disp);
	assert_int_equal(nhs_number_format("9434765918", disp), HAT_E_INVALID_NHS_NUMBER);
	assert_int_equal(disp[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_numbers),
		cmocka_unit_test(check_digit_eleven_is_zero),
		cmocka_unit_test(wrong_check_digit),
		cmocka_unit_test(check_value_ten_is_invalid),
		cmocka_unit_test(wrong_shapes),
		cmocka_unit_test(null_out),
		cmocka_unit_test(display_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
