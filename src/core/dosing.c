/*
** dosing.c: the prescription, administration and oral-dose rules.
*/
#include <stdio.h>
#include <string.h>

#include "core/dosing.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MG(mg) ((int64_t)(mg) * 1000)

static bool site_known(enum dosing_site s)
{
	return s > DOSING_SITE_NONE && s < DOSING_SITE_COUNT_;
}

/* Exactly one known route bit. */
static bool single_route(enum dosing_route r)
{
	return dosing_route_name(r) != NULL;
}

/* ---- Prescriptions ------------------------------------------------------ */

static void set_induction_day(struct dosing_induction_day *day, int64_t first,
			      int64_t second)
{
	day->session_cap_ug[0] = first;
	day->session_cap_ug[1] = second;
	day->session_cap_ug[2] = 0;
	day->day_cap_ug = first + second;
}

void dosing_induction_template_diamorphine(struct dosing_induction *out)
{
	memset(out, 0, sizeof *out);
	out->days = 2;
	set_induction_day(&out->day[0], MG(90), MG(150));
	set_induction_day(&out->day[1], MG(160), MG(160));
}

bool dosing_prescription_is_current(const struct dosing_prescription *rx,
				    int32_t date)
{
	return rx->is_signed && !rx->stopped && !rx->superseded &&
	       rx->start_date <= date && date <= rx->end_date;
}

bool dosing_licence_is_current(const struct dosing_prescriber *p,
			       int64_t premises_id, int32_t date)
{
	return p->has_licence && p->licence_premises_id == premises_id &&
	       date <= p->licence_expiry_date;
}

/* Only diamorphine needs the Home Office licence: hydromorphone, like
** injectable methadone, may be prescribed by any doctor. */
static bool needs_licence(enum dosing_drug d)
{
	return d == DOSING_DRUG_DIAMORPHINE;
}

static enum hat_err check_rx_amounts(const struct clinic_settings *s,
				     const struct dosing_prescription *rx)
{
	if (rx->sessions_per_day < 1 ||
	    rx->sessions_per_day > DOSING_MAX_SESSIONS_PER_DAY)
		return HAT_E_OUT_OF_RANGE;
	if (rx->session_dose_ug <= 0 || rx->daily_max_ug < rx->session_dose_ug)
		return HAT_E_OUT_OF_RANGE;
	if (rx->topup_allowed &&
	    (rx->topup_max_ug <= 0 || rx->topup_max_ug > rx->session_dose_ug))
		return HAT_E_OUT_OF_RANGE;
	if (rx->daily_max_ug > dosing_ceiling_ug(s, rx->drug))
		return HAT_E_OVER_CEILING_RX;
	return HAT_OK;
}

static enum hat_err check_rx_induction(const struct dosing_prescription *rx)
{
	const struct dosing_induction *ind = &rx->induction;

	if (!rx->has_induction)
		return HAT_OK;
	if (ind->days < 1 || ind->days > DOSING_MAX_INDUCTION_DAYS)
		return HAT_E_OUT_OF_RANGE;
	for (int32_t d = 0; d < ind->days; d++) {
		const struct dosing_induction_day *day = &ind->day[d];

		if (day->day_cap_ug <= 0 || day->day_cap_ug > rx->daily_max_ug)
			return HAT_E_OUT_OF_RANGE;
		for (int i = 0; i < DOSING_MAX_SESSIONS_PER_DAY; i++) {
			if (day->session_cap_ug[i] < 0 ||
			    day->session_cap_ug[i] > day->day_cap_ug)
				return HAT_E_OUT_OF_RANGE;
		}
	}
	return HAT_OK;
}

