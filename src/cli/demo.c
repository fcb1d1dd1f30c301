/*
** demo.c: hatctl demo: a demo clinic, made through the same commands as
** everything else (so its audit chain verifies like a real one).
**
** The people are invented.  NHS numbers are drawn from the 999 range, which
** the NHS keeps for testing and never issues.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "demo_outcomes.h"
#include "cmd/patients.h"
#include "cmd/premises.h"
#include "cmd/users.h"
#include "core/nhs.h"
#include "util/buf.h"
#include "util/clock.h"

static const char help[] =
	"usage: hatctl demo [--db PATH] [--no-history] [--patients N] [--days D]\n"
	"Adds a demo clinic to the database: premises, one account per role (the\n"
	"passwords are printed), 12 patients with treatment episodes, and 90 days\n"
	"of dosing sessions for the 11 in treatment, made through the same\n"
	"commands as live ones (--no-history leaves them out: no prescriptions,\n"
	"no stock).  Running it again on a demo database only prints the logins.\n"
	"--patients N (12 to 2000) adds made-up patients past the twelfth, each\n"
	"repeating one of the first eleven's stories, and --days D (90 to 7300)\n"
	"makes the history D days long: the sizes a load test or a benchmark\n"
	"needs (a 10-year history of 150 patients is about a million doses).\n";

struct demo_user {
	const char *username;
	const char *name;
	const char *role;
};

static const struct demo_user demo_users[] = {
	{ "dr.okafor", "Dr Adaeze Okafor", "prescriber" },
	{ "nurse.patel", "Priya Patel", "nurse" },
	{ "nurse.byrne", "Ciaran Byrne", "nurse" },
	{ "pharm.lindqvist", "Maja Lindqvist", "pharmacist" },
	{ "kw.mensah", "Kwame Mensah", "keyworker" },
	{ "mgr.hughes", "Rhiannon Hughes", "manager" },
	{ "cdao.fraser", "Alasdair Fraser", "cdao" },
	{ "audit.silva", "Beatriz Silva", "auditor" },
	{ "admin.demo", "Clinic Administrator", "admin" },
};

struct demo_patient {
	const char *given, *family, *dob, *sex, *address, *alerts;
	int referred_days_ago, started_days_ago; /* started < 0: not yet started */
};

static const struct demo_patient demo_patients[] = {
	{ "Daniel", "Whitfield", "1979-03-14", "male", "14 Grange Road, Middlesbrough TS1 3AB",
	  "Penicillin allergy", 420, 400 },
	{ "Shannon", "Kerr", "1985-11-02", "female", "Flat 3, 22 Marton Road, Middlesbrough TS1 2DX",
	  "", 300, 290 },
	{ "Lee", "Atkinson", "1972-07-21", "male", "7 Acklam Court, Middlesbrough TS5 4QP",
	  "Femoral injecting history; DVT 2023", 260, 250 },
	{ "Joanne", "Pearson", "1988-01-30", "female", "51 Parliament Road, Middlesbrough TS1 4JL",
	  "", 210, 200 },
	{ "Craig", "Dunn", "1981-09-09", "male", "Hostel, 2 Lower Feversham Street, TS2 1PB",
	  "No fixed abode until recently", 180, 170 },
	{ "Michelle", "Barker", "1976-05-17", "female", "118 Linthorpe Road, Middlesbrough TS1 5DD",
	  "Asthma: salbutamol inhaler", 150, 140 },
	{ "Stephen", "Hogg", "1969-12-05", "male", "3 Union Street, Middlesbrough TS1 4EE",
	  "Hepatitis C: treatment completed 2024", 120, 110 },
	{ "Kayleigh", "Robson", "1992-04-11", "female", "9 Westbourne Grove, TS3 6EF",
	  "", 100, 95 },
	{ "Gary", "Fenwick", "1983-08-28", "male", "26 Abingdon Road, Middlesbrough TS1 3JX",
	  "Seizure history (2019)", 90, 88 },
	{ "Nicola", "Brennan", "1987-02-19", "female", "40 Waterloo Road, Middlesbrough TS1 3JB",
	  "", 80, 75 },
	{ "Anthony", "Sowerby", "1974-10-03", "male", "12 Ayresome Street, TS1 4PQ",
	  "Latex allergy", 60, 55 },
	{ "Rachel", "Metcalfe", "1990-06-25", "female", "5 Southfield Road, Middlesbrough TS1 3EX",
	  "", 14, -1 },
};

