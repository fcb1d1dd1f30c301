/*
** register.c: see register.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "register.h"
#include "takehome.h"
#include "audit/audit.h"
#include "util/csv.h"
#include "util/log.h"
#include "settings.h"

/* ---- Pages and entries --------------------------------------------------- */

/* One entry as it will be written; text fields may be NULL, ids 0. */
struct reg_entry {
	int64_t page_id;
	enum cdreg_kind kind;
	int64_t qty;
	int64_t lot_id;
	int32_t event_date;
	const char *supplier_name, *supplier_address, *invoice_ref;
	int64_t patient_id;
	const char *patient_name, *patient_address, *prescriber_name, *licence_number;
	int64_t administration_id;
	int64_t given_ug, wasted_ug; /* -1: not applicable */
	int64_t witness_id;
	const char *witness_name, *witness_role, *witness_authority;
	const char *reason;
	int64_t corrects_entry_id;
};

static void entry_init(struct reg_entry *e, int64_t page_id, enum cdreg_kind kind, int64_t qty)
{
	memset(e, 0, sizeof *e);
	e->page_id = page_id;
	e->kind = kind;
	e->qty = qty;
	e->given_ug = -1;
	e->wasted_ug = -1;
}

static enum hat_err page_key(const char *drug, int64_t strength_ug, const char *form,
			     struct cdreg_page_key *key)
{
	memset(key, 0, sizeof *key);
	key->strength_ug = strength_ug;
	key->schedule = CDREG_SCHEDULE_2;
	if (cdreg_drug_from_code(drug, &key->drug) != HAT_OK ||
	    cdreg_form_from_code(form, &key->form) != HAT_OK)
		return HAT_E_INVALID_VALUE;
	return cdreg_page_key_check(key);
}

/* Finds the page for key at the premises, opening it when it is new. */
static enum hat_err page_find(struct store_conn *conn, int64_t premises_id,
			      const struct cdreg_page_key *key, int64_t now, int64_t *id)
{
	bool found;
	enum hat_err rc = store_query_int(conn,
					  "SELECT id FROM register_pages WHERE premises_id = ?"
					  " AND drug = ? AND strength_ug = ? AND form = ?",
					  &found, id, "itit", premises_id, cdreg_drug_code(key->drug),
					  key->strength_ug, cdreg_form_code(key->form));

	if (rc != HAT_OK || found)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO register_pages (premises_id, drug, strength_ug, form, schedule,"
		       " created_at) VALUES (?, ?, ?, ?, ?, ?)",
		       "itItii", premises_id, cdreg_drug_code(key->drug), key->strength_ug,
		       cdreg_form_code(key->form), (int64_t)key->schedule, now);
	if (rc == HAT_OK)
		*id = store_last_id(conn);
	return rc;
}


/* Appends e to its page: the next sequence number, the balance after it
** (refusing a negative one), and the late flag. */
static enum hat_err append(struct store_conn *conn, struct cmd *c, struct reg_entry *e,
			   int64_t *entry_id)
{
	static const char sql_last[] =
		"SELECT seq, balance_after, (SELECT max(event_date) FROM register_entries"
		" WHERE page_id = ?1) FROM register_entries WHERE page_id = ?1"
		" ORDER BY seq DESC LIMIT 1";
	static const char sql_lot_last[] =
		"SELECT lot_after FROM register_entries WHERE lot_id = ? ORDER BY id DESC LIMIT 1";
	static const char sql_insert[] =
		"INSERT INTO register_entries (page_id, seq, kind, qty, balance_after, lot_id,"
		" lot_after, at,"
		" event_date, entered_date, late, supplier_name, supplier_address, invoice_ref,"
		" patient_id, patient_name, patient_address, prescriber_name, licence_number,"
		" administration_id, given_ug, wasted_ug, made_by, witness_id, witness_name,"
		" witness_role, witness_authority, reason, corrects_entry_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?)";
	struct store_stmt *s;
	int64_t seq = 0, balance = 0, after, lot_before = 0, lot_after = 0;
	int32_t last_event = CDREG_EMPTY_PAGE;
	int32_t entered = clock_local_date(c->now);
	bool late = false;
	bool row = false;
	enum hat_err rc = store_prepare(conn, sql_last, &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, e->page_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		seq = store_col_int(s, 0);
		balance = store_col_int(s, 1);
		last_event = (int32_t)store_col_int(s, 2);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	/* The first entry of a page opens it. */
	if (seq == 0 && e->kind == CDREG_KIND_RECEIPT)
		e->kind = CDREG_KIND_OPENING;
	rc = cdreg_apply(balance, e->kind, e->qty, &after);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "quantity", NULL);
	if (e->lot_id) {
		/* The lot is held to the same arithmetic as its page. */
		rc = store_query_int(conn, sql_lot_last, NULL, &lot_before, "i", e->lot_id);
		if (rc == HAT_OK && cdreg_apply(lot_before, e->kind == CDREG_KIND_OPENING ?
					       CDREG_KIND_RECEIPT : e->kind, e->qty, &lot_after) != HAT_OK)
			rc = cmd_refuse(c, HAT_E_BALANCE_NEGATIVE, "quantity",
					"That lot holds fewer ampoules.");
		if (rc != HAT_OK)
			return rc;
	}
	rc = cdreg_check_entry_order(e->event_date, entered, last_event, &late);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "date", "An entry cannot record an event after today.");
	rc = store_run(conn, sql_insert, "iitiiIIiiiitttIttttIIIiIttttI", e->page_id, seq + 1,
		       cdreg_kind_code(e->kind), e->qty, after, e->lot_id ? e->lot_id : INT64_MIN,
		       e->lot_id ? lot_after : INT64_MIN,
		       c->now, (int64_t)e->event_date, (int64_t)entered, (int64_t)late,
		       e->supplier_name, e->supplier_address, e->invoice_ref,
		       e->patient_id ? e->patient_id : INT64_MIN, e->patient_name, e->patient_address,
		       e->prescriber_name, e->licence_number,
		       e->administration_id ? e->administration_id : INT64_MIN,
		       e->given_ug >= 0 ? e->given_ug : INT64_MIN,
		       e->wasted_ug >= 0 ? e->wasted_ug : INT64_MIN, c->actor_id,
		       e->witness_id ? e->witness_id : INT64_MIN, e->witness_name, e->witness_role,
		       e->witness_authority, e->reason,
		       e->corrects_entry_id ? e->corrects_entry_id : INT64_MIN);
	if (rc != HAT_OK)
		return rc;
	/* The entry needs no event of its own: the command's last event binds
	** it, with every other row the command wrote, by fingerprint. */
	*entry_id = store_last_id(conn);
	/* The open lots follow the lot's new contents. */
	if (e->lot_id && lot_after > 0 && lot_before <= 0)
		rc = store_run(conn,
			       "INSERT INTO open_lots (lot_id, page_id, expiry_date)"
			       " SELECT id, page_id, expiry_date FROM stock_lots WHERE id = ?",
			       "i", e->lot_id);
	else if (e->lot_id && lot_after <= 0 && lot_before > 0)
		rc = store_run(conn, "DELETE FROM open_lots WHERE lot_id = ?", "i", e->lot_id);
	return rc;
}

