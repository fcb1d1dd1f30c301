/*
** test_http.c: path matching with {id}s and request-body parsing.
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "http/http.h"
#include "util/err.h"

static const char patient[] = "/api/v1/patients/{id}";
static const char episode[] = "/api/v1/patients/{id}/episodes/{id}";

static void matches(const char *pattern, const char *path, int64_t want1, int64_t want2)
{
	int64_t a = -1, b = -1;

	if (!http_match(pattern, path, &a, &b))
		fail_msg("%s did not match %s", path, pattern);
	assert_int_equal(a, want1);
	assert_int_equal(b, want2);
}

static void no_match(const char *pattern, const char *path)
{
	int64_t a = -1, b = -1;

	if (http_match(pattern, path, &a, &b))
		fail_msg("%s matched %s", path, pattern);
}

static void plain_paths(void **state)
{
	(void)state;
	matches("/api/v1/health", "/api/v1/health", 0, 0);
	no_match("/api/v1/health", "/api/v1/health/");
	no_match("/api/v1/health", "/api/v1/healthz");
	no_match("/api/v1/health", "/api/v1/healt");
	no_match("/api/v1/health", "/API/v1/health");
	no_match("/api/v1/health", "");
	no_match("/api/v1/patients", "/api/v1/patients/1");
}

static void one_id(void **state)
{
	(void)state;
	matches(patient, "/api/v1/patients/1", 1, 0);
	matches(patient, "/api/v1/patients/42", 42, 0);
	matches(patient, "/api/v1/patients/10", 10, 0);
	/* 15 digits is the longest id. */
	matches(patient, "/api/v1/patients/999999999999999", INT64_C(999999999999999), 0);
	matches(patient, "/api/v1/patients/100000000000000", INT64_C(100000000000000), 0);
	no_match(patient, "/api/v1/patients/1000000000000000");
	no_match(patient, "/api/v1/patients/99999999999999999999999");
	/* One spelling per id: no leading zeros, and no id 0. */
	no_match(patient, "/api/v1/patients/0");
	no_match(patient, "/api/v1/patients/007");
	no_match(patient, "/api/v1/patients/01");
	no_match(patient, "/api/v1/patients/");
	no_match(patient, "/api/v1/patients");
	no_match(patient, "/api/v1/patients/-1");
	no_match(patient, "/api/v1/patients/+1");
	no_match(patient, "/api/v1/patients/1a");
	no_match(patient, "/api/v1/patients/abc");
	no_match(patient, "/api/v1/patients/1.0");
	/* A trailing slash is a different path. */
	no_match(patient, "/api/v1/patients/1/");
	no_match(patient, "/api/v1/patients/1/episodes");
}

static void two_ids(void **state)
{
	(void)state;
	matches(episode, "/api/v1/patients/12/episodes/34", 12, 34);
	matches(episode, "/api/v1/patients/999999999999999/episodes/1", INT64_C(999999999999999), 1);
	no_match(episode, "/api/v1/patients/12/episodes/034");
	no_match(episode, "/api/v1/patients/012/episodes/34");
	no_match(episode, "/api/v1/patients/12/episodes/");
	no_match(episode, "/api/v1/patients/12/episodes/34/");
	no_match(episode, "/api/v1/patients/12/episode/34");
	no_match(episode, "/api/v1/patients/12/episodes/1000000000000000");
	no_match(episode, "/api/v1/patients/12");
}

static void ids_reset_on_every_call(void **state)
{
	int64_t a = 5, b = 6;

	(void)state;
	assert_true(http_match("/api/v1/health", "/api/v1/health", &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	a = 5;
	b = 6;
	assert_true(http_match(patient, "/api/v1/patients/7", &a, &b));
	assert_int_equal(a, 7);
	assert_int_equal(b, 0);
}

static enum hat_err parse(const char *text, json_t **out)
{
	char why[200];

	*out = NULL;
	why[0] = '\0';
	return http_parse_body(text, strlen(text), out, why, sizeof why);
}

static void empty_body_is_empty_object(void **state)
{
	json_t *v = NULL;
	char why[16] = "";

	(void)state;
	assert_int_equal(http_parse_body(NULL, 0, &v, why, sizeof why), HAT_OK);
	assert_true(json_is_object(v));
	assert_int_equal(json_object_size(v), 0);
	json_decref(v);
	assert_int_equal(http_parse_body("ignored", 0, &v, why, sizeof why), HAT_OK);
	assert_true(json_is_object(v));
	assert_int_equal(json_object_size(v), 0);
	json_decref(v);
}

static void objects_parse(void **state)
{
	json_t *v = NULL;
	char why[16] = "";
	static const char text[] = "{\"a\": 1}garbage";

	(void)state;
	assert_int_equal(parse("{\"name\": \"ab\", \"n\": [1, 2], \"o\": {\"x\": null}}", &v), HAT_OK);
	assert_true(json_is_object(v));
	assert_int_equal(json_object_size(v), 3);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "ab");
	json_decref(v);
	/* Only len bytes are read. */
	assert_int_equal(http_parse_body(text, 8, &v, why, sizeof why), HAT_OK);
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
	json_decref(v);
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"{", "}", "{\"a\": }", "{\"a\" 1}", "{'a': 1}", "{\"a\": 1,}", "{} {}", "{} x",
		"{\"a\": \"\\u0000\"}", "{\"a\": \"\xff\"}", "nul", "{\"a\": 01}",
	};
	json_t *v;
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		v = (json_t *)&why; /* anything but NULL */
		if (http_parse_body(bad[i], strlen(bad[i]), &v, why, sizeof why) !=
		    HAT_E_MALFORMED_JSON)
			fail_msg("%s was not refused as malformed", bad[i]);
		assert_true(why[0] != '\0'); /* the reason is given */
	}
}

