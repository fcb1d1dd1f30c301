"""test_witness_pin.py: a witness picks their name from the staff signed in
on this device and confirms with their own PIN (issue 11, item 13).

- A device is the browser's hat_device cookie: hatd gives one at a
  browser's first login, HttpOnly and SameSite=Strict, and keeps it.
- The PIN rules at their edges (6 to 12 digits, not one digit repeated, not
  a run up or down), each refusal naming its rule; setting one's own PIN
  needs one's current password, and neither the PIN nor its hash is in the
  audit trail or the log.
- A PIN witnesses only for its owner signed in (a live session) on the
  device the request comes from: another device's, a logged-out one's, or
  a request with no device is refused before the PIN is looked at.
- Wrong PINs are throttled per person typing (the witness throttle) and lock
  the PIN itself after five, whoever typed them; a right PIN clears the
  count; the lock leaves the owner's login and password alone.
- One's own PIN never witnesses one's own dose; a PIN-witnessed dose names
  the witness; an admin's password reset clears the PIN.

Run by ctest as: python3 test_witness_pin.py --hatd PATH --hatctl PATH
"""
import sys

sys.dont_write_bytecode = True  # importing test_dosing_rules leaves no __pycache__

from harness import DEMO_PW, Session, TestFailure, dig, main  # noqa: E402
from test_dosing_rules import Desk, day  # noqa: E402

CONFIRM = {"username": "mgr.hughes", "password": "demo-manager-pass"}

# Two devices: 43 URL-safe base64 characters, as hatd makes them.
D1 = "A" * 20 + "device-one-tablet" + "B" * 6
D2 = "C" * 20 + "device-two-office" + "D" * 6
PIN = "505172"
PIN12 = "505172930461"
PHARM_PIN = "640318"


class DeviceSession(Session):
    """A bearer session whose requests come from a device (its cookie)."""

    def __init__(self, base, device):
        super().__init__(base.kind, base.username, base.answer, base.cookie)
        self.device = device

    def headers(self, method, csrf=True):
        h = super().headers(method, csrf)
        if self.device:
            h["Cookie"] = "hat_device=" + self.device
        return h


def login_on(d, name, device):
    user, pw = d.users[name]
    r = d.t.request("POST", "/api/v1/session",
                    {"username": user, "password": pw, "token_kind": "bearer"},
                    headers={"Cookie": "hat_device=" + device} if device else None)
    if r.status != 201:
        raise TestFailure("%s cannot log in: %d %s" % (user, r.status, r.short()))
    d.s[name] = DeviceSession(Session("bearer", user, r.json), device)


def witness(d, label, who, body, status, code=None, expect=None):
    return d.call(label, who, "POST", "/api/v1/session/witness", body, status=status,
                  code=code, expect=expect)


def set_pin(d, label, who, pin, status, code=None, password=True, message=None):
    body = {"pin": pin}
    if password:
        body["current_password"] = d.users[who][1] if password is True else password
    r = d.call(label, who, "PUT", "/api/v1/session/pin", body, status=status, code=code)
    if message:
        d.ok(label + ": the refusal names the rule", message in (dig(r.json, "error.message") or ""),
             r.short())
    return r


def throttle_count(d, who):
    return d.scalar("SELECT coalesce(max(failures), 0) FROM witness_failures WHERE user_id = ?",
                    (d.s[who].user_id,))


def devices(d):
    """hatd gives a browser its device once and keeps it."""
    r = d.t.request("POST", "/api/v1/session", {"username": "nurse.patel",
                                                "password": DEMO_PW["nurse.patel"],
                                                "token_kind": "cookie"})
    cookies = r.header_all("Set-Cookie")
    dev = [c for c in cookies if c.startswith("hat_device=")]
    d.ok("a browser's first login is given a device cookie", r.status == 201 and len(dev) == 1,
         repr(cookies))
    if dev:
        d.ok("the device cookie is HttpOnly, SameSite=Strict and lasts a year",
             "HttpOnly" in dev[0] and "SameSite=Strict" in dev[0] and "Max-Age=31536000" in dev[0],
             dev[0])
        token = dev[0].split(";")[0].split("=", 1)[1]
        d.eq("the device token is 43 characters", len(token), 43)
        r2 = d.t.request("POST", "/api/v1/session", {"username": "nurse.byrne",
                                                     "password": DEMO_PW["nurse.byrne"],
                                                     "token_kind": "cookie"},
                         headers={"Cookie": "hat_device=" + token})
        d.ok("a browser that has a device keeps it (no new cookie)",
             r2.status == 201 and not any(c.startswith("hat_device=")
                                          for c in r2.header_all("Set-Cookie")),
             repr(r2.header_all("Set-Cookie")))
        n = d.scalar("SELECT count(DISTINCT device_hash) FROM sessions WHERE device_hash IS NOT NULL"
                     " AND user_id IN (SELECT id FROM users WHERE username IN"
                     " ('nurse.patel', 'nurse.byrne'))")
        d.eq("both logins from that browser are on one device", n, 1)
        d.eq("the device is stored as a hash, not as the token",
             d.scalar("SELECT count(*) FROM sessions WHERE device_hash = ?", (token.encode(),)), 0)