static const char sql_entry_json[] =
	"SELECT e.id, e.page_id, e.seq, e.kind, e.qty, e.balance_after, e.lot_id, l.batch,"
	" l.expiry_date, e.at AS entered_at, e.event_date, e.entered_date, e.late AS is_late,"
	" e.supplier_name, e.supplier_address, e.invoice_ref, e.patient_id, e.patient_name,"
	" e.patient_address, e.prescriber_name, e.licence_number, e.administration_id,"
	" e.given_ug, e.wasted_ug, e.made_by, u.display_name AS made_by_name, e.witness_id,"
	" e.witness_name, e.witness_role, e.witness_authority, e.reason, e.corrects_entry_id"
	" FROM register_entries e JOIN users u ON u.id = e.made_by"
	" LEFT JOIN stock_lots l ON l.id = e.lot_id WHERE e.id = ?";

static enum hat_err entry_json(struct store_conn *conn, int64_t id, json_t **out)
{
	return store_query_row_json(conn, sql_entry_json, out, "i", id);
}

/* Answers with an entry (append has audited it already). */
static enum hat_err answer_entry(struct store_conn *conn, struct cmd *c, int64_t entry_id)
{
	json_t *e = NULL;
	enum hat_err rc = entry_json(conn, entry_id, &e);

	if (rc == HAT_OK)
		cmd_answer(c, 201, e);
	return rc;
}

/* The witness as the register records them: name and role from their
** account; the caller checked their credentials. */
static enum hat_err load_witness(struct store_conn *conn, struct cmd *c, struct reg_entry *e,
				 char *name, size_t n, char *role, size_t rn)
{
	struct store_stmt *s;
	unsigned roles;
	bool row = false;
	enum hat_err rc;

	if (!c->witness_id)
		return cmd_refuse(c, HAT_E_WITNESS_REQUIRED, "witness", NULL);
	rc = cdreg_check_two_people(c->actor_id, c->witness_id);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "witness", NULL);
	rc = store_prepare(conn, "SELECT display_name FROM users WHERE id = ? AND disabled = 0", &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, c->witness_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row)
		str_copy(name, n, store_col_text(s, 0));
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return cmd_refuse(c, HAT_E_WITNESS_BAD_CREDENTIALS, "witness", NULL);
	rc = cmd_witness_roles(conn, c, &roles);
	if (rc != HAT_OK)
		return rc;
	if (!(roles & REGISTER_WITNESS_ROLES))
		return cmd_refuse(c, HAT_E_WITNESS_ROLE, "witness", NULL);
	for (unsigned bit = 1; bit <= ROLE_ADMIN; bit <<= 1) {
		if ((roles & bit) && (bit & REGISTER_WITNESS_ROLES)) {
			str_copy(role, rn, auth_role_name(bit));
			break;
		}
	}
	e->witness_id = c->witness_id;
	e->witness_name = name;
	e->witness_role = role;
	return HAT_OK;
}

/* ---- Suppliers and receipts ---------------------------------------------- */

static const struct field supplier_fields[] = {
	{ "name", FT_STRING, true, 1, 200, NULL, false },
	{ "address", FT_STRING, true, 1, 500, NULL, false },
	FIELDS_END,
};

static enum hat_err run_supplier_create(struct store_conn *conn, struct cmd *c)
{
	json_t *rows = NULL;
	int64_t id;
	enum hat_err rc = store_run(conn,
				    "INSERT INTO suppliers (name, address, created_at) VALUES (?, ?, ?)",
				    "tti", fields_str(c->input, "name", ""),
				    fields_str(c->input, "address", ""), c->now);

	if (rc == HAT_E_CONFLICT)
		return cmd_refuse(c, HAT_E_CONFLICT, "name", "A supplier of that name is on the list.");
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = store_query_json(conn, "SELECT id, name, address, active AS is_active, created_at"
				    " FROM suppliers WHERE id = ?", &rows, "i", id);
	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "supplier", id, json_array_get(rows, 0));
	if (rc == HAT_OK)
		cmd_answer(c, 201, json_incref(json_array_get(rows, 0)));
	json_decref(rows);
	return rc;
}

static const char *const drug_choices[] = { "diamorphine", "hydromorphone", "methadone", "morphine",
					    NULL };
static const char *const form_choices[] = { "powder_for_injection", "solution_for_injection",
					    "oral_solution", "modified_release_capsule", NULL };

static const struct field receive_fields[] = {
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "supplier_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "drug", FT_ENUM, true, 0, 0, drug_choices, false },
	{ "strength_mg", FT_MG, true, 0, 10000, NULL, false },
	{ "form", FT_ENUM, true, 0, 0, form_choices, false },
	{ "quantity", FT_INT, true, 1, 100000, NULL, false },
	{ "batch", FT_STRING, true, 1, 64, NULL, false },
	{ "expiry_date", FT_DATE, true, 0, 0, NULL, false },
	{ "invoice_ref", FT_STRING, true, 1, 100, NULL, false },
	{ "received_date", FT_DATE, false, 0, 0, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err run_receive(struct store_conn *conn, struct cmd *c)
{
	struct cdreg_page_key key;
	struct reg_entry e;
	struct store_stmt *s;
	char sname[201], saddr[501], wname[128], wrole[32];
	int64_t page_id, lot_id, entry_id;
	int32_t expiry = fields_date(c->input, "expiry_date", 0);
	bool row = false;
	bool found;
	int64_t one;
	enum hat_err rc;

	rc = store_query_int(conn, "SELECT 1 FROM premises WHERE id = ?", &found, &one, "i",
			     fields_int(c->input, "premises_id", 0));
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	rc = cmd_at_premises(conn, c, fields_int(c->input, "premises_id", 0));
	if (rc != HAT_OK)
		return rc;
	rc = store_prepare(conn, "SELECT name, address FROM suppliers WHERE id = ? AND active = 1", &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, fields_int(c->input, "supplier_id", 0));
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		str_copy(sname, sizeof sname, store_col_text(s, 0));
		str_copy(saddr, sizeof saddr, store_col_text(s, 1));
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return cmd_refuse(c, HAT_E_UNKNOWN_SUPPLIER, "supplier_id", NULL);
	rc = page_key(fields_str(c->input, "drug", ""), fields_ug(c->input, "strength_mg", 0),
		      fields_str(c->input, "form", ""), &key);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "strength_mg",
				  "There is no register page for that drug, strength and form.");
	if (expiry < clock_local_date(c->now))
		return cmd_refuse(c, HAT_E_EXPIRED_STOCK, "expiry_date",
				  "This stock has already expired: it cannot be received into use.");
	rc = page_find(conn, fields_int(c->input, "premises_id", 0), &key, c->now, &page_id);
	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn, "INSERT INTO stock_lots (page_id, batch, expiry_date, created_at)"
			     " VALUES (?, ?, ?, ?) ON CONFLICT (page_id, batch, expiry_date) DO NOTHING",
		       "itii", page_id, fields_str(c->input, "batch", ""), (int64_t)expiry, c->now);
	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT id FROM stock_lots WHERE page_id = ? AND batch = ?"
					   " AND expiry_date = ?", &found, &lot_id, "iti", page_id,
				     fields_str(c->input, "batch", ""), (int64_t)expiry);
	if (rc != HAT_OK)
		return rc;
	entry_init(&e, page_id, CDREG_KIND_RECEIPT, fields_int(c->input, "quantity", 0));
	e.lot_id = lot_id;
	e.event_date = fields_date(c->input, "received_date", clock_local_date(c->now));
	e.supplier_name = sname;
	e.supplier_address = saddr;
	e.invoice_ref = fields_str(c->input, "invoice_ref", "");
	rc = load_witness(conn, c, &e, wname, sizeof wname, wrole, sizeof wrole);
	if (rc == HAT_OK)
		rc = append(conn, c, &e, &entry_id);
	if (rc == HAT_OK)
		rc = answer_entry(conn, c, entry_id);
	return rc;
}

