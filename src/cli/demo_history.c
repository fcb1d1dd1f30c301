/*
** demo_history.c: see demo.h.
**
** Each patient has a plan: a dose, a start, and the few days on which their
** story differs.  Every step runs as the member of staff who would have
** done it, at the moment it would have happened, so the rules, the audit
** chain and (later) the register see a history indistinguishable from a
** real one.
*/
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "auth/auth.h"
#include "cmd/clinical.h"
#include "cmd/prescriptions.h"
#include "cmd/register.h"
#include "cmd/users.h"
#include "cmd/visits.h"
#include "util/clock.h"


struct plan {
	int dose_mg;
	int start_days_ago;      /* the prescription's start (induction if < 90) */
	bool topups;             /* a top-up on every fifth morning */
	bool oral;               /* methadone 30 mg each afternoon */
	int missed_from, missed_to; /* days ago, inclusive; 0 = none */
	int withheld_day;        /* a morning withheld for sedation; 0 = none */
	int naloxone_day;        /* an afternoon with naloxone; 0 = none */
};

/* One plan per patient in demo order (the twelfth is not yet started); a
** larger clinic (hatctl demo --patients) cycles through them.  Start days
** are for a 90-day history: a longer one starts each of them earlier by the
** difference, and the story's days (missed, withheld, naloxone) stay where
** they are, near today. */
static const struct plan plans[] = {
	{ 200, 90, false, false, 0, 0, 0, 0 },   /* Daniel */
	{ 180, 90, false, false, 30, 29, 0, 0 }, /* Shannon: two days away */
	{ 250, 90, false, false, 0, 0, 10, 0 },  /* Lee: withheld, sedated */
	{ 150, 90, true, false, 0, 0, 0, 0 },    /* Joanne: top-ups */
	{ 220, 90, false, false, 20, 18, 0, 0 }, /* Craig: three days, blocked */
	{ 160, 90, false, true, 0, 0, 0, 0 },    /* Michelle: oral methadone */
	{ 200, 90, false, false, 0, 0, 0, 0 },   /* Stephen */
	{ 180, 90, false, false, 0, 0, 0, 0 },   /* Kayleigh */
	{ 200, 88, false, false, 0, 0, 0, 40 },  /* Gary: naloxone */
	{ 170, 75, false, false, 0, 0, 0, 0 },   /* Nicola: induction */
	{ 200, 55, false, false, 2, 1, 0, 0 },   /* Anthony: induction; away now */
};

struct staff {
	struct cli_actor prescriber;
	struct cli_actor nurse[2];
	struct cli_actor pharmacist;
	int64_t premises_id;
	int64_t supplier_id;
};

/* A week's delivery: enough for the clinic's doses with room to spare.
** Strengths in mg, with the ampoules of each. */
static const struct {
	int strength_mg;
	int quantity;
} delivery[] = { { 100, 350 }, { 30, 150 }, { 10, 200 }, { 5, 60 } };

static int find_actor(struct store_conn *conn, const char *username, struct cli_actor *a)
{
	memset(a, 0, sizeof *a);
	if (users_find(conn, username, &a->user_id) != HAT_OK ||
	    auth_user_roles(conn, a->user_id, &a->roles) != HAT_OK) {
		fprintf(stderr, "hatctl: demo user %s is missing\n", username);
		return 1;
	}
	return 0;
}

static int run(struct cmd_runner *r, const struct cmd_def *def, struct cli_actor *a,
	       int64_t at, int64_t target, json_t *in)
{
	int rc;

	a->now = at;
	rc = cli_run_as(r, def, a, target, in, NULL);
	json_decref(in);
	return rc;
}

/* What a page holds now (0 for a page not yet opened). */
static int64_t on_hand(struct store_conn *conn, int64_t premises_id, const char *drug,
		       int strength_mg, const char *form)
{
	int64_t balance = 0;

	store_query_int(conn,
			"SELECT e.balance_after FROM register_entries e JOIN register_pages p"
			" ON p.id = e.page_id WHERE p.premises_id = ? AND p.drug = ?"
			" AND p.strength_ug = ? AND p.form = ? ORDER BY e.seq DESC LIMIT 1",
			NULL, &balance, "itit", premises_id, drug, (int64_t)strength_mg * 1000, form);
	return balance;
}

