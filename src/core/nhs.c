/*
** nhs.c: NHS number validation (see nhs.h).
*/
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/nhs.h"
#include "util/err.h"

static bool is_digit(char c)
{
	/* Not isdigit(): that depends on the locale and takes an int. */
	return c >= '0' && c <= '9';
}

/* Checks the modulus-11 check digit of ten plain digits. */
static bool check_digit_ok(const char digits[10])
{
	int sum = 0;
	int check;

	for (int i = 0; i < 9; i++)
		sum += (digits[i] - '0') * (10 - i);
	check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10)
		return false;
	return check == digits[9] - '0';
}

enum hat_err nhs_number_normalise(const char *in, char out[NHS_NUMBER_SIZE])
{
	char digits[NHS_NUMBER_SIZE];
	size_t len = 0;
	size_t nd = 0;

	if (!out)
		return HAT_E_INTERNAL;
	if (!in)
		return HAT_E_INVALID_NHS_NUMBER;
	/* Measure without reading past the NUL or past 13 bytes: the grouped
	** form is 12, so 13 is already too long. */
	while (len < 13 && in[len] != '\0')
		len++;

	if (len == 10) {
		for (size_t i = 0; i < 10; i++) {
			if (!is_digit(in[i]))
				return HAT_E_INVALID_NHS_NUMBER;
			digits[nd++] = in[i];
		}
	} else if (len == 12) {
		char sep = in[3];

		if ((sep != ' ' && sep != '-') || in[7] != sep)
			return HAT_E_INVALID_NHS_NUMBER;
		for (size_t i = 0; i < 12; i++) {
			if (i == 3 || i == 7)
				continue;
			if (!is_digit(in[i]))
				return HAT_E_INVALID_NHS_NUMBER;
			digits[nd++] = in[i];
		}
	} else {
		return HAT_E_INVALID_NHS_NUMBER;
	}
	digits[nd] = '\0';

	if (!check_digit_ok(digits))
		return HAT_E_INVALID_NHS_NUMBER;
	memcpy(out, digits, NHS_NUMBER_SIZE);
	return HAT_OK;
}

enum hat_err nhs_number_format(const char *in,
			       char out[NHS_NUMBER_DISPLAY_SIZE])
{
	char plain[NHS_NUMBER_SIZE];
	enum hat_err rc;

	if (!out)
		return HAT_E_INTERNAL;
	rc = nhs_number_normalise(in, plain);
	if (rc != HAT_OK)
		return rc;
	memcpy(out, plain, 3);
	out[3] = ' ';
	memcpy(out + 4, plain + 3, 3);
	out[7] = ' ';
	memcpy(out + 8, plain + 6, 4);
	out[12] = '\0';
	return HAT_OK;
}