def pin_rules(d):
    for pin, rule in (("50517", "6 to 12 digits"), ("5051729304612", "6 to 12 digits"),
                      ("50517a", "digits only"), ("000000", "one digit repeated"),
                      ("999999999999", "one digit repeated"), ("123456", "up or down"),
                      ("987654", "up or down")):
        r = set_pin(d, "PIN %s refused (%s)" % (pin, rule), "nurse2", pin, 400, "weak_pin",
                    message=rule)
        d.eq("PIN %s: the refusal names the field" % pin, dig(r.json, "error.field"), "pin")
    set_pin(d, "a PIN needs the current password", "nurse2", PIN, 400, "missing_field",
            password=False)
    set_pin(d, "a wrong current password is refused", "nurse2", PIN, 422,
            "current_password_wrong", password="not-my-password")
    d.eq("refused PINs set nothing", d.scalar("SELECT count(*) FROM users WHERE pin_hash IS NOT NULL"), 0)
    set_pin(d, "a 12-digit PIN is taken (the longest)", "nurse2", PIN12, 200)
    set_pin(d, "a 6-digit PIN is taken (the shortest); it changes the 12-digit one", "nurse2",
            PIN, 200)
    set_pin(d, "the pharmacist sets a PIN", "pharm", PHARM_PIN, 200)
    set_pin(d, "a keyworker witnesses nothing and sets no PIN", "kw", "640318", 403, "forbidden")
    h = d.scalar("SELECT pin_hash FROM users WHERE username = 'nurse.byrne'")
    d.ok("the PIN is kept as an Argon2id hash", str(h).startswith("$argon2id$") and PIN not in h, h)
    details = d.t.query("SELECT detail FROM audit_events WHERE action = 'user.set_pin' ORDER BY seq")
    d.eq("each setting is audited as set or changed, without the PIN",
         [x[0] for x in details][:2], ['{"pin":"set"}', '{"pin":"changed"}'])
    d.ok("the audit trail holds neither PIN nor its hash",
         d.scalar("SELECT count(*) FROM audit_events WHERE detail LIKE ? OR detail LIKE ?"
                  " OR detail LIKE '%argon2%'", ("%" + PIN + "%", "%" + PIN12 + "%")) == 0)


def picker(d):
    r = d.call("the nurse lists the staff signed in on her device", "nurse", "GET",
               "/api/v1/session/device-staff", status=200)
    names = [(s["username"], s["has_pin"]) for s in dig(r.json, "staff") or []]
    d.ok("the list: the others signed in on this device (byrne with a PIN), not her, not another device's",
         sorted(names) == [("dr.okafor", False), ("kw.mensah", False), ("nurse.byrne", True)],
         repr(names))
    r = d.t.request("GET", "/api/v1/session/device-staff",
                    headers={"Authorization": "Bearer " + d.s["nurse"].token})
    d.ok("a request with no device lists no one", r.status == 200 and
         dig(r.json, "staff") == [] and dig(r.json, "device_known") is False, r.short())


def witnessing(d, pid):
    before = throttle_count(d, "nurse")
    witness(d, "byrne's PIN witnesses for the nurse on their device", "nurse",
            {"username": "nurse.byrne", "pin": PIN}, 200,
            expect={"witness.username": "nurse.byrne", "by_token": False})
    witness(d, "the pharmacist's PIN from another device is refused", "nurse",
            {"username": "pharm.lindqvist", "pin": PHARM_PIN}, 422, "witness_not_on_device")
    witness(d, "so is a wrong PIN for someone not on the device (not looked at)", "nurse",
            {"username": "pharm.lindqvist", "pin": "111112"}, 422, "witness_not_on_device")
    d.eq("refusals before the PIN is looked at count nothing", throttle_count(d, "nurse"), before)
    r = d.t.request("POST", "/api/v1/session/witness", {"username": "nurse.byrne", "pin": PIN},
                    headers={"Authorization": "Bearer " + d.s["nurse"].token})
    d.ok("a request with no device takes no PIN", r.status == 422 and
         r.code == "witness_not_on_device", r.short())
    witness(d, "someone on the device without a PIN", "nurse",
            {"username": "dr.okafor", "pin": "640318"}, 422, "witness_pin_not_set")
    witness(d, "a PIN and a password together are not one way of proving", "nurse",
            {"username": "nurse.byrne", "pin": PIN, "password": DEMO_PW["nurse.byrne"]}, 422,
            "witness_required")
    witness(d, "the keyworker's password still witnesses what any role may", "nurse",
            {"username": "kw.mensah", "password": DEMO_PW["kw.mensah"]}, 200)

    d.check_in(pid)
    d.assess(pid)
    d.dose(pid, 100, "byrne witnesses by PIN: she is the second person", who="nurse2",
           witness={"username": "nurse.byrne", "pin": PIN}, status=422,
           code="witness_same_person")
    r = d.dose(pid, 100, "the nurse gives the dose, byrne witnesses by PIN",
               witness={"username": "nurse.byrne", "pin": PIN})
    aid = dig(r.json, "id") or dig(r.json, "administration.id")
    d.eq("the dose names byrne as its witness",
         d.scalar("SELECT witness_id FROM administrations ORDER BY id DESC LIMIT 1"),
         d.s["nurse2"].user_id)
    d.ok("the dose has an id", aid is not None, r.short())