static enum hat_err check_rx_oral(const struct clinic_settings *s,
				  const struct dosing_oral *oral)
{
	if (oral->drug == DOSING_DRUG_NONE)
		return HAT_OK;
	if (oral->dose_ug <= 0 || oral->daily_max_ug < oral->dose_ug)
		return HAT_E_OUT_OF_RANGE;
	if (oral->daily_max_ug > dosing_ceiling_ug(s, oral->drug))
		return HAT_E_OVER_CEILING_RX;
	return HAT_OK;
}

enum hat_err dosing_check_prescription(const struct clinic_settings *s,
				       const struct dosing_prescription *rx,
				       int32_t signing_date)
{
	enum hat_err rc;

	if (!rx->prescriber.is_prescriber)
		return HAT_E_NOT_PRESCRIBER;
	if (!dosing_drug_is_injectable(rx->drug))
		return HAT_E_INVALID_VALUE;
	if (rx->routes == 0 || (rx->routes & ~(unsigned)DOSING_ROUTES_ALL) != 0)
		return HAT_E_INVALID_VALUE;
	if (rx->oral.drug != DOSING_DRUG_NONE &&
	    !dosing_drug_is_oral(rx->oral.drug))
		return HAT_E_INVALID_VALUE;
	if (needs_licence(rx->drug) &&
	    !dosing_licence_is_current(&rx->prescriber, s->premises_id,
				       signing_date))
		return HAT_E_LICENCE_LAPSED;
	if (rx->start_date > rx->end_date)
		return HAT_E_DATE_ORDER;
	rc = check_rx_amounts(s, rx);
	if (rc != HAT_OK)
		return rc;
	rc = check_rx_induction(rx);
	if (rc != HAT_OK)
		return rc;
	return check_rx_oral(s, &rx->oral);
}

/* ---- Administration: what the history says ------------------------------ */

/* The facts the rules need, derived once from the history. */
struct day_facts {
	bool has_session;              /* some session before now, any date */
	size_t session_start;          /* index of its first injection */
	int64_t last_injection_at;
	int32_t sessions_today;
	int64_t day_total_ug;          /* today, this drug */
	int64_t session_total_ug;      /* the latest session, this drug */
};

static enum hat_err check_history_order(const struct dosing_history *h,
					int64_t now)
{
	if (h->count > 0 && !h->injections)
		return HAT_E_INVALID_VALUE;
	for (size_t i = 0; i < h->count; i++) {
		if (h->injections[i].at > now)
			return HAT_E_DATE_ORDER;
		if (i > 0 && h->injections[i].at < h->injections[i - 1].at)
			return HAT_E_DATE_ORDER;
	}
	return HAT_OK;
}

static void derive_facts(const struct dosing_history *h, enum dosing_drug drug,
			 int32_t today, struct day_facts *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < h->count; i++) {
		const struct dosing_injection *inj = &h->injections[i];

		if (!inj->topup) {
			f->has_session = true;
			f->session_start = i;
			f->session_total_ug = 0;
			if (inj->local_date == today)
				f->sessions_today++;
		}
		if (inj->drug == drug) {
			if (f->has_session)
				f->session_total_ug += inj->amount_ug;
			if (inj->local_date == today)
				f->day_total_ug += inj->amount_ug;
		}
		f->last_injection_at = inj->at;
	}
}

/* A top-up continues the latest session only if that session began today
** in the window that is open now. */
static bool session_continues(const struct clinic_settings *s,
			      const struct dosing_history *h,
			      const struct day_facts *f,
			      int32_t today, int32_t window)
{
	const struct dosing_injection *first;
	int32_t first_window;

	if (!f->has_session)
		return false;
	first = &h->injections[f->session_start];
	if (first->local_date != today)
		return false;
	if (schedule_window_at(s, first->local_minute, &first_window) != HAT_OK)
		return false;
	return first_window == window;
}

/* ---- Administration: the rules, one small function each ------------------ */