/* The week's delivery, of each strength the shelf is short of: a pharmacy
** orders what is used, so lots are used up in turn rather than piling up
** (which, over years of history, no clinic's shelf does). */
static int receive(struct cmd_runner *r, struct store_conn *conn, struct staff *st, int32_t date,
		   int week, int scale)
{
	char batch[32], expiry[11], invoice[32], day[11];
	int rc = 0;

	clock_format_date(date + 540, expiry);
	clock_format_date(date, day);
	st->pharmacist.witness_id = st->nurse[week % 2].user_id;
	for (size_t i = 0; i < sizeof delivery / sizeof delivery[0] && rc == 0; i++) {
		if (on_hand(conn, st->premises_id, "diamorphine", delivery[i].strength_mg,
			    "powder_for_injection") >= (int64_t)delivery[i].quantity * scale)
			continue;
		snprintf(batch, sizeof batch, "DIA%d-%04d", delivery[i].strength_mg, 2600 + week);
		snprintf(invoice, sizeof invoice, "INV-%06d", 410000 + week);
		rc = run(r, &register_receive, &st->pharmacist, clock_from_local(date, 8 * 60 + 5), 0,
			 json_pack("{s:I, s:I, s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:s, s:o}",
				   "premises_id", (json_int_t)st->premises_id, "supplier_id",
				   (json_int_t)st->supplier_id, "drug", "diamorphine", "strength_mg",
				   delivery[i].strength_mg, "form", "powder_for_injection", "quantity",
				   delivery[i].quantity * scale, "batch", batch, "expiry_date", expiry,
				   "invoice_ref", invoice, "received_date", day, "witness",
				   json_object()));
	}
	/* The oral component's methadone mixture (1 mg/mL) has its own page,
	** counted in mL. */
	snprintf(batch, sizeof batch, "MET1-%04d", 2600 + week);
	if (rc == 0 && on_hand(conn, st->premises_id, "methadone", 1, "oral_solution") < 1000 * scale)
		rc = run(r, &register_receive, &st->pharmacist, clock_from_local(date, 8 * 60 + 6), 0,
			 json_pack("{s:I, s:I, s:s, s:i, s:s, s:i, s:s, s:s, s:s, s:s, s:o}",
				   "premises_id", (json_int_t)st->premises_id, "supplier_id",
				   (json_int_t)st->supplier_id, "drug", "methadone", "strength_mg", 1,
				   "form", "oral_solution", "quantity", 1000 * scale, "batch", batch,
				   "expiry_date", expiry, "invoice_ref", invoice, "received_date", day,
				   "witness", json_object()));
	return rc;
}

/* The weekly stock check: every page counted by two people. */
static int stock_check(struct cmd_runner *r, struct store_conn *conn, struct staff *st,
		       int32_t date, int week)
{
	json_t *pages = NULL;
	size_t i;
	json_t *p;
	int rc = 0;

	if (register_pages(conn, st->premises_id, date, &pages) != HAT_OK)
		return 1;
	st->pharmacist.witness_id = st->nurse[(week + 1) % 2].user_id;
	json_array_foreach(pages, i, p) {
		if (rc != 0)
			break;
		rc = run(r, &register_stock_check, &st->pharmacist, clock_from_local(date, 17 * 60 + 45),
			 json_integer_value(json_object_get(p, "id")),
			 json_pack("{s:I, s:o}", "counted",
				   (json_int_t)json_integer_value(json_object_get(p, "balance")),
				   "witness", json_object()));
	}
	json_decref(pages);
	return rc;
}

static int sign(struct cmd_runner *r, struct staff *st, int64_t patient, const struct plan *p,
		int32_t today, int days)
{
	int32_t start = today - p->start_days_ago;
	char date[11];
	json_t *in;

	clock_format_date(start, date);
	in = json_pack("{s:s, s:[s, s], s:i, s:i, s:i, s:b, s:i, s:s, s:s}", "drug", "diamorphine",
		       "routes", "iv", "im", "session_dose_mg", p->dose_mg, "sessions_per_day", 2,
		       "daily_max_mg", p->dose_mg * 2 > 320 ? p->dose_mg * 2 : 320, "topup_allowed",
		       p->topups, "topup_max_mg", p->topups ? 50 : 0, "start_date", date, "notes",
		       "Demo prescription: twice daily, supervised.");
	if (p->start_days_ago < days)
		json_object_set_new(in, "use_induction_template", json_true());
	if (p->oral) {
		json_object_set_new(in, "oral_drug", json_string("methadone_oral"));
		json_object_set_new(in, "oral_dose_mg", json_integer(30));
		json_object_set_new(in, "oral_daily_max_mg", json_integer(30));
	}
	return run(r, &prescriptions_sign, &st->prescriber, clock_from_local(start, 8 * 60), patient,
		   in);
}

