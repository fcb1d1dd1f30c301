/*
** register_print.c: see register.h.  The register printed (HTML) or
** exported (CSV) from the database a row at a time: each entry is rendered
** and the text handed to the file in blocks, so a year of a busy clinic's
** register costs the memory of one block, not of the year.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "register.h"
#include "audit/audit.h"
#include "core/cdreg.h"
#include "util/clock.h"
#include "util/csv.h"

#define PRINT_BLOCK ((size_t)64 << 10)

/* Writes s with the five HTML specials escaped. */
static enum hat_err html_text(struct buf *out, const char *s)
{
	enum hat_err rc = HAT_OK;

	for (; s && *s && rc == HAT_OK; s++) {
		switch (*s) {
		case '&': rc = buf_puts(out, "&amp;"); break;
		case '<': rc = buf_puts(out, "&lt;"); break;
		case '>': rc = buf_puts(out, "&gt;"); break;
		case '"': rc = buf_puts(out, "&quot;"); break;
		case '\'': rc = buf_puts(out, "&#39;"); break;
		default: rc = buf_append(out, s, 1); break;
		}
	}
	return rc;
}

static const char *str_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Micrograms as milligrams, exactly: the register prints what was given
** and wasted to the microgram (4999 is "4.999", never a rounded "5"). */
static void mg_text(int64_t ug, char *buf, size_t n)
{
	size_t len;

	if (ug % 1000 == 0) {
		snprintf(buf, n, "%lld", (long long)(ug / 1000));
		return;
	}
	snprintf(buf, n, "%s%lld.%03lld", ug < 0 ? "-" : "", (long long)llabs(ug / 1000),
		 (long long)llabs(ug % 1000));
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
}

/* The columns of a printed page, and how each is read from an entry. */
static void entry_cells(json_t *e, char cells[][160])
{
	const char *kind = str_of(e, "kind");
	long long qty = (long long)json_integer_value(json_object_get(e, "qty"));
	char words[CDREG_WORDS_SIZE];
	char given[32], wasted[32];

	snprintf(cells[0], 160, "%s", str_of(e, "event_date"));
	snprintf(cells[1], 160, "%s%s", kind, json_is_true(json_object_get(e, "is_late")) ? " (late)" : "");
	if (strcmp(kind, "receipt") == 0 || strcmp(kind, "opening") == 0)
		snprintf(cells[2], 160, "%s, %s; invoice %s", str_of(e, "supplier_name"),
			 str_of(e, "supplier_address"), str_of(e, "invoice_ref"));
	else if (strcmp(kind, "administration") == 0)
		snprintf(cells[2], 160, "%s, %s; authority %s (licence %s)", str_of(e, "patient_name"),
			 str_of(e, "patient_address"), str_of(e, "prescriber_name"),
			 str_of(e, "licence_number"));
	else if (strcmp(kind, "correction") == 0)
		snprintf(cells[2], 160, "corrects entry %lld: %s",
			 (long long)json_integer_value(json_object_get(e, "corrects_entry_id")),
			 str_of(e, "reason"));
	else
		snprintf(cells[2], 160, "%s; authorised witness %s", str_of(e, "reason"),
			 str_of(e, "witness_authority"));
	if (cdreg_quantity_words(qty < 0 ? -qty : qty, words, sizeof words) != HAT_OK)
		snprintf(words, sizeof words, "%lld", qty < 0 ? -qty : qty);
	snprintf(cells[3], 160, "%s%s", qty < 0 ? "minus " : "", words);
	if (json_is_integer(json_object_get(e, "given_ug"))) {
		mg_text(json_integer_value(json_object_get(e, "given_ug")), given, sizeof given);
		mg_text(json_integer_value(json_object_get(e, "wasted_ug")), wasted, sizeof wasted);
		snprintf(cells[4], 160, "%s mg given, %s mg wasted", given, wasted);
	} else {
		cells[4][0] = '\0';
	}
	snprintf(cells[5], 160, "%s %s", str_of(e, "batch"), str_of(e, "expiry_date"));
	snprintf(cells[6], 160, "%s / %s", str_of(e, "made_by"), str_of(e, "witness_name"));
	snprintf(cells[7], 160, "%lld", (long long)json_integer_value(json_object_get(e, "balance_after")));
}

static const char *const columns[] = {
	"Date", "Entry", "Supplier / patient and authority", "Quantity",
	"Given / wasted", "Batch, expiry", "Made by / witness", "Balance",
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])


