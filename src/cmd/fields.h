/*
** fields.h: declarative checks of a command's JSON input.
**
** A command names its input fields in a table (name, type, required,
** bounds); fields_check validates a whole object against it in one call,
** refusing unknown fields, missing required ones, wrong types, numbers out
** of range and over-long text, and naming the field.  Domain types (a date,
** an NHS number, a role) are checked here once for every command that uses
** them.  The API and hatctl both feed their input through it.
*/
#ifndef HAT_CMD_FIELDS_H
#define HAT_CMD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"

enum field_type {
	FT_STRING,  /* text up to max characters (bytes); min is the minimum length */
	FT_INT,     /* an integer in [min, max] */
	FT_BOOL,
	FT_DATE,    /* "YYYY-MM-DD" */
	FT_TIME,    /* RFC 3339 */
	FT_ENUM,    /* one of choices */
	FT_ENUMS,   /* an array of distinct choices (at least min) */
	FT_NHS,     /* an NHS number; rewritten in place to its 10 digits */
	FT_OBJECT,  /* any object (checked by the command itself) */
	FT_MG,      /* an amount in mg, at most 3 decimals, in [min, max] mg */
	FT_ARRAY,   /* any array (checked by the command itself) */
};

struct field {
	const char *name;
	enum field_type type;
	bool required;
	int64_t min;
	int64_t max;
	const char *const *choices; /* NULL-terminated, for FT_ENUM and FT_ENUMS */
	bool nullable;              /* JSON null is allowed (clears the value) */
};

/* The end of a field table. */
#define FIELDS_END { NULL, FT_STRING, false, 0, 0, NULL, false }

/* Checks obj against table.  On failure *bad_field names the field (a
** string from the table, or for an unknown field the key borrowed from obj;
** NULL when the whole body is wrong).
** Errors: HAT_E_NOT_AN_OBJECT, HAT_E_UNKNOWN_FIELD, HAT_E_MISSING_FIELD,
** HAT_E_WRONG_TYPE, HAT_E_OUT_OF_RANGE, HAT_E_TOO_LONG, HAT_E_INVALID_VALUE,
** HAT_E_INVALID_DATE, HAT_E_INVALID_NHS_NUMBER. */
enum hat_err fields_check(const struct field *table, json_t *obj, const char **bad_field);

/* The sentence a person can act on for a refusal of field name in table
** (from fields_check): its range with the numbers, its length, its choices.
** Writes a terminated string into buf (cap bytes) only when it has
** something to say; otherwise buf is left alone. */
void fields_explain(const struct field *table, const char *name, enum hat_err code, char *buf,
		    size_t cap);

/* Readers for checked input (borrowed strings; defaults when absent). */
const char *fields_str(json_t *obj, const char *name, const char *dflt);
int64_t fields_int(json_t *obj, const char *name, int64_t dflt);
bool fields_bool(json_t *obj, const char *name, bool dflt);
/* A date field as a day number, or dflt when absent or null. */
int32_t fields_date(json_t *obj, const char *name, int32_t dflt);
/* An FT_MG field in micrograms, or dflt when absent or null. */
int64_t fields_ug(json_t *obj, const char *name, int64_t dflt);
/* True when the field is present (null counts as present). */
bool fields_has(json_t *obj, const char *name);

#endif