/* The dose for a session: the prescription's, or the induction cap. */
static int dose_for(const struct plan *p, int day_of_treatment, int window, int days)
{
	static const int induction[2][2] = { { 90, 150 }, { 160, 160 } };

	if (p->start_days_ago < days && day_of_treatment < 2) {
		int cap = induction[day_of_treatment][window];

		return cap < p->dose_mg ? cap : p->dose_mg;
	}
	return p->dose_mg;
}

static json_t *witness_none(void)
{
	return json_object();
}

/* One patient's visit to one session. */
static int visit(struct cmd_runner *r, struct staff *st, int64_t patient, const struct plan *p,
		 int days_ago, int day_of_treatment, int window, int64_t t, int nurse, int days)
{
	struct cli_actor *n = &st->nurse[nurse];
	int64_t dosed_at;
	int mg = dose_for(p, day_of_treatment, window, days);
	bool topup = p->topups && window == 0 && days_ago % 5 == 0 && day_of_treatment >= 2;
	int rc = 0;

	/* The per-session dose caps the session's total, top-up included. */
	if (topup)
		mg -= 40;

	n->witness_id = st->nurse[1 - nurse].user_id;
	rc = run(r, &visits_check_in, n, t, patient, json_object());
	if (rc == 0 && window == 0 && days_ago == p->withheld_day) {
		return run(r, &visits_assess, n, t + 120, patient,
			   json_pack("{s:i, s:i, s:s, s:s, s:s}", "sedation_level", 2,
				     "breath_alcohol_ug", 0, "decision", "not_fit", "reason", "sedated",
				     "concerns", "Frequently drowsy; reports extra street benzodiazepines."));
	}
	if (rc == 0)
		rc = run(r, &visits_assess, n, t + 120, patient,
			 json_pack("{s:i, s:i, s:s}", "sedation_level", 0, "breath_alcohol_ug", 0,
				   "decision", "fit"));
	dosed_at = t + 240;
	if (rc == 0)
		rc = run(r, &visits_administer, n, dosed_at, patient,
			 json_pack("{s:i, s:s, s:s, s:o, s:b}", "amount_mg", mg, "route", "iv", "site",
				   days_ago % 2 ? "arm_left" : "arm_right", "witness", witness_none(),
				   "identity_confirmed", 1));
	if (rc == 0 && topup) {
		/* A top-up: assessed again after the first injection's effect. */
		rc = run(r, &visits_assess, n, dosed_at + 20 * 60, patient,
			 json_pack("{s:i, s:i, s:s}", "sedation_level", 0, "breath_alcohol_ug", 0,
				   "decision", "fit"));
		dosed_at += 21 * 60;
		if (rc == 0)
			rc = run(r, &visits_administer, n, dosed_at, patient,
				 json_pack("{s:i, s:s, s:s, s:o, s:b}", "amount_mg", 40, "route", "iv",
					   "site", "forearm_left", "witness", witness_none(),
					   "identity_confirmed", 1));
	}
	if (rc == 0 && window == 1 && days_ago == p->naloxone_day)
		rc = run(r, &clinical_adverse_event, n, dosed_at + 8 * 60, patient,
			 json_pack("{s:s, s:f, s:s, s:s, s:s}", "kind", "naloxone", "naloxone_dose_mg",
				   0.4, "naloxone_route", "im", "action_taken",
				   "Naloxone 400 micrograms IM, oxygen, recovery position.",
				   "outcome", "Roused within 3 minutes; observed for 2 hours; went home."));
	if (rc == 0 && p->oral && window == 1)
		rc = run(r, &visits_oral, n, dosed_at + 60, patient,
			 json_pack("{s:i, s:o}", "amount_mg", 30, "witness", witness_none()));
	if (rc == 0)
		rc = run(r, &visits_postdose, n, dosed_at + 15 * 60, patient,
			 json_pack("{s:i, s:i, s:s}", "sedation_level", 0, "respiratory_rate", 14,
				   "breathing", "normal"));
	if (rc == 0)
		rc = run(r, &visits_leave, n, dosed_at + 16 * 60, patient, json_object());
	return rc;
}

