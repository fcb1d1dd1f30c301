/*
** dosing_names.c: stable names of drugs, routes and sites, and the facts
** that follow from them (injectable or oral, lower limb, the clinic's
** ceiling for a drug).  See dosing.h.
*/
#include <string.h>

#include "core/dosing.h"
#include "util/names.h"


/* ---- Names -------------------------------------------------------------- */

static const char *const drug_names[] = {
	[DOSING_DRUG_DIAMORPHINE] = "diamorphine",
	[DOSING_DRUG_HYDROMORPHONE] = "hydromorphone",
	[DOSING_DRUG_METHADONE_ORAL] = "methadone_oral",
	[DOSING_DRUG_SROM] = "srom",
};

static const char *const site_names[] = {
	[DOSING_SITE_ARM_LEFT] = "arm_left",
	[DOSING_SITE_ARM_RIGHT] = "arm_right",
	[DOSING_SITE_FOREARM_LEFT] = "forearm_left",
	[DOSING_SITE_FOREARM_RIGHT] = "forearm_right",
	[DOSING_SITE_HAND_LEFT] = "hand_left",
	[DOSING_SITE_HAND_RIGHT] = "hand_right",
	[DOSING_SITE_DELTOID_LEFT] = "deltoid_left",
	[DOSING_SITE_DELTOID_RIGHT] = "deltoid_right",
	[DOSING_SITE_ABDOMEN] = "abdomen",
	[DOSING_SITE_GROIN_LEFT] = "groin_left",
	[DOSING_SITE_GROIN_RIGHT] = "groin_right",
	[DOSING_SITE_THIGH_LEFT] = "thigh_left",
	[DOSING_SITE_THIGH_RIGHT] = "thigh_right",
	[DOSING_SITE_BUTTOCK_LEFT] = "buttock_left",
	[DOSING_SITE_BUTTOCK_RIGHT] = "buttock_right",
	[DOSING_SITE_LEG_LEFT] = "leg_left",
	[DOSING_SITE_LEG_RIGHT] = "leg_right",
	[DOSING_SITE_FOOT_LEFT] = "foot_left",
	[DOSING_SITE_FOOT_RIGHT] = "foot_right",
};

struct route_name {
	enum dosing_route route;
	const char *name;
};

static const struct route_name route_names[] = {
	{ DOSING_ROUTE_IV, "iv" },
	{ DOSING_ROUTE_IM, "im" },
	{ DOSING_ROUTE_SC, "sc" },
};

const char *dosing_drug_name(enum dosing_drug d)
{
	if ((size_t)d >= COUNT_OF(drug_names))
		return NULL;
	return drug_names[d];
}

const char *dosing_site_name(enum dosing_site s)
{
	if ((size_t)s >= COUNT_OF(site_names))
		return NULL;
	return site_names[s];
}

const char *dosing_route_name(enum dosing_route r)
{
	for (size_t i = 0; i < COUNT_OF(route_names); i++) {
		if (route_names[i].route == r)
			return route_names[i].name;
	}
	return NULL;
}

enum hat_err dosing_drug_parse(const char *name, enum dosing_drug *out)
{
	size_t i = names_find(drug_names, COUNT_OF(drug_names), name);

	if (i == 0)
		return HAT_E_INVALID_VALUE;
	*out = (enum dosing_drug)i;
	return HAT_OK;
}

enum hat_err dosing_site_parse(const char *name, enum dosing_site *out)
{
	size_t i = names_find(site_names, COUNT_OF(site_names), name);

	if (i == 0)
		return HAT_E_INVALID_VALUE;
	*out = (enum dosing_site)i;
	return HAT_OK;
}

enum hat_err dosing_route_parse(const char *name, enum dosing_route *out)
{
	if (!name)
		return HAT_E_INVALID_VALUE;
	for (size_t i = 0; i < COUNT_OF(route_names); i++) {
		if (strcmp(route_names[i].name, name) == 0) {
			*out = route_names[i].route;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

bool dosing_drug_is_injectable(enum dosing_drug d)
{
	return d == DOSING_DRUG_DIAMORPHINE || d == DOSING_DRUG_HYDROMORPHONE;
}

bool dosing_drug_is_oral(enum dosing_drug d)
{
	return d == DOSING_DRUG_METHADONE_ORAL || d == DOSING_DRUG_SROM;
}

bool dosing_site_is_lower_limb(enum dosing_site s)
{
	switch (s) {
	case DOSING_SITE_GROIN_LEFT:
	case DOSING_SITE_GROIN_RIGHT:
	case DOSING_SITE_THIGH_LEFT:
	case DOSING_SITE_THIGH_RIGHT:
	case DOSING_SITE_BUTTOCK_LEFT:
	case DOSING_SITE_BUTTOCK_RIGHT:
	case DOSING_SITE_LEG_LEFT:
	case DOSING_SITE_LEG_RIGHT:
	case DOSING_SITE_FOOT_LEFT:
	case DOSING_SITE_FOOT_RIGHT:
		return true;
	default:
		return false;
	}
}

int64_t dosing_ceiling_ug(const struct clinic_settings *s, enum dosing_drug d)
{
	switch (d) {
	case DOSING_DRUG_DIAMORPHINE:
		return s->ceiling_diamorphine_ug;
	case DOSING_DRUG_HYDROMORPHONE:
		return s->ceiling_hydromorphone_ug;
	case DOSING_DRUG_METHADONE_ORAL:
		return s->ceiling_methadone_oral_ug;
	case DOSING_DRUG_SROM:
		return s->ceiling_srom_ug;
	case DOSING_DRUG_NONE:
		break;
	}
	return 0;
}

