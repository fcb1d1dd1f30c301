/*
** progress.h: a person's progress in every domain, for the keyworker's
** pictures, the printable review summary and the person's own view.
**
** Built from the current outcome forms (each read under the instrument
** version it was recorded with), the drug screens, the goals and the
** attendance; nothing is stored.  Each TOP item with a better direction is
** a series of points in date order: a value, or a gap ("not answered", or
** an item the form's version did not have: never a zero), with a gap
** flagged before a point that came later than a review was due.  Each
** series says its change since the Start TOP (or the first form) and its
** direction in words, through core's rules.  There is no "recovered" flag:
** a person retained in treatment and improved in any domain is
** "progressing".
*/
#ifndef HAT_CMD_PROGRESS_H
#define HAT_CMD_PROGRESS_H

#include "cmd/cmd.h"

/* The progress of patient_id as of now (new reference).  plain: labels in
** plain words for the person themselves, and no clinical codes.
** HAT_E_NOT_FOUND for no such patient. */
enum hat_err progress_build(struct store_conn *c, int64_t patient_id, int64_t now, bool plain,
			    json_t **out);

#endif