static void very_deep_nesting(void **state)
{
	size_t depth = 100000;
	char *text = malloc(2 * depth + 1);
	json_t *v = NULL;
	char why[200];

	(void)state;
	assert_non_null(text);
	memset(text, '[', depth);
	memset(text + depth, ']', depth);
	text[2 * depth] = '\0';
	assert_int_equal(http_parse_body(text, 2 * depth, &v, why, sizeof why),
			 HAT_E_MALFORMED_JSON);
	free(text);
}

static void duplicate_keys(void **state)
{
	json_t *v;

	(void)state;
	assert_int_equal(parse("{\"a\": 1, \"a\": 2}", &v), HAT_E_DUPLICATE_KEY);
	assert_int_equal(parse("{\"a\": 1, \"b\": {\"c\": 1, \"c\": 1}}", &v), HAT_E_DUPLICATE_KEY);
	assert_int_equal(parse("{\"dose\": 10, \"d\\u006fse\": 20}", &v), HAT_E_DUPLICATE_KEY);
	/* Same key in different objects is fine. */
	assert_int_equal(parse("{\"a\": {\"c\": 1}, \"b\": {\"c\": 1}}", &v), HAT_OK);
	json_decref(v);
}

static void not_an_object(void **state)
{
	static const char *const bad[] = { "[]", "[1, 2]", "[{\"a\": 1}]", "1", "\"text\"",
					   "null", "true" };
	json_t *v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum hat_err rc = parse(bad[i], &v);

		if (rc != HAT_E_NOT_AN_OBJECT)
			fail_msg("%s: got %s, want not_an_object", bad[i], hat_err_code(rc));
	}
}

static void cookies_that_do_not_fit_are_refused(void **state)
{
	struct http_req req;
	char long_value[400];

	(void)state;
	memset(&req, 0, sizeof req);
	memset(long_value, 'x', sizeof long_value - 1);
	long_value[sizeof long_value - 1] = '\0';
	assert_false(http_set_cookie(&req, long_value));
	assert_int_equal(req.ncookies, 0);
	assert_true(http_set_cookie(&req, "a=1"));
	assert_true(http_set_cookie(&req, "b=2"));
	assert_false(http_set_cookie(&req, "c=3"));
	assert_int_equal(req.ncookies, 2);
	assert_string_equal(req.cookies[1], "b=2");
}

/* Handlers that succeed but built no answer, as when json_pack fails. */
static enum hat_err reply_null(struct http_req *req)
{
	http_reply(req, 201, NULL);
	return HAT_OK;
}

static enum hat_err reply_nothing(struct http_req *req)
{
	(void)req;
	return HAT_OK;
}

static enum hat_err reply_something(struct http_req *req)
{
	http_reply(req, 201, json_pack("{s:i}", "id", 7));
	return HAT_OK;
}

static const struct http_route null_routes[] = {
	{ HTTP_GET, "/null", reply_null, 0, 0, NULL },
	{ HTTP_GET, "/nothing", reply_nothing, 0, 0, NULL },
	{ HTTP_GET, "/something", reply_something, 0, 0, NULL },
};

/* One GET over loopback; the whole response into out. */
static void get(uint16_t port, const char *path, char *out, size_t n)
{
	struct sockaddr_in a;
	char request[128];
	size_t got = 0;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		 path);
	assert_true(write(fd, request, strlen(request)) == (ssize_t)strlen(request));
	while (got + 1 < n && (r = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fd);
}

static void success_without_a_body_is_an_error(void **state)
{
	struct http_config cfg;
	struct http_server *srv = NULL;
	char resp[4096];

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.connection_limit = 4;
	cfg.timeout_s = 5;
	cfg.routes = null_routes;
	cfg.nroutes = sizeof null_routes / sizeof null_routes[0];
	assert_int_equal(http_start(&cfg, &srv), HAT_OK);

	get(http_port(srv), "/null", resp, sizeof resp);
	assert_memory_equal(resp, "HTTP/1.1 503", 12);
	assert_non_null(strstr(resp, "\"out_of_memory\""));
	get(http_port(srv), "/nothing", resp, sizeof resp);
	assert_memory_equal(resp, "HTTP/1.1 503", 12);
	/* The control: a built answer goes out as it is. */
	get(http_port(srv), "/something", resp, sizeof resp);
	assert_memory_equal(resp, "HTTP/1.1 201", 12);
	assert_non_null(strstr(resp, "{\"id\":7}"));
	http_stop(srv, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_paths),
		cmocka_unit_test(one_id),
		cmocka_unit_test(two_ids),
		cmocka_unit_test(ids_reset_on_every_call),
		cmocka_unit_test(empty_body_is_empty_object),
		cmocka_unit_test(objects_parse),
		cmocka_unit_test(malformed),
		cmocka_unit_test(very_deep_nesting),
		cmocka_unit_test(duplicate_keys),
		cmocka_unit_test(not_an_object),
		cmocka_unit_test(cookies_that_do_not_fit_are_refused),
		cmocka_unit_test(success_without_a_body_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
