/*
** register_print.c: see register.h.  The register printed (HTML) or
** exported (CSV) from the database a row at a time: each entry is rendered
** and the text handed to the file in blocks, so a year of a busy clinic's
** register costs the memory of one block, not of the year.
*/
#include <stdint.h>
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

/* One entry as register_print_entries gives it: read from the row's
** columns, not through a JSON object, since a year's register is a million
** rows.  The texts belong to the statement (or to the printer's look-ups)
** until its next step. */
struct entry {
	const char *kind, *batch, *supplier_name, *supplier_address, *invoice_ref;
	const char *patient_name, *patient_address, *prescriber_name, *licence_number;
	const char *made_by, *witness_name, *witness_authority, *reason;
	const char *event_date, *expiry_date;
	int64_t seq, qty, balance_after, given_ug, wasted_ug, corrects_entry_id;
	bool late, has_given, has_wasted, has_corrects;
};

/* The few makers and lots a page names, each looked up once: a small
** direct-mapped table of what was read (a clash reads again). */
#define LOOKUP_SLOTS 64
struct lookup {
	int64_t id;
	bool used;
	char text[128];
	char date[11];
};

struct printer {
	struct store_conn *c;
	struct lookup makers[LOOKUP_SLOTS], lots[LOOKUP_SLOTS];
	int32_t day;              /* the last event date formatted, and its text */
	char day_text[11];
};

static const char *col_str(struct store_stmt *st, int col)
{
	const char *s = store_col_is_null(st, col) ? NULL : store_col_text(st, col);

	return s ? s : "";
}

static void copy_text(char *to, size_t n, const char *from)
{
	size_t len = from ? strlen(from) : 0;

	if (len >= n)
		len = n - 1;
	memcpy(to, from ? from : "", len);
	to[len] = '\0';
}

/* The maker's display name (kind 0) or the lot's batch and expiry (kind 1). */
static enum hat_err look_up(struct printer *p, int kind, int64_t id, const struct lookup **out)
{
	struct lookup *l = &(kind == 0 ? p->makers : p->lots)[(uint64_t)id % LOOKUP_SLOTS];
	struct store_stmt *st = NULL;
	bool row = false;
	enum hat_err rc;

	*out = l;
	if (l->used && l->id == id)
		return HAT_OK;
	rc = store_prepare(p->c, kind == 0 ? "SELECT display_name, NULL FROM users WHERE id = ?"
				    : "SELECT batch, expiry_date FROM stock_lots WHERE id = ?", &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "i", id);
	if (rc == HAT_OK)
		rc = store_step(st, &row);
	if (rc == HAT_OK) {
		copy_text(l->text, sizeof l->text, row ? col_str(st, 0) : "");
		if (row && !store_col_is_null(st, 1))
			clock_format_date((int32_t)store_col_int(st, 1), l->date);
		else
			l->date[0] = '\0';
		l->id = id;
		l->used = true;
	}
	store_done(st);
	return rc;
}

static enum hat_err entry_read(struct printer *p, struct store_stmt *st, struct entry *e)
{
	const struct lookup *maker = NULL, *lot = NULL;
	int32_t day = (int32_t)store_col_int(st, REGISTER_COL_EVENT_DATE);
	enum hat_err rc = look_up(p, 0, store_col_int(st, REGISTER_COL_MADE_BY), &maker);

