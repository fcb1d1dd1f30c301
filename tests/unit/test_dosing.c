/*
** test_dosing.c: the prescription, administration and oral-dose rules.
** Each rule is tested exactly at its limit (allowed) and one unit past it
** (refused with its own code): one microgram for amounts, one second for
** intervals, one minute for windows, one day for dates.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/dosing.h"

#define MG(mg) ((int64_t)(mg) * 1000)
#define PREMISES 7
#define MAX_HISTORY 16

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
** days_from_civil), so tests can name real dates. */
static int32_t civil_days(int y, int m, int d)
{
	int era;
	int yoe;
	int doy;
	int doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

/* A winter day, so that local time is UTC and minutes map simply. */
#define TODAY civil_days(2024, 1, 15)

/* UTC seconds of a local minute on a GMT day. */
static int64_t at_min(int32_t date, int32_t minute)
{
	return (int64_t)date * 86400 + (int64_t)minute * 60;
}

/* Everything one administration check needs. */
struct fixture {
	struct clinic_settings s;
	struct dosing_prescription rx;
	struct dosing_patient pt;
	struct dosing_injection inj[MAX_HISTORY];
	size_t n;
	struct dosing_request req;
	struct dosing_verdict v;
};

static void base_prescription(struct dosing_prescription *rx)
{
	memset(rx, 0, sizeof *rx);
	rx->id = 1;
	rx->is_signed = true;
	rx->start_date = TODAY - 30;
	rx->end_date = DOSING_NO_END_DATE;
	rx->drug = DOSING_DRUG_DIAMORPHINE;
	rx->routes = DOSING_ROUTE_IV | DOSING_ROUTE_IM;
	rx->session_dose_ug = MG(200);
	rx->sessions_per_day = 2;
	rx->daily_max_ug = MG(400);
	rx->topup_allowed = true;
	rx->topup_max_ug = MG(60);
	rx->prescriber.user_id = 3;
	rx->prescriber.is_prescriber = true;
	rx->prescriber.has_licence = true;
	rx->prescriber.licence_premises_id = PREMISES;
	rx->prescriber.licence_expiry_date = TODAY + 100;
}

/* A fit patient, a first injection of 200 mg IV at 09:00 today. */
static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	settings_default(&f->s);
	f->s.premises_id = PREMISES;
	base_prescription(&f->rx);
	f->pt.missed = SCHEDULE_MISSED_NONE;
	f->pt.induction_start_date = TODAY - 30;
	f->pt.last_im_site = DOSING_SITE_NONE;
	f->req.local_date = TODAY;
	f->req.local_minute = 540;
	f->req.now = at_min(TODAY, 540);
	f->req.route = DOSING_ROUTE_IV;
	f->req.site = DOSING_SITE_FOREARM_LEFT;
	f->req.amount_ug = MG(200);
	f->req.assessment.present = true;
	f->req.assessment.assessed_at = f->req.now - 600;
	f->req.assessment.decision = ASSESS_FIT;
}

/* Moves the request to a local minute of today, with a fresh assessment. */
static void at_minute(struct fixture *f, int32_t minute)
{
	f->req.local_minute = minute;
	f->req.now = at_min(f->req.local_date, minute);
	f->req.assessment.assessed_at = f->req.now - 60;
}

static void add_injection(struct fixture *f, int32_t date, int32_t minute,
			  int64_t amount_ug, bool topup)
{
	struct dosing_injection *i = &f->inj[f->n++];

	i->at = at_min(date, minute);
	i->local_date = date;
	i->local_minute = minute;
	i->drug = DOSING_DRUG_DIAMORPHINE;
	i->route = DOSING_ROUTE_IV;
	i->site = DOSING_SITE_FOREARM_RIGHT;
	i->amount_ug = amount_ug;
	i->topup = topup;
}

static enum hat_err check(struct fixture *f)
{
	struct dosing_history h = { f->inj, f->n };

	return dosing_check_administration(&f->s, &f->rx, &f->pt, &h, &f->req,
					   &f->v);
}

/* ---- The baseline and input validation ---------------------------------- */

static void test_baseline_allowed(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	assert_int_equal(dosing_check_prescription(&f.s, &f.rx, TODAY), HAT_OK);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.window, 0);
	assert_int_equal(f.v.session_no, 1);
	assert_false(f.v.topup);
	assert_int_equal(f.v.induction_day, 0);
	assert_int_equal(f.v.session_total_ug, MG(200));
	assert_int_equal(f.v.day_total_ug, MG(200));
	assert_int_equal(f.v.warnings, 0);
}

static void test_input_validation(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.amount_ug = 1;
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = 0;
	assert_int_equal(check(&f), HAT_E_OUT_OF_RANGE);

	fixture_init(&f);
	f.req.local_minute = -1;
	assert_int_equal(check(&f), HAT_E_OUT_OF_RANGE);
	f.req.local_minute = 1440;
	assert_int_equal(check(&f), HAT_E_OUT_OF_RANGE);

	fixture_init(&f);
	f.req.route = (enum dosing_route)0;
	assert_int_equal(check(&f), HAT_E_INVALID_VALUE);
	f.req.route = (enum dosing_route)(DOSING_ROUTE_IV | DOSING_ROUTE_IM);
	assert_int_equal(check(&f), HAT_E_INVALID_VALUE);

	fixture_init(&f);
	f.req.site = DOSING_SITE_NONE;
	assert_int_equal(check(&f), HAT_E_INVALID_VALUE);
	f.req.site = DOSING_SITE_COUNT_;
	assert_int_equal(check(&f), HAT_E_INVALID_VALUE);

	fixture_init(&f);
	f.rx.drug = DOSING_DRUG_METHADONE_ORAL;
	assert_int_equal(check(&f), HAT_E_INVALID_VALUE);
}

static void test_history_order(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	add_injection(&f, TODAY - 1, 900, MG(100), false);
	add_injection(&f, TODAY - 1, 540, MG(100), false);
	assert_int_equal(check(&f), HAT_E_DATE_ORDER);

	fixture_init(&f);
	add_injection(&f, TODAY, 541, MG(100), false);
	assert_int_equal(check(&f), HAT_E_DATE_ORDER);
}

static void test_refusal_leaves_verdict_untouched(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	memset(&f.v, 0x5a, sizeof f.v);
	f.req.amount_ug = MG(200) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_SESSION);
	assert_int_equal(((unsigned char *)&f.v)[0], 0x5a);
}

/* ---- Prescription and licence ------------------------------------------- */

static void test_no_current_prescription(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.rx.is_signed = false;
	assert_int_equal(check(&f), HAT_E_NO_PRESCRIPTION);
	fixture_init(&f);
	f.rx.stopped = true;
	assert_int_equal(check(&f), HAT_E_NO_PRESCRIPTION);
	fixture_init(&f);
	f.rx.superseded = true;
	assert_int_equal(check(&f), HAT_E_NO_PRESCRIPTION);

	fixture_init(&f);
	f.rx.start_date = TODAY;
	assert_int_equal(check(&f), HAT_OK);
	f.rx.start_date = TODAY + 1;
	assert_int_equal(check(&f), HAT_E_NO_PRESCRIPTION);

	fixture_init(&f);
	f.rx.end_date = TODAY;
	assert_int_equal(check(&f), HAT_OK);
	f.rx.end_date = TODAY - 1;
	assert_int_equal(check(&f), HAT_E_NO_PRESCRIPTION);
}

