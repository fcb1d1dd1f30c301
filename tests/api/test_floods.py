"""test_floods.py: hatd keeps answering when clients hold connections open.

- A request whose headers trickle in is cut off once header_timeout_s has
  passed since the connection opened, however steadily the bytes come.
- A connection that sends nothing is cut off the same way.
- One client address may hold per_ip_connection_limit connections; past
  that its new ones are refused, and other addresses are not held up.
- Hundreds of idle connections (more than the old thread-per-connection
  limit of 128) do not stop a login or a health check.

Run by ctest as: python3 test_floods.py --hatd PATH --hatctl PATH
"""
import json
import socket
import sys
import time

from harness import ADMIN, ADMIN_PW, do, main, run_steps

HEADER_S = 2
PER_IP = 20


def connect(t, source="127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", t.port), timeout=10,
                                 source_address=(source, 0))
    return s


def closed_within(s, seconds):
    """True when the server closes s within seconds (reading nothing)."""
    s.settimeout(seconds)
    try:
        return s.recv(4096) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def trickled(t):
    s = connect(t)
    start = time.monotonic()
    head = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    cut = None
    try:
        for b in head:
            s.sendall(bytes([b]))
            s.settimeout(0.25)
            try:
                if s.recv(4096) == b"":
                    cut = time.monotonic() - start
                    break
            except socket.timeout:
                pass
            except (ConnectionResetError, BrokenPipeError):
                cut = time.monotonic() - start
                break
    except (ConnectionResetError, BrokenPipeError):
        cut = time.monotonic() - start
    finally:
        s.close()
    if cut is None:
        return "the trickle was never cut off"
    if not HEADER_S - 0.5 <= cut <= HEADER_S + 2.5:
        return "cut off after %.1fs, want about %ds" % (cut, HEADER_S)
    return None


def silent(t):
    s = connect(t)
    try:
        if not closed_within(s, HEADER_S + 3):
            return "a silent connection was still open after %ds" % (HEADER_S + 3)
    finally:
        s.close()
    return None


def a_full_request_in_time(t):
    """Headers that come a little slowly, but within the limit, are served."""
    s = connect(t)
    try:
        for part in (b"GET /api/v1/health HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
            s.sendall(part)
            time.sleep(0.3)
        s.settimeout(5)
        got = s.recv(4096)
    finally:
        s.close()
    return None if got.startswith(b"HTTP/1.1 200") else "got %r" % got[:80]


def health_from(t, source):
    try:
        s = connect(t, source)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.settimeout(5)
        got = s.recv(4096)
        s.close()
        return got.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def per_ip(t):
    held = [connect(t, "127.0.0.2") for _ in range(PER_IP)]
    try:
        time.sleep(0.2)
        if health_from(t, "127.0.0.2"):
            return "a connection past the address's limit was served"
        if not health_from(t, "127.0.0.3"):
            return "another address was held up"
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    if not health_from(t, "127.0.0.2"):
        return "the address is not served again once its connections close"
    return None


def many_idle(t):
    held = []
    try:
        for i in range(300):
            held.append(connect(t, "127.0.0.%d" % (10 + i // PER_IP)))
        time.sleep(0.3)
        started = time.monotonic()
        r = t.request("POST", "/api/v1/session",
                      {"username": ADMIN, "password": ADMIN_PW, "token_kind": "bearer"})
        took = time.monotonic() - started
        if r.status != 201:
            return "login: %d %s" % (r.status, r.short())
        if took > 2:
            return "the login took %.1fs beside 300 idle connections" % took
        if not health_from(t, "127.0.0.1"):
            return "health did not answer"
    finally:
        for s in held:
            s.close()
    return None


def body(t):
    t.stop()
    t.start(extra=("--set", "header_timeout_s=%d" % HEADER_S,
                   "--set", "per_ip_connection_limit=%d" % PER_IP))
    run_steps(t, [
        do("headers trickled a byte at a time are cut off after the header timeout", trickled),
        do("a connection that sends nothing is cut off too", silent),
        do("headers that take a little while, within the limit, are served",
           a_full_request_in_time),
        do("an address past its connection limit is refused; others are not", per_ip),
        do("300 idle connections do not hold up a login", many_idle),
    ])


if __name__ == "__main__":
    sys.exit(main("test_floods", body, demo="staff"))
