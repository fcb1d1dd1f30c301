/*
** identity.h: what identifies a patient at the dosing hatch: their
** photograph (checked to be the image it claims to be) and their age.
** Pure functions: no I/O, no clock, no allocation.
*/
#ifndef HAT_CORE_IDENTITY_H
#define HAT_CORE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The largest photograph kept: enough for a clear face at tablet size. */
#define IDENTITY_PHOTO_MAX_BYTES ((size_t)256 * 1024)
/* The smallest that can be a real picture (headers alone are ~100 bytes). */
#define IDENTITY_PHOTO_MIN_BYTES ((size_t)100)

/*
** Checks a photograph: content_type "image/jpeg" or "image/png", its bytes
** starting as that format does (JPEG FF D8 FF; the eight-byte PNG
** signature), and IDENTITY_PHOTO_MIN_BYTES..IDENTITY_PHOTO_MAX_BYTES long.
** bytes: borrowed, may be NULL when n is 0.
** Returns HAT_OK, HAT_E_INVALID_VALUE (an unknown type, or bytes that are
** not that type), or HAT_E_TOO_LONG (over the maximum; under the minimum
** is HAT_E_INVALID_VALUE).
*/
enum hat_err identity_photo_check(const char *content_type, const unsigned char *bytes,
				  size_t n);

/*
** Whole years of age on local date `today` for someone born on
** `birth_date` (both days since 1970-01-01): the birthday counts from the
** day itself; someone born on 29 February has their birthday on 1 March in
** other years.  Returns -1 for a birth date after today.
*/
int32_t identity_age_years(int32_t birth_date, int32_t today);

#endif
