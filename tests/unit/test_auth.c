/*
** test_auth.c: password hashing, tokens, the login gate and role names.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "util/err.h"

static int init_once(void **state)
{
	(void)state;
	return auth_init() == HAT_OK ? 0 : -1;
}

static void password_of(char *out, size_t n, char fill)
{
	memset(out, fill, n);
	out[n] = '\0';
}

static void hash_and_verify(void **state)
{
	char hash[AUTH_HASH_MAX];
	char hash2[AUTH_HASH_MAX];

	(void)state;
	memset(hash, 0, sizeof hash);
	assert_int_equal(auth_password_hash("correct horse battery", hash), HAT_OK);
	assert_memory_equal(hash, "$argon2id$", 10);
	assert_true(auth_password_verify(hash, "correct horse battery"));
	assert_false(auth_password_verify(hash, "correct horse batterY"));
	assert_false(auth_password_verify(hash, "correct horse batter"));
	assert_false(auth_password_verify(hash, ""));
	assert_false(auth_password_verify("", "correct horse battery"));
	assert_false(auth_password_verify(NULL, "correct horse battery"));
	assert_false(auth_password_verify(hash, NULL));
	/* Salted: the same password hashes differently each time. */
	assert_int_equal(auth_password_hash("correct horse battery", hash2), HAT_OK);
	assert_string_not_equal(hash, hash2);
	assert_true(auth_password_verify(hash2, "correct horse battery"));
	/* The password is not in the hash. */
	assert_null(strstr(hash, "correct"));
	auth_password_burn("whatever it is");
}

static void password_length_edges(void **state)
{
	char pw[AUTH_PASSWORD_MAX + 2];
	char hash[AUTH_HASH_MAX];

	(void)state;
	password_of(pw, AUTH_PASSWORD_MIN - 1, 'a'); /* 9 */
	assert_int_equal(strlen(pw), 9);
	assert_int_equal(auth_password_hash(pw, hash), HAT_E_WEAK_PASSWORD);

	password_of(pw, AUTH_PASSWORD_MIN, 'b'); /* 10 */
	assert_int_equal(strlen(pw), 10);
	assert_int_equal(auth_password_hash(pw, hash), HAT_OK);
	assert_true(auth_password_verify(hash, pw));

	password_of(pw, AUTH_PASSWORD_MAX, 'c'); /* 128 */
	assert_int_equal(strlen(pw), 128);
	assert_int_equal(auth_password_hash(pw, hash), HAT_OK);
	assert_true(auth_password_verify(hash, pw));
	/* One more character is a different password, and too long to check. */
	password_of(pw, AUTH_PASSWORD_MAX + 1, 'c'); /* 129 */
	assert_false(auth_password_verify(hash, pw));
	assert_int_equal(auth_password_hash(pw, hash), HAT_E_WEAK_PASSWORD);

	assert_int_equal(auth_password_hash("", hash), HAT_E_WEAK_PASSWORD);
	assert_int_equal(auth_password_hash(NULL, hash), HAT_E_WEAK_PASSWORD);
}

static bool url_safe(const char *s)
{
	for (; *s; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	}
	return true;
}

#define NTOKENS 64

static void tokens(void **state)
{
	static char tok[NTOKENS][AUTH_TOKEN_CHARS];
	unsigned char hash[NTOKENS][AUTH_TOKEN_HASH_BYTES];
	unsigned char check[AUTH_TOKEN_HASH_BYTES];

	(void)state;
	for (int i = 0; i < NTOKENS; i++) {
		memset(tok[i], 'x', AUTH_TOKEN_CHARS);
		auth_token_new(tok[i], hash[i]);
		assert_int_equal(strlen(tok[i]), 43);
		assert_true(url_safe(tok[i]));
		auth_token_hash(tok[i], check);
		assert_memory_equal(check, hash[i], AUTH_TOKEN_HASH_BYTES);
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(tok[i], tok[j]);
			assert_memory_not_equal(hash[i], hash[j], AUTH_TOKEN_HASH_BYTES);
		}
	}
	/* The hash depends on every character. */
	tok[0][42] = tok[0][42] == 'A' ? 'B' : 'A';
	auth_token_hash(tok[0], check);
	assert_memory_not_equal(check, hash[0], AUTH_TOKEN_HASH_BYTES);
}

static void policy_defaults(void **state)
{
	struct auth_policy p;

	(void)state;
	memset(&p, 0, sizeof p);
	auth_policy_default(&p);
	assert_int_equal(p.idle_s, 30 * 60);
	assert_int_equal(p.absolute_s, 12 * 3600);
	assert_int_equal(p.throttle_after, 3);
	assert_int_equal(p.throttle_base_s, 5);
	assert_int_equal(p.lock_after, 5);
	assert_int_equal(p.lock_s, 15 * 60);
}

static void login_gate_throttle(void **state)
{
	struct auth_policy p;
	const int64_t last = 1795509000;

	(void)state;
	auth_policy_default(&p);
	/* Below the threshold: never held up. */
	for (int failed = 0; failed < p.throttle_after; failed++)
		assert_int_equal(auth_login_gate(failed, last, 0, last, &p), HAT_OK);

	/* At the threshold: wait throttle_base_s (5 s) after the last failure. */
	assert_int_equal(auth_login_gate(3, last, 0, last, &p), HAT_E_LOGIN_THROTTLED);
	assert_int_equal(auth_login_gate(3, last, 0, last + 4, &p), HAT_E_LOGIN_THROTTLED);
	assert_int_equal(auth_login_gate(3, last, 0, last + 5, &p), HAT_OK);
	assert_int_equal(auth_login_gate(3, last, 0, last + 6, &p), HAT_OK);

	/* One more failure doubles it (10 s). */
	assert_int_equal(auth_login_gate(4, last, 0, last + 9, &p), HAT_E_LOGIN_THROTTLED);
	assert_int_equal(auth_login_gate(4, last, 0, last + 10, &p), HAT_OK);

	/* With a later lock, the doubling goes on: 5, 10, 20, 40 ... */
	p.lock_after = 10;
	for (int failed = 3; failed < 10; failed++) {
		int64_t wait = (int64_t)5 << (failed - 3);

		assert_int_equal(auth_login_gate(failed, last, 0, last + wait - 1, &p),
				 HAT_E_LOGIN_THROTTLED);
		assert_int_equal(auth_login_gate(failed, last, 0, last + wait, &p), HAT_OK);
	}
}

