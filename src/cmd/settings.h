/*
** settings.h (cmd): the clinical settings of each premises, versioned.
**
** Command settings.set (manager): the whole settings object for a premises
** (target = premises id); it is checked by core's settings_validate and
** stored as a new version, the old one kept.  Premises with no stored
** version use core's defaults.
*/
#ifndef HAT_CMD_SETTINGS_H
#define HAT_CMD_SETTINGS_H

#include "cmd/cmd.h"
#include "core/settings.h"

extern const struct cmd_def clinic_settings_set;

/* Loads the settings in force for premises_id (defaults when none stored).
** *version is 0 for the defaults. */
enum hat_err clinic_settings_load(struct store_conn *c, int64_t premises_id,
				  struct clinic_settings *out, int64_t *version);

/* The settings as JSON (new reference), e.g. for GET. */
json_t *clinic_settings_json(const struct clinic_settings *s, int64_t version);

/* Reads settings from JSON over a copy of base (fields absent keep base's
** values).  HAT_E_WRONG_TYPE / HAT_E_OUT_OF_RANGE / HAT_E_UNKNOWN_FIELD with
** *field naming the field. */
enum hat_err clinic_settings_from_json(json_t *j, const struct clinic_settings *base,
				       struct clinic_settings *out, const char **field);

/* Writes a minute of the day as "HH:MM". */
void clinic_settings_hhmm(int32_t minute, char out[6]);

#endif
