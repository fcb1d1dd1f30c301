/*
** fhir.c: see fhir.h.
*/
#include <stdio.h>
#include <string.h>

#include "core/fhir.h"
#include "fhir.h"
#include "fhir_parts.h"
#include "util/spool.h"

static json_t *date_json(struct store_stmt *s, int col)
{
	if (store_col_is_null(s, col))
		return NULL;
	return fhir_date((int32_t)store_col_int(s, col));
}

json_t *fhir_date(int32_t date)
{
	char b[11];

	clock_format_date(date, b);
	return json_string(b);
}

json_t *fhir_instant(int64_t at)
{
	char b[21];

	clock_format_utc(at, b);
	return json_string(b);
}

json_t *fhir_ref(const char *type, int64_t id)
{
	char b[64];

	snprintf(b, sizeof b, "%s/%lld", type, (long long)id);
	return json_pack("{s:s}", "reference", b);
}

json_t *fhir_id(const char *prefix, int64_t id)
{
	char b[64];

	if (prefix)
		snprintf(b, sizeof b, "%s-%lld", prefix, (long long)id);
	else
		snprintf(b, sizeof b, "%lld", (long long)id);
	return json_string(b);
}

json_t *fhir_concept(const char *system, const char *code, const char *display)
{
	json_t *coding = json_pack("{s:s, s:s}", "system", system, "code", code);
	json_t *cc;

	if (coding && display)
		json_object_set_new(coding, "display", json_string(display));
	cc = json_pack("{s:[o]}", "coding", coding);
	if (cc && display)
		json_object_set_new(cc, "text", json_string(display));
	return cc;
}

enum hat_err fhir_add(struct fhir_sink *sink, json_t *resource)
{
	enum hat_err rc;

	if (!resource)
		return HAT_E_NOMEM;
	rc = sink->put(sink, resource);
	json_decref(resource);
	if (rc == HAT_OK)
		sink->count++;
	return rc;
}

/* The medicine as SNOMED CT and ATC codes, and hat's own code with its name
** beside them (so a reader of an earlier export still finds it); a drug
** with no standard code here keeps only the local one. */
static json_t *medicine(const char *drug)
{
	const char *snomed, *display, *atc;
	json_t *cc = fhir_concept(FHIR_LOCAL("medicine"), drug, drug);
	json_t *coding = cc ? json_object_get(cc, "coding") : NULL;

	if (coding && fhir_medicine(drug, &snomed, &display, &atc) &&
	    (json_array_insert_new(coding, 0, json_pack("{s:s, s:s, s:s}", "system",
				   FHIR_SNOMED_SYSTEM, "code", snomed, "display", display)) != 0 ||
	     json_array_insert_new(coding, 1, json_pack("{s:s, s:s, s:s}", "system",
				   FHIR_ATC_SYSTEM, "code", atc, "display", display)) != 0)) {
		json_decref(cc);
		return NULL;
	}
	return cc;
}

static enum hat_err patient(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row = false;
	json_t *p = NULL;
	enum hat_err rc = store_prepare(c, "SELECT given_name, family_name, birth_date, sex,"
				       " coalesce(nhs_number, '') FROM patients WHERE id = ?", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && !row)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK) {
		p = json_pack("{s:s, s:o, s:[{s:s, s:s, s:[s]}], s:s, s:o}", "resourceType", "Patient",
			      "id", fhir_id(NULL, pid), "name", "use", "official", "family",
			      store_col_text(s, 1), "given", store_col_text(s, 0), "gender",
			      store_col_text(s, 3), "birthDate", date_json(s, 2));
		if (p && *store_col_text(s, 4))
			json_object_set_new(p, "identifier", json_pack("[{s:s, s:s, s:s}]", "use",
				"official", "system", FHIR_NHS_NUMBER_SYSTEM, "value", store_col_text(s, 4)));
		rc = fhir_add(sink, p);
	}
	store_done(s);
	return rc;
}

static enum hat_err episodes(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT id, status, coalesce(start_date, referral_date),"
				       " discharge_date FROM episodes WHERE patient_id = ? ORDER BY id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		const char *status = fhir_episode_status(store_col_text(s, 1));
		json_t *period = json_pack("{s:o}", "start", date_json(s, 2));

		if (period && !store_col_is_null(s, 3))
			json_object_set_new(period, "end", date_json(s, 3));
		rc = fhir_add(sink, json_pack("{s:s, s:o, s:s, s:o, s:o}", "resourceType", "EpisodeOfCare",
					    "id", fhir_id(NULL, store_col_int(s, 0)), "status",
					    status ? status : "entered-in-error", "patient",
					    fhir_ref("Patient", pid), "period", period));
	}
	store_done(s);
	return rc;
}

