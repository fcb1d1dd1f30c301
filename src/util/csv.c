/*
** csv.c: see csv.h.
*/
#include <string.h>

#include "csv.h"

/* True for a plain signed decimal ("-1", "4.999"): a spreadsheet reads it
** as a number and runs nothing. */
static bool csv_is_number(const char *s)
{
	bool digits = false;

	if (*s == '-')
		s++;
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && digits); s++)
		digits = true;
	return digits && *s == '\0';
}

enum hat_err csv_field(struct buf *out, const char *s, bool last)
{
	/* Most fields are short: built on the stack and appended once. */
	char small[512];
	size_t len = s ? strlen(s) : 0;
	bool guard = len && strchr("=+-@\t\r", *s) && !csv_is_number(s);
	enum hat_err rc;

	if (len * 2 + 5 <= sizeof small) {
		size_t n = 0;

		small[n++] = '"';
		if (guard)
			small[n++] = '\'';
		/* An empty field (s may be NULL, which memchr may not be given)
		** has nothing to copy. */
		if (len > 0 && !memchr(s, '"', len)) {
			memcpy(small + n, s, len);
			n += len;
		} else if (len > 0) {
			for (size_t i = 0; i < len; i++) {
				small[n++] = s[i];
				if (s[i] == '"')
					small[n++] = '"';
			}
		}
		memcpy(small + n, last ? "\"\r\n" : "\",", last ? 3 : 2);
		return buf_append(out, small, n + (last ? 3 : 2));
	}
	rc = buf_puts(out, guard ? "\"'" : "\"");
	/* The text in runs up to and including each quote, which is doubled. */
	while (rc == HAT_OK && *s) {
		const char *q = strchr(s, '"');
		size_t run = q ? (size_t)(q - s) + 1 : strlen(s);

		rc = buf_append(out, s, run);
		if (rc == HAT_OK && q)
			rc = buf_append(out, "\"", 1);
		s += run;
	}
	if (rc == HAT_OK)
		rc = buf_puts(out, last ? "\"\r\n" : "\",");
	return rc;
}