static void test_licence_rechecked_at_dose(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.rx.prescriber.licence_expiry_date = TODAY;
	assert_int_equal(check(&f), HAT_OK);
	f.rx.prescriber.licence_expiry_date = TODAY - 1;
	assert_int_equal(check(&f), HAT_E_LICENCE_LAPSED);

	fixture_init(&f);
	f.rx.prescriber.licence_premises_id = PREMISES + 1;
	assert_int_equal(check(&f), HAT_E_LICENCE_LAPSED);

	fixture_init(&f);
	f.rx.prescriber.has_licence = false;
	assert_int_equal(check(&f), HAT_E_LICENCE_LAPSED);

	/* Hydromorphone needs no Home Office licence. */
	f.rx.drug = DOSING_DRUG_HYDROMORPHONE;
	assert_int_equal(check(&f), HAT_OK);
}

/* ---- Route and site ----------------------------------------------------- */

static void test_route_not_prescribed(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.route = DOSING_ROUTE_IM;
	f.req.site = DOSING_SITE_DELTOID_LEFT;
	assert_int_equal(check(&f), HAT_OK);
	f.req.route = DOSING_ROUTE_SC;
	f.req.site = DOSING_SITE_ABDOMEN;
	assert_int_equal(check(&f), HAT_E_ROUTE_NOT_PRESCRIBED);
	f.rx.routes |= DOSING_ROUTE_SC;
	assert_int_equal(check(&f), HAT_OK);
}

static void test_lower_limb_iv_needs_risk_discussion(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.site = DOSING_SITE_GROIN_RIGHT;
	assert_int_equal(check(&f), HAT_E_RISK_DISCUSSION);
	f.req.site = DOSING_SITE_FOOT_LEFT;
	assert_int_equal(check(&f), HAT_E_RISK_DISCUSSION);
	f.pt.lower_limb_risk_discussed = true;
	assert_int_equal(check(&f), HAT_OK);

	/* IM into the thigh or buttock is ordinary: the rule is for IV. */
	fixture_init(&f);
	f.req.route = DOSING_ROUTE_IM;
	f.req.site = DOSING_SITE_THIGH_LEFT;
	assert_int_equal(check(&f), HAT_OK);
	f.req.site = DOSING_SITE_BUTTOCK_RIGHT;
	assert_int_equal(check(&f), HAT_OK);

	fixture_init(&f);
	f.req.site = DOSING_SITE_HAND_RIGHT;
	assert_int_equal(check(&f), HAT_OK);
}

static void test_im_site_repeat_warns(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.route = DOSING_ROUTE_IM;
	f.req.site = DOSING_SITE_DELTOID_LEFT;
	f.pt.last_im_site = DOSING_SITE_DELTOID_LEFT;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.warnings, DOSING_WARN_IM_SITE_REPEAT);

	f.req.site = DOSING_SITE_DELTOID_RIGHT;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.warnings, 0);

	f.req.site = DOSING_SITE_DELTOID_LEFT;
	f.s.im_site_repeat_warn = false;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.warnings, 0);

	/* An IV injection at the last IM site is not an IM repeat. */
	f.s.im_site_repeat_warn = true;
	f.req.route = DOSING_ROUTE_IV;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.warnings, 0);
}

/* ---- The patient -------------------------------------------------------- */

static void test_patient_blocks(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.pt.blocked_by_event = true;
	assert_int_equal(check(&f), HAT_E_PATIENT_BLOCKED);

	fixture_init(&f);
	f.pt.missed = SCHEDULE_MISSED_BLOCKED;
	assert_int_equal(check(&f), HAT_E_PATIENT_BLOCKED);

	fixture_init(&f);
	f.pt.missed = SCHEDULE_MISSED_RESTART;
	assert_int_equal(check(&f), HAT_E_INDUCTION_RESTART);

	fixture_init(&f);
	f.pt.missed = SCHEDULE_MISSED_FLAGGED;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.warnings, DOSING_WARN_MISSED_DOSES);

	/* A discharged patient whose prescription was left running. */
	fixture_init(&f);
	f.pt.discharged = true;
	assert_int_equal(check(&f), HAT_E_NO_ACTIVE_EPISODE);
	fixture_init(&f);
	add_injection(&f, TODAY, 540, MG(100), false);
	at_minute(&f, 555);
	f.req.further_injection = true;
	f.req.amount_ug = MG(60);
	f.pt.discharged = true;
	assert_int_equal(check(&f), HAT_E_NO_ACTIVE_EPISODE);
}

/* ---- Windows and sessions ----------------------------------------------- */

static void test_window_edges(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	at_minute(&f, 510);
	assert_int_equal(check(&f), HAT_OK);
	at_minute(&f, 509);
	assert_int_equal(check(&f), HAT_E_OUTSIDE_WINDOW);
	at_minute(&f, 659);
	assert_int_equal(check(&f), HAT_OK);
	at_minute(&f, 660);
	assert_int_equal(check(&f), HAT_E_OUTSIDE_WINDOW);
	at_minute(&f, 1049);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.window, 1);
	at_minute(&f, 1050);
	assert_int_equal(check(&f), HAT_E_OUTSIDE_WINDOW);
}

/* One long window (08:00-20:00): two sessions in it, 3 h apart. */
static void test_too_soon_same_long_window(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.s.window_count = 1;
	f.s.windows[0].start_minute = 480;
	f.s.windows[0].end_minute = 1200;
	add_injection(&f, TODAY, 540, MG(200), false);
	at_minute(&f, 720);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_no, 2);
	f.req.now -= 1;
	assert_int_equal(check(&f), HAT_E_TOO_SOON);
}

/* Windows either side of midnight: the previous session was yesterday. */
static void test_too_soon_across_midnight(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.s.window_count = 2;
	f.s.windows[0] = (struct settings_window){ 0, 180, "night" };
	f.s.windows[1] = (struct settings_window){ 1380, 1440, "late" };
	assert_int_equal(settings_validate(&f.s), HAT_OK);
	add_injection(&f, TODAY - 1, 1380, MG(200), false);
	at_minute(&f, 120);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_no, 1);
	f.req.now -= 1;
	assert_int_equal(check(&f), HAT_E_TOO_SOON);
}

/* Three short windows; the third session is refused on a twice-daily
** prescription and allowed on a three-times-daily one. */
static void test_sessions_used_up(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.s.window_count = 3;
	f.s.windows[0] = (struct settings_window){ 480, 540, "early" };
	f.s.windows[1] = (struct settings_window){ 720, 780, "midday" };
	f.s.windows[2] = (struct settings_window){ 960, 1020, "late" };
	f.rx.session_dose_ug = MG(100);
	f.rx.daily_max_ug = MG(300);
	f.req.amount_ug = MG(100);
	add_injection(&f, TODAY - 1, 480, MG(100), false);
	add_injection(&f, TODAY - 1, 720, MG(100), false);
	add_injection(&f, TODAY, 480, MG(60), false);
	add_injection(&f, TODAY, 720, MG(60), false);
	add_injection(&f, TODAY, 740, MG(40), true);
	at_minute(&f, 960);
	assert_int_equal(check(&f), HAT_E_SESSIONS_USED_UP);
	f.rx.sessions_per_day = 3;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_no, 3);
	assert_int_equal(f.v.day_total_ug, MG(260));
}

