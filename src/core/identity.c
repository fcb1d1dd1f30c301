/*
** identity.c: see identity.h.
*/
#include <string.h>

#include "core/identity.h"

static const unsigned char jpeg_magic[] = { 0xFF, 0xD8, 0xFF };
static const unsigned char png_magic[] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };

enum hat_err identity_photo_check(const char *content_type, const unsigned char *bytes,
				  size_t n)
{
	const unsigned char *magic;
	size_t m;

	if (!content_type)
		return HAT_E_INVALID_VALUE;
	if (strcmp(content_type, "image/jpeg") == 0) {
		magic = jpeg_magic;
		m = sizeof jpeg_magic;
	} else if (strcmp(content_type, "image/png") == 0) {
		magic = png_magic;
		m = sizeof png_magic;
	} else {
		return HAT_E_INVALID_VALUE;
	}
	if (n > IDENTITY_PHOTO_MAX_BYTES)
		return HAT_E_TOO_LONG;
	if (n < IDENTITY_PHOTO_MIN_BYTES || !bytes || memcmp(bytes, magic, m) != 0)
		return HAT_E_INVALID_VALUE;
	return HAT_OK;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(int32_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int32_t identity_age_years(int32_t birth_date, int32_t today)
{
	int64_t by, ty, age;
	unsigned bm, bd, tm, td;

	if (birth_date > today)
		return -1;
	civil(birth_date, &by, &bm, &bd);
	civil(today, &ty, &tm, &td);
	age = ty - by;
	/* Not yet had this year's birthday (29 Feb falls on 1 Mar, so before
	** 1 March it has not come). */
	if (tm < bm || (tm == bm && td < bd))
		age--;
	return (int32_t)age;
}
