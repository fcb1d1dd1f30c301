/*
** export.c (cli): hatctl export: the data that leaves hat, each export
** taken by a named user whose roles allow it and written to the access
** log before anything is made, as in hatd.
**
**   ndtms     the national return as CSV in the data set's field order
**             (manager)
**   research  pseudonymised rows for research (manager or auditor)
**   fhir      the whole clinic as FHIR R4 NDJSON, one file per resource
**             type, in a new directory (manager)
*/
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "cmd/fhir.h"
#include "cmd/ndtms.h"
#include "cmd/patients.h"
#include "cmd/research.h"
#include "util/clock.h"

static const char help[] =
	"usage: hatctl export ndtms|research|fhir --as USERNAME [--db PATH] [--top]\n"
	"                     [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]\n"
	"Writes an export as CSV (to FILE, or standard output).  ndtms: the\n"
	"national return, one line per modality of each episode whose person\n"
	"consented, in the data set's field order, values through the code lists,\n"
	"with a VALIDATION column naming a missing field; needs a manager.\n"
	"ndtms --top: the TOP returns of those episodes, one line per TOP.\n"
	"research: one pseudonymised line per episode (no names, initials or\n"
	"dates of birth); needs a manager or an auditor.  Without dates: every\n"
	"episode.  fhir --out DIR: every person's resources as FHIR R4 NDJSON,\n"
	"one file per resource type (Patient.ndjson, ...) in DIR, which must not\n"
	"exist yet; needs a manager.  USERNAME is who takes the export: it goes\n"
	"to the access log.\n";

/* Every person's Bundle, each resource a line of its type's file; a
** Questionnaire (an instrument, shared by everyone who answered it) once. */
static const char *const fhir_types[] = {
	"Patient", "EpisodeOfCare", "MedicationRequest", "MedicationAdministration", "Observation",
	"Questionnaire", "QuestionnaireResponse", "Flag", "Goal",
};
#define FHIR_TYPES (sizeof fhir_types / sizeof fhir_types[0])

/* Each resource a line of its type's file, as it is made. */
struct ndjson_sink {
	struct fhir_sink base;
	FILE *const *f;
	json_t *seen;      /* the Questionnaires written */
	int64_t *lines;
};

static enum hat_err ndjson_put(struct fhir_sink *sink, json_t *r)
{
	struct ndjson_sink *k = (struct ndjson_sink *)sink;
	const char *type = json_string_value(json_object_get(r, "resourceType"));
	const char *id = json_string_value(json_object_get(r, "id"));
	enum hat_err rc = HAT_OK;
	char *text;

	if (type && id && strcmp(type, "Questionnaire") == 0) {
		if (json_object_get(k->seen, id))
			return HAT_OK;
		if (json_object_set_new(k->seen, id, json_true()) != 0)
			return HAT_E_NOMEM;
	}
	for (size_t i = 0; rc == HAT_OK && type && i < FHIR_TYPES; i++) {
		if (strcmp(type, fhir_types[i]) != 0)
			continue;
		text = json_dumps(r, JSON_COMPACT);
		if (!text || fprintf(k->f[i], "%s\n", text) < 0)
			rc = HAT_E_IO;
		free(text);
		(*k->lines)++;
	}
	return rc;
}

static enum hat_err fhir_ndjson(struct store_conn *c, const char *dir, int64_t *lines)
{
	FILE *f[FHIR_TYPES] = { NULL };
	json_t *seen = json_object();
	char path[4096];
	enum hat_err rc = mkdir(dir, 0700) == 0 ? HAT_OK : HAT_E_IO;
	int64_t *ids = NULL;
	int64_t now = clock_now();
	size_t n = 0;

	*lines = 0;
	if (!seen && rc == HAT_OK)
		rc = HAT_E_NOMEM;
	for (size_t i = 0; rc == HAT_OK && i < FHIR_TYPES; i++) {
		snprintf(path, sizeof path, "%s/%s.ndjson", dir, fhir_types[i]);
		if (!(f[i] = fopen(path, "wx")))
			rc = HAT_E_IO;
	}
	/* The ids first: fhir_resources runs its own statements. */
	if (rc == HAT_OK)
		rc = store_query_ids(c, "SELECT id FROM patients ORDER BY id", &ids, &n);
	for (size_t k = 0; rc == HAT_OK && k < n; k++) {
		struct ndjson_sink sink = { .base = { .put = ndjson_put }, .f = f, .seen = seen,
					    .lines = lines };

		rc = fhir_resources(c, ids[k], now, &sink.base);
	}
	free(ids);
	json_decref(seen);
	for (size_t i = 0; i < FHIR_TYPES; i++)
		if (f[i] && fclose(f[i]) != 0)
			rc = HAT_E_IO;
	return rc;
}

static const char *const valued[] = { "--as", "--from", "--to", "--out", NULL };

/* The user's id and roles; false when there is no such active user. */
static bool user_roles(struct store_conn *c, const char *username, int64_t *id, unsigned *roles)
{
	struct store_stmt *s = NULL;
	bool row, found = false;

	*roles = 0;
	if (store_query_int(c, "SELECT id FROM users WHERE username = ? AND disabled = 0", &found, id,
			    "t", username) != HAT_OK || !found)
		return false;
	if (store_prepare(c, "SELECT role FROM user_roles WHERE user_id = ?", &s) != HAT_OK)
		return false;
	if (store_bindf(s, "i", *id) == HAT_OK)
		while (store_step(s, &row) == HAT_OK && row)
			*roles |= auth_role_parse(store_col_text(s, 0));
	store_done(s);
	return true;
}

