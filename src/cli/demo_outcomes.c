/*
** demo_outcomes.c: see demo_outcomes.h.
**
** Each started patient has a story told through the same commands a
** keyworker uses: a Start TOP on the day treatment began and a Review
** every 182 days since, a BARC-10 every quarter for some, goals set and
** reviewed, and a drug screen every four weeks.  The trajectories differ on
** purpose: some improve in one domain and not in another, one gets worse in
** a domain, and a "not answered" leaves a gap, so that the progress
** pictures have something real to show.
*/
#include <string.h>

#include "demo_outcomes.h"
#include "auth/auth.h"
#include "cmd/goals.h"
#include "cmd/outcomes.h"
#include "cmd/screens.h"
#include "cmd/service_users.h"
#include "cmd/users.h"
#include "util/clock.h"

#define MAX_TOPS 3
#define NA -1

/* One TOP's answers that change over the story; the rest are 0 / "no". */
struct top_point {
	int heroin, crack, injected, shoplifting, psych, physical, qol, work;
	bool housing_problem;
};

struct story {
	int tops;                       /* how many TOPs (start + reviews) */
	struct top_point p[MAX_TOPS];
	int barc[MAX_TOPS];             /* BARC-10 totals (spread over items); 0 = none */
	int marker_positive_every;      /* every k-th screen shows street heroin; 0 = none */
};

/* In demo order; started patients only (the twelfth has not started). */
static const struct story stories[] = {
	/* Daniel: better in every way over a year. */
	{ 3, { { 24, 10, 20, 8, 5, 8, 6, 0, true }, { 6, 8, 4, 2, 9, 10, 10, 0, false },
	       { 2, 8, 0, 0, 13, 11, 14, 8, false } }, { 28, 38, 47 }, 0 },
	/* Shannon: much less heroin at the Start; her review is overdue. */
	{ 1, { { 20, 12, 18, 4, 10, 9, 7, 0, false }, { 4, 16, 6, 4, 9, 10, 9, 0, false } },
	  { 30, 31, 0 }, 3 },
	/* Lee: less heroin and better mood; crack and physical health worse (a DVT). */
	{ 2, { { 26, 0, 26, 0, 8, 6, 8, 0, false }, { 10, 6, 8, 0, 12, 3, 10, 0, false } },
	  { 0, 0, 0 }, 2 },
	/* Joanne: quality of life not answered at the start; a home kept. */
	{ 2, { { 18, 4, 14, 2, 9, 12, NA, 0, true }, { 2, 0, 2, 0, 15, 13, 12, 4, false } },
	  { 26, 44, 0 }, 0 },
	/* Craig and the rest: a Start TOP so far. */
	{ 1, { { 28, 14, 28, 10, 4, 6, 4, 0, true } }, { 0, 0, 0 }, 2 },
	{ 1, { { 15, 0, 12, 0, 11, 9, 10, 0, false } }, { 0, 0, 0 }, 0 },
	{ 1, { { 22, 6, 20, 3, 7, 12, 8, 0, false } }, { 0, 0, 0 }, 4 },
	{ 1, { { 25, 2, 22, 6, 6, 10, 6, 0, true } }, { 0, 0, 0 }, 0 },
	{ 1, { { 27, 12, 26, 12, 5, 7, 5, 0, false } }, { 0, 0, 0 }, 2 },
	{ 1, { { 19, 0, 15, 0, 12, 14, 11, 0, false } }, { 0, 0, 0 }, 0 },
	{ 1, { { 28, 20, 28, 14, 3, 5, 3, 0, true } }, { 0, 0, 0 }, 1 },
};
#define NSTORIES (sizeof stories / sizeof stories[0])

struct goal_plan {
	int patient;         /* index in demo order */
	const char *domain, *own, *text;
	int set_days_ago;
	const char *then;    /* achieved, let_go, review, or NULL */
	int then_days_ago;
	const char *note;
};