static enum hat_err requests(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c,
		"SELECT r.id, r.drug, r.session_dose_ug, r.sessions_per_day, r.daily_max_ug, r.signed_at,"
		" EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = r.id"
		"  AND e.kind = 'stopped'),"
		" EXISTS (SELECT 1 FROM prescriptions n WHERE n.supersedes_id = r.id)"
		" FROM prescriptions r WHERE r.patient_id = ? ORDER BY r.id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		char at[21], text[160];

		clock_format_utc(store_col_int(s, 5), at);
		snprintf(text, sizeof text, "%g mg a session, up to %lld sessions and %g mg a day",
			 (double)store_col_int(s, 2) / 1000.0, (long long)store_col_int(s, 3),
			 (double)store_col_int(s, 4) / 1000.0);
		rc = fhir_add(sink, json_pack("{s:s, s:o, s:s, s:s, s:o, s:o, s:s, s:[{s:s}]}",
			"resourceType", "MedicationRequest", "id", fhir_id(NULL, store_col_int(s, 0)),
			"status", fhir_request_status(store_col_int(s, 6) != 0, store_col_int(s, 7) != 0),
			"intent", "order", "medicationCodeableConcept", medicine(store_col_text(s, 1)),
			"subject", fhir_ref("Patient", pid), "authoredOn", at, "dosageInstruction", "text", text));
	}
	store_done(s);
	return rc;
}

static enum hat_err administrations(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT id, drug, route, amount_ug, at, prescription_id"
				       " FROM administrations WHERE patient_id = ? ORDER BY id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		const char *code, *display;
		char at[21];
		json_t *dosage = json_pack("{s:{s:f, s:s, s:s, s:s}}", "dose", "value",
					   (double)store_col_int(s, 3) / 1000.0, "unit", "mg", "system",
					   FHIR_UCUM_SYSTEM, "code", "mg");

		clock_format_utc(store_col_int(s, 4), at);
		if (dosage && fhir_route(store_col_text(s, 2), &code, &display))
			json_object_set_new(dosage, "route", json_pack("{s:[{s:s, s:s, s:s}]}", "coding",
				"system", FHIR_SNOMED_SYSTEM, "code", code, "display", display));
		rc = fhir_add(sink, json_pack("{s:s, s:o, s:s, s:o, s:o, s:s, s:o, s:o}",
			"resourceType", "MedicationAdministration", "id", fhir_id(NULL, store_col_int(s, 0)),
			"status", "completed", "medicationCodeableConcept", medicine(store_col_text(s, 1)),
			"subject", fhir_ref("Patient", pid), "effectiveDateTime", at, "request",
			fhir_ref("MedicationRequest", store_col_int(s, 5)), "dosage", dosage));
	}
	store_done(s);
	return rc;
}

enum hat_err fhir_resources(struct store_conn *c, int64_t patient_id, int64_t now,
			    struct fhir_sink *sink)
{
	enum hat_err rc = patient(c, patient_id, sink);

	if (rc == HAT_OK)
		rc = episodes(c, patient_id, sink);
	if (rc == HAT_OK)
		rc = requests(c, patient_id, sink);
	if (rc == HAT_OK)
		rc = administrations(c, patient_id, sink);
	if (rc == HAT_OK)
		rc = fhir_observations(c, patient_id, sink);
	if (rc == HAT_OK)
		rc = fhir_forms(c, patient_id, sink);
	if (rc == HAT_OK)
		rc = fhir_flags(c, patient_id, now, sink);
	if (rc == HAT_OK)
		rc = fhir_goals(c, patient_id, sink);
	return rc;
}

/* The Bundle as text: its head before the first entry, a comma between. */
struct bundle_sink {
	struct fhir_sink base;
	struct spool *sp;
};

static int dump_to_buf(const char *text, size_t size, void *data)
{
	return buf_append(data, text, size) == HAT_OK ? 0 : -1;
}

static enum hat_err bundle_put(struct fhir_sink *sink, json_t *resource)
{
	struct bundle_sink *b = (struct bundle_sink *)sink;
	enum hat_err rc = buf_puts(&b->sp->b, sink->count == 0
				   ? "{\"resourceType\":\"Bundle\",\"type\":\"searchset\","
				     "\"entry\":[{\"resource\":"
				   : ",{\"resource\":");

	if (rc == HAT_OK && json_dump_callback(resource, dump_to_buf, &b->sp->b, JSON_COMPACT) != 0)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK)
		rc = buf_puts(&b->sp->b, "}");
	return rc == HAT_OK ? spool_row(b->sp) : rc;
}

enum hat_err fhir_everything_write(struct store_conn *c, int64_t patient_id, int64_t now,
				   struct spool *sp)
{
	struct bundle_sink b = { .base = { .put = bundle_put }, .sp = sp };
	enum hat_err rc = fhir_resources(c, patient_id, now, &b.base);

	/* The Patient comes first, so a person with no record wrote nothing. */
	if (rc == HAT_OK)
		rc = buf_printf(&sp->b, "],\"total\":%lld}", (long long)b.base.count);
	return rc == HAT_OK ? spool_row(sp) : rc;
}
