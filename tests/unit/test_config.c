/*
** test_config.c: hatd's server settings, from keys and from a file.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/config.h"
#include "util/err.h"

/* Writes text to a new temporary file; the caller unlinks path. */
static void write_temp(char path[64], const char *text)
{
	int fd;
	size_t n = strlen(text);

	snprintf(path, 64, "/tmp/hat-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

static void defaults(void **state)
{
	struct config c;

	(void)state;
	memset(&c, 0x7f, sizeof c);
	config_default(&c);
	assert_string_equal(c.db, "hat.db");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.web_root, "web");
	assert_string_equal(c.timezone, "Europe/London");
	assert_int_equal(c.connection_limit, 2048);
	assert_int_equal(c.timeout_s, 30);
	assert_int_equal(c.batch_cap, 64);
	assert_int_equal(c.readers, 16);
	assert_int_equal(c.session_idle_s, 30 * 60);
	assert_int_equal(c.session_absolute_s, 12 * 3600);
	assert_int_equal(c.login_throttle_after, 3);
	assert_int_equal(c.login_lock_after, 5);
	assert_int_equal(c.login_lock_s, 15 * 60);
	assert_int_equal(c.login_address_limit, 20);
	assert_int_equal(c.login_total_limit, 300);
	assert_int_equal(c.per_ip_connection_limit, 64);
	assert_int_equal(c.header_timeout_s, 10);
	assert_int_equal(c.workers, 16);
	assert_string_equal(c.tls_cert, "");
	assert_int_equal(c.behind_tls_proxy, 0);
}

static void set_known_keys(void **state)
{
	struct config c;

	(void)state;
	config_default(&c);
	assert_int_equal(config_set(&c, "db", "/var/lib/hat/clinic.db"), HAT_OK);
	assert_string_equal(c.db, "/var/lib/hat/clinic.db");
	assert_int_equal(config_set(&c, "listen", "0.0.0.0:9000"), HAT_OK);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(config_set(&c, "web_root", ""), HAT_OK); /* serve no UI */
	assert_string_equal(c.web_root, "");
	assert_int_equal(config_set(&c, "timezone", "Europe/Dublin"), HAT_OK);
	assert_string_equal(c.timezone, "Europe/Dublin");
	assert_int_equal(config_set(&c, "batch_cap", "8"), HAT_OK);
	assert_int_equal(c.batch_cap, 8);
	assert_int_equal(config_set(&c, "readers", "4"), HAT_OK);
	assert_int_equal(c.readers, 4);
	assert_int_equal(config_set(&c, "login_lock_s", "3600"), HAT_OK);
	assert_int_equal(c.login_lock_s, 3600);
	/* Untouched keys keep their defaults. */
	assert_int_equal(c.timeout_s, 30);
	assert_int_equal(c.connection_limit, 2048);
}

static void refuses_unknown_key(void **state)
{
	struct config c;
	struct config before;

	(void)state;
	config_default(&c);
	before = c;
	assert_int_equal(config_set(&c, "database", "x.db"), HAT_E_INVALID_VALUE);
	assert_int_equal(config_set(&c, "DB", "x.db"), HAT_E_INVALID_VALUE);
	assert_int_equal(config_set(&c, "", "x"), HAT_E_INVALID_VALUE);
	assert_int_equal(config_set(&c, "db ", "x.db"), HAT_E_INVALID_VALUE);
	assert_memory_equal(&c, &before, sizeof c);
}

struct range {
	const char *key;
	size_t offset;
	int64_t min, max;
};

#define RANGE(k, lo, hi) { #k, offsetof(struct config, k), lo, hi }

static const struct range ranges[] = {
	RANGE(connection_limit, 4, 65536),
	RANGE(login_address_limit, 1, 100000),
	RANGE(login_total_limit, 1, 1000000),
	RANGE(per_ip_connection_limit, 1, 100000),
	RANGE(header_timeout_s, 1, 600),
	RANGE(workers, 1, 1024),
	RANGE(behind_tls_proxy, 0, 1),
	RANGE(timeout_s, 1, 3600),
	RANGE(batch_cap, 1, 4096),
	RANGE(readers, 1, 1024),
	RANGE(session_idle_s, 60, 7 * 86400),
	RANGE(session_absolute_s, 300, 31 * 86400),
	RANGE(login_throttle_after, 1, 100),
	RANGE(login_lock_after, 1, 100),
	RANGE(login_lock_s, 1, 7 * 86400),
};

static int64_t field_of(const struct config *c, size_t offset)
{
	int64_t v;

	memcpy(&v, (const char *)c + offset, sizeof v);
	return v;
}

static void numbers_at_and_past_their_edges(void **state)
{
	struct config c;
	char text[32];

	(void)state;
	config_default(&c);
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		const struct range *r = &ranges[i];
		int64_t was;

		snprintf(text, sizeof text, "%lld", (long long)r->min);
		assert_int_equal(config_set(&c, r->key, text), HAT_OK);
		assert_int_equal(field_of(&c, r->offset), r->min);
		snprintf(text, sizeof text, "%lld", (long long)r->max);
		assert_int_equal(config_set(&c, r->key, text), HAT_OK);
		assert_int_equal(field_of(&c, r->offset), r->max);

		was = field_of(&c, r->offset);
		snprintf(text, sizeof text, "%lld", (long long)(r->min - 1));
		if (config_set(&c, r->key, text) != HAT_E_INVALID_VALUE)
			fail_msg("%s accepted %s", r->key, text);
		snprintf(text, sizeof text, "%lld", (long long)(r->max + 1));
		if (config_set(&c, r->key, text) != HAT_E_INVALID_VALUE)
			fail_msg("%s accepted %s", r->key, text);
		assert_int_equal(config_set(&c, r->key, "12abc"), HAT_E_INVALID_VALUE);
		assert_int_equal(config_set(&c, r->key, ""), HAT_E_INVALID_VALUE);
		assert_int_equal(config_set(&c, r->key, "1e3"), HAT_E_INVALID_VALUE);
		assert_int_equal(field_of(&c, r->offset), was);
	}
}