static void test_yesterdays_sessions_do_not_count(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	add_injection(&f, TODAY - 1, 540, MG(200), false);
	add_injection(&f, TODAY - 1, 900, MG(200), false);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_no, 1);
	assert_int_equal(f.v.day_total_ug, MG(200));
}

static void test_further_injection_needs_open_session(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.further_injection = true;
	f.req.amount_ug = MG(50);
	assert_int_equal(check(&f), HAT_E_WRONG_STATE);

	/* The morning's session cannot be topped up in the afternoon. */
	add_injection(&f, TODAY, 540, MG(100), false);
	at_minute(&f, 900);
	assert_int_equal(check(&f), HAT_E_WRONG_STATE);

	/* Nor yesterday's morning session this morning. */
	fixture_init(&f);
	f.req.further_injection = true;
	f.req.amount_ug = MG(50);
	add_injection(&f, TODAY - 1, 600, MG(100), false);
	at_minute(&f, 600);
	assert_int_equal(check(&f), HAT_E_WRONG_STATE);
}

/* ---- Assessment --------------------------------------------------------- */

static void test_assessment_rules(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.assessment.present = false;
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_MISSING);

	fixture_init(&f);
	f.req.assessment.assessed_at = f.req.now - 1800;
	assert_int_equal(check(&f), HAT_OK);
	f.req.assessment.assessed_at = f.req.now - 1801;
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_STALE);
	f.req.assessment.assessed_at = f.req.now + 1;
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_STALE);

	fixture_init(&f);
	f.req.assessment.decision = ASSESS_NOT_FIT;
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_NOT_FIT);
	f.req.assessment.decision = ASSESS_DECISION_NONE;
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_NOT_FIT);
}

static void test_reduced_dose_needs_authorisation(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.assessment.decision = ASSESS_FIT_REDUCED;
	f.req.amount_ug = MG(100);
	assert_int_equal(check(&f), HAT_E_REDUCED_NEEDS_AUTH);
	f.req.assessment.reduced_authorised_ug = MG(100);
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = MG(100) + 1;
	assert_int_equal(check(&f), HAT_E_REDUCED_NEEDS_AUTH);
}

/* ---- Top-ups ------------------------------------------------------------ */

/* A first injection of 100 mg at 09:00, a top-up asked for at 09:15. */
static void topup_fixture(struct fixture *f)
{
	fixture_init(f);
	add_injection(f, TODAY, 540, MG(100), false);
	at_minute(f, 555);
	f->req.further_injection = true;
	f->req.amount_ug = MG(60);
}

static void test_topup_allowed_at_limits(void **state)
{
	struct fixture f;

	(void)state;
	topup_fixture(&f);
	assert_int_equal(check(&f), HAT_OK);
	assert_true(f.v.topup);
	assert_int_equal(f.v.session_no, 1);
	assert_int_equal(f.v.session_total_ug, MG(160));
	assert_int_equal(f.v.day_total_ug, MG(160));
}

static void test_topup_not_allowed(void **state)
{
	struct fixture f;

	(void)state;
	topup_fixture(&f);
	f.rx.topup_allowed = false;
	assert_int_equal(check(&f), HAT_E_TOPUP_NOT_ALLOWED);
}

static void test_topup_too_soon(void **state)
{
	struct fixture f;

	(void)state;
	topup_fixture(&f);
	f.req.now -= 1;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_E_TOPUP_TOO_SOON);

	/* The gap runs from the last injection, an earlier top-up included. */
	fixture_init(&f);
	add_injection(&f, TODAY, 540, MG(60), false);
	add_injection(&f, TODAY, 560, MG(40), true);
	at_minute(&f, 575);
	f.req.further_injection = true;
	f.req.amount_ug = MG(40);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_total_ug, MG(140));
	f.req.now -= 1;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_E_TOPUP_TOO_SOON);
}

static void test_topup_over_max(void **state)
{
	struct fixture f;

	(void)state;
	topup_fixture(&f);
	f.req.amount_ug = MG(60) + 1;
	assert_int_equal(check(&f), HAT_E_TOPUP_OVER);
}

static void test_topup_needs_assessment_after_injection(void **state)
{
	struct fixture f;

	(void)state;
	topup_fixture(&f);
	f.req.assessment.assessed_at = at_min(TODAY, 540) + 1;
	assert_int_equal(check(&f), HAT_OK);
	/* In the same second as the injection: it may be the assessment made
	** just before it, which has not seen its effect. */
	f.req.assessment.assessed_at = at_min(TODAY, 540);
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_STALE);
	f.req.assessment.assessed_at = at_min(TODAY, 540) - 1;
	assert_int_equal(check(&f), HAT_E_ASSESSMENT_STALE);
}

/* ---- Amounts ------------------------------------------------------------ */

static void test_session_dose(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.req.amount_ug = MG(200);
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = MG(200) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_SESSION);

	/* A top-up counts towards the session's total. */
	fixture_init(&f);
	add_injection(&f, TODAY, 540, MG(150), false);
	at_minute(&f, 560);
	f.req.further_injection = true;
	f.req.amount_ug = MG(50);
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = MG(50) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_SESSION);
}

static void test_daily_max(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.rx.daily_max_ug = MG(350);
	add_injection(&f, TODAY - 1, 900, MG(200), false);
	add_injection(&f, TODAY, 540, MG(200), false);
	at_minute(&f, 900);
	f.req.amount_ug = MG(150);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.day_total_ug, MG(350));
	assert_int_equal(f.v.session_no, 2);
	f.req.amount_ug = MG(150) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_DAILY);
}

static void test_other_drug_not_in_daily_total(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	add_injection(&f, TODAY, 540, MG(200), false);
	f.inj[0].drug = DOSING_DRUG_HYDROMORPHONE;
	at_minute(&f, 900);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.day_total_ug, MG(200));
	/* It still used one of the day's sessions. */
	assert_int_equal(f.v.session_no, 2);
}

/* A ceiling lowered after the prescription was signed still holds. */
static void test_system_ceiling(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.s.ceiling_diamorphine_ug = MG(300);
	add_injection(&f, TODAY, 540, MG(200), false);
	at_minute(&f, 900);
	f.req.amount_ug = MG(100);
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = MG(100) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_CEILING);

	fixture_init(&f);
	f.rx.drug = DOSING_DRUG_HYDROMORPHONE;
	f.rx.session_dose_ug = MG(400);
	f.rx.daily_max_ug = MG(800);
	add_injection(&f, TODAY, 540, MG(300), false);
	f.inj[0].drug = DOSING_DRUG_HYDROMORPHONE;
	at_minute(&f, 900);
	f.req.amount_ug = MG(200);
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = MG(200) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_CEILING);
}

/* ---- Induction ---------------------------------------------------------- */

static void induction_fixture(struct fixture *f, int32_t day)
{
	fixture_init(f);
	f->rx.has_induction = true;
	dosing_induction_template_diamorphine(&f->rx.induction);
	f->pt.induction_start_date = TODAY - (day - 1);
	f->pt.induction_days_dosed = day - 1;
}

