/*
** test_err.c: the error table's rows and lookups.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "util/err.h"

/* The enum names, from the same table, to name a bad row. */
static const char *const enum_names[] = {
#define HAT_ERR(e, code, status, msg) #e,
#include "util/err.def"
#undef HAT_ERR
};

static bool snake_case(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '_')
		return false;
	for (size_t i = 0; i < n; i++) {
		bool lower = s[i] >= 'a' && s[i] <= 'z';
		bool digit = s[i] >= '0' && s[i] <= '9';

		if (!lower && !digit && s[i] != '_')
			return false;
		if (s[i] == '_' && s[i + 1] == '_')
			return false;
	}
	return true;
}

static void ok_is_zero(void **state)
{
	(void)state;
	assert_int_equal(HAT_OK, 0);
	assert_string_equal(hat_err_code(HAT_OK), "ok");
	assert_int_equal(hat_err_status(HAT_OK), 200);
	assert_int_equal(sizeof enum_names / sizeof enum_names[0], HAT_ERR_COUNT);
}

static void every_row_is_well_formed(void **state)
{
	(void)state;
	for (int i = 0; i < HAT_ERR_COUNT; i++) {
		enum hat_err e = (enum hat_err)i;
		const char *code = hat_err_code(e);
		const char *msg = hat_err_message(e);
		int status = hat_err_status(e);

		if (!code || !snake_case(code))
			fail_msg("%s: code \"%s\" is not lowercase snake_case", enum_names[i],
				 code ? code : "(null)");
		if (!msg || !*msg)
			fail_msg("%s: empty message", enum_names[i]);
		if (e == HAT_OK) {
			assert_int_equal(status, 200);
		} else if (status < 400 || status > 599) {
			fail_msg("%s: status %d is not 4xx or 5xx", enum_names[i], status);
		}
		if (status == 200 && e != HAT_OK)
			fail_msg("%s: status 200 is only for HAT_OK", enum_names[i]);
	}
}

static void codes_are_unique(void **state)
{
	(void)state;
	for (int i = 0; i < HAT_ERR_COUNT; i++) {
		for (int j = i + 1; j < HAT_ERR_COUNT; j++) {
			if (strcmp(hat_err_code((enum hat_err)i), hat_err_code((enum hat_err)j)) == 0)
				fail_msg("%s and %s share the code %s", enum_names[i], enum_names[j],
					 hat_err_code((enum hat_err)i));
		}
	}
}

static void from_code_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < HAT_ERR_COUNT; i++) {
		enum hat_err e = (enum hat_err)i;

		if (hat_err_from_code(hat_err_code(e)) != e)
			fail_msg("%s does not round-trip through its code", enum_names[i]);
	}
	assert_int_equal(hat_err_from_code("no_such_code"), HAT_ERR_COUNT);
	assert_int_equal(hat_err_from_code(""), HAT_ERR_COUNT);
	assert_int_equal(hat_err_from_code("OK"), HAT_ERR_COUNT); /* case matters */
	assert_int_equal(hat_err_from_code("malformed_json "), HAT_ERR_COUNT);
}

static void some_known_rows(void **state)
{
	(void)state;
	assert_string_equal(hat_err_code(HAT_E_MALFORMED_JSON), "malformed_json");
	assert_int_equal(hat_err_status(HAT_E_MALFORMED_JSON), 400);
	assert_int_equal(hat_err_status(HAT_E_UNAUTHENTICATED), 401);
	assert_int_equal(hat_err_status(HAT_E_FORBIDDEN), 403);
	assert_int_equal(hat_err_status(HAT_E_NOT_FOUND), 404);
	assert_int_equal(hat_err_status(HAT_E_BODY_TOO_LARGE), 413);
	assert_int_equal(hat_err_status(HAT_E_CONFLICT), 409);
	assert_int_equal(hat_err_status(HAT_E_DOSE_OVER_SESSION), 422);
	assert_string_equal(hat_err_code(HAT_E_DOSE_OVER_SESSION), "dose_exceeds_session_max");
	assert_int_equal(hat_err_status(HAT_E_STORE), 500);
}

static void out_of_range_is_internal(void **state)
{
	(void)state;
	assert_string_equal(hat_err_code(HAT_ERR_COUNT), "internal_error");
	assert_int_equal(hat_err_status(HAT_ERR_COUNT), 500);
	assert_string_equal(hat_err_code((enum hat_err)-1), "internal_error");
	assert_string_equal(hat_err_message((enum hat_err)(HAT_ERR_COUNT + 100)),
			    hat_err_message(HAT_E_INTERNAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ok_is_zero),
		cmocka_unit_test(every_row_is_well_formed),
		cmocka_unit_test(codes_are_unique),
		cmocka_unit_test(from_code_round_trip),
		cmocka_unit_test(some_known_rows),
		cmocka_unit_test(out_of_range_is_internal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