static const struct goal_plan goal_plans[] = {
	{ 0, "work_education", NULL, "Get back into work, part-time to start", 200, "achieved", 40,
	  "Started at the bike workshop three mornings a week" },
	{ 0, "social", NULL, "See my son at weekends", 120, "review", 20, "Every other Saturday now" },
	{ 1, "substance_use", NULL, "Cut down on crack", 100, "review", 30, "Harder than hoped; keep going" },
	{ 2, "physical_health", NULL, "Get my leg looked at by the vascular clinic", 80, "achieved", 10,
	  "Seen; compression stockings" },
	{ 3, "housing", NULL, "Keep my tenancy", 190, "achieved", 25, "Arrears paid off" },
	{ 3, "own", "music", "Play guitar again", 60, NULL, 0, NULL },
	{ 4, "housing", NULL, "Move out of the hostel", 150, "let_go", 60, "Chose to stay near the clinic" },
};

static int run(struct cmd_runner *r, const struct cmd_def *def, struct cli_actor *a, int64_t at,
	       int64_t target, json_t *in, json_t **out)
{
	int rc;

	a->now = at;
	rc = cli_run_as(r, def, a, target, in, out);
	json_decref(in);
	return rc;
}

static json_t *top_answers(const struct top_point *p)
{
	json_t *a = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i,"
			      " s:s, s:s, s:s, s:s, s:s, s:s}",
		"alcohol_days", 4, "opiates_days", p->heroin, "crack_days", p->crack, "cocaine_days", 0,
		"amphetamines_days", 0, "cannabis_days", 6, "other_days", 0, "tobacco_days", 28,
		"injected_days", p->injected, "shoplifting_days", p->shoplifting, "drug_selling_days", 0,
		"paid_work_days", p->work, "education_days", 0,
		"vehicle_theft", "no", "property_theft", p->shoplifting > 5 ? "yes" : "no",
		"fraud", "no", "assault", "no", "acute_housing", p->housing_problem ? "yes" : "no",
		"eviction_risk", "no");

	json_object_set_new(a, "psych_health", json_integer(p->psych));
	json_object_set_new(a, "physical_health", json_integer(p->physical));
	json_object_set_new(a, "quality_of_life", p->qol == NA ? json_string("na") : json_integer(p->qol));
	if (p->injected == 0) {
		json_object_set_new(a, "shared_needle", json_string("no"));
		json_object_set_new(a, "shared_paraphernalia", json_string("no"));
	}
	return a;
}

/* BARC-10 items adding up to total (10..60), spread as evenly as can be. */
static json_t *barc_answers(int total)
{
	json_t *a = json_object();
	char key[8];

	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "barc%d", i + 1);
		json_object_set_new(a, key, json_integer(total / 10 + (i < total % 10)));
	}
	return a;
}

static int tops_and_barc(struct cmd_runner *r, struct cli_actor *kw, int64_t pid,
			 int started_days_ago, int32_t today, const struct story *s)
{
	char d[11];
	int rc = 0;

	for (int k = 0; k < s->tops && rc == 0; k++) {
		int32_t day = today - started_days_ago + 182 * k;

		if (day > today)
			break;
		clock_format_date(day, d);
		rc = run(r, &outcomes_record, kw, clock_from_local(day, 11 * 60), pid,
			 json_pack("{s:s, s:s, s:s, s:o}", "instrument", "top", "form_date", d, "stage",
				   k == 0 ? "start" : "review", "answers", top_answers(&s->p[k])), NULL);
		if (rc == 0 && s->barc[k]) {
			rc = run(r, &outcomes_record, kw, clock_from_local(day, 11 * 60 + 30), pid,
				 json_pack("{s:s, s:s, s:o}", "instrument", "barc10", "form_date", d,
					   "answers", barc_answers(s->barc[k])), NULL);
		}
	}
	return rc;
}