static enum hat_err check_request_input(const struct dosing_prescription *rx,
					const struct dosing_request *req)
{
	if (req->amount_ug <= 0)
		return HAT_E_OUT_OF_RANGE;
	if (req->local_minute < 0 ||
	    req->local_minute >= SETTINGS_MINUTES_PER_DAY)
		return HAT_E_OUT_OF_RANGE;
	if (!single_route(req->route) || !site_known(req->site))
		return HAT_E_INVALID_VALUE;
	if (!dosing_drug_is_injectable(rx->drug))
		return HAT_E_INVALID_VALUE;
	return HAT_OK;
}

static enum hat_err check_route_and_site(const struct dosing_prescription *rx,
					 const struct dosing_patient *pt,
					 const struct dosing_request *req)
{
	if ((rx->routes & (unsigned)req->route) == 0)
		return HAT_E_ROUTE_NOT_PRESCRIBED;
	/* CRISM: IV in the upper limbs only, unless the risks of a lower-limb
	** site have been discussed and recorded. */
	if (req->route == DOSING_ROUTE_IV &&
	    dosing_site_is_lower_limb(req->site) &&
	    !pt->lower_limb_risk_discussed)
		return HAT_E_RISK_DISCUSSION;
	return HAT_OK;
}

static enum hat_err check_patient(const struct dosing_patient *pt)
{
	if (pt->blocked_by_event || pt->missed == SCHEDULE_MISSED_BLOCKED)
		return HAT_E_PATIENT_BLOCKED;
	if (pt->missed == SCHEDULE_MISSED_RESTART)
		return HAT_E_INDUCTION_RESTART;
	if (pt->reduce_pending)
		return HAT_E_REDUCE_PENDING;
	return HAT_OK;
}

static enum hat_err check_new_session(const struct clinic_settings *s,
				      const struct dosing_prescription *rx,
				      const struct dosing_history *h,
				      const struct day_facts *f, int64_t now)
{
	/* Measured on UTC seconds, so a clock change cannot shorten it. */
	if (f->has_session &&
	    now - h->injections[f->session_start].at <
		    s->min_between_session_starts_s)
		return HAT_E_TOO_SOON;
	if (f->sessions_today >= rx->sessions_per_day)
		return HAT_E_SESSIONS_USED_UP;
	return HAT_OK;
}

static enum hat_err check_assessment(const struct clinic_settings *s,
				     const struct dosing_request *req,
				     const struct day_facts *f,
				     int64_t session_total_ug)
{
	const struct dosing_assessment *a = &req->assessment;

	if (!a->present)
		return HAT_E_ASSESSMENT_MISSING;
	if (!assess_is_valid_for_dose(a->assessed_at, req->now, s))
		return HAT_E_ASSESSMENT_STALE;
	/* A top-up needs a fresh "no intoxication" check that has seen the
	** effect of the injection before it.  Times are whole seconds, so an
	** assessment in the same second as the injection may be the one made
	** before it (assessed, then dosed at once): it does not count. */
	if (req->further_injection && a->assessed_at <= f->last_injection_at)
		return HAT_E_ASSESSMENT_STALE;
	if (a->decision != ASSESS_FIT && a->decision != ASSESS_FIT_REDUCED)
		return HAT_E_ASSESSMENT_NOT_FIT;
	if (a->decision == ASSESS_FIT_REDUCED &&
	    (a->reduced_authorised_ug <= 0 ||
	     session_total_ug > a->reduced_authorised_ug))
		return HAT_E_REDUCED_NEEDS_AUTH;
	return HAT_OK;
}

static enum hat_err check_topup(const struct clinic_settings *s,
				const struct dosing_prescription *rx,
				const struct dosing_request *req,
				const struct day_facts *f)
{
	if (!rx->topup_allowed)
		return HAT_E_TOPUP_NOT_ALLOWED;
	if (req->now - f->last_injection_at < s->topup_min_gap_s)
		return HAT_E_TOPUP_TOO_SOON;
	if (req->amount_ug > rx->topup_max_ug)
		return HAT_E_TOPUP_OVER;
	return HAT_OK;
}