/* ---- Lots and what is in them -------------------------------------------- */

/* What each open lot holds: its newest entry's lot_after (write_entry keeps
** open_lots, so a dose never reads the lots long emptied). */
static const char sql_lots[] =
	"SELECT o.lot_id, p.strength_ug, o.expiry_date, p.id, coalesce((SELECT e.lot_after"
	"  FROM register_entries e WHERE e.lot_id = o.lot_id ORDER BY e.id DESC LIMIT 1), 0)"
	" FROM register_pages p JOIN open_lots o ON o.page_id = p.id"
	" WHERE p.premises_id = ? AND p.drug = ? AND p.form = ? AND o.expiry_date >= ?"
	" ORDER BY o.lot_id";

static enum hat_err lot_available(struct store_conn *conn, int64_t lot_id, int64_t *page_id,
				  int64_t *available, int32_t *expiry)
{
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(conn,
					"SELECT l.page_id, l.expiry_date, coalesce((SELECT e.lot_after"
					" FROM register_entries e WHERE e.lot_id = l.id ORDER BY e.id DESC"
					" LIMIT 1), 0) FROM stock_lots l WHERE l.id = ?", &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, lot_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*page_id = store_col_int(s, 0);
		*expiry = (int32_t)store_col_int(s, 1);
		*available = store_col_int(s, 2);
	}
	store_done(s);
	return rc == HAT_OK && !row ? HAT_E_NOT_FOUND : rc;
}

/* The register pages a prescribed drug is drawn from: the oral component
** has pages of its own (methadone oral solution in mL, slow-release
** morphine in capsules), Schedule 2 like the injections. */
static void register_drug_of(enum dosing_drug d, const char **drug, const char **form)
{
	switch (d) {
	case DOSING_DRUG_HYDROMORPHONE:
		*drug = "hydromorphone";
		*form = "solution_for_injection";
		break;
	case DOSING_DRUG_METHADONE_ORAL:
		*drug = "methadone";
		*form = "oral_solution";
		break;
	case DOSING_DRUG_SROM:
		*drug = "morphine";
		*form = "modified_release_capsule";
		break;
	default:
		*drug = "diamorphine";
		*form = "powder_for_injection";
		break;
	}
}

enum hat_err register_choose_for_dose(struct store_conn *c, int64_t premises_id,
				      enum dosing_drug drug, int64_t amount_ug, int32_t today,
				      struct register_choice *out)
{
	struct cdreg_lot *lots = NULL;
	int64_t *pages = NULL;
	size_t n = 0, cap = 0;
	const char *dcode, *fcode;
	struct store_stmt *s;
	bool row;
	enum hat_err rc;

	memset(out, 0, sizeof *out);
	register_drug_of(drug, &dcode, &fcode);
	rc = store_prepare(c, sql_lots, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "itti", premises_id, dcode, fcode, (int64_t)today);
	/* Every usable lot is offered: a choice from only some of them could
	** refuse a dose for "no stock" that is on the shelf. */
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		if (n == cap) {
			size_t more = cap ? cap * 2 : 32;
			struct cdreg_lot *l = realloc(lots, more * sizeof *lots);
			int64_t *p = l ? realloc(pages, more * sizeof *pages) : NULL;

			if (l)
				lots = l;
			if (!p) {
				rc = HAT_E_NOMEM;
				break;
			}
			pages = p;
			cap = more;
		}
		lots[n].lot_id = store_col_int(s, 0);
		lots[n].strength_ug = store_col_int(s, 1);
		lots[n].expiry = (int32_t)store_col_int(s, 2);
		pages[n] = store_col_int(s, 3);
		lots[n].available = store_col_int(s, 4);
		lots[n].quarantined = false;
		n++;
	}
	store_done(s);
	/* One pick per lot at most: n + 1 entries always suffice. */
	if (rc == HAT_OK) {
		out->picks = calloc(n + 1, sizeof *out->picks);
		out->page_ids = calloc(n + 1, sizeof *out->page_ids);
		if (!out->picks || !out->page_ids)
			rc = HAT_E_NOMEM;
	}
	if (rc == HAT_OK)
		rc = cdreg_choose_ampoules(lots, n, amount_ug, today, out->picks, n + 1, &out->n,
					   &out->waste_ug);
	for (size_t i = 0; rc == HAT_OK && i < out->n; i++)
		out->page_ids[i] = pages[out->picks[i].lot_index];
	free(lots);
	free(pages);
	if (rc != HAT_OK)
		register_choice_free(out);
	return rc;
}

void register_choice_free(struct register_choice *choice)
{
	free(choice->picks);
	free(choice->page_ids);
	choice->picks = NULL;
	choice->page_ids = NULL;
	choice->n = 0;
}

static enum hat_err lot_batch(struct store_conn *c, int64_t lot_id, char *out, size_t cap)
{
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, "SELECT batch FROM stock_lots WHERE id = ?", &s);

	out[0] = '\0';
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, lot_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row)
		str_copy(out, cap, store_col_text(s, 0));
	store_done(s);
	return rc;
}

static enum hat_err take_entries(struct store_conn *c, struct cmd *cmd,
				 const struct register_choice *choice, int64_t administration_id,
				 int64_t patient_id, int64_t prescriber_id, int64_t amount_ug,
				 int32_t today, const char *reason, json_t **out)
{
	static const char sql_people[] =
		"SELECT p.given_name || ' ' || p.family_name, p.address, u.display_name,"
		" coalesce((SELECT l.licence_number FROM prescriber_licences l"
		"  WHERE l.user_id = u.id AND l.premises_id = (SELECT r.premises_id FROM register_pages r"
		"  WHERE r.id = ?)"
		"  ORDER BY l.expires_on DESC LIMIT 1), '')"
		" FROM patients p, users u WHERE p.id = ? AND u.id = ?";
	char pname[210], paddr[510], rxname[130], licence[70], wname[128], wrole[32];
	char batch[70];
	struct store_stmt *s;
	int64_t left = amount_ug;
	json_t *list = json_array();
	bool row = false;
	enum hat_err rc = store_prepare(c, sql_people, &s);

	/* The licence named is the one for the premises whose register this
	** is (a guest dose is given under the licence held there). */
	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", choice->n ? choice->page_ids[0] : 0, patient_id,
				 prescriber_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		str_copy(pname, sizeof pname, store_col_text(s, 0));
		str_copy(paddr, sizeof paddr, store_col_text(s, 1));
		str_copy(rxname, sizeof rxname, store_col_text(s, 2));
		str_copy(licence, sizeof licence, store_col_text(s, 3));
	}
	store_done(s);
	if (rc == HAT_OK && !row)
		rc = HAT_E_NOT_FOUND;
	/* A supply entry needs the patient's name and address (reg 19). */
	if (rc == HAT_OK && !paddr[0])
		rc = cmd_refuse(cmd, HAT_E_PATIENT_ADDRESS, "address", NULL);
	/* The largest ampoules are drawn first; whatever is left in the last
	** one drawn is the waste, denatured in front of the witness. */
	for (size_t i = 0; rc == HAT_OK && i < choice->n; i++) {
		const struct cdreg_pick *p = &choice->picks[i];
		struct reg_entry e;
		int64_t content = p->count * p->strength_ug;
		int64_t given = left < content ? left : content;
		int64_t entry_id;

		left -= given;
		entry_init(&e, choice->page_ids[i], CDREG_KIND_ADMINISTRATION, p->count);
		e.lot_id = p->lot_id;
		e.event_date = today;
		e.patient_id = patient_id;
		e.patient_name = pname;
		e.patient_address = paddr;
		e.prescriber_name = rxname;
		e.licence_number = licence;
		e.administration_id = administration_id;
		e.given_ug = given;
		e.wasted_ug = content - given;
		e.reason = reason;
		rc = load_witness(c, cmd, &e, wname, sizeof wname, wrole, sizeof wrole);
		if (rc == HAT_OK)
			rc = append(c, cmd, &e, &entry_id);
		if (rc == HAT_OK)
			rc = lot_batch(c, p->lot_id, batch, sizeof batch);
		/* What the nurse draws up: the ampoules booked, their batch, and
		** what is left in them to denature in front of the witness. */
		if (rc == HAT_OK &&
		    json_array_append_new(list, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
							  "entry_id", (json_int_t)entry_id,
							  "lot_id", (json_int_t)p->lot_id,
							  "strength_ug", (json_int_t)p->strength_ug,
							  "ampoules", (json_int_t)p->count,
							  "given_ug", (json_int_t)given,
							  "wasted_ug", (json_int_t)(content - given),
							  "batch", batch)) != 0)
			rc = HAT_E_NOMEM;
	}
	if (rc != HAT_OK) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return HAT_OK;
}

