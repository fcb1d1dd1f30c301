/*
** register.h: the controlled-drug register.
**
** Pages are keyed by (premises, drug, strength, form) and created by their
** first receipt.  Every entry is appended in order on its page with the
** balance after it, computed by core/cdreg from the entries, never typed.
**
** Commands:
**   supplier.create     pharmacist: name, address
**   register.receive    pharmacist with a witness (cmd.witness_id):
**       supplier_id, drug, strength_mg, form, quantity, batch, expiry_date,
**       invoice_ref, received_date
**   register.destroy    pharmacist with a witness (target = page): lot_id,
**       quantity, reason, witness_authority
**   register.correct    pharmacist (target = page): corrects_entry_id,
**       quantity (signed), reason, lot_id (default: the corrected entry's)
**   register.stock_check  pharmacist or nurse with a second person (target =
**       page): counted.  A difference opens a discrepancy case.
**   register.discrepancy_check     (target = case): item, finding
**   register.discrepancy_resolve   (target = case): quantity, reason: a
**       correcting entry closes the case
**   register.discrepancy_escalate  (target = case): description: an
**       incident for the CDAO closes the case
**   incident.create     any staff: kind, description, occurred_at, action_taken
**   returns.record      nurse or pharmacist with a witness: patient_id,
**       description, quantity (never into stock)
** The dose's own register entries are made by register_take_for_dose,
** inside the dose's transaction.
*/
#ifndef HAT_CMD_REGISTER_H
#define HAT_CMD_REGISTER_H

#include "audit/audit.h"
#include "cmd/cmd.h"
#include "core/cdreg.h"
#include "core/dosing.h"

extern const struct cmd_def register_supplier_create;
extern const struct cmd_def register_receive;
extern const struct cmd_def register_destroy;
extern const struct cmd_def register_correct;
extern const struct cmd_def register_stock_check;
extern const struct cmd_def register_discrepancy_check;
extern const struct cmd_def register_discrepancy_resolve;
extern const struct cmd_def register_discrepancy_escalate;
extern const struct cmd_def register_incident_create;
extern const struct cmd_def register_returns_record;

/* Roles that may witness a register entry. */
#define REGISTER_WITNESS_ROLES (policy_rules[POLICY_WITNESS_REGISTER].roles)

/* Chooses the ampoules for a dose (least waste, then earliest expiry; never
** expired stock) without writing, from every usable lot however many there
** are.  HAT_E_NO_STOCK when stock cannot cover it, HAT_E_NOMEM.  On success
** the caller owns out's arrays and frees them with register_choice_free. */
struct register_choice {
	struct cdreg_pick *picks;
	int64_t *page_ids;
	size_t n;
	int64_t waste_ug;
};
enum hat_err register_choose_for_dose(struct store_conn *c, int64_t premises_id,
				      enum dosing_drug drug, int64_t amount_ug, int32_t today,
				      struct register_choice *out);
/* Frees a choice's arrays; safe on a zeroed or already freed choice. */
void register_choice_free(struct register_choice *choice);

/* Writes the dose's administration entries: one per lot taken, with the
** patient, the prescriber and licence, mg given and wasted, and the witness.
** Returns a JSON array describing them (new reference) in *out. */
enum hat_err register_take_for_dose(struct store_conn *c, struct cmd *cmd,
				    const struct register_choice *choice,
				    int64_t administration_id, int64_t patient_id,
				    int64_t prescriber_id, int64_t amount_ug, int32_t today,
				    json_t **out);

/* The same for a supply the patient takes away (a take-home supply): the
** entries name no administration, give their whole content (the caller
** chose whole ampoules) and carry reason (borrowed). */
enum hat_err register_take_for_supply(struct store_conn *c, struct cmd *cmd,
				      const struct register_choice *choice, int64_t patient_id,
				      int64_t prescriber_id, int64_t amount_ug, int32_t today,
				      const char *reason, json_t **out);

/* The register as an inspector reads it: each page of premises_id with its
** heading, its entries between two local dates (inclusive) after seq
** after_seq, at most limit of them a page, and the running balance (new
** reference).  A page cut short by limit says so with next_after_seq (the
** after_seq that reads on), otherwise null.  page_id 0 means every page. */
enum hat_err register_view(struct store_conn *c, int64_t premises_id, int64_t page_id,
			   int32_t from, int32_t to, int64_t after_seq, int64_t limit, json_t **out);

/* The pieces of register_view for a reader that goes entry by entry: the
** pages with their headings (new reference in *pages) and the chain head as
** read; and a statement over one page's entries of a date range in seq
** order (rows as store_row_json makes them; owned by the connection:
** store_done it).  The statement reads only the entries between the first
** and the last seq of the range, so a year costs the same in a clinic's
** tenth year as in its first. */
enum hat_err register_view_pages(struct store_conn *c, int64_t premises_id, int64_t page_id,
				 json_t **pages, char head[AUDIT_HEAD_TEXT]);
enum hat_err register_view_entries(struct store_conn *c, int64_t page_id, int32_t from,
				   int32_t to, int64_t after_seq, struct store_stmt **out);

/* The same entries for the printed register: columns in this order, the
** maker (made_by) and the lot (lot_id) as ids. */
enum register_print_col {
	REGISTER_COL_SEQ, REGISTER_COL_KIND, REGISTER_COL_QTY, REGISTER_COL_BALANCE_AFTER,
	REGISTER_COL_LOT_ID, REGISTER_COL_EVENT_DATE, REGISTER_COL_LATE,
	REGISTER_COL_SUPPLIER_NAME, REGISTER_COL_SUPPLIER_ADDRESS, REGISTER_COL_INVOICE_REF,
	REGISTER_COL_PATIENT_NAME, REGISTER_COL_PATIENT_ADDRESS, REGISTER_COL_PRESCRIBER_NAME,
	REGISTER_COL_LICENCE_NUMBER, REGISTER_COL_GIVEN_UG, REGISTER_COL_WASTED_UG,
	REGISTER_COL_MADE_BY, REGISTER_COL_WITNESS_NAME, REGISTER_COL_WITNESS_AUTHORITY,
	REGISTER_COL_REASON, REGISTER_COL_CORRECTS_ENTRY_ID,
};
enum hat_err register_print_entries(struct store_conn *c, int64_t page_id, int32_t from,
				    int32_t to, struct store_stmt **out);

/* Pages with their balance and whether a stock check is overdue. */
enum hat_err register_pages(struct store_conn *c, int64_t premises_id, int32_t today,
			    json_t **out);

/* A page's lots with what each holds now and whether it has expired, and
** the page's stock checks, every one, newest first (new references). */
enum hat_err register_lots(struct store_conn *c, int64_t page_id, int32_t today, json_t **out);
enum hat_err register_stock_checks(struct store_conn *c, int64_t page_id, json_t **out);

/* Writes the register (as register_view selects it, every entry) to fd as
** a printable HTML page or as CSV, reading and writing one entry at a time
** (constant memory).  HAT_E_IO when fd refuses the bytes. */
enum register_format { REGISTER_CSV, REGISTER_HTML };
enum hat_err register_print(struct store_conn *c, int64_t premises_id, int64_t page_id,
			    int32_t from, int32_t to, enum register_format fmt, const char *clinic,
			    int fd);

/* Re-derives every page's balance from its entries, checks each
** administration entry's given + wasted against its ampoules, and that every
** injection has register entries giving exactly its amount to its patient.
** *ok false names the first problem in finding (a static-size buffer). */
enum hat_err register_verify(struct store_conn *c, bool *ok, char *finding, size_t n);

#endif
