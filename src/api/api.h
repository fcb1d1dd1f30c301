/*
** api.h: the HTTP API: the route table and the helpers its handlers share.
**
** Handlers are thin: they read the path and query, build a command (or run
** a read query) and reply.  They never re-check a rule by hand and never
** format an error body: they return a code and the glue writes it.
*/
#ifndef HAT_API_API_H
#define HAT_API_API_H

#include "auth/auth.h"
#include "cmd/cmd.h"
#include "http/http.h"
#include "store/store.h"
#include "util/spool.h"

/* What every handler can reach: set up once by hatd before it listens. */
struct api_context {
	struct cmd_runner runner;
	struct store_pool *readers;
	int64_t reader_wait_ms;     /* the longest a request waits for a reader */
	struct writer *writer;      /* for health; commands go through runner */
	const char *db_path;        /* for health: a fresh reader opens it */
	struct auth_policy policy;
	const char *clinic_name;
};

/* Installs the context (borrowed; must outlive the server). */
void api_init(struct api_context *ctx);

/* The route table. */
extern const struct http_route api_routes[];
extern const size_t api_route_count;

/* The http glue's hooks. */
enum hat_err api_authenticate(struct http_req *req);
/* Takes the request's read connection, waiting at most reader_wait_ms:
** HAT_E_BUSY (503 busy) when every reader stays in use that long. */
enum hat_err api_request_begin(struct http_req *req);
void api_request_done(struct http_req *req);

/* For handlers. */
struct api_context *api_ctx(void);
/* This request's read connection, taken by api_request_begin before the
** handler runs (so never NULL in a handler). */
struct store_conn *api_reader(struct http_req *req);
/* Who is asking (valid on routes with roles). */
const struct auth_principal *api_who(struct http_req *req);
/* Runs a command for the caller with the request body as input and the
** path's id as target, honouring Idempotency-Key, and replies with its
** answer; returns its error otherwise. */
enum hat_err api_run(struct http_req *req, const struct cmd_def *def);
/* The same with an input of the handler's own (borrowed). */
enum hat_err api_run_input(struct http_req *req, const struct cmd_def *def, json_t *input);
/* The same for a command a second person witnesses: the body's "witness"
** ({username, password} or {token}) is authenticated here, off the writer,
** and must hold one of roles. */
enum hat_err api_run_witnessed(struct http_req *req, const struct cmd_def *def, unsigned roles);
/* The same for a command a second person may confirm: the body's optional
** "confirmer" ({username, password} or {token}, a manager or CDAO) is
** authenticated here; the command decides whether one was needed. */
enum hat_err api_run_confirmed(struct http_req *req, const struct cmd_def *def);
/* Checks a witness's credentials for the caller, refusing with
** HAT_E_WITNESS_THROTTLED after five wrong ones (passwords or PINs) from
** the same login within 15 minutes; a wrong PIN also counts against its
** owner's PIN (cmd/pins.h).  A PIN is checked against the request's
** device (api_device_hash). */
enum hat_err api_check_witness(struct http_req *req, json_t *witness, unsigned roles,
			       int64_t *witness_id, bool *by_token);
/* The same for a command that changes the caller's own password: when the
** path's id is the caller, the body's "current_password" is checked here
** (counted like a wrong witness password) and the command told so. */
enum hat_err api_run_reauthenticated(struct http_req *req, const struct cmd_def *def);
/* The device a request comes from: the BLAKE2b hash of its hat_device
** cookie, a random token hatd gives a browser at its first login there
** (api_session_login).  False when the request carries none (or one that
** is not of hatd's making). */
bool api_device_hash(struct http_req *req, unsigned char hash[AUTH_TOKEN_HASH_BYTES]);
/* Writes an access-log entry for a read of patient_id (0: a list). */
enum hat_err api_log_access(struct http_req *req, int64_t patient_id, const char *what);
/* ?premises_id=N (default: the first premises where the caller's role is
** held: the first of all for a global role); HAT_E_UNKNOWN_PREMISES,
** and HAT_E_NOT_AT_PREMISES when the caller's allowed role (the route's
** row) is not held at it (api_premises_allowed). */
enum hat_err api_premises_param(struct http_req *req, int64_t *id);
/* The same for a view that may also be of the whole provider:
** ?premises_id=all, or no premises_id when dflt_all, gives *id 0, for
** staff holding the route's role at every premises only
** (HAT_E_NOT_PROVIDER_WIDE otherwise). */
enum hat_err api_premises_scope(struct http_req *req, bool dflt_all, int64_t *id);
/* For a view made only for the whole provider: premises_id=all or none
** (HAT_E_INVALID_QUERY for one premises), and the caller's role held at
** every premises (HAT_E_NOT_PROVIDER_WIDE). */
enum hat_err api_provider_only(struct http_req *req);
/* HAT_OK when the caller holds one of the route's roles at premises_id,
** or (premises_id 0) at every premises. */
enum hat_err api_premises_allowed(struct http_req *req, int64_t premises_id);
/* The check of api_authenticate for the premises the request acts on:
** that of the path's record or of the body's premises_id (premises_gate.c). */
enum hat_err api_premises_gate(struct http_req *req);
/* ?from=&to= local dates, defaulting to the last `days` days to today. */
enum hat_err api_date_range(struct http_req *req, int32_t days, int32_t *from, int32_t *to);
/* Reads a paging query: limit (1..500, default 50) and offset. */
enum hat_err api_paging(struct http_req *req, int64_t *limit, int64_t *offset);
/* Reads a list's keyset paging: limit (1..max, default dflt) and after_seq
** (0..; also under its older name `after`, when given): the list answers
** the rows whose key is past after_seq, at most limit of them, with
** next_after_seq the last key when more follow.  HAT_E_INVALID_QUERY
** naming the parameter. */
enum hat_err api_keyset(struct http_req *req, int64_t dflt, int64_t max, int64_t *limit,
			int64_t *after_seq);