static void test_induction_template(void **state)
{
	struct dosing_induction ind;

	(void)state;
	dosing_induction_template_diamorphine(&ind);
	assert_int_equal(ind.days, 2);
	assert_int_equal(ind.day[0].session_cap_ug[0], MG(90));
	assert_int_equal(ind.day[0].session_cap_ug[1], MG(150));
	assert_int_equal(ind.day[0].session_cap_ug[2], 0);
	assert_int_equal(ind.day[0].day_cap_ug, MG(240));
	assert_int_equal(ind.day[1].session_cap_ug[0], MG(160));
	assert_int_equal(ind.day[1].session_cap_ug[1], MG(160));
	assert_int_equal(ind.day[1].day_cap_ug, MG(320));
}

static void test_induction_day1_sessions(void **state)
{
	struct fixture f;

	(void)state;
	induction_fixture(&f, 1);
	f.req.amount_ug = MG(90);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.induction_day, 1);
	f.req.amount_ug = MG(90) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);

	add_injection(&f, TODAY, 540, MG(90), false);
	at_minute(&f, 900);
	f.req.amount_ug = MG(150);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.day_total_ug, MG(240));
	f.req.amount_ug = MG(150) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
}

/* Day 1, dose 1: 30 mg, then a further 60 mg up to 90 mg. */
static void test_induction_with_topup(void **state)
{
	struct fixture f;

	(void)state;
	induction_fixture(&f, 1);
	add_injection(&f, TODAY, 540, MG(30), false);
	at_minute(&f, 555);
	f.req.further_injection = true;
	f.req.amount_ug = MG(60);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_total_ug, MG(90));
	f.inj[0].amount_ug = MG(30) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
}

static void test_induction_day2_and_after(void **state)
{
	struct fixture f;

	(void)state;
	induction_fixture(&f, 2);
	f.req.amount_ug = MG(160);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.induction_day, 2);
	f.req.amount_ug = MG(160) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);

	/* Day 3: the template has ended, the prescription's doses apply. */
	induction_fixture(&f, 3);
	f.req.amount_ug = MG(200);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.induction_day, 0);

	/* An induction start in the future never loosens the caps. */
	induction_fixture(&f, 0);
	f.req.amount_ug = MG(90) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
}

/* Induction advances by dosed days: a day missed on day 2 holds the
** patient at day 2's caps the next time they are dosed. */
static void test_induction_missed_day_holds_step(void **state)
{
	/* Started TODAY-3, dosed TODAY-3, missed TODAY-2, dosed TODAY-1 (twice),
	** a dose before the start and one today that do not count. */
	int32_t dates[] = { TODAY - 9, TODAY - 3, TODAY - 1, TODAY - 1, TODAY };
	struct fixture f;

	(void)state;
	assert_int_equal(dosing_induction_days_dosed(dates, 5, TODAY - 3, TODAY), 2);
	assert_int_equal(dosing_induction_days_dosed(dates, 5, TODAY - 2, TODAY), 1);
	assert_int_equal(dosing_induction_days_dosed(dates, 5, TODAY - 1, TODAY), 1);
	assert_int_equal(dosing_induction_days_dosed(dates, 5, TODAY, TODAY), 0);
	assert_int_equal(dosing_induction_days_dosed(dates, 5, TODAY - 9, TODAY - 1), 2);
	assert_int_equal(dosing_induction_days_dosed(NULL, 0, TODAY - 3, TODAY), 0);

	/* Day 1 dosed, day 2 missed: today is day 2 (160 mg), not day 3. */
	induction_fixture(&f, 1);
	f.pt.induction_start_date = TODAY - 2;
	f.pt.induction_days_dosed = 1;
	f.req.amount_ug = MG(160);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.induction_day, 2);
	f.req.amount_ug = MG(160) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
	/* Only once both template days are dosed do the prescription's apply. */
	f.pt.induction_days_dosed = 2;
	f.req.amount_ug = MG(200);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.induction_day, 0);
	/* A count below zero never loosens the caps. */
	f.pt.induction_days_dosed = -1;
	f.req.amount_ug = MG(90) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
}

static void test_induction_day_cap(void **state)
{
	struct fixture f;

	(void)state;
	induction_fixture(&f, 1);
	f.rx.induction.days = 1;
	f.rx.induction.day[0].day_cap_ug = MG(200);
	f.rx.induction.day[0].session_cap_ug[0] = MG(150);
	f.rx.induction.day[0].session_cap_ug[1] = MG(150);
	add_injection(&f, TODAY, 540, MG(150), false);
	at_minute(&f, 900);
	f.req.amount_ug = MG(50);
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = MG(50) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
}

static void test_induction_no_third_session(void **state)
{
	struct fixture f;

	(void)state;
	induction_fixture(&f, 1);
	f.s.window_count = 3;
	f.s.windows[2] = (struct settings_window){ 1260, 1320, "evening" };
	f.rx.sessions_per_day = 3;
	f.rx.daily_max_ug = MG(600);
	add_injection(&f, TODAY, 540, MG(50), false);
	add_injection(&f, TODAY, 900, MG(50), false);
	at_minute(&f, 1260);
	f.req.amount_ug = 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_INDUCTION);
}

/* ---- Clock changes ------------------------------------------------------ */

/*
** Europe/London, Sunday 2024-03-31: at 01:00 GMT the clocks go forward to
** 02:00 BST.  Windows 00:00-01:00 and 03:00-06:00 local.  A session at
** 00:30 GMT (00:30 UTC); at 03:30 BST (02:30 UTC) the local clock shows
** 3 h but only 2 h have passed, so it is too soon; at 04:30 BST (03:30 UTC)
** it is exactly 3 h.
*/
static void test_spring_forward(void **state)
{
	int32_t day = civil_days(2024, 3, 31);
	int64_t midnight_utc = (int64_t)day * 86400;
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.s.window_count = 2;
	f.s.windows[0] = (struct settings_window){ 0, 60, "night" };
	f.s.windows[1] = (struct settings_window){ 180, 360, "dawn" };
	f.inj[0] = (struct dosing_injection){
		.at = midnight_utc + 30 * 60, .local_date = day,
		.local_minute = 30, .drug = DOSING_DRUG_DIAMORPHINE,
		.route = DOSING_ROUTE_IV, .site = DOSING_SITE_ARM_LEFT,
		.amount_ug = MG(200), .topup = false,
	};
	f.n = 1;
	f.rx.prescriber.licence_expiry_date = day;
	f.req.local_date = day;

	f.req.local_minute = 3 * 60 + 30;
	f.req.now = midnight_utc + 2 * 3600 + 30 * 60;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_E_TOO_SOON);

	f.req.local_minute = 4 * 60 + 29;
	f.req.now = midnight_utc + 3 * 3600 + 30 * 60 - 1;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_E_TOO_SOON);

	f.req.local_minute = 4 * 60 + 30;
	f.req.now = midnight_utc + 3 * 3600 + 30 * 60;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_no, 2);
}

