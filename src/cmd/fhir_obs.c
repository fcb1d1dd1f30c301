/*
** fhir_obs.c: one person's readings as FHIR R4 Observations: each
** pre-dose assessment, each post-dose check and each drug screen (see
** fhir_parts.h).  Readings with a standard code carry it (respiratory rate
** and oxygen saturation as LOINC); the clinic's own measures carry a local
** code and their words.
*/
#include <string.h>

#include "core/fhir.h"
#include "fhir_parts.h"

static json_t *category(const char *code, const char *display)
{
	return json_pack("[o]", fhir_concept(FHIR_OBS_CATEGORY_SYSTEM, code, display));
}

static json_t *local(const char *code, const char *display)
{
	return fhir_concept(FHIR_LOCAL("observation"), code, display);
}

static json_t *quantity(double value, const char *ucum)
{
	return json_pack("{s:f, s:s, s:s, s:s}", "value", value, "unit", ucum, "system",
			 FHIR_UCUM_SYSTEM, "code", ucum);
}

/* A component {code, value[x]}: value_key names the value's type. */
static json_t *component(json_t *code, const char *value_key, json_t *value)
{
	return json_pack("{s:o, s:o}", "code", code, value_key, value);
}

static json_t *observation(const char *prefix, int64_t id, const char *status, json_t *cat,
			   json_t *code, int64_t pid, int64_t at)
{
	return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:[]}", "resourceType", "Observation",
			 "id", fhir_id(prefix, id), "status", status, "category", cat, "code", code,
			 "subject", fhir_ref("Patient", pid), "effectiveDateTime", fhir_instant(at),
			 "component");
}

static enum hat_err push(json_t *obs, json_t *comp)
{
	if (!obs || !comp) {
		json_decref(comp);
		return HAT_E_NOMEM;
	}
	return json_array_append_new(json_object_get(obs, "component"), comp) == 0 ? HAT_OK
										    : HAT_E_NOMEM;
}

/* FHIR allows no empty array: an observation with no component has none. */
static enum hat_err add_obs(struct fhir_sink *sink, json_t *o)
{
	if (o && json_array_size(json_object_get(o, "component")) == 0)
		json_object_del(o, "component");
	return fhir_add(sink, o);
}

/* The nurse's check before a dose: sedation on the clinic's scale, breath
** alcohol (micrograms in 100 mL of breath, UCUM ug/dL), and the decision. */
static enum hat_err assessments(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT id, at, sedation_level, breath_alcohol_ug,"
				       " decision, coalesce(reason, ''), concerns FROM assessments"
				       " WHERE patient_id = ? ORDER BY id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *o = observation("assessment", store_col_int(s, 0), "final",
					category("exam", "Exam"),
					local("predose-assessment", "Pre-dose assessment"), pid,
					store_col_int(s, 1));

		rc = push(o, component(local("sedation-level", "Sedation level (clinic scale)"),
				       "valueInteger", json_integer(store_col_int(s, 2))));
		if (rc == HAT_OK)
			rc = push(o, component(local("breath-alcohol", "Breath alcohol"), "valueQuantity",
					       quantity((double)store_col_int(s, 3), "ug/dL")));
		if (rc == HAT_OK)
			rc = push(o, component(local("fitness-decision", "Decision"),
					       "valueCodeableConcept",
					       fhir_concept(FHIR_LOCAL("assessment-decision"),
							    store_col_text(s, 4), store_col_text(s, 4))));
		if (rc == HAT_OK && (*store_col_text(s, 5) || *store_col_text(s, 6))) {
			char note[600];

			snprintf(note, sizeof note, "%s%s%s", store_col_text(s, 5),
				 *store_col_text(s, 5) && *store_col_text(s, 6) ? "; " : "",
				 store_col_text(s, 6));
			json_object_set_new(o, "note", json_pack("[{s:s}]", "text", note));
		}
		if (rc == HAT_OK)
			rc = add_obs(sink, o);
		else
			json_decref(o);
	}
	store_done(s);
	return rc;
}