int cli_export(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	struct cmd_runner runner;
	struct cli_actor who = { 0, 0, 0, 0 };
	const char *what, *as, *path;
	int32_t from = INT32_MIN / 2, to = INT32_MAX / 2;
	const struct policy_rule *need;
	struct spool out;
	json_t *input;
	int fd = STDOUT_FILENO;
	enum hat_err rc = HAT_OK;
	int ret;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	what = cli_arg(argc, argv, 0, valued);
	as = cli_opt(argc, argv, "--as");
	if (o.help || !what || !as || (strcmp(what, "ndtms") != 0 && strcmp(what, "research") != 0 &&
				       strcmp(what, "fhir") != 0) ||
	    (strcmp(what, "fhir") == 0 && !cli_opt(argc, argv, "--out")) ||
	    (cli_opt(argc, argv, "--from") && clock_parse_date(cli_opt(argc, argv, "--from"), &from)) ||
	    (cli_opt(argc, argv, "--to") && clock_parse_date(cli_opt(argc, argv, "--to"), &to)) ||
	    from > to) {
		fputs(help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	/* The same rows of the one policy as the API's export routes. */
	need = strcmp(what, "research") == 0 ? POLICY_RULE(EXPORT_RESEARCH)
	       : strcmp(what, "fhir") == 0   ? POLICY_RULE(EXPORT_FHIR)
					     : POLICY_RULE(REPORT_NDTMS);
	ret = cli_open(&o, false, &conn, &runner);
	if (ret != 0)
		return ret;
	if (!user_roles(conn, as, &who.user_id, &who.roles)) {
		fprintf(stderr, "hatctl: no active user %s\n", as);
		store_close(conn);
		return 1;
	}
	if (!policy_allows(need, who.roles)) {
		fprintf(stderr, "hatctl: %s may not take the %s export: forbidden\n", as, what);
		store_close(conn);
		return 1;
	}
	/* Refused before the access log: nothing was read. */
	if (strcmp(what, "fhir") == 0 && access(cli_opt(argc, argv, "--out"), F_OK) == 0) {
		fprintf(stderr, "hatctl: %s exists; the FHIR export needs a new directory\n",
			cli_opt(argc, argv, "--out"));
		store_close(conn);
		return 1;
	}
	who.now = clock_now();
	input = json_pack("{s:s, s:s}", "what", strcmp(what, "ndtms") == 0 ? "ndtms_export"
			  : strcmp(what, "fhir") == 0 ? "fhir_export" : "research_export", "why",
			  "hatctl export");
	ret = cli_run_as(&runner, &patients_access, &who, 0, input, NULL);
	json_decref(input);
	if (ret != 0) {
		store_close(conn);
		return 1;
	}
	if (strcmp(what, "fhir") == 0) {
		int64_t lines = 0;

		rc = fhir_ndjson(conn, cli_opt(argc, argv, "--out"), &lines);
		store_close(conn);
		if (rc != HAT_OK) {
			fprintf(stderr, "hatctl: FHIR export to %s failed: %s (the directory must not exist)\n",
				cli_opt(argc, argv, "--out"), hat_err_code(rc));
			return 1;
		}
		fprintf(stderr, "%lld resources\n", (long long)lines);
		return 0;
	}
	/* Written to the file line by line as the rows are read: a long
	** export costs no more memory than a short one. */
	path = cli_opt(argc, argv, "--out");
	if (path && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "hatctl: cannot create %s (it must not exist yet)\n", path);
		rc = HAT_E_IO;
	}
	spool_open_fd(&out, fd, path != NULL);
	if (rc == HAT_OK && strcmp(what, "ndtms") == 0) {
		struct ndtms_csv_stats st;

		if (cli_flag(argc, argv, "--top"))
			rc = ndtms_top_csv(conn, from, to, &out, &st);
		else
			rc = ndtms_export_csv(conn, from, to, &out, &st);
		if (rc == HAT_OK)
			fprintf(stderr, "%lld lines, %lld with a validation error; %lld left out"
				" without consent\n", (long long)st.rows, (long long)st.rows_with_errors,
				(long long)st.excluded);
	} else if (rc == HAT_OK) {
		int64_t rows = 0;

		rc = research_export_csv(conn, from, to, &out, &rows);
		if (rc == HAT_OK)
			fprintf(stderr, "%lld pseudonymised lines\n", (long long)rows);
	}
	store_close(conn);
	if (rc == HAT_OK)
		rc = spool_flush(&out);
	if (path && out.fd >= 0 && close(spool_take_fd(&out)) != 0)
		rc = HAT_E_IO;
	spool_free(&out);
	/* A failed export leaves no half file that could pass for a whole one. */
	if (rc != HAT_OK && path && fd >= 0)
		unlink(path);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: export failed: %s\n", hat_err_code(rc));
		return 1;
	}
	return 0;
}
