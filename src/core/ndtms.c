/*
** ndtms.c: see ndtms.h.
*/
#include <stdio.h>
#include <string.h>

#include "ndtms.h"
#include "util/clock.h"

static bool blank(const char *s)
{
	return !s || !*s;
}

const char *ndtms_missing(const struct ndtms_episode *e)
{
	if (blank(e->given_name))
		return "FINITIAL";
	if (blank(e->family_name))
		return "SINITIAL";
	if (e->birth_date == NDTMS_NONE)
		return "DOB";
	if (blank(e->sex) || strcmp(e->sex, "unknown") == 0)
		return "SEX";
	if (e->consent != 'Y' && e->consent != 'N')
		return "CONSENT";
	if (blank(e->local_authority))
		return "LA";
	if (blank(e->postcode))
		return "PC";
	if (blank(e->referral_source))
		return "RFLS";
	if (e->referral_date == NDTMS_NONE)
		return "REFLD";
	if (e->triage_date == NDTMS_NONE)
		return "TRIAGED";
	if (e->care_plan_date == NDTMS_NONE)
		return "CPLANDT";
	if (e->modalities < 1)
		return "MODAL";
	if (e->discharged && e->discharge_date == NDTMS_NONE)
		return "DISD";
	if (e->discharged && blank(e->discharge_reason))
		return "DISRSN";
	return NULL;
}

bool ndtms_identifiable(const struct ndtms_episode *e)
{
	return e->consent == 'Y';
}

static char initial(const char *s)
{
	char c = s && *s ? *s : '?';

	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

void ndtms_attributor(const char *given, const char *family, int32_t birth_date, const char *sex,
		      char out[NDTMS_ATTRIBUTOR_SIZE])
{
	int y, m, d;
	char s = 'U';

	clock_civil_from_days(birth_date, &y, &m, &d);
	if (sex && strcmp(sex, "male") == 0)
		s = 'M';
	else if (sex && strcmp(sex, "female") == 0)
		s = 'F';
	else if (sex && strcmp(sex, "other") == 0)
		s = 'O';
	/* Digit by digit: the widths are fixed, so nothing can be cut short. */
	int v[3] = { y < 0 ? 0 : y % 10000, m, d }, w[3] = { 4, 2, 2 }, at = 2;

	out[0] = initial(given);
	out[1] = initial(family);
	for (int i = 0; i < 3; i++) {
		for (int k = w[i] - 1; k >= 0; k--) {
			out[at + k] = (char)('0' + v[i] % 10);
			v[i] /= 10;
		}
		at += w[i];
	}
	out[10] = s;
	out[11] = '\0';
}

bool ndtms_successful(const char *reason)
{
	return reason && strncmp(reason, "completed", 9) == 0;
}

bool ndtms_represented(int32_t discharge_date, int32_t next_presented, int32_t window_days)
{
	if (discharge_date == NDTMS_NONE || next_presented == NDTMS_NONE)
		return false;
	return next_presented > discharge_date && next_presented - discharge_date <= window_days;
}

enum hat_err ndtms_modality_check(int32_t referral, int32_t start, int32_t end, int32_t today)
{
	if (start < referral || start > today)
		return HAT_E_DATE_ORDER;
	if (end != NDTMS_NONE && (end < start || end > today))
		return HAT_E_DATE_ORDER;
	return HAT_OK;
}

bool ndtms_list_closed(const char *list)
{
	return strcmp(list, "SEX") == 0 || strcmp(list, "DISRSN") == 0;
}

const char *ndtms_code_for(const struct ndtms_code *codes, size_t n, const char *list,
			   const char *value)
{
	if (blank(value))
		return "";
	for (size_t i = 0; i < n; i++) {
		if (strcmp(codes[i].list, list) == 0 && strcmp(codes[i].local, value) == 0 &&
		    !blank(codes[i].code))
			return codes[i].code;
	}
	return ndtms_list_closed(list) ? NULL : value;
}

void ndtms_top_cell(const struct outcomes_item *const *items,
		    const struct outcomes_answer *const *answers, size_t n,
		    char out[NDTMS_CELL_SIZE])
{
	bool yes = false, no = false, na = false;

	out[0] = 0;
	if (n == 0)
		return;
	if (items[0]->type == OUTCOMES_YESNO) {
		for (size_t i = 0; i < n; i++) {
			yes |= answers[i]->kind == OUTCOMES_VALUE && answers[i]->value == 1;
			no |= answers[i]->kind == OUTCOMES_VALUE && answers[i]->value == 0;
			na |= answers[i]->kind == OUTCOMES_NA;
		}
		snprintf(out, NDTMS_CELL_SIZE, "%s", yes ? "Y" : na ? "NA" : no ? "N" : "");
		return;
	}
	if (answers[0]->kind == OUTCOMES_NA)
		snprintf(out, NDTMS_CELL_SIZE, "NA");
	else if (answers[0]->kind == OUTCOMES_VALUE && items[0]->type == OUTCOMES_AMOUNT)
		snprintf(out, NDTMS_CELL_SIZE, "%lld.%02lld", (long long)(answers[0]->value / 100),
			 (long long)(answers[0]->value % 100));
	else if (answers[0]->kind == OUTCOMES_VALUE)
		snprintf(out, NDTMS_CELL_SIZE, "%lld", (long long)answers[0]->value);
}