	if (rc == HAT_OK && !store_col_is_null(st, REGISTER_COL_LOT_ID))
		rc = look_up(p, 1, store_col_int(st, REGISTER_COL_LOT_ID), &lot);
	if (rc != HAT_OK)
		return rc;
	/* Entries come in date order, nearly: one date's text serves its run. */
	if (day != p->day || !p->day_text[0]) {
		clock_format_date(day, p->day_text);
		p->day = day;
	}
	e->kind = col_str(st, REGISTER_COL_KIND);
	e->batch = lot ? lot->text : "";
	e->expiry_date = lot ? lot->date : "";
	e->event_date = p->day_text;
	e->supplier_name = col_str(st, REGISTER_COL_SUPPLIER_NAME);
	e->supplier_address = col_str(st, REGISTER_COL_SUPPLIER_ADDRESS);
	e->invoice_ref = col_str(st, REGISTER_COL_INVOICE_REF);
	e->patient_name = col_str(st, REGISTER_COL_PATIENT_NAME);
	e->patient_address = col_str(st, REGISTER_COL_PATIENT_ADDRESS);
	e->prescriber_name = col_str(st, REGISTER_COL_PRESCRIBER_NAME);
	e->licence_number = col_str(st, REGISTER_COL_LICENCE_NUMBER);
	e->made_by = maker->text;
	e->witness_name = col_str(st, REGISTER_COL_WITNESS_NAME);
	e->witness_authority = col_str(st, REGISTER_COL_WITNESS_AUTHORITY);
	e->reason = col_str(st, REGISTER_COL_REASON);
	e->seq = store_col_int(st, REGISTER_COL_SEQ);
	e->qty = store_col_int(st, REGISTER_COL_QTY);
	e->balance_after = store_col_int(st, REGISTER_COL_BALANCE_AFTER);
	e->has_given = !store_col_is_null(st, REGISTER_COL_GIVEN_UG);
	e->given_ug = store_col_int(st, REGISTER_COL_GIVEN_UG);
	e->has_wasted = !store_col_is_null(st, REGISTER_COL_WASTED_UG);
	e->wasted_ug = store_col_int(st, REGISTER_COL_WASTED_UG);
	e->has_corrects = !store_col_is_null(st, REGISTER_COL_CORRECTS_ENTRY_ID);
	e->corrects_entry_id = store_col_int(st, REGISTER_COL_CORRECTS_ENTRY_ID);
	e->late = store_col_int(st, REGISTER_COL_LATE) != 0;
	return HAT_OK;
}

