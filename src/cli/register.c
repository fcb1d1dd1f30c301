/*
** register.c (cli): hatctl register print: the register as an inspector
** reads it, as text, CSV or HTML.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd/clinic.h"
#include "cmd/register.h"
#include "util/clock.h"

static const char help[] =
	"usage: hatctl register print [--db PATH] [--premises ID] [--page ID]\n"
	"                             [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
	"                             [--format text|csv|html]\n"
	"Prints each register page in order with its heading, its entries and the\n"
	"running balance.  By default: every page of the first premises, the last\n"
	"31 days, as text.\n";

static const char *const valued[] = { "--premises", "--page", "--from", "--to", "--format", NULL };

static void print_text(json_t *view)
{
	size_t i, j;
	json_t *page, *e;

	printf("Controlled drugs register, entries from %s to %s\n",
	       json_string_value(json_object_get(view, "from")),
	       json_string_value(json_object_get(view, "to")));
	json_array_foreach(json_object_get(view, "pages"), i, page) {
		printf("\n== %s (page %lld) == balance now %lld ampoules\n",
		       json_string_value(json_object_get(page, "heading")),
		       (long long)json_integer_value(json_object_get(page, "id")),
		       (long long)json_integer_value(json_object_get(page, "balance")));
		printf("%5s  %-10s %-15s %6s %8s  %s\n", "seq", "date", "entry", "qty", "balance",
		       "detail");
		json_array_foreach(json_object_get(page, "entries"), j, e) {
			const char *kind = json_string_value(json_object_get(e, "kind"));
			const char *who = json_string_value(json_object_get(e, "patient_name"));

			if (!who)
				who = json_string_value(json_object_get(e, "supplier_name"));
			if (!who)
				who = json_string_value(json_object_get(e, "reason"));
			printf("%5lld  %-10s %-15s %6lld %8lld  %s%s\n",
			       (long long)json_integer_value(json_object_get(e, "seq")),
			       json_string_value(json_object_get(e, "event_date")), kind,
			       (long long)json_integer_value(json_object_get(e, "qty")),
			       (long long)json_integer_value(json_object_get(e, "balance_after")),
			       who ? who : "",
			       json_is_true(json_object_get(e, "is_late")) ? " [late]" : "");
		}
	}
}

int cli_register(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	struct clock_local l;
	const char *verb, *format;
	int64_t premises = 0, page = 0;
	int32_t from, to;
	json_t *view = NULL;
	char clinic[200];
	enum hat_err rc;
	bool found;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	verb = cli_arg(argc, argv, 0, valued);
	if (o.help || !verb || strcmp(verb, "print") != 0) {
		fputs(help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	format = cli_opt(argc, argv, "--format") ? cli_opt(argc, argv, "--format") : "text";
	/* An unknown format is a usage error, never a silent fall-back to text. */
	if (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "html") != 0) {
		fputs(help, stderr);
		return 2;
	}
	rc = store_open(o.db, STORE_READ_ONLY, &conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", o.shown, hat_err_code(rc));
		return 1;
	}
	clock_set_zone(getenv("HAT_TIMEZONE") ? getenv("HAT_TIMEZONE") : "Europe/London");
	clock_to_local(clock_now(), &l);
	to = l.date;
	from = to - 30;
	if ((cli_opt(argc, argv, "--from") && clock_parse_date(cli_opt(argc, argv, "--from"), &from)) ||
	    (cli_opt(argc, argv, "--to") && clock_parse_date(cli_opt(argc, argv, "--to"), &to)) ||
	    (cli_opt(argc, argv, "--premises") &&
	     !str_to_int64(cli_opt(argc, argv, "--premises"), 1, INT64_MAX, &premises)) ||
	    (cli_opt(argc, argv, "--page") &&
	     !str_to_int64(cli_opt(argc, argv, "--page"), 1, INT64_MAX, &page))) {
		fputs(help, stderr);
		store_close(conn);
		return 2;
	}
	if (!premises)
		store_query_int(conn, "SELECT min(id) FROM premises", &found, &premises, "");
	clinic_get(conn, "clinic_name", clinic, sizeof clinic);
	if (strcmp(format, "text") == 0) {
		rc = register_view(conn, premises, page, from, to, 0, INT64_MAX, &view);
		if (rc == HAT_OK)
			print_text(view);
	} else {
		/* Written as it is read: a year of the register is never all in
		** memory. */
		fflush(stdout);
		rc = register_print(conn, premises, page, from, to,
				    strcmp(format, "csv") == 0 ? REGISTER_CSV : REGISTER_HTML, clinic,
				    STDOUT_FILENO);
	}
	store_close(conn);
	if (rc != HAT_OK)
		fprintf(stderr, "hatctl: cannot read the register: %s\n", hat_err_code(rc));
	json_decref(view);
	return rc == HAT_OK ? 0 : 1;
}
