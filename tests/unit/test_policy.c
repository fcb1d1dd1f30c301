/*
** test_policy.c: the access policy: every route names a row, actions are
** unique, docs/roles.md is the table as it stands, and the separations of
** duties the clinic relies on hold in it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/policy.h"

static void every_route_names_a_row(void **state)
{
	(void)state;
	assert_true(api_route_count > 50);
	for (size_t i = 0; i < api_route_count; i++) {
		if (!api_routes[i].policy)
			fail_msg("route %s has no policy row", api_routes[i].pattern);
	}
}

static void actions_are_unique_and_found(void **state)
{
	(void)state;
	for (size_t i = 0; i < POLICY_COUNT; i++) {
		assert_ptr_equal(policy_find(policy_rules[i].action), &policy_rules[i]);
		for (size_t j = i + 1; j < POLICY_COUNT; j++)
			assert_string_not_equal(policy_rules[i].action, policy_rules[j].action);
	}
	assert_null(policy_find("no.such.action"));
}

static void a_missing_row_allows_no_one(void **state)
{
	(void)state;
	assert_false(policy_allows(NULL, ROLE_ANY));
	assert_false(policy_allows(NULL, 0));
	assert_false(policy_is_open(NULL));
	/* A logged-in row lets nobody in without a role. */
	assert_false(policy_allows(POLICY_RULE(SESSION), 0));
	assert_true(policy_allows(POLICY_RULE(PUBLIC), 0));
}

static bool any_clinical_row_allows(unsigned role)
{
	static const enum policy_id clinical[] = {
		POLICY_PATIENT_READ, POLICY_PATIENT_CREATE, POLICY_PATIENT_UPDATE,
		POLICY_EPISODE_OPEN, POLICY_EPISODE_UPDATE, POLICY_RX_SIGN, POLICY_RX_STOP,
		POLICY_VISIT_ADMINISTER, POLICY_VISIT_ASSESS, POLICY_REVIEW,
	};

	for (size_t i = 0; i < sizeof clinical / sizeof clinical[0]; i++) {
		if (policy_allows(&policy_rules[clinical[i]], role))
			return true;
	}
	return false;
}

static void the_separations_hold(void **state)
{
	(void)state;
	/* Admin manages accounts and sees no clinical data, nor the register. */
	assert_false(any_clinical_row_allows(ROLE_ADMIN));
	assert_false(policy_allows(POLICY_RULE(REGISTER_READ), ROLE_ADMIN));
	assert_false(policy_allows(POLICY_RULE(AUDIT_READ), ROLE_ADMIN));
	assert_true(policy_allows(POLICY_RULE(USER_CREATE), ROLE_ADMIN));
	assert_false(policy_allows(POLICY_RULE(USER_CONFIRM_GRANT), ROLE_ADMIN));
	/* The register roles keep to the register. */
	assert_false(any_clinical_row_allows(ROLE_PHARMACIST));
	assert_false(any_clinical_row_allows(ROLE_CDAO));
	assert_true(policy_allows(POLICY_RULE(REGISTER_DESTROY), ROLE_PHARMACIST));
	/* The auditor reads the logs and changes nothing. */
	assert_true(policy_allows(POLICY_RULE(AUDIT_READ), ROLE_AUDITOR));
	assert_true(policy_allows(POLICY_RULE(ACCESS_LOG_READ), ROLE_AUDITOR));
	assert_false(policy_allows(POLICY_RULE(ACCESS_LOG_READ), ROLE_CDAO));
	assert_false(any_clinical_row_allows(ROLE_AUDITOR));
	for (size_t i = 0; i < api_route_count; i++) {
		const struct http_route *r = &api_routes[i];

		if (r->method != HTTP_GET && !policy_is_open(r->policy) &&
		    r->policy != POLICY_RULE(SESSION) && r->policy != POLICY_RULE(USER_PASSWORD) &&
		    policy_allows(r->policy, ROLE_AUDITOR))
			fail_msg("the auditor may change %s", r->pattern);
	}
	/* Only a prescriber signs. */
	assert_int_equal(policy_rules[POLICY_RX_SIGN].roles, ROLE_PRESCRIBER);
	/* Confirmers are managers and CDAOs; the roles they confirm include theirs. */
	assert_int_equal(policy_rules[POLICY_USER_CONFIRM_GRANT].roles, ROLE_MANAGER | ROLE_CDAO);
	assert_int_equal(POLICY_CONFIRMED_ROLES & (ROLE_MANAGER | ROLE_CDAO), ROLE_MANAGER | ROLE_CDAO);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static void the_docs_matrix_is_the_table(void **state)
{
	char *doc = read_file(HAT_SOURCE_DIR "/docs/roles.md");
	const char *begin, *end;
	struct buf b;

	(void)state;
	assert_non_null(doc);
	begin = strstr(doc, "<!-- policy:begin");
	end = strstr(doc, "<!-- policy:end -->");
	assert_non_null(begin);
	assert_non_null(end);
	begin = strchr(begin, '\n') + 1;
	buf_init(&b, (size_t)1 << 20);
	assert_int_equal(policy_matrix_markdown(&b), HAT_OK);
	if ((size_t)(end - begin) != b.len || memcmp(begin, b.data, b.len) != 0)
		fail_msg("docs/roles.md differs from the policy: regenerate it with `hatctl policy`");
	buf_free(&b);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_names_a_row),
		cmocka_unit_test(actions_are_unique_and_found),
		cmocka_unit_test(a_missing_row_allows_no_one),
		cmocka_unit_test(the_separations_hold),
		cmocka_unit_test(the_docs_matrix_is_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
