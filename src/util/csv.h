/*
** csv.h: one CSV field, written safely.
**
** Every field is quoted (quotes doubled), so separators and newlines inside
** it are data.  A field that a spreadsheet would read as a formula (one
** starting with =, +, -, @, a tab or a carriage return) gets a leading
** apostrophe, unless it is a plain signed number, so that an exported
** register or incident log cannot run anything when opened.
*/
#ifndef HAT_UTIL_CSV_H
#define HAT_UTIL_CSV_H

#include <stdbool.h>

#include "buf.h"

/* Appends s (NULL: an empty field) and then "," or, when last, CRLF.
** Errors: those of buf_append. */
enum hat_err csv_field(struct buf *out, const char *s, bool last);

#endif