/*
** Europe/London, Sunday 2024-10-27: at 02:00 BST (01:00 UTC) the clocks go
** back to 01:00 GMT.  A session at 00:30 BST, which is 23:30 UTC on the
** 26th but local business date the 27th.  At 02:30 GMT (02:30 UTC) the
** local clock shows 2 h but 3 h have passed: allowed; one second earlier is
** too soon.  Both sessions fall on the same local date, so the second is
** session 2 and the day's total counts both.
*/
static void test_fall_back(void **state)
{
	int32_t day = civil_days(2024, 10, 27);
	int64_t midnight_utc = (int64_t)day * 86400;
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.s.window_count = 2;
	f.s.windows[0] = (struct settings_window){ 0, 60, "night" };
	f.s.windows[1] = (struct settings_window){ 120, 360, "dawn" };
	f.rx.daily_max_ug = MG(350);
	f.inj[0] = (struct dosing_injection){
		.at = midnight_utc - 30 * 60, .local_date = day,
		.local_minute = 30, .drug = DOSING_DRUG_DIAMORPHINE,
		.route = DOSING_ROUTE_IV, .site = DOSING_SITE_ARM_LEFT,
		.amount_ug = MG(200), .topup = false,
	};
	f.n = 1;
	f.rx.prescriber.licence_expiry_date = day;
	f.req.local_date = day;
	f.req.local_minute = 2 * 60 + 30;
	f.req.now = midnight_utc + 2 * 3600 + 30 * 60;
	f.req.assessment.assessed_at = f.req.now;
	f.req.amount_ug = MG(150);
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.session_no, 2);
	assert_int_equal(f.v.day_total_ug, MG(350));

	f.req.amount_ug = MG(150) + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_DAILY);

	f.req.amount_ug = MG(150);
	f.req.local_minute = 2 * 60 + 29;
	f.req.now -= 1;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_E_TOO_SOON);
}

/* The default windows on the spring clock-change day: 08:30 BST is 07:30
** UTC, 15:00 BST 14:00 UTC; 6 h 30 min apart either way. */
static void test_default_windows_on_change_day(void **state)
{
	int32_t day = civil_days(2024, 3, 31);
	int64_t midnight_utc = (int64_t)day * 86400;
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.inj[0] = (struct dosing_injection){
		.at = midnight_utc + 7 * 3600 + 30 * 60, .local_date = day,
		.local_minute = 510, .drug = DOSING_DRUG_DIAMORPHINE,
		.route = DOSING_ROUTE_IV, .site = DOSING_SITE_ARM_LEFT,
		.amount_ug = MG(200), .topup = false,
	};
	f.n = 1;
	f.rx.prescriber.licence_expiry_date = day;
	f.req.local_date = day;
	f.req.local_minute = 900;
	f.req.now = midnight_utc + 14 * 3600;
	f.req.assessment.assessed_at = f.req.now;
	assert_int_equal(check(&f), HAT_OK);
	assert_int_equal(f.v.window, 1);
	assert_int_equal(f.v.session_no, 2);
}

/* ---- Signing a prescription --------------------------------------------- */

static enum hat_err sign(const struct clinic_settings *s,
			 const struct dosing_prescription *rx)
{
	return dosing_check_prescription(s, rx, TODAY);
}

static void test_sign_who_and_what(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;

	base_prescription(&rx);
	rx.prescriber.is_prescriber = false;
	assert_int_equal(sign(&s, &rx), HAT_E_NOT_PRESCRIBER);

	base_prescription(&rx);
	rx.drug = DOSING_DRUG_METHADONE_ORAL;
	assert_int_equal(sign(&s, &rx), HAT_E_INVALID_VALUE);
	rx.drug = DOSING_DRUG_NONE;
	assert_int_equal(sign(&s, &rx), HAT_E_INVALID_VALUE);

	base_prescription(&rx);
	rx.routes = DOSING_ROUTE_SC;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.routes = 0;
	assert_int_equal(sign(&s, &rx), HAT_E_INVALID_VALUE);
	rx.routes = DOSING_ROUTE_IV | (1u << 3);
	assert_int_equal(sign(&s, &rx), HAT_E_INVALID_VALUE);

	base_prescription(&rx);
	rx.oral.drug = DOSING_DRUG_DIAMORPHINE;
	rx.oral.dose_ug = MG(10);
	rx.oral.daily_max_ug = MG(10);
	assert_int_equal(sign(&s, &rx), HAT_E_INVALID_VALUE);
}

static void test_sign_licence(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;
	base_prescription(&rx);
	rx.prescriber.licence_expiry_date = TODAY;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.prescriber.licence_expiry_date = TODAY - 1;
	assert_int_equal(sign(&s, &rx), HAT_E_LICENCE_LAPSED);

	base_prescription(&rx);
	rx.prescriber.licence_premises_id = PREMISES + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_LICENCE_LAPSED);

	base_prescription(&rx);
	rx.prescriber.has_licence = false;
	assert_int_equal(sign(&s, &rx), HAT_E_LICENCE_LAPSED);
	rx.drug = DOSING_DRUG_HYDROMORPHONE;
	assert_int_equal(sign(&s, &rx), HAT_OK);
}

static void test_sign_dates_and_sessions(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;
	base_prescription(&rx);
	rx.end_date = rx.start_date;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.end_date = rx.start_date - 1;
	assert_int_equal(sign(&s, &rx), HAT_E_DATE_ORDER);

	base_prescription(&rx);
	rx.sessions_per_day = 1;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.sessions_per_day = 3;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.sessions_per_day = 0;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
	rx.sessions_per_day = 4;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
}

static void test_sign_amounts(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;

	base_prescription(&rx);
	rx.session_dose_ug = 1;
	rx.topup_max_ug = 1;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.session_dose_ug = 0;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);

	base_prescription(&rx);
	rx.daily_max_ug = rx.session_dose_ug;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.daily_max_ug = rx.session_dose_ug - 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);

	base_prescription(&rx);
	rx.session_dose_ug = MG(500);
	rx.daily_max_ug = MG(1000);
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.daily_max_ug = MG(1000) + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OVER_CEILING_RX);

	base_prescription(&rx);
	rx.drug = DOSING_DRUG_HYDROMORPHONE;
	rx.daily_max_ug = MG(500);
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.daily_max_ug = MG(500) + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OVER_CEILING_RX);
}

static void test_sign_topup(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;
	base_prescription(&rx);
	rx.topup_max_ug = rx.session_dose_ug;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.topup_max_ug = rx.session_dose_ug + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
	rx.topup_max_ug = 0;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
	rx.topup_allowed = false;
	assert_int_equal(sign(&s, &rx), HAT_OK);
}

static void test_sign_induction(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;
	base_prescription(&rx);
	rx.has_induction = true;
	dosing_induction_template_diamorphine(&rx.induction);
	rx.daily_max_ug = MG(320);
	assert_int_equal(sign(&s, &rx), HAT_OK);
	/* The template's day 2 allows 320 mg: a lower daily max refuses it. */
	rx.daily_max_ug = MG(320) - 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);

	rx.daily_max_ug = MG(400);
	rx.induction.days = 0;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
	rx.induction.days = DOSING_MAX_INDUCTION_DAYS + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);

	dosing_induction_template_diamorphine(&rx.induction);
	rx.induction.day[0].session_cap_ug[1] = MG(240);
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.induction.day[0].session_cap_ug[1] = MG(240) + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
	rx.induction.day[0].session_cap_ug[1] = -1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);

	dosing_induction_template_diamorphine(&rx.induction);
	rx.induction.day[1].day_cap_ug = 0;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
}

