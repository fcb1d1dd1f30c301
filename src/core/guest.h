/*
** guest.h: guest dosing at another premises of the same provider, the rules.
**
** The home clinic authorises a person to be dosed at another of the
** provider's premises on given days.  The guest premises then doses under
** the home prescription; the daily caps and session rules count every dose
** of the day wherever it was given (the dosing rules read the person's
** whole history), and the guest premises' own register records what it
** gives.  Pure functions; dates are clinic-local day numbers.
*/
#ifndef HAT_CORE_GUEST_H
#define HAT_CORE_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The most days one authorisation may name. */
#define GUEST_MAX_DAYS 28

/*
** Whether a dose may be given at visit_premises for a person whose home is
** home_premises: at home always; elsewhere only on a day the home clinic
** authorised (authorised).  Returns HAT_OK or HAT_E_GUEST_NOT_AUTHORISED.
*/
enum hat_err guest_check(int64_t home_premises, int64_t visit_premises, bool authorised);

/*
** Checks an authorisation's days before it is recorded: 1..GUEST_MAX_DAYS
** days, none before today, none twice, and a premises other than home.
** days: borrowed, n entries.  *bad: index of the day at fault (when one is).
** Errors: HAT_E_OUT_OF_RANGE (n), HAT_E_INVALID_VALUE (the home premises),
** HAT_E_DATE_ORDER (a day before today), HAT_E_CONFLICT (a day twice);
** HAT_E_INTERNAL for NULLs.
*/
enum hat_err guest_check_days(int64_t home_premises, int64_t guest_premises,
			      const int32_t *days, size_t n, int32_t today, size_t *bad);

#endif