def throttle_and_lock(d):
    byrne = d.s["nurse2"].user_id
    for i in range(4):
        witness(d, "wrong PIN %d of 4 typed by the nurse" % (i + 1), "nurse",
                {"username": "nurse.byrne", "pin": "40" + "1739"[i] + "517"}, 422,
                "witness_bad_credentials")
    d.eq("four wrong PINs: four against the nurse, four against byrne's PIN",
         (throttle_count(d, "nurse"), d.scalar("SELECT pin_failures FROM users WHERE id = ?", (byrne,))),
         (4, 4))
    witness(d, "a right PIN after four wrong ones still witnesses", "nurse",
            {"username": "nurse.byrne", "pin": PIN}, 200)
    d.eq("... and clears the PIN's count", d.scalar("SELECT pin_failures FROM users WHERE id = ?",
                                                    (byrne,)), 0)
    witness(d, "a fifth wrong one from the nurse", "nurse",
            {"username": "nurse.byrne", "pin": "402517"}, 422, "witness_bad_credentials")
    witness(d, "the nurse is throttled after five wrong (PINs count as passwords)", "nurse",
            {"username": "nurse.byrne", "pin": PIN}, 429, "witness_attempts_exceeded")
    for i, who in enumerate(("dr", "dr", "kw", "kw")):
        witness(d, "wrong PIN %d for byrne typed by %s" % (i + 2, who), who,
                {"username": "nurse.byrne", "pin": "41" + "2468"[i] + "517"}, 422,
                "witness_bad_credentials")
    witness(d, "five wrong PINs from several people lock byrne's PIN, even when right", "dr",
            {"username": "nurse.byrne", "pin": PIN}, 429, "witness_pin_locked")
    witness(d, "the lock is the PIN's: byrne's password still witnesses", "dr",
            {"username": "nurse.byrne", "password": DEMO_PW["nurse.byrne"]}, 200)
    r = d.t.request("POST", "/api/v1/session", {"username": "nurse.byrne",
                                                "password": DEMO_PW["nurse.byrne"],
                                                "token_kind": "bearer"})
    d.ok("... and byrne can still log in", r.status == 201, r.short())
    d.at(1, "09:44:00")
    witness(d, "14 minutes on the PIN is still locked", "dr",
            {"username": "nurse.byrne", "pin": PIN}, 429, "witness_pin_locked")
    d.at(1, "09:46:00")
    seen = "SELECT max(last_seen_at) FROM sessions WHERE user_id = ? AND device_hash IS NOT NULL"
    before = d.scalar(seen, (byrne,))
    witness(d, "once the lock has run its course the PIN witnesses again", "dr",
            {"username": "nurse.byrne", "pin": PIN}, 200)
    d.eq("a PIN typed on the device counts as its owner using the device (16 minutes on)",
         d.scalar(seen, (byrne,)) - before, 16 * 60)


def signed_out(d):
    d.call("byrne logs out on the tablet", "nurse2", "DELETE", "/api/v1/session", status=200)
    witness(d, "a PIN of someone who logged out of the device is refused", "nurse",
            {"username": "nurse.byrne", "pin": PIN}, 422, "witness_not_on_device")
    r = d.call("the picker no longer lists her", "nurse", "GET", "/api/v1/session/device-staff",
               status=200)
    d.ok("byrne is gone from the list", "nurse.byrne" not in
         [s["username"] for s in dig(r.json, "staff") or []], r.short())
    login_on(d, "nurse2", D1)
    witness(d, "signed in again, her PIN witnesses again", "nurse",
            {"username": "nurse.byrne", "pin": PIN}, 200)
    d.call("an admin resets byrne's password", "admin", "POST",
           "/api/v1/users/%d/password" % d.s["nurse2"].user_id,
           {"password": "a-reset-password-1"}, status=200)
    d.eq("the reset clears her PIN",
         d.scalar("SELECT pin_hash IS NULL FROM users WHERE username = 'nurse.byrne'"), 1)


def body(t):
    d = Desk(t)
    d.start()
    d.at(1, "08:00:00")
    d.stock()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(400).isoformat(), "confirmer": CONFIRM}, status=201)
    pid = d.patient("Pinwitness")
    d.rx(pid)
    devices(d)
    for name in ("nurse", "nurse2", "dr", "kw"):
        login_on(d, name, D1)
    login_on(d, "pharm", D2)
    d.at(1, "09:00:00")
    pin_rules(d)
    picker(d)
    witnessing(d, pid)
    d.at(1, "09:30:00")
    throttle_and_lock(d)
    signed_out(d)
    with open(t.log_path, errors="replace") as f:
        log = f.read()
    d.ok("hatd's log holds no PIN", PIN not in log and PIN12 not in log and PHARM_PIN not in log)


if __name__ == "__main__":
    sys.exit(main("test_witness_pin", body, start=False))