static void text_too_long_is_refused_and_unchanged(void **state)
{
	struct config c;
	char longer[sizeof c.listen + 1];

	(void)state;
	config_default(&c);
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(config_set(&c, "listen", longer), HAT_E_INVALID_VALUE);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	/* One shorter just fits. */
	longer[sizeof longer - 2] = '\0';
	assert_int_equal(config_set(&c, "listen", longer), HAT_OK);
	assert_int_equal(strlen(c.listen), sizeof c.listen - 1);
}

static void load_file_with_comments(void **state)
{
	char path[64];
	struct config c;
	int line = -1;
	enum hat_err rc;

	(void)state;
	write_temp(path,
		   "# hatd settings\n"
		   "\n"
		   "db = /srv/hat/clinic.db\n"
		   "   # an indented comment\n"
		   "listen=127.0.0.1:9090\n"
		   "\tbatch_cap\t=\t32\t\n"
		   "readers = 8\r\n"
		   "timezone = Europe/London\n"
		   "login_lock_after = 7"); /* no newline at the end */
	config_default(&c);
	rc = config_load(&c, path, &line);
	unlink(path);
	assert_int_equal(rc, HAT_OK);
	assert_string_equal(c.db, "/srv/hat/clinic.db");
	assert_string_equal(c.listen, "127.0.0.1:9090");
	assert_int_equal(c.batch_cap, 32);
	assert_int_equal(c.readers, 8);
	assert_int_equal(c.login_lock_after, 7);
	assert_int_equal(line, 9);
	/* Not in the file: defaults. */
	assert_string_equal(c.web_root, "web");
	assert_int_equal(c.timeout_s, 30);
}

static void load_reports_bad_line(void **state)
{
	static const struct {
		const char *text;
		int line;
	} cases[] = {
		{ "db = a.db\n# fine\ncolour = blue\nreaders = 2\n", 3 },   /* unknown key */
		{ "db = a.db\n\nreaders = 0\n", 3 },                          /* out of range */
		{ "readers = 2\nbatch_cap = 5000\n", 2 },                     /* out of range */
		{ "# only a comment\njust some words\n", 2 },                 /* no '=' */
		{ "timeout_s = ten\n", 1 },                                   /* not a number */
	};
	char path[64];
	struct config c;
	int line;
	enum hat_err rc;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_temp(path, cases[i].text);
		config_default(&c);
		line = -1;
		rc = config_load(&c, path, &line);
		unlink(path);
		assert_int_equal(rc, HAT_E_INVALID_VALUE);
		if (line != cases[i].line)
			fail_msg("case %zu: line %d, want %d", i, line, cases[i].line);
	}
}

static void load_long_comment_is_one_line(void **state)
{
	/* A comment longer than the reader's line buffer is still one comment
	** line, whatever its tail says, and the line count stays right. */
	size_t n = 3000;
	char *text = malloc(n + 64);
	char path[64];
	struct config c;
	int line = -1;
	enum hat_err rc;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', n);
	text[0] = '#';
	memcpy(text + n - 20, " readers = 9999 ", 16);
	snprintf(text + n, 64, "\nreaders = 3\nbogus = 1\n");
	write_temp(path, text);
	free(text);
	config_default(&c);
	rc = config_load(&c, path, &line);
	unlink(path);
	assert_int_equal(rc, HAT_E_INVALID_VALUE);
	assert_int_equal(line, 3);
	assert_int_equal(c.readers, 3);
}

static void load_missing_file(void **state)
{
	struct config c;
	int line = -1;
	char dir[] = "/tmp/hat-config-XXXXXX";
	char path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/none.conf", dir);
	config_default(&c);
	assert_int_equal(config_load(&c, path, &line), HAT_E_IO);
	assert_int_equal(line, 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(set_known_keys),
		cmocka_unit_test(refuses_unknown_key),
		cmocka_unit_test(numbers_at_and_past_their_edges),
		cmocka_unit_test(text_too_long_is_refused_and_unchanged),
		cmocka_unit_test(load_file_with_comments),
		cmocka_unit_test(load_reports_bad_line),
		cmocka_unit_test(load_long_comment_is_one_line),
		cmocka_unit_test(load_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
