/*
** test_duties.c: the separation-of-duties rule for roles and licences,
** at its edges on both sides.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/duties.h"

/* Role bits as the policy uses them; the rule only sees masks. */
enum { PRESCRIBER = 1, NURSE = 2, PHARMACIST = 4, KEYWORKER = 8, MANAGER = 16, CDAO = 32,
       AUDITOR = 64, ADMIN = 128 };
#define CONFIRMED (PRESCRIBER | NURSE | PHARMACIST | CDAO | MANAGER)
#define CONFIRMING (MANAGER | CDAO)

static struct duties_grant grant(int64_t actor, int64_t target, unsigned before, unsigned after)
{
	struct duties_grant g = { 0 };

	g.actor_id = actor;
	g.target_id = target;
	g.roles_before = before;
	g.roles_after = after;
	g.confirmed_roles = CONFIRMED;
	g.confirming_roles = CONFIRMING;
	return g;
}

static void confirm(struct duties_grant *g, int64_t who, unsigned roles, bool active)
{
	g->confirmer_id = who;
	g->confirmer_roles = roles;
	g->confirmer_active = active;
}

static void self_grants_refused(void **state)
{
	struct duties_grant g = grant(1, 1, ADMIN, ADMIN | PRESCRIBER);

	(void)state;
	assert_int_equal(duties_check_grant(&g), HAT_E_SELF_GRANT);
	/* Even with a confirmer, and even for a role that needs none. */
	confirm(&g, 2, MANAGER, true);
	assert_int_equal(duties_check_grant(&g), HAT_E_SELF_GRANT);
	g = grant(1, 1, ADMIN, ADMIN | KEYWORKER);
	assert_int_equal(duties_check_grant(&g), HAT_E_SELF_GRANT);
	g = grant(1, 1, PRESCRIBER, PRESCRIBER);
	g.licence = true;
	confirm(&g, 2, CDAO, true);
	assert_int_equal(duties_check_grant(&g), HAT_E_SELF_GRANT);
}

static void self_changes_that_add_nothing_pass(void **state)
{
	/* Dropping a role, or keeping the same ones, adds nothing. */
	struct duties_grant g = grant(1, 1, ADMIN | NURSE, ADMIN);

	(void)state;
	assert_int_equal(duties_check_grant(&g), HAT_OK);
	g = grant(1, 1, ADMIN, ADMIN);
	assert_int_equal(duties_check_grant(&g), HAT_OK);
}

static void clinical_roles_need_a_confirmer(void **state)
{
	unsigned each[] = { PRESCRIBER, NURSE, PHARMACIST, CDAO, MANAGER };

	(void)state;
	for (size_t i = 0; i < sizeof each / sizeof each[0]; i++) {
		struct duties_grant g = grant(1, 5, KEYWORKER, KEYWORKER | each[i]);

		assert_true(duties_needs_confirmer(&g));
		assert_int_equal(duties_check_grant(&g), HAT_E_CONFIRMATION_REQUIRED);
		confirm(&g, 3, MANAGER, true);
		assert_int_equal(duties_check_grant(&g), HAT_OK);
	}
}

static void other_roles_need_none(void **state)
{
	unsigned each[] = { KEYWORKER, AUDITOR, ADMIN };

	(void)state;
	for (size_t i = 0; i < sizeof each / sizeof each[0]; i++) {
		struct duties_grant g = grant(1, 0, 0, each[i]);

		assert_false(duties_needs_confirmer(&g));
		assert_int_equal(duties_check_grant(&g), HAT_OK);
	}
	/* Keeping a clinical role while adding a keyworker's adds nothing clinical. */
	struct duties_grant g = grant(1, 5, NURSE, NURSE | KEYWORKER);

	assert_int_equal(duties_check_grant(&g), HAT_OK);
}

static void a_licence_needs_a_confirmer(void **state)
{
	struct duties_grant g = grant(1, 5, PRESCRIBER, PRESCRIBER);

	(void)state;
	g.licence = true;
	assert_int_equal(duties_check_grant(&g), HAT_E_CONFIRMATION_REQUIRED);
	confirm(&g, 3, CDAO, true);
	assert_int_equal(duties_check_grant(&g), HAT_OK);
}

static void the_confirmer_is_a_third_person_in_role(void **state)
{
	struct duties_grant g = grant(1, 5, 0, NURSE);

	(void)state;
	confirm(&g, 1, MANAGER, true); /* the actor */
	assert_int_equal(duties_check_grant(&g), HAT_E_CONFIRMER_INVALID);
	confirm(&g, 5, MANAGER, true); /* the person concerned */
	assert_int_equal(duties_check_grant(&g), HAT_E_CONFIRMER_INVALID);
	confirm(&g, 3, NURSE | PRESCRIBER | AUDITOR | ADMIN, true); /* no confirming role */
	assert_int_equal(duties_check_grant(&g), HAT_E_CONFIRMER_INVALID);
	confirm(&g, 3, MANAGER, false); /* disabled */
	assert_int_equal(duties_check_grant(&g), HAT_E_CONFIRMER_INVALID);
	confirm(&g, 3, CDAO | NURSE, true);
	assert_int_equal(duties_check_grant(&g), HAT_OK);
}

static void the_operator_is_outside_the_rule(void **state)
{
	struct duties_grant g = grant(0, 5, 0, PRESCRIBER);

	(void)state;
	g.licence = true;
	assert_int_equal(duties_check_grant(&g), HAT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(self_grants_refused),
		cmocka_unit_test(self_changes_that_add_nothing_pass),
		cmocka_unit_test(clinical_roles_need_a_confirmer),
		cmocka_unit_test(other_roles_need_none),
		cmocka_unit_test(a_licence_needs_a_confirmer),
		cmocka_unit_test(the_confirmer_is_a_third_person_in_role),
		cmocka_unit_test(the_operator_is_outside_the_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