/* Where the text goes: a block in memory, written to fd when full. */
struct sink {
	struct buf b;
	int fd;
};

static enum hat_err sink_flush(struct sink *k, bool all)
{
	size_t off = 0;

	if (!all && k->b.len < PRINT_BLOCK)
		return HAT_OK;
	while (off < k->b.len) {
		ssize_t n = write(k->fd, k->b.data + off, k->b.len - off);

		if (n < 0)
			return HAT_E_IO;
		off += (size_t)n;
	}
	k->b.len = 0;
	return HAT_OK;
}

static enum hat_err html_head(struct sink *k, const char *clinic, const char *from,
			      const char *to)
{
	enum hat_err rc = buf_puts(&k->b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
				   "<title>Controlled drugs register</title>"
				   "<link rel=\"stylesheet\" href=\"/css/register-print.css\"></head><body>"
				   "<h1>Controlled drugs register</h1><p>");

	if (rc == HAT_OK)
		rc = html_text(&k->b, clinic);
	if (rc == HAT_OK)
		rc = buf_printf(&k->b, " &middot; entries from %s to %s</p>", from, to);
	return rc;
}

static enum hat_err html_page_start(struct sink *k, json_t *page)
{
	const char *unit = json_string_value(json_object_get(page, "unit"));
	enum hat_err rc;

	if (!unit)
		unit = "ampoules";
	rc = buf_puts(&k->b, "<section class=\"page\"><h2>");
	if (rc == HAT_OK)
		rc = html_text(&k->b, str_of(page, "heading"));
	if (rc == HAT_OK)
		rc = buf_printf(&k->b, "</h2><p>Balance now: %lld %s</p><table><thead><tr>",
				(long long)json_integer_value(json_object_get(page, "balance")), unit);
	/* The quantity column names the page's unit: ampoules, mL or capsules. */
	for (size_t j = 0; j < NCOLUMNS && rc == HAT_OK; j++)
		rc = j == 3 ? buf_printf(&k->b, "<th scope=\"col\">%s (%s)</th>", columns[j], unit)
			    : buf_printf(&k->b, "<th scope=\"col\">%s</th>", columns[j]);
	if (rc == HAT_OK)
		rc = buf_puts(&k->b, "</tr></thead><tbody>");
	return rc;
}

static enum hat_err html_entry(struct sink *k, json_t *e)
{
	char cells[NCOLUMNS][160];
	enum hat_err rc;

	entry_cells(e, cells);
	rc = buf_puts(&k->b, "<tr>");
	for (size_t i = 0; i < NCOLUMNS && rc == HAT_OK; i++) {
		rc = buf_puts(&k->b, "<td>");
		if (rc == HAT_OK)
			rc = html_text(&k->b, cells[i]);
		if (rc == HAT_OK)
			rc = buf_puts(&k->b, "</td>");
	}
	if (rc == HAT_OK)
		rc = buf_puts(&k->b, "</tr>");
	return rc;
}

static enum hat_err html_foot(struct sink *k, const char *head)
{
	enum hat_err rc = buf_printf(&k->b,
				     "<footer><p>Audit chain head when printed: <code>%s</code>. Keep"
				     " this sheet: <code>hatctl verify --since %s</code> fails if"
				     " the record was rewritten after it was printed.</p></footer>",
				     head, head);

	if (rc == HAT_OK)
		rc = buf_puts(&k->b, "</body></html>\n");
	return rc;
}

static const char *const csv_head[] = { "page", "seq", "event_date", "kind", "late", "qty",
					"balance_after", "batch", "expiry_date", "supplier",
					"invoice_ref", "patient", "prescriber", "licence",
					"given_mg", "wasted_mg", "made_by", "witness",
					"witness_authority", "reason", "corrects_entry_id" };
#define CSV_COLUMNS (sizeof csv_head / sizeof csv_head[0])

static enum hat_err csv_entry(struct sink *k, json_t *page, json_t *e)
{
	const char *cols[CSV_COLUMNS];
	char num[6][32];
	enum hat_err rc = HAT_OK;