enum hat_err register_take_for_dose(struct store_conn *c, struct cmd *cmd,
				    const struct register_choice *choice,
				    int64_t administration_id, int64_t patient_id,
				    int64_t prescriber_id, int64_t amount_ug, int32_t today,
				    json_t **out)
{
	return take_entries(c, cmd, choice, administration_id, patient_id, prescriber_id,
			    amount_ug, today, NULL, out);
}

enum hat_err register_take_for_supply(struct store_conn *c, struct cmd *cmd,
				      const struct register_choice *choice, int64_t patient_id,
				      int64_t prescriber_id, int64_t amount_ug, int32_t today,
				      const char *reason, json_t **out)
{
	return take_entries(c, cmd, choice, 0, patient_id, prescriber_id, amount_ug, today,
			    reason, out);
}

/* ---- Destruction, corrections, returns ------------------------------------ */

static const struct field destroy_fields[] = {
	{ "lot_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "quantity", FT_INT, true, 1, 100000, NULL, false },
	{ "reason", FT_STRING, true, 1, 500, NULL, false },
	{ "witness_authority", FT_STRING, true, 1, 200, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err run_destroy(struct store_conn *conn, struct cmd *c)
{
	struct reg_entry e;
	char wname[128], wrole[32];
	int64_t page_id = 0, available = 0, entry_id;
	int32_t expiry = 0;
	enum hat_err rc = lot_available(conn, fields_int(c->input, "lot_id", 0), &page_id,
					&available, &expiry);

	if (rc == HAT_E_NOT_FOUND || (rc == HAT_OK && page_id != c->target_id))
		return cmd_refuse(c, HAT_E_PAGE_MISMATCH, "lot_id", "That lot is not on this page.");
	if (rc != HAT_OK)
		return rc;
	if (fields_int(c->input, "quantity", 0) > available)
		return cmd_refuse(c, HAT_E_BALANCE_NEGATIVE, "quantity",
				  "There are fewer ampoules in that lot.");
	entry_init(&e, page_id, CDREG_KIND_DESTRUCTION, fields_int(c->input, "quantity", 0));
	e.lot_id = fields_int(c->input, "lot_id", 0);
	e.event_date = clock_local_date(c->now);
	e.reason = fields_str(c->input, "reason", "");
	e.witness_authority = fields_str(c->input, "witness_authority", "");
	rc = load_witness(conn, c, &e, wname, sizeof wname, wrole, sizeof wrole);
	if (rc == HAT_OK)
		rc = append(conn, c, &e, &entry_id);
	if (rc == HAT_OK)
		rc = answer_entry(conn, c, entry_id);
	return rc;
}

static const struct field correct_fields[] = {
	{ "corrects_entry_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "quantity", FT_INT, true, -100000, 100000, NULL, false },
	{ "reason", FT_STRING, true, 1, 500, NULL, false },
	{ "event_date", FT_DATE, false, 0, 0, NULL, false },
	{ "lot_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	FIELDS_END,
};

/* Writes a correction on page_id; shared by corrections and by closing a
** discrepancy. */
static enum hat_err write_correction(struct store_conn *conn, struct cmd *c, int64_t page_id,
				     int64_t corrects, int64_t qty, const char *reason,
				     int64_t *entry_id)
{
	struct reg_entry e;
	int64_t on_page, lot = 0;
	bool found;
	enum hat_err rc;

	if (qty == 0)
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "quantity", "A correction changes the balance.");
	rc = store_query_int(conn, "SELECT page_id FROM register_entries WHERE id = ?", &found,
			     &on_page, "i", corrects);
	if (rc != HAT_OK)
		return rc;
	if (!found || on_page != page_id)
		return cmd_refuse(c, HAT_E_CORRECTION_TARGET, "corrects_entry_id", NULL);
	/* The correction touches the lot it names, or else the corrected
	** entry's lot; a named lot must be on this page. */
	if (fields_has(c->input, "lot_id")) {
		lot = fields_int(c->input, "lot_id", 0);
		rc = store_query_int(conn, "SELECT page_id FROM stock_lots WHERE id = ?", &found,
				     &on_page, "i", lot);
		if (rc == HAT_OK && (!found || on_page != page_id))
			rc = cmd_refuse(c, HAT_E_PAGE_MISMATCH, "lot_id", "That lot is not on this page.");
	} else {
		rc = store_query_int(conn, "SELECT lot_id FROM register_entries WHERE id = ?", &found,
				     &lot, "i", corrects);
	}
	if (rc != HAT_OK)
		return rc;
	entry_init(&e, page_id, CDREG_KIND_CORRECTION, qty);
	e.lot_id = found ? lot : 0;
	e.event_date = fields_date(c->input, "event_date", clock_local_date(c->now));
	e.reason = reason;
	e.corrects_entry_id = corrects;
	return append(conn, c, &e, entry_id);
}

static enum hat_err run_correct(struct store_conn *conn, struct cmd *c)
{
	int64_t entry_id;
	enum hat_err rc = write_correction(conn, c, c->target_id,
					   fields_int(c->input, "corrects_entry_id", 0),
					   fields_int(c->input, "quantity", 0),
					   fields_str(c->input, "reason", ""), &entry_id);

	if (rc == HAT_OK)
		rc = answer_entry(conn, c, entry_id);
	return rc;
}

static const struct field returns_fields[] = {
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "patient_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	{ "description", FT_STRING, true, 1, 500, NULL, false },
	{ "quantity", FT_STRING, true, 1, 100, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err run_returns(struct store_conn *conn, struct cmd *c)
{
	struct reg_entry e;
	char wname[128], wrole[32];
	json_t *rows = NULL;
	int64_t id;
	enum hat_err rc = load_witness(conn, c, &e, wname, sizeof wname, wrole, sizeof wrole);

	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO returns_log (premises_id, patient_id, description, quantity,"
		       " received_by, witness_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "iIttiii", fields_int(c->input, "premises_id", 0),
		       fields_int(c->input, "patient_id", INT64_MIN),
		       fields_str(c->input, "description", ""), fields_str(c->input, "quantity", ""),
		       c->actor_id, c->witness_id, c->now);
	if (rc == HAT_E_CONFLICT)
		return cmd_refuse(c, HAT_E_NOT_FOUND, NULL, "No such premises or patient.");
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = store_query_json(conn, "SELECT id, premises_id, patient_id, description, quantity,"
				    " received_by, witness_id, at AS received_at FROM returns_log"
				    " WHERE id = ?", &rows, "i", id);
	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "returns_log", id, json_array_get(rows, 0));
	if (rc == HAT_OK)
		cmd_answer(c, 201, json_incref(json_array_get(rows, 0)));
	json_decref(rows);
	return rc;
}

/* ---- Stock checks and discrepancies --------------------------------------- */

static const struct field check_fields[] = {
	{ "counted", FT_INT, true, 0, 1000000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err page_balance(struct store_conn *conn, int64_t page_id, int64_t *balance)
{
	bool found;
	enum hat_err rc = store_query_int(conn, "SELECT balance_after FROM register_entries"
					      " WHERE page_id = ? ORDER BY seq DESC LIMIT 1",
					  &found, balance, "i", page_id);

	if (rc == HAT_OK && !found)
		*balance = 0;
	return rc;
}

static enum hat_err run_stock_check(struct store_conn *conn, struct cmd *c)
{
	struct reg_entry unused;
	char wname[128], wrole[32];
	int64_t expected, difference, check_id, case_id = 0, one;
	bool discrepancy, found;
	json_t *out;
	enum hat_err rc;

	rc = store_query_int(conn, "SELECT premises_id FROM register_pages WHERE id = ?", &found,
			     &one, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = cmd_at_premises(conn, c, one);
	if (rc == HAT_OK)
		rc = load_witness(conn, c, &unused, wname, sizeof wname, wrole, sizeof wrole);
	if (rc == HAT_OK)
		rc = page_balance(conn, c->target_id, &expected);
	if (rc == HAT_OK)
		rc = cdreg_stock_check(expected, fields_int(c->input, "counted", 0), &difference,
				       &discrepancy);
	if (rc == HAT_OK)
		rc = store_run(conn,
			       "INSERT INTO stock_checks (page_id, at, local_date, expected, counted,"
			       " difference, checked_by, second_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			       "iiiiiiii", c->target_id, c->now, (int64_t)clock_local_date(c->now), expected,
			       fields_int(c->input, "counted", 0), difference, c->actor_id,
			       c->witness_id);
	if (rc != HAT_OK)
		return rc;
	check_id = store_last_id(conn);
	if (discrepancy) {
		/* A count that differs is never "fixed" by editing the balance:
		** it opens a case that must be investigated and closed. */
		rc = store_run(conn, "INSERT INTO discrepancies (page_id, stock_check_id, difference,"
				     " opened_at) VALUES (?, ?, ?, ?)",
			       "iiii", c->target_id, check_id, difference, c->now);
		if (rc != HAT_OK)
			return rc;
		case_id = store_last_id(conn);
	}
	out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "stock_check_id", (json_int_t)check_id,
			"page_id", (json_int_t)c->target_id, "expected", (json_int_t)expected, "counted",
			(json_int_t)fields_int(c->input, "counted", 0), "difference",
			(json_int_t)difference, "second_checker_id", (json_int_t)c->witness_id,
			"discrepancy_id", (json_int_t)case_id);
	rc = cmd_audit(conn, c, "register_page", c->target_id, out);
	if (rc == HAT_OK)
		cmd_answer(c, 201, out);
	else
		json_decref(out);
	return rc;
}

static const char *const checklist_items[] = {
	"arithmetic", "recount", "other_pages", "charts_against_entries", "staff_on_duty", NULL,
};

static const struct field case_check_fields[] = {
	{ "item", FT_ENUM, true, 0, 0, checklist_items, false },
	{ "finding", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

static const struct field case_resolve_fields[] = {
	{ "corrects_entry_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "quantity", FT_INT, true, -100000, 100000, NULL, false },
	{ "reason", FT_STRING, true, 1, 500, NULL, false },
	{ "lot_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	FIELDS_END,
};

static const struct field case_escalate_fields[] = {
	{ "description", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

/* Loads an open case: its page and premises.  Refuses a closed one. */
static enum hat_err open_case(struct store_conn *conn, struct cmd *c, int64_t *page_id,
			      int64_t *premises_id)
{
	struct store_stmt *s;
	bool row = false;
	bool closed = false;
	enum hat_err rc = store_prepare(conn,
					"SELECT d.page_id, p.premises_id, EXISTS (SELECT 1 FROM"
					" discrepancy_events e WHERE e.discrepancy_id = d.id AND"
					" e.kind IN ('resolved', 'escalated')) FROM discrepancies d"
					" JOIN register_pages p ON p.id = d.page_id WHERE d.id = ?", &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*page_id = store_col_int(s, 0);
		*premises_id = store_col_int(s, 1);
		closed = store_col_int(s, 2) != 0;
	}
	store_done(s);
	if (rc == HAT_OK && !row)
		return HAT_E_NOT_FOUND;
	if (rc == HAT_OK && closed)
		return cmd_refuse(c, HAT_E_CONFLICT, NULL, "This discrepancy case is already closed.");
	return rc;
}

static enum hat_err case_event(struct store_conn *conn, struct cmd *c, const char *kind,
			       const char *item, const char *finding, int64_t entry_id,
			       int64_t incident_id)
{
	json_t *detail;
	enum hat_err rc = store_run(conn,
				    "INSERT INTO discrepancy_events (discrepancy_id, kind, item, finding,"
				    " entry_id, incident_id, at, by_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    "itttIIii", c->target_id, kind, item, finding,
				    entry_id ? entry_id : INT64_MIN,
				    incident_id ? incident_id : INT64_MIN, c->now, c->actor_id);

	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:s, s:s?, s:s, s:I, s:I}", "kind", kind, "item", item, "finding",
			   finding, "entry_id", (json_int_t)entry_id, "incident_id",
			   (json_int_t)incident_id);
	rc = cmd_audit(conn, c, "discrepancy", c->target_id, detail);
	if (rc == HAT_OK)
		cmd_answer(c, 201, detail);
	else
		json_decref(detail);
	return rc;
}

static enum hat_err run_case_check(struct store_conn *conn, struct cmd *c)
{
	int64_t page = 0, premises = 0;
	enum hat_err rc = open_case(conn, c, &page, &premises);

	if (rc != HAT_OK)
		return rc;
	return case_event(conn, c, "check", fields_str(c->input, "item", ""),
			  fields_str(c->input, "finding", ""), 0, 0);
}

static enum hat_err run_case_resolve(struct store_conn *conn, struct cmd *c)
{
	int64_t page = 0, premises = 0, entry_id = 0;
	enum hat_err rc = open_case(conn, c, &page, &premises);

	if (rc == HAT_OK)
		rc = write_correction(conn, c, page, fields_int(c->input, "corrects_entry_id", 0),
				      fields_int(c->input, "quantity", 0),
				      fields_str(c->input, "reason", ""), &entry_id);
	if (rc != HAT_OK)
		return rc;
	return case_event(conn, c, "resolved", NULL, fields_str(c->input, "reason", ""), entry_id, 0);
}

static enum hat_err insert_incident(struct store_conn *conn, struct cmd *c, int64_t premises,
				    const char *kind, int64_t occurred, const char *description,
				    const char *action, int64_t case_id, int64_t *id)
{
	enum hat_err rc = store_run(conn,
				    "INSERT INTO incidents (premises_id, kind, occurred_at, description,"
				    " action_taken, discrepancy_id, reported_by, at)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    "itittIii", premises, kind, occurred, description, action,
				    case_id ? case_id : INT64_MIN, c->actor_id, c->now);

	if (rc == HAT_OK)
		*id = store_last_id(conn);
	return rc;
}

static enum hat_err run_case_escalate(struct store_conn *conn, struct cmd *c)
{
	int64_t page = 0, premises = 0, incident = 0;
	enum hat_err rc = open_case(conn, c, &page, &premises);

	if (rc == HAT_OK)
		rc = insert_incident(conn, c, premises, "discrepancy", c->now,
				     fields_str(c->input, "description", ""),
				     "Escalated to the CDAO from a stock-check discrepancy.", c->target_id,
				     &incident);
	if (rc != HAT_OK)
		return rc;
	return case_event(conn, c, "escalated", NULL, fields_str(c->input, "description", ""), 0,
			  incident);
}

static const char *const incident_kinds[] = {
	"discrepancy", "loss", "theft", "wrong_dose", "concern", "other", NULL,
};

static const struct field incident_fields[] = {
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "kind", FT_ENUM, true, 0, 0, incident_kinds, false },
	{ "occurred_at", FT_TIME, false, 0, 0, NULL, false },
	{ "description", FT_STRING, true, 1, 4000, NULL, false },
	{ "action_taken", FT_STRING, false, 0, 4000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_incident(struct store_conn *conn, struct cmd *c)
{
	int64_t occurred = c->now, id, one;
	const char *when = fields_str(c->input, "occurred_at", NULL);
	bool found;
	json_t *rows = NULL;
	enum hat_err rc;

	if (when)
		clock_parse_rfc3339(when, &occurred);
	if (occurred > c->now)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "occurred_at", "It cannot have happened yet.");
	rc = store_query_int(conn, "SELECT 1 FROM premises WHERE id = ?", &found, &one, "i",
			     fields_int(c->input, "premises_id", 0));
	if (rc == HAT_OK && !found)
		rc = cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	if (rc == HAT_OK)
		rc = insert_incident(conn, c, fields_int(c->input, "premises_id", 0),
				     fields_str(c->input, "kind", ""), occurred,
				     fields_str(c->input, "description", ""),
				     fields_str(c->input, "action_taken", ""), 0, &id);
	if (rc == HAT_OK)
		rc = store_query_json(conn, "SELECT * FROM incidents WHERE id = ?", &rows, "i", id);
	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "incident", id, json_array_get(rows, 0));
	if (rc == HAT_OK)
		cmd_answer(c, 201, json_incref(json_array_get(rows, 0)));
	json_decref(rows);
	return rc;
}

const struct cmd_def register_supplier_create = {
	"supplier.create", supplier_fields, POLICY_RULE(SUPPLIER_CREATE), run_supplier_create, NULL,
};
const struct cmd_def register_receive = {
	"register.receive", receive_fields, POLICY_RULE(REGISTER_RECEIVE), run_receive, NULL,
};
const struct cmd_def register_destroy = {
	"register.destroy", destroy_fields, POLICY_RULE(REGISTER_DESTROY), run_destroy, NULL,
};
const struct cmd_def register_correct = {
	"register.correct", correct_fields, POLICY_RULE(REGISTER_CORRECT), run_correct, NULL,
};
const struct cmd_def register_stock_check = {
	"register.stock_check", check_fields, POLICY_RULE(REGISTER_STOCK_CHECK), run_stock_check, NULL,
};
const struct cmd_def register_discrepancy_check = {
	"register.discrepancy_check", case_check_fields, POLICY_RULE(DISCREPANCY_CHECK), run_case_check, NULL,
};
const struct cmd_def register_discrepancy_resolve = {
	"register.discrepancy_resolve", case_resolve_fields, POLICY_RULE(DISCREPANCY_RESOLVE), run_case_resolve, NULL,
};
const struct cmd_def register_discrepancy_escalate = {
	"register.discrepancy_escalate", case_escalate_fields, POLICY_RULE(DISCREPANCY_ESCALATE), run_case_escalate, NULL,
};
const struct cmd_def register_incident_create = {
	"incident.create", incident_fields, POLICY_RULE(INCIDENT_CREATE), run_incident, NULL,
};
const struct cmd_def register_returns_record = {
	"returns.record", returns_fields, POLICY_RULE(RETURNS_RECORD), run_returns, NULL,
};

/* ---- Reading the register ------------------------------------------------- */

static const char sql_pages[] =
	"SELECT p.id, p.drug, p.strength_ug, p.form, p.schedule,"
	" coalesce((SELECT balance_after FROM register_entries e WHERE e.page_id = p.id"
	"  ORDER BY seq DESC LIMIT 1), 0) AS balance,"
	" (SELECT max(local_date) FROM stock_checks s WHERE s.page_id = p.id) AS last_check_date,"
	" (SELECT count(*) FROM discrepancies d WHERE d.page_id = p.id AND NOT EXISTS"
	"  (SELECT 1 FROM discrepancy_events x WHERE x.discrepancy_id = d.id"
	"   AND x.kind IN ('resolved', 'escalated'))) AS open_discrepancies"
	" FROM register_pages p WHERE p.premises_id = ?1 AND (?2 = 0 OR p.id = ?2)"
	" ORDER BY p.drug, p.form, p.strength_ug";

enum hat_err register_lots(struct store_conn *c, int64_t page_id, int32_t today, json_t **out)
{
	return store_query_json(c,
				"SELECT l.id, l.batch, l.expiry_date, l.expiry_date < ?2 AS is_expired,"
				" coalesce((SELECT e.lot_after FROM register_entries e WHERE e.lot_id = l.id"
				"  ORDER BY e.id DESC LIMIT 1), 0) AS ampoules FROM stock_lots l"
				" WHERE l.page_id = ?1 ORDER BY l.expiry_date, l.id",
				out, "ii", page_id, (int64_t)today);
}

enum hat_err register_stock_checks(struct store_conn *c, int64_t page_id, json_t **out)
{
	return store_query_json(c,
				"SELECT s.id, s.at AS checked_at, s.local_date AS check_date, s.expected,"
				" s.counted, s.difference, a.display_name AS checked_by,"
				" b.display_name AS second_checker,"
				" (SELECT d.id FROM discrepancies d WHERE d.stock_check_id = s.id)"
				" AS discrepancy_id FROM stock_checks s JOIN users a ON a.id = s.checked_by"
				" JOIN users b ON b.id = s.second_by WHERE s.page_id = ? ORDER BY s.id DESC",
				out, "i", page_id);
}

/* Adds a page's heading (its class, drug, strength and form in words). */
static enum hat_err heading(json_t *page)
{
	struct cdreg_page_key key;
	char title[200];
	char strength[32];
	int64_t ug = json_integer_value(json_object_get(page, "strength_ug"));

	if (page_key(json_string_value(json_object_get(page, "drug")), ug,
		     json_string_value(json_object_get(page, "form")), &key) != HAT_OK) {
		/* Pages are only ever made with a known key: this one was not. */
		log_error("register: page %lld has an unknown drug, strength or form",
			  (long long)json_integer_value(json_object_get(page, "id")));
		return HAT_E_STORE;
	}
	if (ug % 1000 == 0)
		snprintf(strength, sizeof strength, "%lld mg", (long long)(ug / 1000));
	else
		snprintf(strength, sizeof strength, "%.3g mg", (double)ug / 1000.0);
	/* A liquid is kept in mL: its strength is per mL. */
	if (key.form == CDREG_FORM_ORAL_SOLUTION)
		str_copy(strength + strlen(strength), sizeof strength - strlen(strength), "/mL");
	snprintf(title, sizeof title, "Schedule %d controlled drug: %s %s %s", (int)key.schedule,
		 cdreg_drug_name(key.drug), strength, cdreg_form_name(key.form));
	if (json_object_set_new(page, "heading", json_string(title)) != 0 ||
	    json_object_set_new(page, "strength", json_string(strength)) != 0 ||
	    json_object_set_new(page, "unit", json_string(cdreg_form_unit(key.form))) != 0)
		return HAT_E_NOMEM;
	return HAT_OK;
}

enum hat_err register_pages(struct store_conn *c, int64_t premises_id, int32_t today,
			    json_t **out)
{
	struct clinic_settings settings;
	int64_t version;
	json_t *pages = NULL;
	size_t i;
	json_t *p;
	enum hat_err rc = store_query_json(c, sql_pages, &pages, "ii", premises_id, (int64_t)0);

	if (rc != HAT_OK)
		return rc;
	rc = clinic_settings_load(c, premises_id, &settings, &version);
	json_array_foreach(pages, i, p) {
		int32_t last = CDREG_NEVER;
		bool overdue = true;
		const char *d = json_string_value(json_object_get(p, "last_check_date"));

		if (rc != HAT_OK)
			break;
		if (d)
			clock_parse_date(d, &last);
		cdreg_stock_check_overdue(last, today, settings.stock_check_interval_days, &overdue);
		if (json_object_set_new(p, "stock_check_overdue", json_boolean(overdue)) != 0)
			rc = HAT_E_NOMEM;
		if (rc == HAT_OK)
			rc = heading(p);
	}
	if (rc != HAT_OK) {
		json_decref(pages);
		return rc;
	}
	*out = pages;
	return HAT_OK;
}

/* A page's entries of a date range, in seq order.  Bounded by the range's
** first and last seq (an index-only look-up): the page's entries walked in
** seq order from the first of the range, not every entry the page ever had
** filtered by date. */
#define PAGE_RANGE \
	" WHERE e.page_id = ?1 AND e.event_date BETWEEN ?2 AND ?3 AND e.seq > ?4" \
	" AND e.seq >= (SELECT min(seq) FROM register_entries" \
	"               WHERE page_id = ?1 AND event_date BETWEEN ?2 AND ?3)" \
	" AND e.seq <= (SELECT max(seq) FROM register_entries" \
	"               WHERE page_id = ?1 AND event_date BETWEEN ?2 AND ?3)" \
	" ORDER BY e.seq"

static const char sql_page_entries[] =
	"SELECT e.id, e.seq, e.kind, e.qty, e.balance_after, e.lot_id, l.batch, l.expiry_date,"
	" e.at AS entered_at, e.event_date, e.late AS is_late, e.supplier_name,"
	" e.supplier_address, e.invoice_ref, e.patient_id, e.patient_name, e.patient_address,"
	" e.prescriber_name, e.licence_number, e.administration_id, e.given_ug, e.wasted_ug,"
	" u.display_name AS made_by, e.witness_name, e.witness_role, e.witness_authority,"
	" e.reason, e.corrects_entry_id"
	" FROM register_entries e JOIN users u ON u.id = e.made_by"
	" LEFT JOIN stock_lots l ON l.id = e.lot_id"
	PAGE_RANGE;

/* The same rows for printing, in enum register_print_col's order: the
** maker and the lot as ids, which the printer looks up once each. */
static const char sql_print_entries[] =
	"SELECT e.seq, e.kind, e.qty, e.balance_after, e.lot_id, e.event_date, e.late,"
	" e.supplier_name, e.supplier_address, e.invoice_ref, e.patient_name,"
	" e.patient_address, e.prescriber_name, e.licence_number, e.given_ug, e.wasted_ug,"
	" e.made_by, e.witness_name, e.witness_authority, e.reason, e.corrects_entry_id"
	" FROM register_entries e"
	PAGE_RANGE;

enum hat_err register_view_pages(struct store_conn *c, int64_t premises_id, int64_t page_id,
				 json_t **pages, char head[AUDIT_HEAD_TEXT])
{
	size_t i;
	json_t *p;
	/* The chain head as the register is read: printed with it, so that a
	** later hatctl verify --since can show the record was not rewritten. */
	enum hat_err rc = audit_head_text(c, head);

	*pages = NULL;
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_pages, pages, "ii", premises_id, page_id);
	json_array_foreach(*pages, i, p) {
		if (rc != HAT_OK)
			break;
		rc = heading(p);
	}
	if (rc != HAT_OK) {
		json_decref(*pages);
		*pages = NULL;
	}
	return rc;
}

static enum hat_err range_entries(struct store_conn *c, const char *sql, int64_t page_id,
				  int32_t from, int32_t to, int64_t after_seq,
				  struct store_stmt **out)
{
	enum hat_err rc = store_prepare(c, sql, out);

	if (rc == HAT_OK)
		rc = store_bindf(*out, "iiii", page_id, (int64_t)from, (int64_t)to, after_seq);
	if (rc != HAT_OK)
		store_done(*out);
	return rc;
}

enum hat_err register_view_entries(struct store_conn *c, int64_t page_id, int32_t from,
				   int32_t to, int64_t after_seq, struct store_stmt **out)
{
	return range_entries(c, sql_page_entries, page_id, from, to, after_seq, out);
}

enum hat_err register_print_entries(struct store_conn *c, int64_t page_id, int32_t from,
				    int32_t to, struct store_stmt **out)
{
	return range_entries(c, sql_print_entries, page_id, from, to, 0, out);
}

/* One page's entries, at most limit of them, after after_seq. */
static enum hat_err page_entries(struct store_conn *c, json_t *page, int32_t from, int32_t to,
				 int64_t after_seq, int64_t limit)
{
	json_t *entries = json_array();
	struct store_stmt *st = NULL;
	int64_t last = 0, n = 0;
	bool row = false;
	enum hat_err rc = entries ? HAT_OK : HAT_E_NOMEM;

	if (rc == HAT_OK)
		rc = register_view_entries(c, json_integer_value(json_object_get(page, "id")), from,
					   to, after_seq, &st);
	while (rc == HAT_OK) {
		json_t *e = NULL;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		if (n == limit)
			break;
		rc = store_row_json(st, &e);
		if (rc == HAT_OK && json_array_append_new(entries, e) != 0)
			rc = HAT_E_NOMEM;
		last = store_col_int(st, 1);
		n++;
	}
	store_done(st);
	/* A full page says where the next one starts. */
	if (rc == HAT_OK && json_object_set_new(page, "next_after_seq",
						row ? json_integer(last) : json_null()) != 0)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK && json_object_set_new(page, "entries", entries) != 0)
		rc = HAT_E_NOMEM;
	else if (rc != HAT_OK)
		json_decref(entries);
	return rc;
}

enum hat_err register_view(struct store_conn *c, int64_t premises_id, int64_t page_id,
			   int32_t from, int32_t to, int64_t after_seq, int64_t limit, json_t **out)
{
	json_t *pages = NULL;
	size_t i;
	json_t *p;
	char a[11], b[11];
	char head[AUDIT_HEAD_TEXT];
	bool began = false;
	/* The pages, the head and the entries as of one moment. */
	enum hat_err rc = store_read_begin(c, &began);

	if (rc == HAT_OK)
		rc = register_view_pages(c, premises_id, page_id, &pages, head);
	json_array_foreach(pages, i, p) {
		if (rc != HAT_OK)
			break;
		rc = page_entries(c, p, from, to, after_seq, limit);
	}
	store_read_end(c, began);
	if (rc != HAT_OK) {
		json_decref(pages);
		return rc;
	}
	clock_format_date(from, a);
	clock_format_date(to, b);
	*out = json_pack("{s:I, s:s, s:s, s:s, s:o}", "premises_id", (json_int_t)premises_id,
			 "from", a, "to", b, "chain_head", head, "pages", pages);
	return *out ? HAT_OK : HAT_E_NOMEM;
}

/* ---- Verifying the register ------------------------------------------------ */

/* Each lot's contents after each of its entries, recomputed. */
static enum hat_err verify_lots(struct store_conn *c, bool *ok, char *finding, size_t n)
{
	static const char sql[] =
		"SELECT id, lot_id, kind, qty, lot_after FROM register_entries"
		" WHERE lot_id IS NOT NULL ORDER BY lot_id, id";
	struct store_stmt *s;
	int64_t lot = 0, held = 0;
	bool row;
	enum hat_err rc = store_prepare(c, sql, &s);

	while (rc == HAT_OK && *ok) {
		enum cdreg_kind kind;
		int64_t next;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		if (store_col_int(s, 1) != lot) {
			lot = store_col_int(s, 1);
			held = 0;
		}
		if (cdreg_kind_from_code(store_col_text(s, 2), &kind) != HAT_OK ||
		    cdreg_apply(held, kind == CDREG_KIND_OPENING ? CDREG_KIND_RECEIPT : kind,
				store_col_int(s, 3), &next) != HAT_OK ||
		    next != store_col_int(s, 4)) {
			snprintf(finding, n, "register entry %lld: lot %lld does not add up",
				 (long long)store_col_int(s, 0), (long long)lot);
			*ok = false;
			break;
		}
		held = next;
	}
	store_done(s);
	return rc;
}

/* open_lots is state the commands keep: exactly the lots whose newest entry
** leaves them holding stock, each with its own page and expiry. */
static enum hat_err verify_open_lots(struct store_conn *c, bool *ok, char *finding, size_t n)
{
	static const char sql[] =
		"SELECT l.id FROM stock_lots l LEFT JOIN open_lots o ON o.lot_id = l.id"
		" WHERE (coalesce((SELECT e.lot_after FROM register_entries e WHERE e.lot_id = l.id"
		"  ORDER BY e.id DESC LIMIT 1), 0) > 0) IS NOT (o.lot_id IS NOT NULL)"
		" OR o.page_id IS NOT l.page_id AND o.lot_id IS NOT NULL"
		" OR o.expiry_date IS NOT l.expiry_date AND o.lot_id IS NOT NULL"
		" UNION ALL SELECT o.lot_id FROM open_lots o"
		" WHERE NOT EXISTS (SELECT 1 FROM stock_lots l WHERE l.id = o.lot_id) LIMIT 1";
	int64_t lot;
	bool found;
	enum hat_err rc = store_query_int(c, sql, &found, &lot, "");

	if (rc == HAT_OK && found) {
		snprintf(finding, n, "stock lot %lld: the open lots do not match what its entries"
				     " leave in it", (long long)lot);
		*ok = false;
	}
	return rc;
}

enum hat_err register_verify(struct store_conn *c, bool *ok, char *finding, size_t n)
{
	static const char sql_entries[] =
		"SELECT e.id, e.page_id, e.seq, e.kind, e.qty, e.balance_after,"
		" coalesce(e.corrects_entry_id, 0), p.strength_ug, coalesce(e.given_ug, -1),"
		" coalesce(e.wasted_ug, -1)"
		" FROM register_entries e JOIN register_pages p ON p.id = e.page_id"
		" ORDER BY e.page_id, e.seq";
	static const char sql_orphans[] =
		"SELECT a.id FROM administrations a WHERE (a.kind = 'injection' OR a.id >"
		" coalesce((SELECT CAST(value AS INTEGER) FROM meta"
		"  WHERE key = 'oral_register_from_administration'), 0))"
		" AND NOT EXISTS"
		" (SELECT 1 FROM register_entries e WHERE e.administration_id = a.id) LIMIT 1";
	/* A dose's entries give exactly the amount it records, to its patient. */
	static const char sql_dose_sums[] =
		"SELECT a.id FROM administrations a JOIN register_entries e"
		" ON e.administration_id = a.id GROUP BY a.id"
		" HAVING sum(e.given_ug) IS NOT a.amount_ug"
		" OR min(e.patient_id) IS NOT a.patient_id OR max(e.patient_id) IS NOT a.patient_id"
		" ORDER BY a.id LIMIT 1";
	struct store_stmt *s;
	int64_t page = 0, seq = 0, balance = 0, orphan, content;
	bool row, found;
	enum hat_err rc = store_prepare(c, sql_entries, &s);

	*ok = true;
	while (rc == HAT_OK && *ok) {
		enum cdreg_kind kind;
		int64_t next;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		if (store_col_int(s, 1) != page) {
			page = store_col_int(s, 1);
			seq = 0;
			balance = 0;
		}
		if (store_col_int(s, 2) != seq + 1) {
			snprintf(finding, n, "register page %lld: entry %lld is out of sequence"
					     " (expected %lld)", (long long)page,
				 (long long)store_col_int(s, 0), (long long)seq + 1);
			*ok = false;
			break;
		}
		seq++;
		if (cdreg_kind_from_code(store_col_text(s, 3), &kind) != HAT_OK ||
		    cdreg_apply(balance, kind, store_col_int(s, 4), &next) != HAT_OK ||
		    next != store_col_int(s, 5)) {
			snprintf(finding, n, "register page %lld: entry %lld does not add up (balance"
					     " %lld before it, %lld recorded after)", (long long)page,
				 (long long)store_col_int(s, 0), (long long)balance,
				 (long long)store_col_int(s, 5));
			*ok = false;
			break;
		}
		balance = next;
		/* Rule 14: the opened ampoules' content is what was given plus
		** what was wasted. */
		if (kind == CDREG_KIND_ADMINISTRATION &&
		    (cdreg_content(store_col_int(s, 4), store_col_int(s, 7), &content) != HAT_OK ||
		     cdreg_waste(content, store_col_int(s, 8), store_col_int(s, 9)) != HAT_OK)) {
			snprintf(finding, n, "register page %lld: entry %lld: given and wasted do not"
					     " add up to the ampoules taken", (long long)page,
				 (long long)store_col_int(s, 0));
			*ok = false;
			break;
		}
	}
	store_done(s);
	if (rc != HAT_OK || !*ok)
		return rc;
	/* Each entry against the audit chain is checked with every other bound
	** row (audit/rows.c); here, what the entries must add up to. */
	rc = verify_lots(c, ok, finding, n);
	if (rc != HAT_OK || !*ok)
		return rc;
	rc = verify_open_lots(c, ok, finding, n);
	if (rc != HAT_OK || !*ok)
		return rc;
	rc = store_query_int(c, sql_orphans, &found, &orphan, "");
	if (rc == HAT_OK && found) {
		snprintf(finding, n, "administration %lld has no register entry", (long long)orphan);
		*ok = false;
		return rc;
	}
	if (rc == HAT_OK)
		rc = store_query_int(c, sql_dose_sums, &found, &orphan, "");
	if (rc == HAT_OK && found) {
		snprintf(finding, n, "administration %lld does not match its register entries"
				     " (amount or patient)", (long long)orphan);
		*ok = false;
	}
	if (rc == HAT_OK && *ok)
		rc = takehome_verify(c, ok, finding, n);
	return rc;
}