static int screens(struct cmd_runner *r, struct cli_actor *nurse, int64_t pid, int32_t today,
		   int started_days_ago, int every)
{
	char at[21];
	int rc = 0;
	int n = 0;

	/* Every four weeks across the demo's 90 days of dosing, the last
	** yesterday (today's may not have happened yet). */
	for (int ago = 85; ago >= 1 && rc == 0; ago -= 28, n++) {
		int64_t t = clock_from_local(today - ago, 9 * 60 + 40);
		bool street = every > 0 && n % every == every - 1;

		if (ago >= started_days_ago)
			continue;
		clock_format_utc(t, at);
		rc = run(r, &screens_record, nurse, t + 600, pid,
			 json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i},"
				   " {s:s, s:s, s:i}, {s:s, s:s, s:i}]}",
				   "sample_type", "urine", "collected_at", at, "supervised", 1,
				   "collection", n % 2 ? "scheduled" : "random", "method", "point_of_care",
				   "self_report", street ? "yes" : "no", "results",
				   "analyte", "morphine", "result", "positive", "cutoff_ng_ml", 300,
				   "analyte", "6mam", "result", "positive", "cutoff_ng_ml", 10,
				   "analyte", "papaverine_metabolites", "result", street ? "positive" : "negative",
				   "cutoff_ng_ml", 20,
				   "analyte", "cocaine", "result", street ? "positive" : "negative",
				   "cutoff_ng_ml", 150), NULL);
	}
	return rc;
}

static int goals(struct cmd_runner *r, struct cli_actor *kw, const int64_t ids[], size_t n,
		 int32_t today)
{
	json_t *out = NULL;
	int rc = 0;

	for (size_t i = 0; i < sizeof goal_plans / sizeof goal_plans[0] && rc == 0; i++) {
		const struct goal_plan *g = &goal_plans[i];
		json_t *in;

		if ((size_t)g->patient >= n)
			continue;
		in = json_pack("{s:s, s:s}", "domain", g->domain, "text", g->text);
		if (g->own)
			json_object_set_new(in, "own_domain", json_string(g->own));
		rc = run(r, &goals_create, kw, clock_from_local(today - g->set_days_ago, 11 * 60 + 45),
			 ids[g->patient], in, &out);
		if (rc == 0 && g->then) {
			rc = run(r, &goals_event, kw, clock_from_local(today - g->then_days_ago, 12 * 60),
				 json_integer_value(json_object_get(out, "goal_id")),
				 json_pack("{s:s, s:s}", "kind", g->then, "note", g->note ? g->note : ""),
				 NULL);
		}
		json_decref(out);
		out = NULL;
	}
	return rc;
}

static int find(struct store_conn *conn, const char *username, struct cli_actor *a)
{
	memset(a, 0, sizeof *a);
	if (users_find(conn, username, &a->user_id) != HAT_OK ||
	    auth_user_roles(conn, a->user_id, &a->roles) != HAT_OK) {
		fprintf(stderr, "hatctl: demo user %s is missing\n", username);
		return 1;
	}
	return 0;
}

int demo_outcomes(struct cmd_runner *r, struct store_conn *conn, const int64_t ids[],
		  const int started_days_ago[], size_t n)
{
	struct cli_actor kw, nurse;
	int32_t today = clock_local_date(clock_now());
	int rc;

	if (find(conn, "kw.mensah", &kw) != 0 || find(conn, "nurse.patel", &nurse) != 0)
		return 1;
	if (n > NSTORIES)
		n = NSTORIES;
	for (size_t i = 0; i < n; i++) {
		if (started_days_ago[i] < 0)
			continue;
		rc = tops_and_barc(r, &kw, ids[i], started_days_ago[i], today, &stories[i]);
		if (rc == 0)
			rc = screens(r, &nurse, ids[i], today, started_days_ago[i],
				     stories[i].marker_positive_every);
		if (rc != 0)
			return rc;
		cli_progress("outcomes", (long long)i + 1, (long long)n);
	}
	cli_progress_end();
	rc = goals(r, &kw, ids, n, today);
	/* Daniel has a login of his own, made with his consent. */
	if (rc == 0)
		rc = run(r, &service_users_open, &kw, clock_now() - 3600, ids[0],
			 json_pack("{s:s, s:s, s:s, s:s}", "username", "daniel.w", "display_name",
				   "Daniel", "password", DEMO_OWN_VIEW_PASSWORD, "consent",
				   "Asked for it at his review; agreed in person"), NULL);
	return rc;
}
