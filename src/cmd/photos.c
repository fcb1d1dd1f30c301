/*
** photos.c: see photos.h.
*/
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "photos.h"
#include "core/identity.h"

static const char *const type_choices[] = { "image/jpeg", "image/png", NULL };

/* Base64 of 256 KiB is just under 350,000 characters. */
static const struct field set_fields[] = {
	{ "content_type", FT_ENUM, true, 0, 0, type_choices, false },
	{ "image_base64", FT_STRING, true, 1, 350000, NULL, false },
	FIELDS_END,
};

static const struct field withdraw_fields[] = {
	{ "reason", FT_STRING, true, 1, 500, NULL, false },
	FIELDS_END,
};

static enum hat_err patient_exists(struct store_conn *conn, int64_t id)
{
	bool found;
	int64_t one;
	enum hat_err rc = store_query_int(conn, "SELECT 1 FROM patients WHERE id = ?", &found, &one,
					  "i", id);

	return rc == HAT_OK && !found ? HAT_E_NOT_FOUND : rc;
}

static enum hat_err run_set(struct store_conn *conn, struct cmd *c)
{
	const char *type = fields_str(c->input, "content_type", "");
	const char *b64 = fields_str(c->input, "image_base64", "");
	size_t cap = IDENTITY_PHOTO_MAX_BYTES + 1;
	unsigned char *img = NULL;
	size_t n = 0;
	struct store_stmt *s = NULL;
	json_t *detail = NULL;
	bool row;
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc != HAT_OK)
		return rc;
	img = malloc(cap);
	if (!img)
		return HAT_E_NOMEM;
	if (sodium_base642bin(img, cap, b64, strlen(b64), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		rc = cmd_refuse(c, HAT_E_INVALID_VALUE, "image_base64",
				"The image is not base64, or is over 256 KiB.");
		goto out;
	}
	rc = identity_photo_check(type, img, n);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "image_base64",
				rc == HAT_E_TOO_LONG ? "A photograph may be at most 256 KiB."
						     : "The image is not the JPEG or PNG it says it is.");
		goto out;
	}
	rc = store_run(conn, "DELETE FROM patient_photos WHERE patient_id = ?", "i", c->target_id);
	if (rc == HAT_OK)
		rc = store_prepare(conn, "INSERT INTO patient_photos (patient_id, content_type, image,"
					 " taken_by, taken_at) VALUES (?, ?, ?, ?, ?)", &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "it", c->target_id, type);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 3, img, n);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 4, c->actor_id);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 5, c->now);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	if (rc != HAT_OK)
		goto out;
	detail = json_pack("{s:s, s:I}", "content_type", type, "bytes", (json_int_t)n);
	rc = cmd_audit(conn, c, "patient_photo", c->target_id, detail);
	if (rc == HAT_OK) {
		cmd_answer(c, 201, detail);
		detail = NULL;
	}
out:
	json_decref(detail);
	free(img);
	return rc;
}

static enum hat_err run_withdraw(struct store_conn *conn, struct cmd *c)
{
	json_t *detail;
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc == HAT_OK)
		rc = store_run(conn, "DELETE FROM patient_photos WHERE patient_id = ?", "i",
			       c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (store_changes(conn) == 0)
		return cmd_refuse(c, HAT_E_NOT_FOUND, NULL, "No photograph is held for this patient.");
	detail = json_pack("{s:s, s:b}", "reason", fields_str(c->input, "reason", ""), "removed",
			   true);
	rc = cmd_audit(conn, c, "patient_photo", c->target_id, detail);
	if (rc == HAT_OK)
		cmd_answer(c, 200, detail);
	else
		json_decref(detail);
	return rc;
}

enum hat_err photos_read(struct store_conn *c, int64_t patient_id, struct buf *out,
			 const char **content_type)
{
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, "SELECT content_type, image FROM patient_photos"
					   " WHERE patient_id = ?", &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, patient_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		size_t n = 0;
		const void *p = store_col_blob(s, 1, &n);

		*content_type = strcmp(store_col_text(s, 0), "image/png") == 0 ? "image/png"
									       : "image/jpeg";
		rc = buf_append(out, p, n);
	}
	store_done(s);
	return rc == HAT_OK && !row ? HAT_E_NOT_FOUND : rc;
}

const struct cmd_def photos_set = { "photo.set", set_fields, POLICY_RULE(PHOTO_SET), run_set, NULL };
const struct cmd_def photos_withdraw = { "photo.withdraw", withdraw_fields, POLICY_RULE(PHOTO_SET), run_withdraw, NULL };
