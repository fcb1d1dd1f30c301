/*
** ndtms.h: what the national drug-treatment return needs of an episode,
** and the two measures it is judged by: a successful completion and a
** re-presentation within six months.
**
** Pure functions: no I/O, no clock.  Dates are day numbers; NDTMS_NONE is
** a date not recorded.  The field names returned are the data set's codes
** (as far as they are known: see the outcomes reference).
*/
#ifndef HAT_CORE_NDTMS_H
#define HAT_CORE_NDTMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/outcomes.h"
#include "util/err.h"

#define NDTMS_NONE INT32_MIN
/* Two initials, a YYYYMMDD date of birth and one letter of sex, with NUL. */
#define NDTMS_ATTRIBUTOR_SIZE 12

struct ndtms_episode {
	const char *given_name, *family_name;
	int32_t birth_date;
	const char *sex;             /* female | male | other | unknown */
	char consent;                /* 'Y', 'N', or 0 when never asked */
	const char *local_authority; /* NULL or "" when not recorded */
	const char *postcode;
	const char *referral_source;
	int32_t referral_date, triage_date, care_plan_date;
	bool discharged;
	int32_t discharge_date;
	const char *discharge_reason;
	int32_t modalities;          /* current modalities recorded */
};

/* The data-set code of the first mandatory field missing (FINITIAL,
** SINITIAL, DOB, SEX, CONSENT, LA, PC, RFLS, REFLD, TRIAGED, CPLANDT, and
** MODAL (at least one modality), and for a discharged episode DISD and
** DISRSN), or NULL when the row is complete.  A sex of "unknown" counts as missing. */
const char *ndtms_missing(const struct ndtms_episode *e);

/* May this episode go into the identifiable return?  Only with consent Y. */
bool ndtms_identifiable(const struct ndtms_episode *e);

/* Initials, date of birth and sex as one string ("DW19790314M"). */
void ndtms_attributor(const char *given, const char *family, int32_t birth_date, const char *sex,
		      char out[NDTMS_ATTRIBUTOR_SIZE]);

/* A discharge reason that is a treatment completion (the codes that begin
** "completed"). */
bool ndtms_successful(const char *reason);

/* A new presentation (triage, or referral when no triage is recorded)
** after the discharge and within window_days of it (the day itself
** counts: 182 days later is within 182). */
bool ndtms_represented(int32_t discharge_date, int32_t next_presented, int32_t window_days);

/* A modality from start to end (NDTMS_NONE: still running) in an episode
** referred on referral: HAT_E_DATE_ORDER when it starts before the
** referral or after today, or ends before it starts or after today. */
enum hat_err ndtms_modality_check(int32_t referral, int32_t start, int32_t end, int32_t today);

/* ---- TOP returns ---- */

#define NDTMS_CELL_SIZE 48

/*
** The return's value for one TOP code, from the answers of the n items
** that carry it (the TOP folds several yes/no items into one code: report
** "Y" if any is yes).  Yes/no: "Y" if any is yes, else "NA" if any was not
** answered, else "N" if any is no, else "" (not recorded).  Otherwise the
** first item's value ("NA" not answered, "" not recorded); amounts are in
** hundredths and written as decimals.
*/
void ndtms_top_cell(const struct outcomes_item *const *items,
		    const struct outcomes_answer *const *answers, size_t n,
		    char out[NDTMS_CELL_SIZE]);

/* ---- Code lists ---- */

/* One mapping of a code list: list is SEX, DISRSN, RFLS, MODAL, MODEXIT or
** TRSTAGE. */
struct ndtms_code {
	const char *list;
	const char *local;
	const char *code;
};

/* Does the list hold hat's own words (SEX, DISRSN), which always need a
** code, rather than values typed as the data set's codes? */
bool ndtms_list_closed(const char *list);

/*
** The data-set code for value in list, given the current mappings: the
** mapping's code; with no mapping (or an empty code), the value itself in
** an open list and NULL in a closed one (the row's validation error names
** the field).  An empty value is "" in every list: a missing field is
** ndtms_missing's to name.
*/
const char *ndtms_code_for(const struct ndtms_code *codes, size_t n, const char *list,
			   const char *value);

#endif