int demo_history(struct cmd_runner *r, struct store_conn *conn, const int64_t patient_ids[],
		 size_t n, int days)
{
	const size_t nplans = sizeof plans / sizeof plans[0];
	struct plan *mine = NULL;
	struct staff st;
	struct clock_local today;
	char what[48];
	int scale = (int)((n + nplans - 1) / nplans);
	int rc = 0;
	json_t *supplier = NULL;
	json_t *in;

	if (n == 0 || days < 90)
		return 1;
	mine = calloc(n, sizeof *mine);
	if (!mine)
		return 1;
	for (size_t i = 0; i < n; i++) {
		mine[i] = plans[i % nplans];
		mine[i].start_days_ago += days - 90;
	}
	if (find_actor(conn, "dr.okafor", &st.prescriber) || find_actor(conn, "nurse.patel", &st.nurse[0]) ||
	    find_actor(conn, "nurse.byrne", &st.nurse[1]) ||
	    find_actor(conn, "pharm.lindqvist", &st.pharmacist))
		goto fail;
	if (store_query_int(conn, "SELECT premises_id FROM patients WHERE id = ?", NULL,
			    &st.premises_id, "i", patient_ids[0]) != HAT_OK)
		goto fail;
	clock_to_local(clock_now(), &today);
	st.pharmacist.now = clock_from_local(today.date - days - 1, 8 * 60);
	in = json_pack("{s:s, s:s}", "name", "Northgate Specials Pharmacy Ltd", "address",
		       "Unit 4, Teesway Industrial Estate, Stockton TS18 2RT");
	rc = cli_run_as(r, &register_supplier_create, &st.pharmacist, 0, in, &supplier);
	json_decref(in);
	if (rc != 0)
		goto fail;
	st.supplier_id = json_integer_value(json_object_get(supplier, "id"));
	json_decref(supplier);

	/* Demo data is made up and can be made again: it need not wait for the
	** disk on each of its thousands of commits.  The live clinic's writes
	** keep synchronous=FULL; this connection returns to it below. */
	store_exec(conn, "PRAGMA synchronous = OFF");
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = sign(r, &st, patient_ids[i], &mine[i], today.date, days);
	snprintf(what, sizeof what, "%d days of sessions", days);
	for (int ago = days; ago >= 1 && rc == 0; ago--) {
		int32_t date = today.date - ago;
		int week = (days - ago) / 7;

		if ((days - ago) % 7 == 0)
			rc = receive(r, conn, &st, date, week, scale);

		for (int window = 0; window < 2 && rc == 0; window++) {
			for (size_t i = 0; i < n && rc == 0; i++) {
				const struct plan *p = &mine[i];
				/* Arrivals a few minutes apart, inside the window. */
				int64_t t = clock_from_local(date, (window ? 15 * 60 : 9 * 60) +
								   (int)(i % 15) * 6);

				if (ago > p->start_days_ago || (ago <= p->missed_from && ago >= p->missed_to))
					continue;
				/* After naloxone, and after three days away, a
				** prescriber reviews before the next dose. */
				if (window == 0 && (ago == p->naloxone_day - 1 ||
						    (p->missed_to >= 3 && ago == p->missed_to - 1)))
					rc = run(r, &clinical_review, &st.prescriber, t - 600,
						 patient_ids[i],
						 json_pack("{s:s, s:s}", "outcome", "continue", "notes",
							   "Reviewed before today's dose: continue."));
				if (rc == 0)
					rc = visit(r, &st, patient_ids[i], p, ago, p->start_days_ago - ago,
						   window, t, (int)((ago + i) % 2), days);
			}
		}
		if (rc == 0 && (days - ago) % 7 == 6)
			rc = stock_check(r, conn, &st, date, week);
		cli_progress(what, days - ago + 1, days);
	}
	cli_progress_end();
	store_exec(conn, "PRAGMA synchronous = FULL");
	store_exec(conn, "PRAGMA wal_checkpoint(TRUNCATE)");
	free(mine);
	return rc;
fail:
	free(mine);
	return 1;
}
