/*
** fuzz_time.c: dates, times and NHS numbers as typed by people.  What parses
** must format back to a value that parses to the same thing.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/nhs.h"
#include "util/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char out[32];
	char nhs[11];
	int64_t t, t2;
	int32_t d, d2;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (clock_parse_rfc3339(s, &t) == HAT_OK) {
		clock_format_utc(t, out);
		if (clock_parse_rfc3339(out, &t2) != HAT_OK || t2 != t)
			abort();
	}
	if (clock_parse_date(s, &d) == HAT_OK) {
		clock_format_date(d, out);
		if (clock_parse_date(out, &d2) != HAT_OK || d2 != d)
			abort();
	}
	if (nhs_number_normalise(s, nhs) == HAT_OK && (strlen(nhs) != 10 ||
						       nhs_number_normalise(nhs, out) != HAT_OK))
		abort();
	free(s);
	return 0;
}