/* The 1-based induction day whose caps apply today, or 0 when none do.  The
** day is one more than the days already dosed under the schedule, so a
** missed day holds the patient where they were; a negative count (never
** recorded) counts as none: caps never loosen by mistake. */
static int32_t induction_day_for(const struct dosing_prescription *rx,
				 const struct dosing_patient *pt)
{
	int64_t day;

	if (!rx->has_induction)
		return 0;
	day = (int64_t)(pt->induction_days_dosed < 0 ? 0 : pt->induction_days_dosed) + 1;
	if (day > rx->induction.days || day > DOSING_MAX_INDUCTION_DAYS)
		return 0;
	return (int32_t)day;
}

int32_t dosing_induction_days_dosed(const int32_t *dosed_dates, size_t n,
				    int32_t induction_start, int32_t today)
{
	int32_t count = 0;

	for (size_t i = 0; dosed_dates && i < n; i++) {
		int32_t d = dosed_dates[i];
		bool seen = false;

		if (d < induction_start || d >= today)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = dosed_dates[j] == d;
		if (!seen)
			count++;
	}
	return count;
}

static enum hat_err check_induction(const struct dosing_prescription *rx,
				    int32_t induction_day, int32_t session_no,
				    int64_t session_total_ug,
				    int64_t day_total_ug)
{
	const struct dosing_induction_day *day;
	int64_t session_cap = 0;

	if (induction_day == 0)
		return HAT_OK;
	day = &rx->induction.day[induction_day - 1];
	if (day_total_ug > day->day_cap_ug)
		return HAT_E_DOSE_OVER_INDUCTION;
	if (session_no >= 1 && session_no <= DOSING_MAX_SESSIONS_PER_DAY)
		session_cap = day->session_cap_ug[session_no - 1];
	if (session_total_ug > session_cap)
		return HAT_E_DOSE_OVER_INDUCTION;
	return HAT_OK;
}

static enum hat_err check_amounts(const struct clinic_settings *s,
				  const struct dosing_prescription *rx,
				  int64_t session_total_ug,
				  int64_t day_total_ug,
				  int32_t induction_day, int32_t session_no)
{
	enum hat_err rc;

	if (session_total_ug > rx->session_dose_ug)
		return HAT_E_DOSE_OVER_SESSION;
	if (day_total_ug > rx->daily_max_ug)
		return HAT_E_DOSE_OVER_DAILY;
	rc = check_induction(rx, induction_day, session_no, session_total_ug,
			     day_total_ug);
	if (rc != HAT_OK)
		return rc;
	if (day_total_ug > dosing_ceiling_ug(s, rx->drug))
		return HAT_E_DOSE_OVER_CEILING;
	return HAT_OK;
}

static unsigned warnings_for(const struct clinic_settings *s,
			     const struct dosing_patient *pt,
			     const struct dosing_request *req)
{
	unsigned w = 0;

	if (s->im_site_repeat_warn && req->route == DOSING_ROUTE_IM &&
	    pt->last_im_site != DOSING_SITE_NONE &&
	    pt->last_im_site == req->site)
		w |= DOSING_WARN_IM_SITE_REPEAT;
	if (pt->missed == SCHEDULE_MISSED_FLAGGED)
		w |= DOSING_WARN_MISSED_DOSES;
	return w;
}

/* The rules that need neither the history nor the window. */
static enum hat_err check_standing(const struct clinic_settings *s,
				   const struct dosing_prescription *rx,
				   const struct dosing_patient *pt,
				   const struct dosing_history *h,
				   const struct dosing_request *req)
{
	enum hat_err rc;

	rc = check_request_input(rx, req);
	if (rc != HAT_OK)
		return rc;
	rc = check_history_order(h, req->now);
	if (rc != HAT_OK)
		return rc;
	if (!dosing_prescription_is_current(rx, req->local_date))
		return HAT_E_NO_PRESCRIPTION;
	if (pt->discharged)
		return HAT_E_NO_ACTIVE_EPISODE;
	if (needs_licence(rx->drug) &&
	    !dosing_licence_is_current(&rx->prescriber, s->premises_id,
				       req->local_date))
		return HAT_E_LICENCE_LAPSED;
	rc = check_route_and_site(rx, pt, req);
	if (rc != HAT_OK)
		return rc;
	return check_patient(pt);
}

