/*
** screens.c: see screens.h.
*/
#include "screens.h"

bool screens_expected(unsigned expected_with, unsigned prescribed)
{
	return (expected_with & prescribed) != 0;
}

enum screens_heroin screens_street_heroin(const struct screens_finding *f, int32_t n,
					  unsigned prescribed, enum screens_self_report self)
{
	bool tested = false;

	if (self == SCREENS_SELF_YES)
		return SCREENS_EVIDENCE;
	for (int32_t i = 0; i < n; i++) {
		bool telling = f[i].street_marker ||
			       (f[i].heroin_metabolite &&
				!screens_expected(f[i].expected_with, prescribed));

		if (!telling)
			continue;
		if (f[i].result == SCREENS_POSITIVE)
			return SCREENS_EVIDENCE;
		if (f[i].result == SCREENS_NEGATIVE)
			tested = true;
	}
	return tested ? SCREENS_NO_EVIDENCE : SCREENS_UNDETERMINED;
}

const char *screens_heroin_words(enum screens_heroin h)
{
	switch (h) {
	case SCREENS_NO_EVIDENCE:
		return "no evidence of street heroin";
	case SCREENS_EVIDENCE:
		return "evidence of street heroin";
	default:
		return "cannot tell: no street-heroin marker tested";
	}
}

bool screens_negative_share(int32_t negatives, int32_t total, int32_t threshold_pct,
			    int32_t *tenths)
{
	if (total <= 0 || negatives < 0 || negatives > total) {
		*tenths = 0;
		return false;
	}
	*tenths = (int32_t)(((int64_t)negatives * 2000 + total) / (2 * (int64_t)total));
	return (int64_t)negatives * 100 >= (int64_t)threshold_pct * total;
}
