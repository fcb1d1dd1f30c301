"""test_bad_input.py: malformed, oversized and misdirected requests.

Every one gets its 4xx and error code, none gets a 5xx (the harness checks
hatd's log), nothing is half-written, and after each the server still
answers /api/v1/health.

Run by ctest as: python3 test_bad_input.py --hatd PATH --hatctl PATH
"""
import sys

from harness import (DEMO_PW, chunk_bytes, chunked_body, db_is, do, login, main, raw,
                     run_steps, step)

NURSE, NURSE_PW = "nurse.patel", DEMO_PW["nurse.patel"]
PATIENTS = "/api/v1/patients"
PATIENTS_CAP = 16 * 1024
LOGIN_CAP = 4 * 1024


def good(**over):
    p = {"given_name": "Bad", "family_name": "Input", "birth_date": "1980-01-01",
         "sex": "male", "premises_id": 1}
    p.update(over)
    return p


def bad(label, body, status, code, field=None, path=PATIENTS, method="POST", **kw):
    expect = {"error.field": field} if field else None
    return step(label, method, path, body, as_="nurse", status=status, code=code,
                expect=expect, health_after=True, **kw)


def head(t, method, path, extra, session=True):
    """Request head bytes with the nurse's bearer token."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"]
    if session:
        lines.append("Authorization: Bearer " + t.sessions["nurse"].token)
    lines += extra
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def json_body(t):
    return [
        bad("malformed JSON", '{"given_name": ', 400, "malformed_json"),
        bad("trailing garbage after the object", '{"given_name": "A"} x', 400,
            "malformed_json"),
        bad("a single quote string", "{'given_name': 'A'}", 400, "malformed_json"),
        bad("invalid UTF-8", b'{"given_name": "\xff\xfe"}', 400, "malformed_json"),
        bad("an escaped NUL", '{"given_name": "a\\u0000b"}', 400, "malformed_json"),
        bad("a number too big for any integer", '{"premises_id": 123456789012345678901234567890}',
            400, "malformed_json"),
        bad("deep nesting", "[" * 8000 + "]" * 8000, 400, "malformed_json"),
        bad("duplicate keys", '{"given_name": "A", "given_name": "B"}', 400, "duplicate_key"),
        bad("duplicate keys inside a nested object",
            '{"alerts": "x", "given_name": {"a": 1, "a": 2}}', 400, "duplicate_key"),
        bad("an array is not an object", [good()], 400, "not_an_object"),
        bad("an empty array is not an object", "[]", 400, "not_an_object"),
        bad("a string is not an object", '"hello"', 400, "not_an_object"),
        bad("a number is not an object", "42", 400, "not_an_object"),
        bad("null is not an object", "null", 400, "not_an_object"),
        bad("a text field given a number", good(given_name=5), 400, "wrong_type", "given_name"),
        bad("an id given as a string", good(premises_id="1"), 400, "wrong_type", "premises_id"),
        bad("an id given as a fraction", good(premises_id=1.5), 400, "wrong_type",
            "premises_id"),
        bad("an id given as a boolean", good(premises_id=True), 400, "wrong_type",
            "premises_id"),
        bad("a date given as a number", good(birth_date=19800101), 400, "wrong_type",
            "birth_date"),
        bad("null for a field that cannot be null", good(family_name=None), 400, "wrong_type",
            "family_name"),
        bad("an id of zero", good(premises_id=0), 400, "out_of_range", "premises_id"),
        bad("a negative id", good(premises_id=-7), 400, "out_of_range", "premises_id"),
        bad("the test clock moved backwards", {"advance_s": -1}, 400, "out_of_range",
            "advance_s", path="/api/v1/test/clock"),
        bad("a date of birth 200 years ago", good(birth_date="1900-01-02"), 400,
            "out_of_range", "birth_date"),
        bad("an unknown field", good(favourite_colour="blue"), 400, "unknown_field",
            "favourite_colour"),
        bad("a missing field", {"given_name": "A"}, 400, "missing_field"),
        bad("an empty body where fields are needed", None, 400, "missing_field"),
        bad("an empty required string", good(given_name=""), 400, "missing_field",
            "given_name"),
        bad("an over-long name", good(given_name="x" * 101), 400, "too_long", "given_name"),
        bad("a value not in the list", good(sex="robot"), 400, "invalid_value", "sex"),
        bad("a date that does not exist", good(birth_date="1980-02-30"), 400, "invalid_date",
            "birth_date"),
        bad("a date in the wrong form", good(birth_date="01/02/1980"), 400, "invalid_date",
            "birth_date"),
        bad("an invalid NHS number", good(nhs_number="9434765918"), 400,
            "invalid_nhs_number", "nhs_number"),
        bad("a bad paging limit", None, 400, "invalid_query", "limit", method="GET",
            path=PATIENTS + "?limit=0"),
        bad("a paging limit that is not a number", None, 400, "invalid_query", "limit",
            method="GET", path=PATIENTS + "?limit=ten"),
        bad("a paging limit over the maximum", None, 400, "invalid_query", "limit",
            method="GET", path=PATIENTS + "?limit=501"),
        bad("an over-long Idempotency-Key", good(), 400, "bad_idempotency_key",
            headers={"Idempotency-Key": "k" * 129}),
    ]


def media_and_size(t):
    nurse = t.sessions["nurse"]
    big = ('{"alerts": "' + "x" * (PATIENTS_CAP + 100) + '"}')
    in_cap = good(family_name="Chunked", alerts="y" * 1900, address="z" * 400)
    import json as _json
    in_cap_bytes = _json.dumps(in_cap).encode()
    return [
        bad("text/plain is refused", '{"given_name": "A"}', 415, "unsupported_media_type",
            content_type="text/plain"),
        bad("a body with no Content-Type is refused", '{"given_name": "A"}', 415,
            "unsupported_media_type", content_type=None),
        bad("a look-alike media type is refused", '{"given_name": "A"}', 415,
            "unsupported_media_type", content_type="application/jsonp"),
        bad("form data is refused", "given_name=A", 415, "unsupported_media_type",
            content_type="application/x-www-form-urlencoded"),
        step("application/json with a charset is accepted", "POST", PATIENTS,
             good(family_name="Charset"), as_="nurse",
             content_type="application/json; charset=utf-8", status=201),
        step("a body of exactly the cap is read", "POST", PATIENTS,
             padded(good(family_name="Atcap"), PATIENTS_CAP), as_="nurse", status=201,
             health_after=True),
        bad("a body one byte past the cap is refused", padded(good(family_name="Overcap"),
                                                               PATIENTS_CAP + 1),
            413, "body_too_large"),
        raw("a chunked body of exactly the cap is read",
            head(t, "POST", PATIENTS, ["Content-Type: application/json",
                                      "Transfer-Encoding: chunked"])
            + chunk_bytes(padded(good(family_name="Chunkcap"), PATIENTS_CAP), 1000), 201,
            health_after=True),
        raw("a chunked body one byte past the cap is refused",
            head(t, "POST", PATIENTS, ["Content-Type: application/json",
                                      "Transfer-Encoding: chunked"])
            + chunk_bytes(padded(good(family_name="Chunkover"), PATIENTS_CAP + 1), 1000),
            413, "body_too_large", health_after=True),
        bad("a body past the cap with Content-Length", big, 413, "body_too_large"),
        bad("a login body past its 4 KiB cap", {"username": "a", "password": "p" * LOGIN_CAP},
            413, "body_too_large", path="/api/v1/session"),
        bad("a body on a route that takes none", "{}", 413, "body_too_large", method="GET",
            path=PATIENTS),
        raw("a Content-Length past the cap is refused before the body is sent",
            head(t, "POST", PATIENTS, ["Content-Type: application/json",
                                      "Content-Length: 1000000"]), 413, "body_too_large",
            health_after=True),
        raw("a chunked body past the cap",
            head(t, "POST", PATIENTS, ["Content-Type: application/json",
                                      "Transfer-Encoding: chunked"])
            + chunked_body(PATIENTS_CAP + 4096), 413, "body_too_large", health_after=True),
        raw("a chunked login body past its cap",
            head(t, "POST", "/api/v1/session", ["Content-Type: application/json",
                                               "Transfer-Encoding: chunked"], session=False)
            + chunked_body(LOGIN_CAP + 1, chunk=1000), 413, "body_too_large",
            health_after=True),
        do("a chunked body far past the cap is cut off and the server stays up",
           lambda t: chunked_flood(t)),
        raw("a chunked body within the cap is read whole",
            head(t, "POST", PATIENTS, ["Content-Type: application/json",
                                      "Transfer-Encoding: chunked"])
            + chunk_bytes(in_cap_bytes, 1000), 201, expect={"family_name": "Chunked"},
            health_after=True),
        raw("a chunked body without Content-Type is refused",
            head(t, "POST", PATIENTS, ["Transfer-Encoding: chunked"])
            + chunk_bytes(b'{"given_name": "A"}'), 415, "unsupported_media_type",
            health_after=True),
        do("a request with Content-Length and Transfer-Encoding is refused",
           lambda t: framing_refused(t, head(t, "POST", "/api/v1/session", [
               "Content-Type: application/json", "Content-Length: 4",
               "Transfer-Encoding: chunked"], session=False) + chunk_bytes(b"{}"))),
        do("a non-numeric Content-Length is refused",
           lambda t: framing_refused(t, head(t, "POST", "/api/v1/session", [
               "Content-Type: application/json", "Content-Length: ten"], session=False)
               + b"{}")),
        do("huge request headers are refused",
           lambda t: framing_refused(t, head(t, "GET", "/api/v1/health",
                                             ["X-Filler: " + "f" * 100000], session=False))),
        db_is("none of the refused bodies wrote a patient",
              "SELECT count(*) FROM patients WHERE given_name = 'Bad'"
              " AND family_name NOT IN ('Charset', 'Chunked', 'Atcap', 'Chunkcap')", [], 0),
        db_is("the accepted ones are each there once",
              "SELECT family_name, count(*) FROM patients"
              " WHERE family_name IN ('Charset', 'Chunked', 'Atcap', 'Chunkcap',"
              " 'Overcap', 'Chunkover')"
              " GROUP BY family_name ORDER BY family_name", [],
              [("Atcap", 1), ("Charset", 1), ("Chunkcap", 1), ("Chunked", 1)]),
    ]


def padded(obj, size):
    """obj as JSON followed by spaces to exactly size bytes."""
    import json as _json
    b = _json.dumps(obj).encode()
    assert len(b) <= size
    return b + b" " * (size - len(b))


def chunked_flood(t):
    """3 MiB chunked: past the cap and past the discard limit, so the
    server may cut the connection; either a 413 or a close is right, and
    the server must stay up."""
    data = head(t, "POST", PATIENTS, ["Content-Type: application/json",
                                      "Transfer-Encoding: chunked"])
    data += chunked_body(3 * 1024 * 1024, chunk=65536)
    r = t.raw(data)
    if r is not None and (r.status != 413 or r.code != "body_too_large"):
        return "answer %d %s, want 413 body_too_large or a closed connection" % (
            r.status, r.short())
    if not t.healthy():
        return "the server no longer answers /api/v1/health"
    return None


def framing_refused(t, data):
    r = t.raw(data)
    if r is not None and not (400 <= r.status < 500):
        return "answer %d %s, want a 4xx (or a closed connection)" % (r.status, r.short())
    if not t.healthy():
        return "the server no longer answers /api/v1/health"
    return None


def allow_is(*methods):
    def check(r, t):
        got = sorted(m.strip() for m in (r.header("Allow") or "").split(",") if m.strip())
        if got != sorted(methods):
            return "Allow is %r, want %s" % (r.header("Allow"), ", ".join(methods))
        return None
    return check


def routing(t):
    return [
        bad("PUT on the patient list", good(), 405, "method_not_allowed", method="PUT",
            check=allow_is("GET", "POST")),
        bad("DELETE on health", None, 405, "method_not_allowed", method="DELETE",
            path="/api/v1/health", check=allow_is("GET")),
        bad("PATCH on the session", {}, 405, "method_not_allowed", method="PATCH",
            path="/api/v1/session", check=allow_is("GET", "POST", "DELETE")),
        bad("POST on a patient", good(), 405, "method_not_allowed",
            path="/api/v1/patients/1", check=allow_is("GET", "PATCH")),
        bad("an unknown API path", None, 404, "not_found", method="GET",
            path="/api/v1/nothing-here"),
        bad("an unknown API version", None, 404, "not_found", method="GET",
            path="/api/v2/health"),
        bad("an id that is not a number", None, 404, "not_found", method="GET",
            path="/api/v1/patients/abc"),
        bad("an id with a leading zero", None, 404, "not_found", method="GET",
            path="/api/v1/patients/01"),
        bad("an id of zero", None, 404, "not_found", method="GET", path="/api/v1/patients/0"),
        bad("an id too long for any record", None, 404, "not_found", method="GET",
            path="/api/v1/patients/12345678901234567890"),
        bad("a patient that does not exist", None, 404, "not_found", method="GET",
            path="/api/v1/patients/999999"),
        bad("a trailing slash", None, 404, "not_found", method="GET",
            path="/api/v1/patients/"),
        bad("POST to a page path", "{}", 404, "not_found", path="/index.html"),
        bad("a missing page", None, 404, "not_found", method="GET", path="/no-such-page.html"),
        raw("a path that climbs out of the web root",
            b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            404, "not_found", health_after=True),
        raw("an escaped climb out of the web root",
            b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            404, "not_found", health_after=True),
        step("the web page is served", "GET", "/", status=200,
             check=lambda r, t: None if (r.header("Content-Type") or "").startswith("text/html")
             and r.header("Content-Security-Policy") else "not an HTML page with a CSP"),
        step("API answers are not cached", "GET", "/api/v1/health", status=200,
             check=lambda r, t: None if r.header("Cache-Control") == "no-store"
             else "Cache-Control is %r" % r.header("Cache-Control")),
    ]


def formats(t):
    """An unknown ?format= is refused the same way on every route: 400
    invalid_query naming format, the message listing what the route gives;
    a route that answers only JSON takes format=json and nothing else."""
    def refused(label, path, who, listed):
        return step(label, "GET", path, as_=who, status=400, code="invalid_query",
                    expect={"error.field": "format",
                            "error.message": "format must be one of: %s" % listed})
    return [
        login("the CDAO logs in", "cdao", "cdao.fraser", DEMO_PW["cdao.fraser"]),
        refused("the register refuses format=pdf", "/api/v1/register?format=pdf", "nurse",
                "json, html, csv"),
        refused("the incidents refuse format=pdf", "/api/v1/incidents?format=pdf", "cdao",
                "json, csv"),
        refused("the incidents refuse format=html", "/api/v1/incidents?format=html", "cdao",
                "json, csv"),
        refused("the patient list refuses format=csv", "/api/v1/patients?format=csv", "nurse",
                "json"),
        refused("the board refuses an empty format", "/api/v1/board?format=", "nurse", "json"),
        refused("health refuses format=xml", "/api/v1/health?format=xml", None, "json"),
        step("the incidents give csv", "GET", "/api/v1/incidents?format=csv", as_="cdao",
             status=200, check=lambda r, t: None if (r.header("Content-Type") or "").startswith(
                 "text/csv") else "Content-Type %r" % r.header("Content-Type")),
        step("a JSON route takes format=json", "GET", "/api/v1/patients?format=json",
             as_="nurse", status=200),
    ]


def body(t):
    run_steps(t, [login("nurse logs in", "nurse", NURSE, NURSE_PW)])
    run_steps(t, formats(t))
    events_before = t.scalar("SELECT count(*) FROM audit_events")
    patients_before = t.scalar("SELECT count(*) FROM patients")
    run_steps(t, json_body(t))
    run_steps(t, [
        db_is("no refused request wrote an audit event",
              "SELECT count(*) FROM audit_events", [], events_before),
        db_is("no refused request wrote a patient", "SELECT count(*) FROM patients", [],
              patients_before),
    ])
    run_steps(t, media_and_size(t))
    run_steps(t, routing(t))
    run_steps(t, [
        step("unauthenticated bad input is refused without a hint of the data", "POST",
             PATIENTS, good(), status=401, code="unauthenticated", health_after=True),
        step("the nurse's session survived all of it", "GET", "/api/v1/session", as_="nurse",
             status=200),
    ])


if __name__ == "__main__":
    sys.exit(main("test_bad_input", body, demo="staff"))
