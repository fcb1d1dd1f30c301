/*
** guest.c: see guest.h.
*/
#include "guest.h"

enum hat_err guest_check(int64_t home_premises, int64_t visit_premises, bool authorised)
{
	if (visit_premises == home_premises || authorised)
		return HAT_OK;
	return HAT_E_GUEST_NOT_AUTHORISED;
}

enum hat_err guest_check_days(int64_t home_premises, int64_t guest_premises,
			      const int32_t *days, size_t n, int32_t today, size_t *bad)
{
	if (!bad || (n && !days))
		return HAT_E_INTERNAL;
	if (n < 1 || n > GUEST_MAX_DAYS)
		return HAT_E_OUT_OF_RANGE;
	if (guest_premises == home_premises)
		return HAT_E_INVALID_VALUE;
	for (size_t i = 0; i < n; i++) {
		if (days[i] < today) {
			*bad = i;
			return HAT_E_DATE_ORDER;
		}
		for (size_t j = 0; j < i; j++) {
			if (days[j] == days[i]) {
				*bad = i;
				return HAT_E_CONFLICT;
			}
		}
	}
	return HAT_OK;
}