enum hat_err dosing_check_administration(const struct clinic_settings *s,
					 const struct dosing_prescription *rx,
					 const struct dosing_patient *patient,
					 const struct dosing_history *history,
					 const struct dosing_request *req,
					 struct dosing_verdict *out)
{
	struct day_facts f;
	int32_t window;
	int32_t session_no;
	int32_t induction_day;
	int64_t session_total;
	int64_t day_total;
	enum hat_err rc;

	rc = check_standing(s, rx, patient, history, req);
	if (rc != HAT_OK)
		return rc;
	rc = schedule_window_at(s, req->local_minute, &window);
	if (rc != HAT_OK)
		return rc;

	derive_facts(history, rx->drug, req->local_date, &f);
	if (req->further_injection) {
		if (!session_continues(s, history, &f, req->local_date, window))
			return HAT_E_WRONG_STATE;
		session_no = f.sessions_today;
		session_total = f.session_total_ug + req->amount_ug;
	} else {
		rc = check_new_session(s, rx, history, &f, req->now);
		if (rc != HAT_OK)
			return rc;
		session_no = f.sessions_today + 1;
		session_total = req->amount_ug;
	}
	day_total = f.day_total_ug + req->amount_ug;

	rc = check_assessment(s, req, &f, session_total);
	if (rc != HAT_OK)
		return rc;
	if (req->further_injection) {
		rc = check_topup(s, rx, req, &f);
		if (rc != HAT_OK)
			return rc;
	}
	induction_day = induction_day_for(rx, patient);
	rc = check_amounts(s, rx, session_total, day_total, induction_day,
			   session_no);
	if (rc != HAT_OK)
		return rc;

	out->warnings = warnings_for(s, patient, req);
	out->window = window;
	out->session_no = session_no;
	out->topup = req->further_injection;
	out->induction_day = induction_day;
	out->session_total_ug = session_total;
	out->day_total_ug = day_total;
	return HAT_OK;
}

/* ---- The oral component ------------------------------------------------- */

static bool oral_assessment_not_fit(const struct clinic_settings *s,
				    const struct dosing_oral_request *req)
{
	const struct dosing_assessment *a = &req->assessment;

	return a->present && a->decision == ASSESS_NOT_FIT &&
	       assess_is_valid_for_dose(a->assessed_at, req->now, s);
}

enum hat_err dosing_check_oral(const struct clinic_settings *s,
			       const struct dosing_prescription *rx,
			       const struct dosing_patient *patient,
			       const struct dosing_oral_request *req)
{
	const struct dosing_oral *oral = &rx->oral;
	int64_t total;

	if (req->amount_ug <= 0 || req->given_today_ug < 0)
		return HAT_E_OUT_OF_RANGE;
	if (!dosing_prescription_is_current(rx, req->local_date) ||
	    !dosing_drug_is_oral(oral->drug))
		return HAT_E_NO_PRESCRIPTION;
	if (patient->discharged)
		return HAT_E_NO_ACTIVE_EPISODE;
	if (patient->blocked_by_event)
		return HAT_E_PATIENT_BLOCKED;
	if (patient->oral_review_needed)
		return HAT_E_ORAL_REVIEW_REQUIRED;
	if (oral_assessment_not_fit(s, req))
		return HAT_E_ASSESSMENT_NOT_FIT;
	if (req->amount_ug > oral->dose_ug)
		return HAT_E_DOSE_OVER_SESSION;
	total = req->given_today_ug + req->amount_ug;
	if (total > oral->daily_max_ug)
		return HAT_E_DOSE_OVER_DAILY;
	if (total > dosing_ceiling_ug(s, oral->drug))
		return HAT_E_DOSE_OVER_CEILING;
	return HAT_OK;
}

