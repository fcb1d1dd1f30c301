/*
** screens.h: reading a drug screen right for a heroin-assisted-treatment
** patient, and the share of screens free of street heroin.
**
** Every urine from a diamorphine patient is positive for morphine and, for
** a while after a dose, 6-MAM: neither can show street-heroin use.  Street
** heroin shows only through the opium impurities the clinic lists as
** markers (papaverine and noscapine metabolites, acetylcodeine) or through
** the person's own report.  Which analytes are markers, and which a
** prescription explains, are the clinic's reference data; this module
** applies them.  Pure functions: no I/O, no clock, no allocation.
*/
#ifndef HAT_CORE_SCREENS_H
#define HAT_CORE_SCREENS_H

#include <stdbool.h>
#include <stdint.h>

/* What a prescription can explain, as bits. */
enum screens_drug {
	SCREENS_DIAMORPHINE   = 1 << 0,
	SCREENS_HYDROMORPHONE = 1 << 1,
	SCREENS_METHADONE     = 1 << 2,
	SCREENS_SROM          = 1 << 3,
};

enum screens_result {
	SCREENS_NEGATIVE,
	SCREENS_POSITIVE,
	SCREENS_INVALID,
	SCREENS_NOT_TESTED,
};

/* One analyte's result and what the clinic's list says of it. */
struct screens_finding {
	enum screens_result result;
	bool street_marker;     /* an opium impurity: positive means street heroin */
	bool heroin_metabolite; /* 6-MAM: street heroin unless diamorphine explains it */
	unsigned expected_with; /* screens_drug bits that explain a positive */
};

enum screens_self_report {
	SCREENS_SELF_UNKNOWN,
	SCREENS_SELF_NO,
	SCREENS_SELF_YES,
};

enum screens_heroin {
	SCREENS_NO_EVIDENCE, /* a marker was tested and negative, none positive */
	SCREENS_EVIDENCE,    /* a marker positive, or the person said so */
	SCREENS_UNDETERMINED,/* nothing that could show street heroin was tested */
};

/* True when the prescription's drugs (screens_drug bits) explain a
** positive for an analyte expected with expected_with. */
bool screens_expected(unsigned expected_with, unsigned prescribed);

/*
** Street heroin or not, from the findings, what the person is prescribed
** (screens_drug bits) and their own report.  A positive that the
** prescription explains never counts; morphine alone never counts (it is
** also a medicine).
*/
enum screens_heroin screens_street_heroin(const struct screens_finding *f, int32_t n,
					  unsigned prescribed, enum screens_self_report self);

/* "no evidence of street heroin", "evidence of street heroin",
** "cannot tell: no street-heroin marker tested". */
const char *screens_heroin_words(enum screens_heroin h);

/*
** The share of screens in a window free of street heroin, in tenths of a
** percent rounded half up (7 of 13 is 538), and whether it meets
** threshold_pct (compared exactly: 7 of 14 meets 50).  A screen that could
** not tell counts in the window but not as free: a missing answer is never
** read as good news.  With no screens, *tenths is 0 and it does not meet.
*/
bool screens_negative_share(int32_t negatives, int32_t total, int32_t threshold_pct,
			    int32_t *tenths);

#endif