#define NPATIENTS (sizeof demo_patients / sizeof demo_patients[0])

/* The n-th valid NHS number of the test range. */
static void demo_nhs_number(int n, char out[11])
{
	char candidate[24];

	for (int base = 1000 + n * 7;; base++) {
		snprintf(candidate, sizeof candidate, "999%06d0", base % 1000000);
		for (int check = 0; check <= 9; check++) {
			candidate[9] = (char)('0' + check);
			if (nhs_number_normalise(candidate, out) == HAT_OK)
				return;
		}
	}
}

static void demo_password(const char *role, char *out, size_t n)
{
	snprintf(out, n, "demo-%s-pass", role);
}

static void print_logins(void)
{
	char pw[64];

	printf("\nDemo logins (username / password):\n");
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
		demo_password(demo_users[i].role, pw, sizeof pw);
		printf("  %-11s %-17s %s\n", demo_users[i].role, demo_users[i].username, pw);
	}
	printf("  (two nurses, so that each can witness the other's doses)\n");
	printf("  %-11s %-17s %s\n", "own view", "daniel.w", DEMO_OWN_VIEW_PASSWORD);
}

static int64_t result_id(json_t *r)
{
	return json_integer_value(json_object_get(r, "id"));
}

static int add_users(struct cmd_runner *r, int64_t premises_id)
{
	char pw[64];
	json_t *in;
	json_t *out = NULL;
	int rc = 0;

	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0] && rc == 0; i++) {
		const struct demo_user *u = &demo_users[i];

		demo_password(u->role, pw, sizeof pw);
		in = json_pack("{s:s, s:s, s:s, s:[s]}", "username", u->username, "display_name",
			       u->name, "password", pw, "roles", u->role);
		rc = cli_run(r, &users_create, 0, in, &out);
		json_decref(in);
		if (rc == 0 && strcmp(u->role, "prescriber") == 0) {
			struct clock_local l;
			char expires[11];

			clock_to_local(clock_now(), &l);
			clock_format_date(l.date + 300, expires);
			in = json_pack("{s:s, s:I, s:s}", "licence_number", "HO-DIA-2026-0147",
				       "premises_id", (json_int_t)premises_id, "expires_on", expires);
			rc = cli_run(r, &users_add_licence, result_id(out), in, NULL);
			json_decref(in);
		}
		json_decref(out);
		out = NULL;
		cli_progress("users", (long long)i + 1, sizeof demo_users / sizeof demo_users[0]);
	}
	cli_progress_end();
	return rc;
}

/* Made-up names for the patients past the twelfth. */
static const char *const more_given[] = { "Alex", "Jordan", "Sam", "Chris", "Jamie", "Robin",
					  "Terry", "Leslie", "Frankie", "Kelly", "Jo", "Billie" };
static const char *const more_family[] = { "Allen", "Bell", "Carr", "Dixon", "Ellis", "Foster",
					   "Gray", "Hall", "Irving", "Jones", "King", "Lowe",
					   "Moss", "Nash" };

/* Patient i of n: the demo's own for the first twelve, made up after. */
static void patient_of(size_t i, int shift, struct demo_patient *p, char given[32],
		       char family[32])
{
	if (i < NPATIENTS) {
		*p = demo_patients[i];
	} else {
		const struct demo_patient *like = &demo_patients[i % (NPATIENTS - 1)];

		*p = *like;
		snprintf(given, 32, "%s", more_given[i % 12]);
		snprintf(family, 32, "%s-%zu", more_family[(i / 12) % 14], i);
		p->given = given;
		p->family = family;
		p->alerts = "";
	}
	/* A longer history begins earlier; Rachel, not yet started, does not. */
	if (p->started_days_ago >= 0) {
		p->started_days_ago += shift;
		p->referred_days_ago += shift;
	}
}

