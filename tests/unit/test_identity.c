/*
** test_identity.c: the photograph's check and the age shown beside it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/identity.h"

/* 1970-01-01 + n days for a few dates. */
#define D_2000_02_29 11016
#define D_2000_03_01 11017
#define D_2001_02_28 11381
#define D_2001_03_01 11382
#define D_1985_11_02 5784
#define D_2026_11_01 20758
#define D_2026_11_02 20759

static unsigned char img[IDENTITY_PHOTO_MAX_BYTES + 1];

static void test_photo_check(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };

	(void)state;
	memset(img, 0, sizeof img);
	img[0] = 0xFF;
	img[1] = 0xD8;
	img[2] = 0xFF;
	assert_int_equal(identity_photo_check("image/jpeg", img, IDENTITY_PHOTO_MAX_BYTES), HAT_OK);
	assert_int_equal(identity_photo_check("image/jpeg", img, IDENTITY_PHOTO_MAX_BYTES + 1),
			 HAT_E_TOO_LONG);
	assert_int_equal(identity_photo_check("image/jpeg", img, IDENTITY_PHOTO_MIN_BYTES), HAT_OK);
	assert_int_equal(identity_photo_check("image/jpeg", img, IDENTITY_PHOTO_MIN_BYTES - 1),
			 HAT_E_INVALID_VALUE);
	/* A JPEG sent as a PNG, or as something else. */
	assert_int_equal(identity_photo_check("image/png", img, 1000), HAT_E_INVALID_VALUE);
	assert_int_equal(identity_photo_check("image/gif", img, 1000), HAT_E_INVALID_VALUE);
	assert_int_equal(identity_photo_check(NULL, img, 1000), HAT_E_INVALID_VALUE);
	memcpy(img, png, sizeof png);
	assert_int_equal(identity_photo_check("image/png", img, 1000), HAT_OK);
	img[7] = 0;
	assert_int_equal(identity_photo_check("image/png", img, 1000), HAT_E_INVALID_VALUE);
	assert_int_equal(identity_photo_check("image/png", NULL, 0), HAT_E_INVALID_VALUE);
}

static void test_age(void **state)
{
	(void)state;
	/* The birthday counts from the day itself. */
	assert_int_equal(identity_age_years(D_1985_11_02, D_2026_11_01), 40);
	assert_int_equal(identity_age_years(D_1985_11_02, D_2026_11_02), 41);
	/* Born on 29 February: a year older on 1 March in other years. */
	assert_int_equal(identity_age_years(D_2000_02_29, D_2001_02_28), 0);
	assert_int_equal(identity_age_years(D_2000_02_29, D_2001_03_01), 1);
	assert_int_equal(identity_age_years(D_2000_02_29, D_2000_03_01), 0);
	assert_int_equal(identity_age_years(D_2000_02_29, D_2000_02_29), 0);
	assert_int_equal(identity_age_years(D_2000_03_01, D_2000_02_29), -1);
	assert_int_equal(identity_age_years(0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_photo_check),
		cmocka_unit_test(test_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
