/*
** test_premroles.c: roles held at one premises or at every premises, and
** the decision of an act at a premises, at its edges on both sides.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/premroles.h"

/* Role bits as the policy uses them; the rule only sees masks. */
enum { PRESCRIBER = 1, NURSE = 2, PHARMACIST = 4, KEYWORKER = 8, MANAGER = 16, CDAO = 32 };

static const int64_t three[] = { 1, 2, 3 };

static void a_role_at_one_premises_holds_there_only(void **state)
{
	const struct premroles_grant g[] = { { 1, NURSE } };

	(void)state;
	assert_int_equal(premroles_at(0, g, 1, 1), NURSE);
	assert_int_equal(premroles_at(0, g, 1, 2), 0);
	assert_int_equal(premroles_check(premroles_at(0, g, 1, 1), premroles_anywhere(0, g, 1), NURSE),
			 HAT_OK);
	/* Held elsewhere: refused as not here, not as a missing role. */
	assert_int_equal(premroles_check(premroles_at(0, g, 1, 2), premroles_anywhere(0, g, 1), NURSE),
			 HAT_E_NOT_AT_PREMISES);
	/* A role that is not the one needed, held here: refused outright. */
	assert_int_equal(premroles_check(premroles_at(0, g, 1, 1), premroles_anywhere(0, g, 1),
					 PRESCRIBER), HAT_E_FORBIDDEN);
}

static void a_global_role_holds_everywhere(void **state)
{
	(void)state;
	assert_int_equal(premroles_at(NURSE, NULL, 0, 1), NURSE);
	assert_int_equal(premroles_at(NURSE, NULL, 0, 99), NURSE);
	assert_int_equal(premroles_everywhere(NURSE, NULL, 0, three, 3), NURSE);
	assert_int_equal(premroles_check(NURSE, NURSE, NURSE | PRESCRIBER), HAT_OK);
	assert_int_equal(premroles_check(0, 0, NURSE), HAT_E_FORBIDDEN);
}

static void grants_and_global_roles_add_up(void **state)
{
	const struct premroles_grant g[] = { { 1, NURSE }, { 2, PRESCRIBER }, { 1, CDAO } };

	(void)state;
	assert_int_equal(premroles_at(KEYWORKER, g, 3, 1), KEYWORKER | NURSE | CDAO);
	assert_int_equal(premroles_at(KEYWORKER, g, 3, 2), KEYWORKER | PRESCRIBER);
	assert_int_equal(premroles_at(KEYWORKER, g, 3, 3), KEYWORKER);
	assert_int_equal(premroles_anywhere(KEYWORKER, g, 3),
			 KEYWORKER | NURSE | PRESCRIBER | CDAO);
}

static void every_premises_means_each_one(void **state)
{
	/* Nurse at 1 and 2 of three premises: one short of every one. */
	const struct premroles_grant two[] = { { 1, NURSE }, { 2, NURSE } };
	const struct premroles_grant all[] = { { 1, NURSE }, { 2, NURSE }, { 3, NURSE | MANAGER } };

	(void)state;
	assert_int_equal(premroles_everywhere(0, two, 2, three, 3), 0);
	assert_int_equal(premroles_check(premroles_everywhere(0, two, 2, three, 3),
					 premroles_anywhere(0, two, 2), NURSE),
			 HAT_E_NOT_AT_PREMISES);
	/* At each of the three: held everywhere; the manager's at one only is not. */
	assert_int_equal(premroles_everywhere(0, all, 3, three, 3), NURSE);
	assert_int_equal(premroles_check(premroles_everywhere(0, all, 3, three, 3),
					 premroles_anywhere(0, all, 3), MANAGER),
			 HAT_E_NOT_AT_PREMISES);
	/* A global role makes up for the premises it is not granted at. */
	assert_int_equal(premroles_everywhere(MANAGER, two, 2, three, 3), MANAGER);
	/* No premises: the global roles only. */
	assert_int_equal(premroles_everywhere(MANAGER, two, 2, NULL, 0), MANAGER);
}

static void a_grant_at_an_unlisted_premises_adds_nothing(void **state)
{
	const struct premroles_grant g[] = { { 7, NURSE } };

	(void)state;
	assert_int_equal(premroles_everywhere(0, g, 1, three, 3), 0);
	assert_int_equal(premroles_at(0, g, 1, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_role_at_one_premises_holds_there_only),
		cmocka_unit_test(a_global_role_holds_everywhere),
		cmocka_unit_test(grants_and_global_roles_add_up),
		cmocka_unit_test(every_premises_means_each_one),
		cmocka_unit_test(a_grant_at_an_unlisted_premises_adds_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
