/*
** fuzz_body.c: a request body through the JSON parser and a command's field
** table, as every POST takes it.  Must never crash, leak or accept a body
** the table refuses.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/fields.h"
#include "cmd/patients.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = NULL;
	const char *field = NULL;
	char why[200];

	if (http_parse_body((const char *)data, size, &body, why, sizeof why) != HAT_OK)
		return 0;
	/* The patient table has every kind of field: text, dates, an enum, an
	** NHS number (rewritten in place) and integers. */
	if (fields_check(patients_create.fields, body, &field) == HAT_OK) {
		if (!json_is_string(json_object_get(body, "given_name")) ||
		    !json_is_integer(json_object_get(body, "premises_id")))
			abort(); /* the table let a required field through */
	}
	json_decref(body);
	return 0;
}
