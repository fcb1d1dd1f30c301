/*
** nhs.h: NHS numbers.
**
** An NHS number is ten digits, the last a modulus-11 check digit over the
** first nine.  hat stores it as the ten plain digits; people write it as
** 3-3-4 groups.  Pure functions: no I/O, no allocation, thread-safe.
*/
#ifndef HAT_CORE_NHS_H
#define HAT_CORE_NHS_H

#include "util/err.h"

/* Bytes for the plain form with its NUL, and for the grouped display form. */
#define NHS_NUMBER_SIZE 11
#define NHS_NUMBER_DISPLAY_SIZE 13

/*
** Validates an NHS number and writes its ten plain digits.
** Accepted: exactly ten digits ("9434765919"), or ten digits grouped 3-3-4
** with one separator between groups, both separators the same, either a
** space or a hyphen ("943 476 5919", "943-476-5919").  Nothing else: no
** leading, trailing or doubled spaces and no mixed separators, so that a
** typing slip is refused rather than guessed at.
** The check digit: multiply the first nine digits by 10, 9, ..., 2 and sum;
** check = 11 - (sum mod 11); 11 means 0; 10 means no valid number has
** these nine digits.
** in: borrowed NUL-terminated string (read no further than 13 bytes).
** out: caller's buffer of NHS_NUMBER_SIZE bytes; NUL-terminated on success,
** untouched on failure.
** Errors: HAT_E_INVALID_NHS_NUMBER for NULL, empty or any refused input;
** HAT_E_INTERNAL if out is NULL.
*/
enum hat_err nhs_number_normalise(const char *in, char out[NHS_NUMBER_SIZE]);

/*
** Writes a valid NHS number in the grouped form people read, "943 476 5919".
** in: borrowed, any form nhs_number_normalise accepts.
** out: caller's buffer of NHS_NUMBER_DISPLAY_SIZE bytes, untouched on
** failure.
** Errors: those of nhs_number_normalise.
*/
enum hat_err nhs_number_format(const char *in,
			       char out[NHS_NUMBER_DISPLAY_SIZE]);

#endif
