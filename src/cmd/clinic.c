/*
** clinic.c: see clinic.h.
*/
#include "clinic.h"

static const char *const key_choices[] = { "clinic_name", "timezone", NULL };

static const struct field set_fields[] = {
	{ "key", FT_ENUM, true, 0, 0, key_choices, false },
	{ "value", FT_STRING, true, 1, 200, NULL, false },
	FIELDS_END,
};

static enum hat_err run_set(struct store_conn *conn, struct cmd *c)
{
	enum hat_err rc = store_run(conn,
				    "INSERT INTO meta (key, value) VALUES (?, ?)"
				    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				    "tt", fields_str(c->input, "key", ""),
				    fields_str(c->input, "value", ""));

	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "clinic", 0, c->input);
	if (rc == HAT_OK)
		cmd_answer(c, 200, json_incref(c->input));
	return rc;
}

const struct cmd_def clinic_set = {
	"clinic.set", set_fields, POLICY_RULE(CLINIC_SET), run_set, NULL,
};

enum hat_err clinic_get(struct store_conn *c, const char *key, char *out, size_t n)
{
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, "SELECT value FROM meta WHERE key = ?", &s);

	if (rc == HAT_OK)
		rc = store_bind_text(s, 1, key);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	str_copy(out, n, rc == HAT_OK && row ? store_col_text(s, 0) : "");
	store_done(s);
	return rc;
}
