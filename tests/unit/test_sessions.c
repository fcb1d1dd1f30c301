/*
** test_sessions.c: a failed login that cannot be recorded is not passed
** over as an ordinary wrong password.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/auth.h"
#include "cmd/cmd.h"
#include "cmd/sessions.h"
#include "store/store.h"
#include "testdb.h"
#include "util/err.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store_conn *rw;
	struct store_conn *ro;
	struct auth_policy policy;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char hash[AUTH_HASH_MAX];

	if (!f || auth_init() != HAT_OK)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hat-sessions-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/hat.db", f->dir);
	if (store_open(f->path, STORE_CREATE, &f->rw) != HAT_OK ||
	    store_open(f->path, STORE_READ_ONLY, &f->ro) != HAT_OK ||
	    auth_password_hash("the right password", hash) != HAT_OK ||
	    store_run(f->rw, "INSERT INTO users (username, display_name, password_hash, created_at)"
			     " VALUES ('nurse1', 'Nurse One', ?, 0)", "t", hash) != HAT_OK)
		return -1;
	auth_policy_default(&f->policy);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->ro);
	store_close(f->rw);
	testdb_remove(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t failures(struct fixture *f)
{
	int64_t n = -1;

	assert_int_equal(store_query_int(f->rw, "SELECT failed_logins FROM users", NULL, &n, ""),
			 HAT_OK);
	return n;
}

static void failed_login_is_counted(void **state)
{
	struct fixture *f = *state;
	struct cmd_runner r = { NULL, f->rw, &f->policy };
	json_t *out = NULL;

	assert_int_equal(sessions_login(&r, f->ro, "nurse1", "a wrong password", "bearer", "127.0.0.1", NULL, 1000,
					&out),
			 HAT_E_BAD_CREDENTIALS);
	assert_null(out);
	assert_int_equal(failures(f), 1);
}

/* The writer cannot write (here: a read-only connection stands in for a
** full disk).  The wrong password must not come back as a plain
** bad_credentials, as if it had been counted towards the lock. */
static void unrecorded_failure_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct cmd_runner r = { NULL, f->ro, &f->policy };
	json_t *out = NULL;
	enum hat_err rc;

	rc = sessions_login(&r, f->ro, "nurse1", "a wrong password", "bearer", "127.0.0.1", NULL, 1000, &out);
	assert_int_not_equal(rc, HAT_OK);
	assert_int_not_equal(rc, HAT_E_BAD_CREDENTIALS);
	assert_int_equal(rc, HAT_E_STORE);
	assert_null(out);
	assert_int_equal(failures(f), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(failed_login_is_counted),
		T(unrecorded_failure_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