static void test_sign_oral_component(void **state)
{
	struct clinic_settings s;
	struct dosing_prescription rx;

	(void)state;
	settings_default(&s);
	s.premises_id = PREMISES;
	base_prescription(&rx);
	rx.oral.drug = DOSING_DRUG_METHADONE_ORAL;
	rx.oral.dose_ug = MG(50);
	rx.oral.daily_max_ug = MG(150);
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.oral.daily_max_ug = MG(150) + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OVER_CEILING_RX);

	rx.oral.drug = DOSING_DRUG_SROM;
	rx.oral.daily_max_ug = MG(1200);
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.oral.daily_max_ug = MG(1200) + 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OVER_CEILING_RX);

	rx.oral.daily_max_ug = rx.oral.dose_ug;
	assert_int_equal(sign(&s, &rx), HAT_OK);
	rx.oral.daily_max_ug = rx.oral.dose_ug - 1;
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
	rx.oral.dose_ug = 0;
	rx.oral.daily_max_ug = MG(100);
	assert_int_equal(sign(&s, &rx), HAT_E_OUT_OF_RANGE);
}

/* ---- The oral component ------------------------------------------------- */

struct oral_fixture {
	struct clinic_settings s;
	struct dosing_prescription rx;
	struct dosing_patient pt;
	struct dosing_oral_request req;
};

static void oral_init(struct oral_fixture *o)
{
	memset(o, 0, sizeof *o);
	settings_default(&o->s);
	o->s.premises_id = PREMISES;
	base_prescription(&o->rx);
	o->rx.oral.drug = DOSING_DRUG_METHADONE_ORAL;
	o->rx.oral.dose_ug = MG(60);
	o->rx.oral.daily_max_ug = MG(120);
	o->req.now = at_min(TODAY, 600);
	o->req.local_date = TODAY;
	o->req.amount_ug = MG(60);
}

static enum hat_err oral(const struct oral_fixture *o)
{
	return dosing_check_oral(&o->s, &o->rx, &o->pt, &o->req);
}

static void test_oral_caps(void **state)
{
	struct oral_fixture o;

	(void)state;
	oral_init(&o);
	assert_int_equal(oral(&o), HAT_OK);
	o.req.amount_ug = MG(60) + 1;
	assert_int_equal(oral(&o), HAT_E_DOSE_OVER_SESSION);

	oral_init(&o);
	o.req.given_today_ug = MG(60);
	assert_int_equal(oral(&o), HAT_OK);
	o.req.given_today_ug = MG(60) + 1;
	assert_int_equal(oral(&o), HAT_E_DOSE_OVER_DAILY);

	oral_init(&o);
	o.s.ceiling_methadone_oral_ug = MG(100);
	o.req.given_today_ug = MG(40);
	assert_int_equal(oral(&o), HAT_OK);
	o.req.given_today_ug = MG(40) + 1;
	assert_int_equal(oral(&o), HAT_E_DOSE_OVER_CEILING);

	oral_init(&o);
	o.req.amount_ug = 0;
	assert_int_equal(oral(&o), HAT_E_OUT_OF_RANGE);
	o.req.amount_ug = MG(10);
	o.req.given_today_ug = -1;
	assert_int_equal(oral(&o), HAT_E_OUT_OF_RANGE);
}

static void test_oral_prescription_and_patient(void **state)
{
	struct oral_fixture o;

	(void)state;
	oral_init(&o);
	o.rx.oral.drug = DOSING_DRUG_NONE;
	assert_int_equal(oral(&o), HAT_E_NO_PRESCRIPTION);
	oral_init(&o);
	o.rx.end_date = TODAY - 1;
	assert_int_equal(oral(&o), HAT_E_NO_PRESCRIPTION);

	oral_init(&o);
	o.pt.blocked_by_event = true;
	assert_int_equal(oral(&o), HAT_E_PATIENT_BLOCKED);

	/* Missed injectable days block injectable doses only. */
	oral_init(&o);
	o.pt.missed = SCHEDULE_MISSED_RESTART;
	assert_int_equal(oral(&o), HAT_OK);

	/* Discharge ends the oral component too. */
	oral_init(&o);
	o.pt.discharged = true;
	assert_int_equal(oral(&o), HAT_E_NO_ACTIVE_EPISODE);

	/* Days without the oral dose need a review before the next one; an
	** adverse-event block is still named first. */
	oral_init(&o);
	o.pt.oral_review_needed = true;
	assert_int_equal(oral(&o), HAT_E_ORAL_REVIEW_REQUIRED);
	o.pt.blocked_by_event = true;
	assert_int_equal(oral(&o), HAT_E_PATIENT_BLOCKED);
}

static void test_oral_assessment(void **state)
{
	struct oral_fixture o;

	(void)state;
	oral_init(&o);
	o.req.assessment.present = true;
	o.req.assessment.decision = ASSESS_NOT_FIT;
	o.req.assessment.assessed_at = o.req.now - 1800;
	assert_int_equal(oral(&o), HAT_E_ASSESSMENT_NOT_FIT);
	o.req.assessment.assessed_at = o.req.now - 1801;
	assert_int_equal(oral(&o), HAT_OK);
	o.req.assessment.assessed_at = o.req.now;
	o.req.assessment.decision = ASSESS_FIT;
	assert_int_equal(oral(&o), HAT_OK);
}

/* ---- Names, sites, ceilings --------------------------------------------- */

static void test_names_round_trip(void **state)
{
	enum dosing_drug d;
	enum dosing_route r;
	enum dosing_site site;

	(void)state;
	for (int i = DOSING_DRUG_DIAMORPHINE; i <= DOSING_DRUG_SROM; i++) {
		const char *name = dosing_drug_name((enum dosing_drug)i);

		assert_non_null(name);
		assert_int_equal(dosing_drug_parse(name, &d), HAT_OK);
		assert_int_equal(d, i);
	}
	for (int i = DOSING_SITE_NONE + 1; i < DOSING_SITE_COUNT_; i++) {
		const char *name = dosing_site_name((enum dosing_site)i);

		assert_non_null(name);
		assert_int_equal(dosing_site_parse(name, &site), HAT_OK);
		assert_int_equal(site, i);
	}
	assert_int_equal(dosing_route_parse("iv", &r), HAT_OK);
	assert_int_equal(r, DOSING_ROUTE_IV);
	assert_int_equal(dosing_route_parse("im", &r), HAT_OK);
	assert_int_equal(r, DOSING_ROUTE_IM);
	assert_int_equal(dosing_route_parse("sc", &r), HAT_OK);
	assert_int_equal(r, DOSING_ROUTE_SC);
	assert_string_equal(dosing_route_name(DOSING_ROUTE_SC), "sc");
	assert_string_equal(dosing_drug_name(DOSING_DRUG_SROM), "srom");
	assert_string_equal(dosing_site_name(DOSING_SITE_GROIN_LEFT),
			    "groin_left");

	assert_int_equal(dosing_route_parse("IV", &r), HAT_E_INVALID_VALUE);
	assert_int_equal(dosing_route_parse(NULL, &r), HAT_E_INVALID_VALUE);
	assert_int_equal(dosing_drug_parse("heroin", &d), HAT_E_INVALID_VALUE);
	assert_int_equal(dosing_site_parse("neck", &site), HAT_E_INVALID_VALUE);
	assert_int_equal(dosing_site_parse("", &site), HAT_E_INVALID_VALUE);
	assert_null(dosing_site_name(DOSING_SITE_NONE));
	assert_null(dosing_site_name(DOSING_SITE_COUNT_));
	assert_null(dosing_drug_name(DOSING_DRUG_NONE));
	assert_null(dosing_route_name((enum dosing_route)3));
}

