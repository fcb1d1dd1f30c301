/*
** report.c (cli): hatctl report: the service evaluation report for a
** period, as text, CSV or JSON.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd/evaluation.h"
#include "cmd/flex.h"
#include "util/clock.h"

static const char help[] =
	"usage: hatctl report [--db PATH] [--premises ID] [--from YYYY-MM-DD]\n"
	"                     [--to YYYY-MM-DD] [--format text|csv|json]\n"
	"                     [--kind evaluation|flexibility]\n"
	"Prints the service evaluation report: referrals, time to first dose,\n"
	"retention (Kaplan-Meier, censored), attendance, doses, drug screens, the\n"
	"TOP domains improved / same / worse, goals, adverse events, discharges.\n"
	"Counts of 1 to 4 people are shown as <5.  By default: the whole service,\n"
	"the last 365 days, as text.\n"
	"--kind flexibility prints instead the schedule's burden (hours a week\n"
	"travelling and attending, the flexibility each person used, and\n"
	"attendance, retention and screens compared) for one premises (default:\n"
	"the first), as text or JSON.\n";

static const char *const valued[] = { "--premises", "--from", "--to", "--format", "--kind",
				      NULL };

static void print_value(json_t *v)
{
	if (json_is_string(v))
		printf("%s", json_string_value(v));
	else if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%.3f", json_real_value(v));
	else if (json_is_boolean(v))
		printf("%s", json_is_true(v) ? "yes" : "no");
	else
		printf("-");
}

static void print_tree(json_t *v, int depth)
{
	const char *k;
	json_t *x, *item;
	size_t i;

	json_object_foreach(v, k, x) {
		if (strcmp(k, "key") == 0 || strcmp(k, "code") == 0)
			continue;
		printf("%*s%s", depth * 2, "", k);
		if (json_is_object(x)) {
			printf("\n");
			print_tree(x, depth + 1);
		} else if (json_is_array(x)) {
			printf("\n");
			json_array_foreach(x, i, item) {
				const char *name = json_string_value(json_object_get(item, "key"));

				if (!name)
					name = json_string_value(json_object_get(item, "code"));
				printf("%*s%s\n", depth * 2 + 2, "", name ? name : "-");
				print_tree(item, depth + 2);
			}
		} else {
			printf(": ");
			print_value(x);
			printf("\n");
		}
	}
}

int cli_report(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	const char *format, *kind;
	bool flexibility;
	int64_t premises = 0;
	int32_t from, to;
	json_t *rep = NULL;
	struct buf out;
	enum hat_err rc;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	if (o.help || cli_arg(argc, argv, 0, valued)) {
		fputs(help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	format = cli_opt(argc, argv, "--format") ? cli_opt(argc, argv, "--format") : "text";
	kind = cli_opt(argc, argv, "--kind") ? cli_opt(argc, argv, "--kind") : "evaluation";
	flexibility = strcmp(kind, "flexibility") == 0;
	if ((!flexibility && strcmp(kind, "evaluation") != 0) ||
	    (flexibility && strcmp(format, "csv") == 0)) {
		fputs(help, stderr);
		return 2;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		fputs(help, stderr);
		return 2;
	}
	clock_set_zone(getenv("HAT_TIMEZONE") ? getenv("HAT_TIMEZONE") : "Europe/London");
	to = clock_local_date(clock_now());
	from = to - 364;
	if ((cli_opt(argc, argv, "--to") && clock_parse_date(cli_opt(argc, argv, "--to"), &to)) ||
	    (cli_opt(argc, argv, "--from") && clock_parse_date(cli_opt(argc, argv, "--from"), &from)) ||
	    (cli_opt(argc, argv, "--premises") &&
	     !str_to_int64(cli_opt(argc, argv, "--premises"), 1, INT64_MAX, &premises)) ||
	    from > to) {
		fputs(help, stderr);
		return 2;
	}
	if (!cli_opt(argc, argv, "--from"))
		from = to - 364;
	rc = store_open(o.db, STORE_READ_ONLY, &conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", o.shown, hat_err_code(rc));
		return 1;
	}
	if (flexibility) {
		bool found = true;

		if (!premises)
			rc = store_query_int(conn, "SELECT min(id) FROM premises", &found, &premises,
					     "");
		if (rc == HAT_OK)
			rc = flex_report(conn, premises, from, to, clock_now(), &rep);
	} else {
		rc = evaluation_report(conn, premises, from, to, clock_now(), &rep);
	}
	store_close(conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot make the report: %s\n", hat_err_code(rc));
		return 1;
	}
	buf_init(&out, (size_t)64 << 20);
	if (strcmp(format, "csv") == 0) {
		rc = evaluation_render_csv(rep, &out);
	} else if (strcmp(format, "json") == 0) {
		char *s = json_dumps(rep, JSON_INDENT(2));

		rc = s ? buf_append(&out, s, strlen(s)) : HAT_E_NOMEM;
		free(s);
	} else {
		printf(flexibility ? "The schedule's burden and the flexibility used\n"
				   : "Service evaluation report\n");
		print_tree(rep, 0);
	}
	if (rc == HAT_OK && out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	json_decref(rep);
	return rc == HAT_OK ? 0 : 1;
}