/* The check after a dose: the readings as they were recorded with the
** check's event, and whether they raised the alarm. */
static enum hat_err postdose(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT id, at, detail FROM visit_events"
				       " WHERE patient_id = ? AND kind = 'postdose_check' ORDER BY id",
				       &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *d = json_loads(store_col_text(s, 2), 0, NULL);
		json_t *o = observation("postdose", store_col_int(s, 0), "final",
					category("vital-signs", "Vital Signs"),
					local("postdose-check", "Post-dose check"), pid,
					store_col_int(s, 1));
		json_t *v;
		bool abnormal = json_is_true(json_object_get(d, "abnormal"));

		rc = d ? HAT_OK : HAT_E_INTERNAL;
		if (rc == HAT_OK && json_is_integer(v = json_object_get(d, "respiratory_rate")))
			rc = push(o, component(fhir_concept(FHIR_LOINC_SYSTEM, FHIR_LOINC_RESP_RATE,
							    "Respiratory rate"),
					       "valueQuantity",
					       quantity((double)json_integer_value(v), "/min")));
		if (rc == HAT_OK && json_is_integer(v = json_object_get(d, "spo2")))
			rc = push(o, component(fhir_concept(FHIR_LOINC_SYSTEM, FHIR_LOINC_SPO2,
							    "Oxygen saturation in Arterial blood by"
							    " Pulse oximetry"),
					       "valueQuantity",
					       quantity((double)json_integer_value(v), "%")));
		if (rc == HAT_OK && json_is_integer(v = json_object_get(d, "sedation_level")))
			rc = push(o, component(local("sedation-level", "Sedation level (clinic scale)"),
					       "valueInteger", json_integer(json_integer_value(v))));
		if (rc == HAT_OK && json_is_string(v = json_object_get(d, "pupils")))
			rc = push(o, component(local("pupils", "Pupils"), "valueCodeableConcept",
					       fhir_concept(FHIR_LOCAL("pupils"), json_string_value(v),
							    json_string_value(v))));
		if (rc == HAT_OK && json_is_string(v = json_object_get(d, "breathing")))
			rc = push(o, component(local("breathing", "Breathing"), "valueCodeableConcept",
					       fhir_concept(FHIR_LOCAL("breathing"), json_string_value(v),
							    json_string_value(v))));
		if (rc == HAT_OK && o)
			json_object_set_new(o, "interpretation",
					    json_pack("[o]", fhir_concept(FHIR_INTERPRETATION_SYSTEM,
									  abnormal ? "A" : "N",
									  abnormal ? "Abnormal"
										   : "Normal")));
		if (rc == HAT_OK && json_is_string(v = json_object_get(d, "notes")) &&
		    *json_string_value(v))
			json_object_set_new(o, "note", json_pack("[{s:s}]", "text", json_string_value(v)));
		json_decref(d);
		if (rc == HAT_OK)
			rc = add_obs(sink, o);
		else
			json_decref(o);
	}
	store_done(s);
	return rc;
}

/* One screen's results, a component each: positive and negative as the
** standard interpretation, invalid and not tested as a reason for no value. */
static enum hat_err results(struct store_conn *c, int64_t screen, json_t *o)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT r.analyte, a.label, r.result FROM drug_screen_results r"
				       " JOIN screen_analytes a ON a.code = r.analyte"
				       " WHERE r.screen_id = ? ORDER BY r.id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", screen);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		const char *interp = NULL, *absent = NULL;
		json_t *comp = json_pack("{s:o}", "code",
					 fhir_concept(FHIR_LOCAL("analyte"), store_col_text(s, 0),
						      store_col_text(s, 1)));

		if (!fhir_screen_result(store_col_text(s, 2), &interp, &absent)) {
			json_decref(comp);
			rc = HAT_E_INTERNAL;
			break;
		}
		if (comp && interp) {
			json_object_set_new(comp, "valueString", json_string(store_col_text(s, 2)));
			json_object_set_new(comp, "interpretation",
					    json_pack("[o]", fhir_concept(FHIR_INTERPRETATION_SYSTEM,
									  interp, NULL)));
		} else if (comp) {
			json_object_set_new(comp, "dataAbsentReason",
					    fhir_concept(FHIR_ABSENT_SYSTEM, absent, NULL));
		}
		rc = push(o, comp);
	}
	store_done(s);
	return rc;
}

static enum hat_err screens(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT d.id, d.collected_at, d.sample_type, d.method,"
				       " d.street_heroin, d.notes,"
				       " EXISTS (SELECT 1 FROM drug_screen_errors e WHERE e.screen_id = d.id)"
				       " FROM drug_screens d WHERE d.patient_id = ? ORDER BY d.id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		char text[120];
		json_t *code;
		json_t *o;

		snprintf(text, sizeof text, "Drug screen (%s, %s)", store_col_text(s, 2),
			 store_col_text(s, 3));
		code = local("drug-screen", "Drug screen");
		if (code)
			json_object_set_new(code, "text", json_string(text));
		o = observation("screen", store_col_int(s, 0),
				store_col_int(s, 6) ? "entered-in-error" : "final",
				category("laboratory", "Laboratory"), code, pid, store_col_int(s, 1));
		rc = results(c, store_col_int(s, 0), o);
		if (rc == HAT_OK)
			rc = push(o, component(local("street-heroin", "Street heroin use"),
					       "valueCodeableConcept",
					       fhir_concept(FHIR_LOCAL("street-heroin"),
							    store_col_text(s, 4), store_col_text(s, 4))));
		if (rc == HAT_OK && *store_col_text(s, 5))
			json_object_set_new(o, "note", json_pack("[{s:s}]", "text", store_col_text(s, 5)));
		if (rc == HAT_OK)
			rc = add_obs(sink, o);
		else
			json_decref(o);
	}
	store_done(s);
	return rc;
}

enum hat_err fhir_observations(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	enum hat_err rc = assessments(c, pid, sink);

	if (rc == HAT_OK)
		rc = postdose(c, pid, sink);
	if (rc == HAT_OK)
		rc = screens(c, pid, sink);
	return rc;
}
