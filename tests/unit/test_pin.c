/*
** test_pin.c: the rules for a witness's PIN, at their edges on both sides.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/pin.h"

static void test_length(void **state)
{
	(void)state;
	assert_int_equal(pin_check(NULL), PIN_LENGTH);
	assert_int_equal(pin_check(""), PIN_LENGTH);
	assert_int_equal(pin_check("50718"), PIN_LENGTH);          /* 5: one under */
	assert_int_equal(pin_check("507182"), PIN_OK);             /* 6: the minimum */
	assert_int_equal(pin_check("507182930461"), PIN_OK);       /* 12: the maximum */
	assert_int_equal(pin_check("5071829304613"), PIN_LENGTH);  /* 13: one over */
	/* Length is told before the digits: a short PIN with a letter. */
	assert_int_equal(pin_check("12a"), PIN_LENGTH);
}

static void test_digits(void **state)
{
	(void)state;
	assert_int_equal(pin_check("50718a"), PIN_NOT_DIGITS);
	assert_int_equal(pin_check("5071 82"), PIN_NOT_DIGITS);
	assert_int_equal(pin_check("-50718"), PIN_NOT_DIGITS);
	assert_int_equal(pin_check("５07182"), PIN_NOT_DIGITS); /* a full-width digit */
}

static void test_one_digit(void **state)
{
	(void)state;
	assert_int_equal(pin_check("000000"), PIN_ONE_DIGIT);
	assert_int_equal(pin_check("777777777777"), PIN_ONE_DIGIT);
	/* One digit different anywhere is no longer "one digit". */
	assert_int_equal(pin_check("777778"), PIN_OK);
	assert_int_equal(pin_check("877777"), PIN_OK);
}

static void test_sequence(void **state)
{
	(void)state;
	assert_int_equal(pin_check("123456"), PIN_SEQUENCE);
	assert_int_equal(pin_check("456789"), PIN_SEQUENCE);
	assert_int_equal(pin_check("987654"), PIN_SEQUENCE);
	assert_int_equal(pin_check("543210"), PIN_SEQUENCE);
	/* A run broken by one step, or one that would wrap past 9, is not. */
	assert_int_equal(pin_check("123457"), PIN_OK);
	assert_int_equal(pin_check("023456"), PIN_OK);
	assert_int_equal(pin_check("789012"), PIN_OK);
	assert_int_equal(pin_check("987653"), PIN_OK);
	/* Up then down is not a run either way. */
	assert_int_equal(pin_check("123210"), PIN_OK);
}

static void test_messages(void **state)
{
	(void)state;
	assert_string_equal(pin_fault_message(PIN_LENGTH), "A PIN is 6 to 12 digits.");
	assert_non_null(strstr(pin_fault_message(PIN_SEQUENCE), "123456"));
	assert_non_null(strstr(pin_fault_message(PIN_ONE_DIGIT), "000000"));
	assert_non_null(strstr(pin_fault_message(PIN_NOT_DIGITS), "digits only"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_one_digit),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