static void test_lower_limb_sites(void **state)
{
	static const char *const lower[] = {
		"groin_left", "groin_right", "thigh_left", "thigh_right",
		"buttock_left", "buttock_right", "leg_left", "leg_right",
		"foot_left", "foot_right",
	};
	int count = 0;

	(void)state;
	for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++) {
		enum dosing_site site;

		assert_int_equal(dosing_site_parse(lower[i], &site), HAT_OK);
		assert_true(dosing_site_is_lower_limb(site));
	}
	for (int i = DOSING_SITE_NONE + 1; i < DOSING_SITE_COUNT_; i++)
		count += dosing_site_is_lower_limb((enum dosing_site)i);
	assert_int_equal(count, (int)(sizeof lower / sizeof lower[0]));
	assert_false(dosing_site_is_lower_limb(DOSING_SITE_DELTOID_LEFT));
}

static void test_ceilings_and_kinds(void **state)
{
	struct clinic_settings s;

	(void)state;
	settings_default(&s);
	assert_int_equal(dosing_ceiling_ug(&s, DOSING_DRUG_DIAMORPHINE),
			 MG(1000));
	assert_int_equal(dosing_ceiling_ug(&s, DOSING_DRUG_HYDROMORPHONE),
			 MG(500));
	assert_int_equal(dosing_ceiling_ug(&s, DOSING_DRUG_METHADONE_ORAL),
			 MG(150));
	assert_int_equal(dosing_ceiling_ug(&s, DOSING_DRUG_SROM), MG(1200));
	assert_int_equal(dosing_ceiling_ug(&s, DOSING_DRUG_NONE), 0);
	assert_true(dosing_drug_is_injectable(DOSING_DRUG_HYDROMORPHONE));
	assert_false(dosing_drug_is_injectable(DOSING_DRUG_SROM));
	assert_true(dosing_drug_is_oral(DOSING_DRUG_SROM));
	assert_false(dosing_drug_is_oral(DOSING_DRUG_DIAMORPHINE));

	s.ceiling_srom_ug = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.ceiling_srom_ug = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
}

static struct dosing_due due(struct fixture *f, char *text, size_t cap)
{
	struct dosing_history h = { f->inj, f->n };
	struct dosing_due d;

	dosing_amount_due(&f->s, &f->rx, &f->pt, &h, &f->req, &d);
	dosing_due_describe(&f->s, &f->rx, &d, &f->req.assessment, text, cap);
	return d;
}

/* The amount due is the rule's own number: it is allowed, one microgram
** more is refused, and the words say which limit and its numbers. */
static void test_amount_due(void **state)
{
	struct fixture f;
	struct dosing_due d;
	char text[200];

	(void)state;
	fixture_init(&f);
	d = due(&f, text, sizeof text);
	assert_int_equal(d.refusal, HAT_OK);
	assert_int_equal(d.most_ug, MG(200));
	assert_int_equal(d.limit, HAT_E_DOSE_OVER_SESSION);
	assert_string_equal(text, "the prescription allows 200 mg a session (0 mg given this session)");
	f.req.amount_ug = d.most_ug;
	assert_int_equal(check(&f), HAT_OK);
	f.req.amount_ug = d.most_ug + 1;
	assert_int_equal(check(&f), HAT_E_DOSE_OVER_SESSION);

	/* Induction day 2 of 2, session 1: the 160 mg session cap. */
	induction_fixture(&f, 2);
	d = due(&f, text, sizeof text);
	assert_int_equal(d.most_ug, MG(160));
	assert_int_equal(d.limit, HAT_E_DOSE_OVER_INDUCTION);
	assert_int_equal(d.induction_day, 2);
	assert_string_equal(text, "induction day 2 of 2: up to 320 mg today, 160 mg this session"
				  " (0 mg given today)");

	/* A top-up after 30 mg in session 1 of day 1: the session cap of 90
	** leaves 60, and the prescription's 60 mg top-up maximum allows it. */
	induction_fixture(&f, 1);
	add_injection(&f, TODAY, 540, MG(30), false);
	at_minute(&f, 560);
	f.req.further_injection = true;
	d = due(&f, text, sizeof text);
	assert_int_equal(d.most_ug, MG(60));
	assert_true(d.topup);
	f.rx.topup_max_ug = MG(40);
	d = due(&f, text, sizeof text);
	assert_int_equal(d.most_ug, MG(40));
	assert_int_equal(d.limit, HAT_E_TOPUP_OVER);
	assert_string_equal(text, "a top-up may be at most 40 mg");

	/* The afternoon after 300 mg in the morning: the daily maximum binds
	** at 100 mg, and 12.5 mg of it is written as a clinic writes it. */
	fixture_init(&f);
	f.rx.session_dose_ug = MG(300);
	f.rx.daily_max_ug = MG(412) + 500;
	add_injection(&f, TODAY, 540, MG(300), false);
	at_minute(&f, 900);
	d = due(&f, text, sizeof text);
	assert_int_equal(d.most_ug, MG(112) + 500);
	assert_int_equal(d.limit, HAT_E_DOSE_OVER_DAILY);
	assert_string_equal(text, "the prescription's daily maximum is 412.5 mg (300 mg given today)");

	/* A reduced dose authorised at 50 mg. */
	fixture_init(&f);
	f.req.assessment.decision = ASSESS_FIT_REDUCED;
	f.req.assessment.reduced_authorised_ug = MG(50);
	d = due(&f, text, sizeof text);
	assert_int_equal(d.most_ug, MG(50));
	assert_int_equal(d.limit, HAT_E_REDUCED_NEEDS_AUTH);
	assert_string_equal(text, "a prescriber authorised a reduced dose of 50 mg this session");

	/* Blocked: nothing is due, and the refusal says why. */
	fixture_init(&f);
	f.pt.blocked_by_event = true;
	d = due(&f, text, sizeof text);
	assert_int_equal(d.refusal, HAT_E_PATIENT_BLOCKED);
	assert_int_equal(d.most_ug, 0);

	/* The session's cap already reached: a limit, not a refusal. */
	induction_fixture(&f, 1);
	add_injection(&f, TODAY, 540, MG(90), false);
	at_minute(&f, 560);
	f.req.further_injection = true;
	d = due(&f, text, sizeof text);
	assert_int_equal(d.refusal, HAT_OK);
	assert_int_equal(d.most_ug, 0);
	assert_int_equal(d.limit, HAT_E_DOSE_OVER_INDUCTION);
	assert_string_equal(text, "induction day 1 of 2: up to 240 mg today, 90 mg this session"
				  " (90 mg given today)");
}