static int add_patients(struct cmd_runner *r, int64_t premises_id, int64_t ids[], size_t n,
			int shift)
{
	struct clock_local l;
	char nhs[11];
	char referred[11], started[11];
	char given[32], family[32];
	json_t *in;
	json_t *out = NULL;
	int rc = 0;

	clock_to_local(clock_now(), &l);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct demo_patient p;

		patient_of(i, shift, &p, given, family);
		demo_nhs_number((int)i, nhs);
		in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "given_name", p.given,
			       "family_name", p.family, "birth_date", p.dob, "sex", p.sex,
			       "nhs_number", nhs, "address", p.address, "contact", "07700 900000",
			       "alerts", p.alerts, "premises_id", (json_int_t)premises_id);
		rc = cli_run(r, &patients_create, 0, in, &out);
		json_decref(in);
		if (rc != 0)
			break;
		clock_format_date(l.date - p.referred_days_ago, referred);
		in = json_pack("{s:s}", "referral_date", referred);
		if (p.started_days_ago >= 0) {
			clock_format_date(l.date - p.started_days_ago, started);
			json_object_set_new(in, "start_date", json_string(started));
		}
		ids[i] = result_id(out);
		rc = cli_run(r, &episodes_open, ids[i], in, NULL);
		json_decref(in);
		json_decref(out);
		out = NULL;
		cli_progress("patients", (long long)i + 1, (long long)n);
	}
	cli_progress_end();
	return rc;
}

/* Outcome histories for every patient whose treatment has started. */
static int add_outcomes(struct cmd_runner *r, struct store_conn *conn, const int64_t ids[],
			int shift)
{
	int started[NPATIENTS];

	for (size_t i = 0; i < NPATIENTS; i++)
		started[i] = demo_patients[i].started_days_ago +
			     (demo_patients[i].started_days_ago >= 0 ? shift : 0);
	return demo_outcomes(r, conn, ids, started, NPATIENTS);
}

int cli_demo(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	struct cmd_runner r;
	json_t *in = NULL;
	json_t *out = NULL;
	int64_t *patient_ids = NULL, *treated = NULL;
	const char *opt;
	int64_t npatients = (int64_t)NPATIENTS, days = 90;
	int64_t id;
	int rc = 1;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	if (o.help) {
		fputs(help, stdout);
		return 0;
	}
	opt = cli_opt(argc, argv, "--patients");
	if (opt && !str_to_int64(opt, (int64_t)NPATIENTS, 2000, &npatients)) {
		fprintf(stderr, "hatctl demo: --patients takes %zu to 2000\n", NPATIENTS);
		return 2;
	}
	opt = cli_opt(argc, argv, "--days");
	if (opt && !str_to_int64(opt, 90, 7300, &days)) {
		fputs("hatctl demo: --days takes 90 to 7300\n", stderr);
		return 2;
	}
	patient_ids = calloc((size_t)npatients, sizeof *patient_ids);
	treated = calloc((size_t)npatients, sizeof *treated);
	if (!patient_ids || !treated) {
		free(patient_ids);
		free(treated);
		return 1;
	}
	if (cli_open(&o, false, &conn, &r) != 0)
		goto out;
	if (users_find(conn, demo_users[0].username, &id) == HAT_OK) {
		printf("%s already holds the demo clinic\n", o.shown);
		print_logins();
		rc = 0;
		goto out;
	}
	in = json_pack("{s:s, s:s}", "name", "Riverside HAT Clinic", "address",
		       "1 Riverside Walk, Middlesbrough TS1 1AA");
	if (cli_run(&r, &premises_create, 0, in, &out) != 0)
		goto out;
	id = result_id(out);
	if (add_users(&r, id) != 0 ||
	    add_patients(&r, id, patient_ids, (size_t)npatients, (int)days - 90) != 0)
		goto out;
	/* Rachel, the twelfth, is referred but not yet started: the others
	** (those after her too) have a history. */
	memcpy(treated, patient_ids, (NPATIENTS - 1) * sizeof *patient_ids);
	memcpy(&treated[NPATIENTS - 1], &patient_ids[NPATIENTS],
	       ((size_t)npatients - NPATIENTS) * sizeof *patient_ids);
	if (!cli_flag(argc, argv, "--no-history") &&
	    demo_history(&r, conn, treated, (size_t)npatients - 1, (int)days) != 0)
		goto out;
	if (!cli_flag(argc, argv, "--no-history") &&
	    add_outcomes(&r, conn, patient_ids, (int)days - 90) != 0)
		goto out;
	printf("demo clinic ready in %s: %zu staff, %lld patients\n", o.shown,
	       sizeof demo_users / sizeof demo_users[0], (long long)npatients);
	print_logins();
	rc = 0;
out:
	json_decref(in);
	json_decref(out);
	store_close(conn);
	free(patient_ids);
	free(treated);
	return rc;
}
