/*
** instruments.h (cmd): outcome instruments held as data, their licences
** and their switches.
**
** An instrument's definition is JSON in the instruments table (one row per
** version); instruments_parse turns it into core's struct for checking and
** scoring, so adding an instrument or an item needs no code and no schema
** change.  The definition's fields:
**   code, version, title, scoring ("none" | "sum" | "sum_table"),
**   licence_required, copyright, recall_days, stages (true: the TOP's
**   Start / Review / Exit / Post-treatment exit), table {first, values},
**   items [{key, label, type ("days" | "scale" | "yesno" | "amount" |
**   "text"), min, max (amounts in whole units), required, weeks, scored,
**   better ("lower" | "higher" | "none"), domain, code, section}]
**
** Commands (manager):
**   instrument.define   definition: a new instrument, or a new version of
**                       one (its version must be the next number); checked
**                       by core before it is stored.
**   instrument.licence  code, holder, reference, registered_on, expires_on
**   instrument.switch   code, enabled: switching on an instrument whose
**                       definition says licence_required needs a licence
**                       on record that has not expired
** Refusals: instrument_definition_invalid, unknown_instrument,
** instrument_licence_required, conflict (a version that is not the next).
*/
#ifndef HAT_CMD_INSTRUMENTS_H
#define HAT_CMD_INSTRUMENTS_H

#include "cmd/cmd.h"
#include "core/outcomes.h"

extern const struct cmd_def instruments_define;
extern const struct cmd_def instruments_licence;
extern const struct cmd_def instruments_switch;

/* Reads a definition into *out.  HAT_E_INSTRUMENT_INVALID with *bad (may
** be NULL) naming the offending key; def is borrowed. */
enum hat_err instruments_parse(json_t *def, struct outcomes_instrument *out, const char **bad);

/* Loads an instrument: by row id when id > 0, else by code and version
** (0: the newest).  *row_id gets the row's id and *def (when not NULL) a new
** reference to the definition.  HAT_E_UNKNOWN_INSTRUMENT when there is none. */
enum hat_err instruments_load(struct store_conn *c, int64_t id, const char *code,
			      int64_t version, struct outcomes_instrument *out,
			      int64_t *row_id, json_t **def);

/* Whether code is switched on, and whether it holds a licence current on
** today (a local day number). */
enum hat_err instruments_enabled(struct store_conn *c, const char *code, bool *on);
enum hat_err instruments_licensed(struct store_conn *c, const char *code, int32_t today,
				  bool *licensed);

/* Every instrument's newest version with its definition, whether it is on,
** and its licence (new reference). */
enum hat_err instruments_list(struct store_conn *c, int32_t today, json_t **out);

#endif
