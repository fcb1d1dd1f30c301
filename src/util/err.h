/*
** err.h: the project-wide error enum and its lookups.
**
** Every fallible function in hat returns an enum hat_err; HAT_OK is 0.  The
** rows live in err.def (code, stable name, HTTP status, message); this header
** only turns them into an enum and three lookups.  None of the lookups
** allocate; the strings they return are static and never freed.
*/
#ifndef HAT_UTIL_ERR_H
#define HAT_UTIL_ERR_H

enum hat_err {
#define HAT_ERR(e, code, status, msg) e,
#include "err.def"
#undef HAT_ERR
	HAT_ERR_COUNT /* never returned; the number of rows */
};

/* The stable code ("dose_exceeds_session_max"); "internal_error" if out of range. */
const char *hat_err_code(enum hat_err e);

/* The HTTP status the API answers with for this error. */
int hat_err_status(enum hat_err e);

/* The default plain-words message. */
const char *hat_err_message(enum hat_err e);

/* Looks an error up by its stable code; returns HAT_ERR_COUNT if none. */
enum hat_err hat_err_from_code(const char *code);

#endif