static void login_gate_many_failures_do_not_overflow(void **state)
{
	struct auth_policy p;
	const int64_t last = 1795509000;

	(void)state;
	auth_policy_default(&p);
	p.throttle_after = 1;
	p.lock_after = 100;
	/* The wait is capped, not shifted past the width of the type. */
	assert_int_equal(auth_login_gate(99, last, 0, last + 86400, &p), HAT_E_LOGIN_THROTTLED);
	assert_int_equal(auth_login_gate(99, last, 0, last + ((int64_t)1 << 40), &p), HAT_OK);
}

static void login_gate_lock(void **state)
{
	struct auth_policy p;
	const int64_t now = 1795509000;

	(void)state;
	auth_policy_default(&p);
	assert_int_equal(auth_login_gate(0, 0, now + 1, now, &p), HAT_E_ACCOUNT_LOCKED);
	assert_int_equal(auth_login_gate(5, now - 10, now + p.lock_s, now, &p), HAT_E_ACCOUNT_LOCKED);
	/* A lock outranks a throttle. */
	assert_int_equal(auth_login_gate(3, now, now + 60, now, &p), HAT_E_ACCOUNT_LOCKED);
	/* A lock ends at its time. */
	assert_int_equal(auth_login_gate(0, 0, now, now, &p), HAT_OK);
	assert_int_equal(auth_login_gate(0, 0, now - 1, now, &p), HAT_OK);
}

static void address_gate_edges(void **state)
{
	struct auth_policy p;
	const int64_t now = 1795509000;

	(void)state;
	auth_policy_default(&p);
	p.address_limit = 20;
	p.total_limit = 300;
	p.window_s = 900;
	/* One under each limit passes; at the limit it is refused. */
	assert_int_equal(auth_address_gate(19, now, 299, now, now, &p), HAT_OK);
	assert_int_equal(auth_address_gate(20, now, 0, now, now, &p), HAT_E_LOGIN_THROTTLED);
	assert_int_equal(auth_address_gate(0, now, 300, now, now, &p), HAT_E_LOGIN_THROTTLED);
	/* Counts from a window that has ended are void. */
	assert_int_equal(auth_address_gate(20, now - 899, 0, now, now, &p), HAT_E_LOGIN_THROTTLED);
	assert_int_equal(auth_address_gate(20, now - 900, 0, now, now, &p), HAT_OK);
	assert_int_equal(auth_address_gate(0, now, 300, now - 900, now, &p), HAT_OK);
	assert_int_equal(auth_address_gate(0, now, 300, now - 899, now, &p), HAT_E_LOGIN_THROTTLED);
	/* Nothing recorded yet. */
	assert_int_equal(auth_address_gate(0, 0, 0, 0, now, &p), HAT_OK);
}

static void role_names(void **state)
{
	static const char *const names[] = {
		"prescriber", "nurse", "pharmacist", "keyworker",
		"manager", "cdao", "auditor", "admin",
	};
	unsigned seen = 0;
	json_t *all;

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		unsigned bit = 1u << i;
		const char *name = auth_role_name(bit);

		assert_non_null(name);
		assert_string_equal(name, names[i]);
		assert_int_equal(auth_role_parse(name), bit);
		assert_false(seen & bit);
		seen |= bit;
	}
	assert_int_equal(seen, ROLE_ANY);
	assert_int_equal(auth_role_parse("nurse"), ROLE_NURSE);
	assert_int_equal(auth_role_parse("admin"), ROLE_ADMIN);
	assert_int_equal(auth_role_parse("Nurse"), 0);
	assert_int_equal(auth_role_parse("nurse "), 0);
	assert_int_equal(auth_role_parse(""), 0);
	assert_int_equal(auth_role_parse("doctor"), 0);
	assert_null(auth_role_name(0));
	assert_null(auth_role_name(ROLE_NURSE | ROLE_ADMIN));
	assert_null(auth_role_name(1u << 8));

	all = auth_roles_json(ROLE_NURSE | ROLE_AUDITOR);
	assert_int_equal(json_array_size(all), 2);
	assert_string_equal(json_string_value(json_array_get(all, 0)), "nurse");
	assert_string_equal(json_string_value(json_array_get(all, 1)), "auditor");
	json_decref(all);
	all = auth_roles_json(0);
	assert_int_equal(json_array_size(all), 0);
	json_decref(all);
	all = auth_roles_json(ROLE_ANY);
	assert_int_equal(json_array_size(all), 8);
	json_decref(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_and_verify),
		cmocka_unit_test(password_length_edges),
		cmocka_unit_test(tokens),
		cmocka_unit_test(policy_defaults),
		cmocka_unit_test(login_gate_throttle),
		cmocka_unit_test(login_gate_many_failures_do_not_overflow),
		cmocka_unit_test(login_gate_lock),
		cmocka_unit_test(address_gate_edges),
		cmocka_unit_test(role_names),
	};

	return cmocka_run_group_tests(tests, init_once, NULL);
}