/* A "reduce" review holds until a lower prescription is in force: at the
** reviewed dose it still holds, one microgram under it releases. */
static void test_review_reduce_binds(void **state)
{
	struct fixture f;
	enum dosing_review_outcome o = DOSING_REVIEW_NONE;

	(void)state;
	assert_true(dosing_reduce_pending(DOSING_REVIEW_REDUCE, MG(200), 0));
	assert_true(dosing_reduce_pending(DOSING_REVIEW_REDUCE, MG(200), MG(200)));
	assert_false(dosing_reduce_pending(DOSING_REVIEW_REDUCE, MG(200), MG(200) - 1));
	assert_true(dosing_reduce_pending(DOSING_REVIEW_REDUCE, 0, 0));
	assert_false(dosing_reduce_pending(DOSING_REVIEW_REDUCE, 0, MG(50)));
	assert_false(dosing_reduce_pending(DOSING_REVIEW_CONTINUE, MG(200), 0));
	assert_false(dosing_reduce_pending(DOSING_REVIEW_RESTART_INDUCTION, MG(200), 0));
	assert_false(dosing_reduce_pending(DOSING_REVIEW_NONE, MG(200), 0));

	assert_int_equal(dosing_review_outcome_parse("reduce", &o), HAT_OK);
	assert_int_equal(o, DOSING_REVIEW_REDUCE);
	assert_int_equal(dosing_review_outcome_parse("restart_induction", &o), HAT_OK);
	assert_int_equal(o, DOSING_REVIEW_RESTART_INDUCTION);
	assert_int_equal(dosing_review_outcome_parse("lift", &o), HAT_E_INVALID_VALUE);
	assert_int_equal(dosing_review_outcome_parse(NULL, &o), HAT_E_INVALID_VALUE);
	assert_int_equal(o, DOSING_REVIEW_RESTART_INDUCTION);

	fixture_init(&f);
	f.pt.reduce_pending = true;
	assert_int_equal(check(&f), HAT_E_REDUCE_PENDING);
	assert_int_equal(dosing_pending_review(&f.pt), DOSING_PENDING_REDUCE);
	f.pt.missed = SCHEDULE_MISSED_RESTART;
	assert_int_equal(dosing_pending_review(&f.pt), DOSING_PENDING_RESTART_INDUCTION);
	f.pt.missed = SCHEDULE_MISSED_BLOCKED;
	assert_int_equal(dosing_pending_review(&f.pt), DOSING_PENDING_MISSED_DAYS);
	f.pt.blocked_by_event = true;
	assert_int_equal(dosing_pending_review(&f.pt), DOSING_PENDING_ADVERSE_EVENT);
	assert_string_equal(dosing_pending_review_name(DOSING_PENDING_ADVERSE_EVENT),
			    "adverse_event");
	assert_null(dosing_pending_review_name(DOSING_PENDING_NONE));
	f.pt.blocked_by_event = false;
	f.pt.missed = SCHEDULE_MISSED_NONE;
	f.pt.reduce_pending = false;
	assert_int_equal(dosing_pending_review(&f.pt), DOSING_PENDING_NONE);
	assert_int_equal(check(&f), HAT_OK);
}

/* A readmitted patient's first prescription starts under induction, unless
** the prescriber records why not; every other case is free. */
static void test_readmission(void **state)
{
	(void)state;
	assert_int_equal(dosing_check_readmission(true, true, false, false),
			 HAT_E_INDUCTION_REQUIRED);
	assert_int_equal(dosing_check_readmission(true, true, true, false), HAT_OK);
	assert_int_equal(dosing_check_readmission(true, true, false, true), HAT_OK);
	assert_int_equal(dosing_check_readmission(true, false, false, false), HAT_OK);
	assert_int_equal(dosing_check_readmission(false, true, false, false), HAT_OK);
}

/* Check-in: a prescription, an active episode, and a session left today. */
static void test_check_in(void **state)
{
	struct dosing_prescription rx;
	struct dosing_patient pt;

	(void)state;
	memset(&rx, 0, sizeof rx);
	memset(&pt, 0, sizeof pt);
	rx.sessions_per_day = 2;
	assert_int_equal(dosing_check_check_in(&rx, &pt, 0), HAT_OK);
	assert_int_equal(dosing_check_check_in(&rx, &pt, 1), HAT_OK);	/* the last one left */
	assert_int_equal(dosing_check_check_in(&rx, &pt, 2), HAT_E_SESSIONS_USED_UP);
	rx.sessions_per_day = 1;
	assert_int_equal(dosing_check_check_in(&rx, &pt, 1), HAT_E_SESSIONS_USED_UP);
	assert_int_equal(dosing_check_check_in(NULL, &pt, 0), HAT_E_NO_PRESCRIPTION);
	pt.discharged = true;
	assert_int_equal(dosing_check_check_in(&rx, &pt, 0), HAT_E_NO_ACTIVE_EPISODE);
	/* Discharged comes first: the discharge ended the prescription too. */
	assert_int_equal(dosing_check_check_in(NULL, &pt, 0), HAT_E_NO_ACTIVE_EPISODE);
	assert_int_equal(dosing_check_check_in(&rx, NULL, 0), HAT_E_INTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_in),
		cmocka_unit_test(test_readmission),
		cmocka_unit_test(test_review_reduce_binds),
		cmocka_unit_test(test_amount_due),
		cmocka_unit_test(test_baseline_allowed),
		cmocka_unit_test(test_input_validation),
		cmocka_unit_test(test_history_order),
		cmocka_unit_test(test_refusal_leaves_verdict_untouched),
		cmocka_unit_test(test_no_current_prescription),
		cmocka_unit_test(test_licence_rechecked_at_dose),
		cmocka_unit_test(test_route_not_prescribed),
		cmocka_unit_test(test_lower_limb_iv_needs_risk_discussion),
		cmocka_unit_test(test_im_site_repeat_warns),
		cmocka_unit_test(test_patient_blocks),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_too_soon_same_long_window),
		cmocka_unit_test(test_too_soon_across_midnight),
		cmocka_unit_test(test_sessions_used_up),
		cmocka_unit_test(test_yesterdays_sessions_do_not_count),
		cmocka_unit_test(test_further_injection_needs_open_session),
		cmocka_unit_test(test_assessment_rules),
		cmocka_unit_test(test_reduced_dose_needs_authorisation),
		cmocka_unit_test(test_topup_allowed_at_limits),
		cmocka_unit_test(test_topup_not_allowed),
		cmocka_unit_test(test_topup_too_soon),
		cmocka_unit_test(test_topup_over_max),
		cmocka_unit_test(test_topup_needs_assessment_after_injection),
		cmocka_unit_test(test_session_dose),
		cmocka_unit_test(test_daily_max),
		cmocka_unit_test(test_other_drug_not_in_daily_total),
		cmocka_unit_test(test_system_ceiling),
		cmocka_unit_test(test_induction_template),
		cmocka_unit_test(test_induction_day1_sessions),
		cmocka_unit_test(test_induction_with_topup),
		cmocka_unit_test(test_induction_day2_and_after),
		cmocka_unit_test(test_induction_day_cap),
		cmocka_unit_test(test_induction_missed_day_holds_step),
		cmocka_unit_test(test_induction_no_third_session),
		cmocka_unit_test(test_spring_forward),
		cmocka_unit_test(test_fall_back),
		cmocka_unit_test(test_default_windows_on_change_day),
		cmocka_unit_test(test_sign_who_and_what),
		cmocka_unit_test(test_sign_licence),
		cmocka_unit_test(test_sign_dates_and_sessions),
		cmocka_unit_test(test_sign_amounts),
		cmocka_unit_test(test_sign_topup),
		cmocka_unit_test(test_sign_induction),
		cmocka_unit_test(test_sign_oral_component),
		cmocka_unit_test(test_oral_caps),
		cmocka_unit_test(test_oral_prescription_and_patient),
		cmocka_unit_test(test_oral_assessment),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_lower_limb_sites),
		cmocka_unit_test(test_ceilings_and_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