/* A long read's answer, written to a spool file as it is read and answered
** from it (spool.c).  api_spool_open: HAT_E_IO when no file can be made.
** api_spool_reply writes out what the spool holds and answers 200 with it
** (content_type a literal); it frees the spool either way.  HAT_E_IO. */
enum hat_err api_spool_open(struct spool *s);
enum hat_err api_spool_reply(struct http_req *req, const char *content_type, struct spool *s);
/* Answers 200 with reply (stolen) written out as JSON to a spool file as it
** is made, for an answer built whole but long (one person's FHIR record, an
** export's JSON): its text is never in memory as well.  HAT_E_IO,
** HAT_E_NOMEM (reply NULL). */
enum hat_err api_spool_json(struct http_req *req, json_t *reply);

/* Handlers, one file per resource. */
enum hat_err api_health(struct http_req *req);
enum hat_err api_session_login(struct http_req *req);
enum hat_err api_session_get(struct http_req *req);
enum hat_err api_session_logout(struct http_req *req);
enum hat_err api_session_witness(struct http_req *req);
enum hat_err api_session_device_staff(struct http_req *req);
enum hat_err api_session_set_pin(struct http_req *req);
enum hat_err api_session_switch(struct http_req *req);
enum hat_err api_users_list(struct http_req *req);
enum hat_err api_users_create(struct http_req *req);
enum hat_err api_users_get(struct http_req *req);
enum hat_err api_users_update(struct http_req *req);
enum hat_err api_users_password(struct http_req *req);
enum hat_err api_users_licence(struct http_req *req);
enum hat_err api_users_premises_role_grant(struct http_req *req);
enum hat_err api_users_premises_role_revoke(struct http_req *req);
enum hat_err api_premises_list(struct http_req *req);
enum hat_err api_premises_create(struct http_req *req);
enum hat_err api_premises_update(struct http_req *req);
enum hat_err api_patients_list(struct http_req *req);
enum hat_err api_patients_create(struct http_req *req);
enum hat_err api_patients_get(struct http_req *req);
enum hat_err api_patients_update(struct http_req *req);
enum hat_err api_episodes_open(struct http_req *req);
enum hat_err api_episodes_update(struct http_req *req);
enum hat_err api_discharge_reasons(struct http_req *req);
enum hat_err api_discharge_reason_set(struct http_req *req);
enum hat_err api_audit_list(struct http_req *req);
enum hat_err api_access_log_list(struct http_req *req);
enum hat_err api_flex_settings_get(struct http_req *req);
enum hat_err api_flex_settings_put(struct http_req *req);
enum hat_err api_flex_patient(struct http_req *req);
enum hat_err api_absence_record(struct http_req *req);
enum hat_err api_absence_cancel(struct http_req *req);
enum hat_err api_cover_prescribe(struct http_req *req);
enum hat_err api_cover_give(struct http_req *req);
enum hat_err api_cover_supply(struct http_req *req);
enum hat_err api_cover_return(struct http_req *req);
enum hat_err api_session_preference(struct http_req *req);
enum hat_err api_session_change(struct http_req *req);
enum hat_err api_session_change_cancel(struct http_req *req);
enum hat_err api_flex_report(struct http_req *req);
enum hat_err api_settings_get(struct http_req *req);
enum hat_err api_settings_put(struct http_req *req);
enum hat_err api_induction_template(struct http_req *req);
enum hat_err api_prescriptions_list(struct http_req *req);
enum hat_err api_prescriptions_sign(struct http_req *req);
enum hat_err api_prescriptions_get(struct http_req *req);
enum hat_err api_prescriptions_stop(struct http_req *req);
enum hat_err api_board(struct http_req *req);
enum hat_err api_dosing_history(struct http_req *req);
enum hat_err api_dose_due(struct http_req *req);
enum hat_err api_session_summary(struct http_req *req);
enum hat_err api_photo_get(struct http_req *req);
enum hat_err api_photo_put(struct http_req *req);
enum hat_err api_photo_withdraw(struct http_req *req);
enum hat_err api_attendance(struct http_req *req);
enum hat_err api_visit_check_in(struct http_req *req);
enum hat_err api_visit_assess(struct http_req *req);
enum hat_err api_visit_authorise(struct http_req *req);
enum hat_err api_visit_administer(struct http_req *req);
enum hat_err api_visit_oral(struct http_req *req);
enum hat_err api_visit_postdose(struct http_req *req);
enum hat_err api_visit_leave(struct http_req *req);
enum hat_err api_visit_withhold(struct http_req *req);
enum hat_err api_visit_decline(struct http_req *req);
enum hat_err api_adverse_event(struct http_req *req);
enum hat_err api_review(struct http_req *req);
enum hat_err api_risk_discussion(struct http_req *req);
enum hat_err api_register_pages(struct http_req *req);
enum hat_err api_register_view(struct http_req *req);
enum hat_err api_suppliers_list(struct http_req *req);
enum hat_err api_alerts(struct http_req *req);
enum hat_err api_register_lots(struct http_req *req);
enum hat_err api_register_stock_checks(struct http_req *req);
enum hat_err api_suppliers_create(struct http_req *req);
enum hat_err api_register_receive(struct http_req *req);
enum hat_err api_register_destroy(struct http_req *req);
enum hat_err api_takehome_settings_get(struct http_req *req);
enum hat_err api_takehome_settings_put(struct http_req *req);
enum hat_err api_takehome_status(struct http_req *req);
enum hat_err api_takehome_assess(struct http_req *req);
enum hat_err api_takehome_grant(struct http_req *req);
enum hat_err api_takehome_review(struct http_req *req);
enum hat_err api_takehome_withdraw(struct http_req *req);
enum hat_err api_takehome_supply(struct http_req *req);
enum hat_err api_takehome_return(struct http_req *req);
enum hat_err api_contact_record(struct http_req *req);
enum hat_err api_guest_authorise(struct http_req *req);
enum hat_err api_guests_list(struct http_req *req);
enum hat_err api_register_correct(struct http_req *req);
enum hat_err api_register_stock_check(struct http_req *req);
enum hat_err api_discrepancies_list(struct http_req *req);
enum hat_err api_discrepancy_check(struct http_req *req);
enum hat_err api_discrepancy_resolve(struct http_req *req);
enum hat_err api_discrepancy_escalate(struct http_req *req);
enum hat_err api_incidents_list(struct http_req *req);
enum hat_err api_incidents_create(struct http_req *req);
enum hat_err api_returns_list(struct http_req *req);
enum hat_err api_returns_record(struct http_req *req);
enum hat_err api_instruments_list(struct http_req *req);
enum hat_err api_instruments_define(struct http_req *req);
enum hat_err api_instruments_licence(struct http_req *req);
enum hat_err api_instruments_switch(struct http_req *req);
enum hat_err api_outcome_settings_get(struct http_req *req);
enum hat_err api_outcome_settings_put(struct http_req *req);
enum hat_err api_outcomes_list(struct http_req *req);
enum hat_err api_outcomes_record(struct http_req *req);
enum hat_err api_outcome_history(struct http_req *req);
enum hat_err api_outcome_revise(struct http_req *req);
enum hat_err api_outcome_error(struct http_req *req);
enum hat_err api_caseload(struct http_req *req);
enum hat_err api_progress(struct http_req *req);
enum hat_err api_goals_list(struct http_req *req);
enum hat_err api_goals_create(struct http_req *req);
enum hat_err api_goal_event(struct http_req *req);
enum hat_err api_screens_list(struct http_req *req);
enum hat_err api_screens_record(struct http_req *req);
enum hat_err api_screen_error(struct http_req *req);
enum hat_err api_screen_analytes(struct http_req *req);
enum hat_err api_service_users_list(struct http_req *req);
enum hat_err api_service_users_open(struct http_req *req);
enum hat_err api_service_users_close(struct http_req *req);
enum hat_err api_me_progress(struct http_req *req);
enum hat_err api_me_goals(struct http_req *req);
enum hat_err api_me_goal_create(struct http_req *req);
enum hat_err api_me_notes(struct http_req *req);
enum hat_err api_me_note_create(struct http_req *req);
enum hat_err api_outcomes_report(struct http_req *req);
enum hat_err api_evaluation_report(struct http_req *req);
enum hat_err api_ndtms_export_file(struct http_req *req);
enum hat_err api_research_export(struct http_req *req);
enum hat_err api_drug_price_set(struct http_req *req);
enum hat_err api_fhir_everything(struct http_req *req);
enum hat_err api_ndtms_codes(struct http_req *req);
enum hat_err api_ndtms_code_set(struct http_req *req);
enum hat_err api_ndtms_record(struct http_req *req);
enum hat_err api_ndtms_export(struct http_req *req);
enum hat_err api_ndtms_modality(struct http_req *req);
enum hat_err api_ndtms_read(struct http_req *req);
#ifdef HAT_TEST_CLOCK
enum hat_err api_test_clock(struct http_req *req);
#endif

#endif