enum hat_err dosing_check_check_in(const struct dosing_prescription *rx,
				   const struct dosing_patient *patient,
				   int32_t sessions_today)
{
	if (!patient)
		return HAT_E_INTERNAL;
	/* A discharge ends the prescriptions too, so "discharged" is the
	** answer that tells the nurse why. */
	if (patient->discharged)
		return HAT_E_NO_ACTIVE_EPISODE;
	if (!rx)
		return HAT_E_NO_PRESCRIPTION;
	if (sessions_today >= rx->sessions_per_day)
		return HAT_E_SESSIONS_USED_UP;
	return HAT_OK;
}

enum hat_err dosing_check_readmission(bool readmitted, bool first_in_episode,
				      bool has_induction, bool waiver_reason_given)
{
	/* Tolerance after time out of treatment is unknown: the first
	** prescription of a new episode starts under induction unless the
	** prescriber says, in words, why not. */
	if (readmitted && first_in_episode && !has_induction && !waiver_reason_given)
		return HAT_E_INDUCTION_REQUIRED;
	return HAT_OK;
}

/* ---- The amount due now -------------------------------------------------- */

static bool amount_code(enum hat_err e)
{
	return e == HAT_E_DOSE_OVER_SESSION || e == HAT_E_DOSE_OVER_DAILY ||
	       e == HAT_E_DOSE_OVER_INDUCTION || e == HAT_E_DOSE_OVER_CEILING ||
	       e == HAT_E_TOPUP_OVER || e == HAT_E_REDUCED_NEEDS_AUTH;
}

void dosing_amount_due(const struct clinic_settings *s, const struct dosing_prescription *rx,
		       const struct dosing_patient *patient, const struct dosing_history *history,
		       const struct dosing_request *req, struct dosing_due *out)
{
	struct dosing_request probe = *req;
	struct dosing_verdict v;
	struct day_facts f;
	int64_t lo = 1, hi = DOSING_DUE_MAX_UG;
	enum hat_err rc;

	memset(out, 0, sizeof *out);
	probe.amount_ug = 1;
	rc = dosing_check_administration(s, rx, patient, history, &probe, &v);
	if (rc != HAT_OK) {
		/* Not even a microgram: an amount rule that is already used up is
		** a limit reached, anything else a refusal of the dose itself. */
		out->refusal = amount_code(rc) ? HAT_OK : rc;
		out->limit = amount_code(rc) ? rc : HAT_OK;
		if (out->refusal == HAT_OK) {
			derive_facts(history, rx->drug, req->local_date, &f);
			out->topup = req->further_injection;
			out->session_no = f.sessions_today + (req->further_injection ? 0 : 1);
			out->induction_day = induction_day_for(rx, patient);
			out->session_given_ug = req->further_injection ? f.session_total_ug : 0;
			out->day_given_ug = f.day_total_ug;
		}
		return;
	}
	/* Invariant: lo is allowed; every amount above hi is refused. */
	while (lo < hi) {
		int64_t mid = lo + (hi - lo + 1) / 2;

		probe.amount_ug = mid;
		if (dosing_check_administration(s, rx, patient, history, &probe, &v) == HAT_OK)
			lo = mid;
		else
			hi = mid - 1;
	}
	probe.amount_ug = lo;
	dosing_check_administration(s, rx, patient, history, &probe, &v);
	out->refusal = HAT_OK;
	out->most_ug = lo;
	out->session_no = v.session_no;
	out->topup = v.topup;
	out->induction_day = v.induction_day;
	out->session_given_ug = v.session_total_ug - lo;
	out->day_given_ug = v.day_total_ug - lo;
	if (lo < DOSING_DUE_MAX_UG) {
		probe.amount_ug = lo + 1;
		rc = dosing_check_administration(s, rx, patient, history, &probe, &v);
		out->limit = amount_code(rc) ? rc : HAT_OK;
	}
}

