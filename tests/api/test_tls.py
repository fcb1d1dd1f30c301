"""test_tls.py: HTTPS, served by hatd itself or by a proxy in front.

- Given tls_cert and tls_key, hatd speaks only TLS: answers carry HSTS and
  the session cookie is Secure; plain HTTP to that port gets no answer.
- Without them, over plain HTTP, there is neither (a Secure cookie would
  never come back over HTTP).
- behind_tls_proxy = 1: plain HTTP from the proxy, but HSTS and a Secure
  cookie, and the client's address is the proxy's last X-Forwarded-For
  entry (so the per-address login limit counts clients, not the proxy).
- A certificate without its key is refused at start.

Run by ctest as: python3 test_tls.py --hatd PATH --hatctl PATH
"""
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import time

from harness import ADMIN, ADMIN_PW, do, main, run_steps


def make_cert(t):
    cert = os.path.join(t.dir, "cert.pem")
    key = os.path.join(t.dir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    return cert, key


class Hatd:
    """A hatd of this test's own (the harness's speaks plain HTTP only)."""

    def __init__(self, t, *sets):
        self.out = os.path.join(t.dir, "tls-%d.out" % time.monotonic_ns())
        self.log = self.out + ".log"
        cmd = [t.hatd_path, "--db", t.db_path, "--listen", "127.0.0.1:0"]
        for s in sets:
            cmd += ["--set", s]
        with open(self.out, "wb") as o, open(self.log, "wb") as l:
            self.proc = subprocess.Popen(cmd, stdout=o, stderr=l, stdin=subprocess.DEVNULL)
        self.port = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(r"listening on port (\d+)", open(self.out).read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        return self.proc.returncode

    def log_text(self):
        return open(self.log, errors="replace").read()


def request(port, method, path, body=None, cafile=None, headers=None):
    if cafile:
        ctx = ssl.create_default_context(cafile=cafile)
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, h)
        r = conn.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
    finally:
        conn.close()


def login_body(password=ADMIN_PW):
    return {"username": ADMIN, "password": password, "token_kind": "cookie"}


def own_tls(t):
    cert, key = make_cert(t)
    h = Hatd(t, "tls_cert=" + cert, "tls_key=" + key)
    try:
        if not h.port:
            return "hatd did not start with TLS: %s" % h.log_text()[-500:]
        st, hd, _ = request(h.port, "GET", "/api/v1/health", cafile=cert)
        if st != 200:
            return "health over HTTPS: %d" % st
        if hd.get("strict-transport-security") != "max-age=31536000":
            return "no HSTS: %r" % hd
        if "content-security-policy" not in hd:
            return "no CSP over HTTPS"
        st, hd, _ = request(h.port, "POST", "/api/v1/session", login_body(), cafile=cert)
        if st != 201 or "Secure" not in hd.get("set-cookie", ""):
            return "login over HTTPS: %d, cookie %r" % (st, hd.get("set-cookie"))
        try:
            st, _, _ = request(h.port, "GET", "/api/v1/health")
            return "plain HTTP to the TLS port got %d" % st
        except (http.client.HTTPException, OSError):
            pass
        if "listening on https://" not in h.log_text():
            return "the log does not say https"
    finally:
        rc = h.stop()
    return None if rc == 0 else "hatd exited %r" % rc


def plain(t):
    st, hd, _ = request(t.port, "POST", "/api/v1/session", login_body())
    if st != 201:
        return "login: %d" % st
    if "strict-transport-security" in hd:
        return "HSTS over plain HTTP"
    if "Secure" in hd.get("set-cookie", ""):
        return "a Secure cookie over plain HTTP"
    return None


def proxied(t):
    h = Hatd(t, "behind_tls_proxy=1", "login_address_limit=2")
    try:
        if not h.port:
            return "hatd did not start: %s" % h.log_text()[-500:]
        st, hd, _ = request(h.port, "POST", "/api/v1/session", login_body())
        if st != 201 or "Secure" not in hd.get("set-cookie", ""):
            return "login behind the proxy: %d, cookie %r" % (st, hd.get("set-cookie"))
        if hd.get("strict-transport-security") != "max-age=31536000":
            return "no HSTS behind the proxy"
        # A client that forges the first entry is still counted by the last.
        for i in range(2):
            st, _, _ = request(h.port, "POST", "/api/v1/session", login_body("wrong-pass-%d" % i),
                               headers={"X-Forwarded-For": "1.2.3.%d, 10.0.0.1" % i})
            if st != 401:
                return "a wrong password: %d" % st
        st, _, b = request(h.port, "POST", "/api/v1/session", login_body(),
                           headers={"X-Forwarded-For": "10.0.0.1"})
        if st != 429:
            return "10.0.0.1 past its limit got %d %s" % (st, b[:120])
        st, _, _ = request(h.port, "POST", "/api/v1/session", login_body(),
                           headers={"X-Forwarded-For": "10.0.0.2"})
        if st != 201:
            return "another client behind the proxy got %d" % st
    finally:
        rc = h.stop()
    return None if rc == 0 else "hatd exited %r" % rc


def cert_without_key(t):
    cert, _ = make_cert(t)
    h = Hatd(t, "tls_cert=" + cert)
    rc = h.proc.wait(timeout=20)
    if rc == 0 or h.port:
        return "hatd started with a certificate and no key (exit %r)" % rc
    return None


def body(t):
    run_steps(t, [
        do("hatd serves HTTPS itself, with HSTS and a Secure cookie", own_tls),
        do("plain HTTP has neither", plain),
        do("behind a TLS proxy: HSTS, Secure, and the forwarded address", proxied),
        do("a certificate without its key is refused", cert_without_key),
    ])


if __name__ == "__main__":
    sys.exit(main("test_tls", body, demo="staff"))
