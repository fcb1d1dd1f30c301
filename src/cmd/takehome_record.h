/*
** takehome_record.h: what the take-home commands share (internal to
** src/cmd/takehome*.c).  The record is read here; core/takehome decides.
*/
#ifndef HAT_CMD_TAKEHOME_RECORD_H
#define HAT_CMD_TAKEHOME_RECORD_H

#include "cmd/cmd.h"
#include "cmd/visits.h"
#include "core/takehome.h"

#define TAKEHOME_MAX_SCREENS 8

/* Everything the rules need about one person now. */
struct takehome_record {
	struct visits_facts v;
	struct takehome_setting setting;
	int64_t setting_version;
	struct takehome_facts t;
	struct takehome_screen screens[TAKEHOME_MAX_SCREENS];
	int32_t today;
};

/* Loads *f for patient_id at now.  HAT_E_NOT_FOUND for no such patient. */
enum hat_err takehome_record_load(struct store_conn *c, int64_t patient_id, int64_t now,
				  struct takehome_record *f);

/* Only the privilege (f->v.patient_id set by the caller). */
enum hat_err takehome_record_privilege(struct store_conn *c, struct takehome_record *f);

/* Calls fn for each supply of the patient (first day, days, days returned
** unused), oldest first. */
enum hat_err takehome_each_supply(struct store_conn *c, int64_t patient_id,
				  void (*fn)(void *arg, int32_t first, int32_t days, int32_t unused),
				  void *arg);

/* Each criterion with what the record says (new reference). */
json_t *takehome_verdict_json(const struct takehome_record *f, const struct takehome_verdict *v);

/* Refuses c with the first criterion not met, in words. */
enum hat_err takehome_refuse_verdict(struct cmd *c, const struct takehome_record *f,
				     const struct takehome_verdict *v);

#endif