void dosing_mg_text(int64_t ug, char *buf, size_t cap)
{
	int64_t whole = ug / 1000;
	int64_t frac = ug % 1000;

	if (frac == 0) {
		snprintf(buf, cap, "%lld", (long long)whole);
	} else if (frac % 100 == 0) {
		snprintf(buf, cap, "%lld.%01lld", (long long)whole, (long long)(frac / 100));
	} else if (frac % 10 == 0) {
		snprintf(buf, cap, "%lld.%02lld", (long long)whole, (long long)(frac / 10));
	} else {
		snprintf(buf, cap, "%lld.%03lld", (long long)whole, (long long)frac);
	}
}

void dosing_due_describe(const struct clinic_settings *s, const struct dosing_prescription *rx,
			 const struct dosing_due *due, const struct dosing_assessment *a,
			 char *buf, size_t cap)
{
	char x[24], y[24], z[24];
	const struct dosing_induction_day *day;
	int64_t session_cap = 0;

	switch (due->limit) {
	case HAT_E_DOSE_OVER_SESSION:
		dosing_mg_text(rx->session_dose_ug, x, sizeof x);
		dosing_mg_text(due->session_given_ug, y, sizeof y);
		snprintf(buf, cap, "the prescription allows %s mg a session (%s mg given this"
				   " session)", x, y);
		break;
	case HAT_E_DOSE_OVER_DAILY:
		dosing_mg_text(rx->daily_max_ug, x, sizeof x);
		dosing_mg_text(due->day_given_ug, y, sizeof y);
		snprintf(buf, cap, "the prescription's daily maximum is %s mg (%s mg given today)",
			 x, y);
		break;
	case HAT_E_DOSE_OVER_INDUCTION:
		if (due->induction_day < 1 || due->induction_day > rx->induction.days) {
			snprintf(buf, cap, "the induction schedule's cap for today");
			break;
		}
		day = &rx->induction.day[due->induction_day - 1];
		if (due->session_no >= 1 && due->session_no <= DOSING_MAX_SESSIONS_PER_DAY)
			session_cap = day->session_cap_ug[due->session_no - 1];
		dosing_mg_text(day->day_cap_ug, x, sizeof x);
		dosing_mg_text(session_cap, y, sizeof y);
		dosing_mg_text(due->day_given_ug, z, sizeof z);
		snprintf(buf, cap, "induction day %d of %d: up to %s mg today, %s mg this session"
				   " (%s mg given today)", (int)due->induction_day,
			 (int)rx->induction.days, x, y, z);
		break;
	case HAT_E_DOSE_OVER_CEILING:
		dosing_mg_text(dosing_ceiling_ug(s, rx->drug), x, sizeof x);
		dosing_mg_text(due->day_given_ug, y, sizeof y);
		snprintf(buf, cap, "the clinic's daily ceiling for %s is %s mg (%s mg given today)",
			 dosing_drug_name(rx->drug), x, y);
		break;
	case HAT_E_TOPUP_OVER:
		dosing_mg_text(rx->topup_max_ug, x, sizeof x);
		snprintf(buf, cap, "a top-up may be at most %s mg", x);
		break;
	case HAT_E_REDUCED_NEEDS_AUTH:
		dosing_mg_text(a ? a->reduced_authorised_ug : 0, x, sizeof x);
		snprintf(buf, cap, "a prescriber authorised a reduced dose of %s mg this session", x);
		break;
	default:
		dosing_mg_text(due->most_ug, x, sizeof x);
		snprintf(buf, cap, "up to %s mg", x);
		break;
	}
}