/* The columns of a printed page, and how each is read from an entry. */
static void entry_cells(const struct entry *e, char cells[][160])
{
	long long qty = (long long)e->qty;
	char words[CDREG_WORDS_SIZE];
	char given[32], wasted[32];

	snprintf(cells[0], 160, "%s", e->event_date);
	snprintf(cells[1], 160, "%s%s", e->kind, e->late ? " (late)" : "");
	if (strcmp(e->kind, "receipt") == 0 || strcmp(e->kind, "opening") == 0)
		snprintf(cells[2], 160, "%s, %s; invoice %s", e->supplier_name,
			 e->supplier_address, e->invoice_ref);
	else if (strcmp(e->kind, "administration") == 0)
		snprintf(cells[2], 160, "%s, %s; authority %s (licence %s)", e->patient_name,
			 e->patient_address, e->prescriber_name, e->licence_number);
	else if (strcmp(e->kind, "correction") == 0)
		snprintf(cells[2], 160, "corrects entry %lld: %s", (long long)e->corrects_entry_id,
			 e->reason);
	else
		snprintf(cells[2], 160, "%s; authorised witness %s", e->reason,
			 e->witness_authority);
	if (cdreg_quantity_words(qty < 0 ? -qty : qty, words, sizeof words) != HAT_OK)
		snprintf(words, sizeof words, "%lld", qty < 0 ? -qty : qty);
	snprintf(cells[3], 160, "%s%s", qty < 0 ? "minus " : "", words);
	if (e->has_given) {
		mg_text(e->given_ug, given, sizeof given);
		mg_text(e->wasted_ug, wasted, sizeof wasted);
		snprintf(cells[4], 160, "%s mg given, %s mg wasted", given, wasted);
	} else {
		cells[4][0] = '\0';
	}
	snprintf(cells[5], 160, "%s %s", e->batch, e->expiry_date);
	snprintf(cells[6], 160, "%s / %s", e->made_by, e->witness_name);
	snprintf(cells[7], 160, "%lld", (long long)e->balance_after);
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

static enum hat_err html_entry(struct sink *k, const struct entry *e)
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

/* v in decimal into out (at least 24 bytes): printf's work without its
** cost, which is a fifth of a year's CSV when done per column. */
static char *int_text(int64_t v, char *out)
{
	char tmp[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[i++] = '-';
	while (n)
		out[i++] = tmp[--n];
	out[i] = '\0';
	return out;
}

/* Micrograms as milligrams to three places, exactly (integer arithmetic). */
static void mg3_text(int64_t ug, char *out)
{
	uint64_t u = ug < 0 ? (uint64_t)0 - (uint64_t)ug : (uint64_t)ug;
	size_t i = 0;

	if (ug < 0)
		out[i++] = '-';
	int_text((int64_t)(u / 1000), out + i);
	i = strlen(out);
	out[i++] = '.';
	out[i++] = (char)('0' + u % 1000 / 100);
	out[i++] = (char)('0' + u % 100 / 10);
	out[i++] = (char)('0' + u % 10);
	out[i] = '\0';
}

/* heading is the page's first field as written (quoted, with its comma):
** the same on every row of the page, so quoted once. */
static enum hat_err csv_entry(struct sink *k, const struct buf *heading, const struct entry *e)
{
	const char *cols[CSV_COLUMNS];
	char num[6][32];
	enum hat_err rc = buf_append(&k->b, heading->data, heading->len);

	cols[0] = NULL;
	cols[1] = int_text(e->seq, num[0]);
	cols[2] = e->event_date;
	cols[3] = e->kind;
	cols[4] = e->late ? "late" : "";
	cols[5] = int_text(e->qty, num[1]);
	cols[6] = int_text(e->balance_after, num[2]);
	cols[7] = e->batch;
	cols[8] = e->expiry_date;
	cols[9] = e->supplier_name;
	cols[10] = e->invoice_ref;
	cols[11] = e->patient_name;
	cols[12] = e->prescriber_name;
	cols[13] = e->licence_number;
	mg3_text(e->given_ug, num[3]);
	mg3_text(e->wasted_ug, num[4]);
	cols[14] = e->has_given ? num[3] : "";
	cols[15] = e->has_wasted ? num[4] : "";
	cols[16] = e->made_by;
	cols[17] = e->witness_name;
	cols[18] = e->witness_authority;
	cols[19] = e->reason;
	cols[20] = e->has_corrects ? int_text(e->corrects_entry_id, num[5]) : "";
	for (size_t i = 1; i < CSV_COLUMNS && rc == HAT_OK; i++)
		rc = csv_field(&k->b, cols[i], i + 1 == CSV_COLUMNS);
	return rc;
}

/* One page's entries, read and written one at a time. */
static enum hat_err print_page(struct printer *p, struct sink *k, json_t *page,
			       int32_t from, int32_t to, enum register_format fmt)
{
	struct store_stmt *st = NULL;
	bool row;
	struct buf heading;
	enum hat_err rc = fmt == REGISTER_HTML ? html_page_start(k, page) : HAT_OK;

	buf_init(&heading, 4096);
	if (rc == HAT_OK && fmt == REGISTER_CSV)
		rc = csv_field(&heading, str_of(page, "heading"), false);
	if (rc == HAT_OK)
		rc = register_print_entries(p->c, json_integer_value(json_object_get(page, "id")),
					    from, to, &st);
	while (rc == HAT_OK) {
		struct entry e;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		rc = entry_read(p, st, &e);
		if (rc == HAT_OK)
			rc = fmt == REGISTER_HTML ? html_entry(k, &e) : csv_entry(k, &heading, &e);
		if (rc == HAT_OK)
			rc = sink_flush(k, false);
	}
	store_done(st);
	buf_free(&heading);
	if (rc == HAT_OK && fmt == REGISTER_HTML)
		rc = buf_puts(&k->b, "</tbody></table></section>");
	return rc;
}

enum hat_err register_print(struct store_conn *c, int64_t premises_id, int64_t page_id,
			    int32_t from, int32_t to, enum register_format fmt, const char *clinic,
			    int fd)
{
	struct sink k = { .fd = fd };
	/* The look-up tables are a few kilobytes: on the heap, not the stack. */
	struct printer *p = calloc(1, sizeof *p);
	json_t *pages = NULL;
	json_t *page;
	char head[AUDIT_HEAD_TEXT];
	char a[11], b[11];
	size_t i;
	bool began = false;
	/* The pages, the head and the entries as of one moment. */
	enum hat_err rc = p ? store_read_begin(c, &began) : HAT_E_NOMEM;

	if (rc == HAT_OK)
		rc = register_view_pages(c, premises_id, page_id, &pages, head);

	if (p)
		p->c = c;
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
		rc = print_page(p, &k, page, from, to, fmt);
	}
	if (rc == HAT_OK && fmt == REGISTER_HTML)
		rc = html_foot(&k, head);
	if (rc == HAT_OK)
		rc = sink_flush(&k, true);
	store_read_end(c, began);
	buf_free(&k.b);
	json_decref(pages);
	free(p);
	return rc;
}
