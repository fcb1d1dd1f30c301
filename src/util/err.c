/*
** err.c: lookups over the error table in err.def.
*/
#include <string.h>

#include "err.h"

struct err_row {
	const char *code;
	int status;
	const char *message;
};

static const struct err_row err_rows[HAT_ERR_COUNT] = {
#define HAT_ERR(e, code, status, msg) [e] = { code, status, msg },
#include "err.def"
#undef HAT_ERR
};

static const struct err_row *err_row(enum hat_err e)
{
	if ((unsigned)e >= HAT_ERR_COUNT)
		return &err_rows[HAT_E_INTERNAL];
	return &err_rows[e];
}

const char *hat_err_code(enum hat_err e)
{
	return err_row(e)->code;
}

int hat_err_status(enum hat_err e)
{
	return err_row(e)->status;
}

const char *hat_err_message(enum hat_err e)
{
	return err_row(e)->message;
}

enum hat_err hat_err_from_code(const char *code)
{
	for (int i = 0; i < HAT_ERR_COUNT; i++) {
		if (strcmp(err_rows[i].code, code) == 0)
			return (enum hat_err)i;
	}
	return HAT_ERR_COUNT;
}