	snprintf(num[0], 32, "%lld", (long long)json_integer_value(json_object_get(e, "seq")));
	snprintf(num[1], 32, "%lld", (long long)json_integer_value(json_object_get(e, "qty")));
	snprintf(num[2], 32, "%lld",
		 (long long)json_integer_value(json_object_get(e, "balance_after")));
	snprintf(num[3], 32, "%.3f",
		 (double)json_integer_value(json_object_get(e, "given_ug")) / 1000.0);
	snprintf(num[4], 32, "%.3f",
		 (double)json_integer_value(json_object_get(e, "wasted_ug")) / 1000.0);
	snprintf(num[5], 32, "%lld",
		 (long long)json_integer_value(json_object_get(e, "corrects_entry_id")));
	cols[0] = str_of(page, "heading");
	cols[1] = num[0];
	cols[2] = str_of(e, "event_date");
	cols[3] = str_of(e, "kind");
	cols[4] = json_is_true(json_object_get(e, "is_late")) ? "late" : "";
	cols[5] = num[1];
	cols[6] = num[2];
	cols[7] = str_of(e, "batch");
	cols[8] = str_of(e, "expiry_date");
	cols[9] = str_of(e, "supplier_name");
	cols[10] = str_of(e, "invoice_ref");
	cols[11] = str_of(e, "patient_name");
	cols[12] = str_of(e, "prescriber_name");
	cols[13] = str_of(e, "licence_number");
	cols[14] = json_is_integer(json_object_get(e, "given_ug")) ? num[3] : "";
	cols[15] = json_is_integer(json_object_get(e, "wasted_ug")) ? num[4] : "";
	cols[16] = str_of(e, "made_by");
	cols[17] = str_of(e, "witness_name");
	cols[18] = str_of(e, "witness_authority");
	cols[19] = str_of(e, "reason");
	cols[20] = json_is_integer(json_object_get(e, "corrects_entry_id")) ? num[5] : "";
	for (size_t i = 0; i < CSV_COLUMNS && rc == HAT_OK; i++)
		rc = csv_field(&k->b, cols[i], i + 1 == CSV_COLUMNS);
	return rc;
}

/* One page's entries, read and written one at a time. */
static enum hat_err print_page(struct store_conn *c, struct sink *k, json_t *page,
			       int32_t from, int32_t to, enum register_format fmt)
{
	struct store_stmt *st = NULL;
	bool row;
	enum hat_err rc = fmt == REGISTER_HTML ? html_page_start(k, page) : HAT_OK;

	if (rc == HAT_OK)
		rc = register_view_entries(c, json_integer_value(json_object_get(page, "id")), from,
					   to, 0, &st);
	while (rc == HAT_OK) {
		json_t *e = NULL;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		rc = store_row_json(st, &e);
		if (rc == HAT_OK)
			rc = fmt == REGISTER_HTML ? html_entry(k, e) : csv_entry(k, page, e);
		json_decref(e);
		if (rc == HAT_OK)
			rc = sink_flush(k, false);
	}
	store_done(st);
	if (rc == HAT_OK && fmt == REGISTER_HTML)
		rc = buf_puts(&k->b, "</tbody></table></section>");
	return rc;
}

enum hat_err register_print(struct store_conn *c, int64_t premises_id, int64_t page_id,
			    int32_t from, int32_t to, enum register_format fmt, const char *clinic,
			    int fd)
{
	struct sink k = { .fd = fd };
	json_t *pages = NULL;
	json_t *page;
	char head[AUDIT_HEAD_TEXT];
	char a[11], b[11];
	size_t i;
	enum hat_err rc = register_view_pages(c, premises_id, page_id, &pages, head);

	/* A block and one entry past it: an entry's text is far smaller. */
	buf_init(&k.b, PRINT_BLOCK * 2);
	clock_format_date(from, a);
	clock_format_date(to, b);
	if (rc == HAT_OK && fmt == REGISTER_HTML)
		rc = html_head(&k, clinic, a, b);
	for (i = 0; rc == HAT_OK && fmt == REGISTER_CSV && i < CSV_COLUMNS; i++)
		rc = csv_field(&k.b, csv_head[i], i + 1 == CSV_COLUMNS);
	json_array_foreach(pages, i, page) {
		if (rc != HAT_OK)
			break;
		rc = print_page(c, &k, page, from, to, fmt);
	}
	if (rc == HAT_OK && fmt == REGISTER_HTML)
		rc = html_foot(&k, head);
	if (rc == HAT_OK)
		rc = sink_flush(&k, true);
	buf_free(&k.b);
	json_decref(pages);
	return rc;
}
