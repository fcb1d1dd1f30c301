"""test_streaming.py: long reads in constant memory (issue 12, item 2).

The audit chain and the access log are read in pages by their key (limit,
after_seq, next_after_seq), at the page boundary and one past it, past the
end, and with bad limits refused with a stable code.  The CSV exports and
reports are written row by row to a spool file and answered from it: for
the demo clinic (with the national return's details added for some of its
episodes, and incidents), each CSV says what the same rows say when read
another way (the JSON answer, the database, hatctl export), and each
streamed export is still written to the access log.

Run by ctest as: python3 test_streaming.py --hatd PATH --hatctl PATH
"""
import csv
import datetime
import io
import os
import re
import sys

sys.dont_write_bytecode = True

from harness import DEMO_PW, TestFailure, main  # noqa: E402

PAGE_DEFAULT, PAGE_MAX = 50, 500


class Client:
    def __init__(self, t):
        self.t = t
        self.r = t.report
        self.s = {}
        for who, user in (("auditor", "audit.silva"), ("manager", "mgr.hughes"),
                          ("cdao", "cdao.fraser"), ("kw", "kw.mensah"), ("nurse", "nurse.patel")):
            s, resp = t.login(user, DEMO_PW[user])
            if not s:
                raise TestFailure("%s cannot log in: %d %s" % (user, resp.status, resp.short()))
            self.s[who] = s

    def get(self, who, path, status=200):
        r = self.t.request("GET", path, session=self.s[who])
        if r.status != status:
            raise TestFailure("GET %s as %s: %d %s, want %d" % (path, who, r.status, r.short(),
                                                               status))
        return r

    def post(self, who, path, body, status=201):
        r = self.t.request("POST", path, body, session=self.s[who])
        if r.status != status:
            raise TestFailure("POST %s as %s: %d %s, want %d" % (path, who, r.status, r.short(),
                                                                status))
        return r


def rows_of(r):
    return list(csv.reader(io.StringIO(r.body.decode("utf-8"))))


# -- paging ----------------------------------------------------------------

LOGS = (
    # name, path, list key, key field, table, key column
    ("audit log", "/api/v1/audit", "events", "seq", "audit_events", "seq"),
    ("access log", "/api/v1/access-log", "access_log", "id", "access_log", "id"),
)


def growth(c, path, table, col):
    """How many rows one read of the log adds to it (its own access-log
    row, and for the chain the event sealing it): measured, not assumed."""
    before = c.t.scalar("SELECT max(%s) FROM %s" % (col, table))
    c.get("auditor", path + "?limit=1")
    return c.t.scalar("SELECT max(%s) FROM %s" % (col, table)) - before


def paging(c):
    r = c.r
    for name, path, key, field, table, col in LOGS:
        g = growth(c, path, table, col)
        r.check("%s: a read adds rows of its own (%d)" % (name, g), g >= 1)

        # Exactly a page left (counting the rows this read adds): all of it,
        # and no next page.
        for limit in (1, 7, PAGE_MAX):
            top = c.t.scalar("SELECT max(%s) FROM %s" % (col, table))
            after = top + g - limit
            if after < 0:
                continue
            page = c.get("auditor", "%s?limit=%d&after_seq=%d" % (path, limit, after)).json
            keys = [e[field] for e in page[key]]
            want = [k for (k,) in c.t.query("SELECT %s FROM %s WHERE %s > ? ORDER BY %s"
                                            % (col, table, col, col), (after,))]
            r.eq("%s: limit %d with exactly %d rows left: all of them" % (name, limit, limit),
                 keys, want)
            r.eq("%s: limit %d exactly filled: no next page" % (name, limit),
                 page.get("next_after_seq", "absent"), None)

            # One over: a full page, and next_after_seq its last key.
            top = c.t.scalar("SELECT max(%s) FROM %s" % (col, table))
            after = top + g - limit - 1
            page = c.get("auditor", "%s?limit=%d&after_seq=%d" % (path, limit, after)).json
            keys = [e[field] for e in page[key]]
            want = [k for (k,) in c.t.query("SELECT %s FROM %s WHERE %s > ? ORDER BY %s LIMIT ?"
                                            % (col, table, col, col), (after, limit))]
            r.eq("%s: limit %d with %d rows left: the first %d" % (name, limit, limit + 1,
                                                                    limit), keys, want)
            r.eq("%s: limit %d, one row over: next_after_seq is the page's last key"
                 % (name, limit), page.get("next_after_seq"), keys[-1] if keys else "no rows")
            nxt = c.get("auditor", "%s?limit=%d&after_seq=%d"
                        % (path, limit, page["next_after_seq"])).json
            r.check("%s: limit %d: the next page starts right after" % (name, limit),
                    nxt[key] and nxt[key][0][field] > keys[-1] and
                    nxt[key][0][field] == c.t.scalar(
                        "SELECT min(%s) FROM %s WHERE %s > ?" % (col, table, col),
                        (keys[-1],)), nxt[key][:1])

        # The default page (the log made longer than it first, if need be:
        # each read of it adds to it).
        while c.t.scalar("SELECT count(*) FROM %s" % table) <= PAGE_DEFAULT:
            c.get("auditor", path + "?limit=1")
        page = c.get("auditor", path).json
        r.eq("%s: no limit gives the default page of %d" % (name, PAGE_DEFAULT), len(page[key]),
             PAGE_DEFAULT)
        r.eq("%s: the default page says where the next starts" % name,
             page.get("next_after_seq"), page[key][-1][field])
        r.eq("%s: the answer names its limit" % name, page.get("limit"), PAGE_DEFAULT)

        # Past the end: an empty page, no next.
        top = c.t.scalar("SELECT max(%s) FROM %s" % (col, table))
        for after in (top + 1000, 2 ** 53):
            page = c.get("auditor", "%s?after_seq=%d" % (path, after)).json
            r.eq("%s: after_seq %d past the end: no rows" % (name, after), page[key], [])
            r.eq("%s: after_seq past the end: no next page" % name,
                 page.get("next_after_seq", "absent"), None)

        # The older name still works; after_seq wins when both are given.
        a = c.get("auditor", "%s?after=3&limit=2" % path).json
        b = c.get("auditor", "%s?after_seq=3&limit=2" % path).json
        r.eq("%s: after= is read as after_seq" % name, [e[field] for e in a[key]],
             [e[field] for e in b[key]])
        b = c.get("auditor", "%s?after_seq=5&after=1&limit=1" % path).json
        r.eq("%s: after_seq wins over after" % name, [e[field] for e in b[key]],
             [c.t.scalar("SELECT min(%s) FROM %s WHERE %s > 5" % (col, table, col))])

        # Walking every page by next_after_seq lists every row once, in order.
        top = c.t.scalar("SELECT max(%s) FROM %s" % (col, table))
        size = max(1, min(PAGE_MAX, top // 3))
        seen, after, pages = [], 0, 0
        while after is not None and pages < 1000:
            page = c.get("auditor", "%s?limit=%d&after_seq=%d" % (path, size, after)).json
            if len(page[key]) > size:
                r.fail("%s: a page past its limit" % name, str(len(page[key])))
                break
            seen += [e[field] for e in page[key]]
            after = page["next_after_seq"]
            pages += 1
        want = [k for (k,) in c.t.query("SELECT %s FROM %s WHERE %s <= ? ORDER BY %s"
                                        % (col, table, col, col), (top,))]
        r.eq("%s: following next_after_seq lists every row once, in order" % name,
             [k for k in seen if k <= top], want)
        r.check("%s: the walk took several pages of %d (%d)" % (name, size, pages), pages >= 3)

        # Bad paging: 400 with the stable code, naming the parameter, nothing read.
        for q, field_name in (("limit=0", "limit"), ("limit=%d" % (PAGE_MAX + 1), "limit"),
                              ("limit=-1", "limit"), ("limit=ten", "limit"), ("limit=", "limit"),
                              ("after_seq=-1", "after_seq"), ("after_seq=x", "after_seq"),
                              ("after=-2", "after")):
            before = c.t.scalar("SELECT count(*) FROM access_log")
            resp = c.get("auditor", "%s?%s" % (path, q), status=400)
            r.eq("%s: ?%s is refused as invalid_query" % (name, q), resp.code, "invalid_query")
            r.eq("%s: ?%s names %s" % (name, q, field_name),
                 ((resp.json or {}).get("error") or {}).get("field"), field_name)
            r.eq("%s: a refused ?%s reads nothing (no access-log row)" % (name, q),
                 c.t.scalar("SELECT count(*) FROM access_log"), before)


# -- the streamed CSVs -----------------------------------------------------

def setup_exports(c):
    """The national return's details for some of the demo's episodes (the
    demo records none), and incidents for the CDAO's log."""
    eps = c.t.query("SELECT id FROM episodes ORDER BY id")
    r = c.r
    r.check("the demo clinic has episodes to export (%d)" % len(eps), len(eps) >= 4)
    for n, (ep,) in enumerate(eps):
        if n % 4 == 3:
            continue  # never asked: left out of the return
        body = {"consent": "N" if n % 4 == 2 else "Y", "local_authority": "Middlesbrough",
                "postcode": "" if n % 5 == 1 else "TS1 3AB", "referral_source": "self"}
        c.post("kw", "/api/v1/episodes/%d/ndtms" % ep, body)
        if n % 3 == 0:
            c.post("kw", "/api/v1/episodes/%d/modalities" % ep,
                   {"modality": "supervised_injectable_opioid",
                    "start_date": iso_day(c.t.scalar(
                        "SELECT coalesce(start_date, referral_date) FROM episodes WHERE id = ?",
                        (ep,)))})
    for i in range(5):
        c.post("nurse", "/api/v1/incidents",
               {"premises_id": 1, "kind": "concern" if i % 2 else "loss",
                "description": "Item %d, \"quoted\", =SUM(A1)" % i,
                "action_taken": "Action %d" % i if i % 2 else ""})


def iso_day(days):
    """A day number (days since 1970-01-01, as the database keeps dates)."""
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=days)).isoformat()


def access_rows(c, what):
    return c.t.scalar("SELECT count(*) FROM access_log WHERE what = ?", (what,))


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "Y" if v else "N"
    return str(v)


def research(c):
    r = c.r
    before = access_rows(c, "research_export")
    resp = c.get("manager", "/api/v1/exports/research?format=csv")
    r.eq("the research CSV is CSV", (resp.header("Content-Type") or "").split(";")[0],
         "text/csv")
    r.eq("the research CSV says its length", resp.header("Content-Length"), str(len(resp.body)))
    lines = rows_of(resp)
    js = c.get("manager", "/api/v1/exports/research").json
    r.eq("the research CSV's header is the JSON's fields", lines[0], js["fields"])
    want = [[cell(row[f]) for f in js["fields"]] for row in js["rows"]]
    r.eq("the research CSV's lines are the JSON's rows, cell for cell", lines[1:], want)
    r.eq("one line per episode in the database", len(lines) - 1,
         c.t.scalar("SELECT count(*) FROM episodes"))
    doses = [int(x) for (x,) in c.t.query(
        "SELECT (SELECT count(*) FROM administrations a WHERE a.patient_id = e.patient_id"
        " AND a.local_date >= e.referral_date AND (e.discharge_date IS NULL OR"
        " a.local_date <= e.discharge_date)) FROM episodes e ORDER BY e.id")]
    r.eq("each line's doses are the database's", [int(x[lines[0].index("doses")])
                                                  for x in lines[1:]], doses)
    r.check("the demo's research export has doses in it", sum(doses) > 0)
    r.eq("the streamed research export and its JSON are both in the access log",
         access_rows(c, "research_export"), before + 2)
    return resp.body


def ndtms(c):
    r = c.r
    before = access_rows(c, "ndtms_export")
    resp = c.get("manager", "/api/v1/exports/ndtms?format=csv")
    r.eq("the national return is CSV", (resp.header("Content-Type") or "").split(";")[0],
         "text/csv")
    lines = rows_of(resp)
    head = lines[0]
    js = c.get("manager", "/api/v1/exports/ndtms?format=json").json
    r.eq("the streamed national return is in the access log (with its JSON)",
         access_rows(c, "ndtms_export"), before + 2)
    # One line per current modality of each consented episode, one for an
    # episode without one, in the JSON's order.
    want = []
    for row in js["rows"]:
        mods = row.get("modalities") or [None]
        for m in mods:
            want.append((str(row["episode_id"]), row["FINITIAL"], row["SINITIAL"],
                         row["DOB"] or "", row["PC"], row["LA"], row["REFLD"] or "",
                         str(m["id"]) if m else ""))
    got = [(x[head.index("EPISODID")], x[head.index("FINITIAL")], x[head.index("SINITIAL")],
            x[head.index("DOB")], x[head.index("PC")], x[head.index("LA")],
            x[head.index("REFLD")], x[head.index("MODID")]) for x in lines[1:]]
    r.eq("the national return's lines are the JSON's episodes and modalities", got, want)
    consented = [str(e) for (e,) in c.t.query(
        "SELECT e.id FROM episodes e JOIN ndtms_details n ON n.id = (SELECT max(id) FROM"
        " ndtms_details WHERE episode_id = e.id) WHERE n.consent = 'Y' ORDER BY e.id")]
    r.eq("the national return holds exactly the consented episodes",
         sorted(set(g[0] for g in got), key=int), consented)
    r.check("some consented episodes to export (%d)" % len(consented), len(consented) >= 2)
    r.eq("the JSON counts the episodes left out without consent", js["excluded_without_consent"],
         c.t.scalar("SELECT count(*) FROM episodes") - len(consented))
    top = c.get("manager", "/api/v1/exports/ndtms?format=csv&part=top")
    tl = rows_of(top)
    r.eq("the TOP returns start with their header", tl[0][:8],
         ["FINITIAL", "SINITIAL", "DOB", "SEX", "EPISODID", "TOPID", "TOPDATE", "TRSTAGE"])
    tops = c.t.scalar(
        "SELECT count(*) FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
        " JOIN ndtms_details n ON n.id = (SELECT max(id) FROM ndtms_details"
        " WHERE episode_id = f.episode_id)"
        " WHERE i.code = 'top' AND n.consent = 'Y'"
        " AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
        " AND NOT EXISTS (SELECT 1 FROM outcome_form_errors x WHERE x.form_id = f.id)")
    r.eq("one TOP line per current TOP of a consented episode", len(tl) - 1, tops)
    r.check("the demo's consented episodes have TOPs (%d)" % tops, tops > 0)
    r.eq("the TOP returns are in the access log too", access_rows(c, "ndtms_export"), before + 3)
    return resp.body, top.body


def incidents(c):
    r = c.r
    q = "from=%s&to=%s" % (c.t.day(-30), c.t.day(0))
    resp = c.get("cdao", "/api/v1/incidents?format=csv&" + q)
    lines = rows_of(resp)
    js = c.get("cdao", "/api/v1/incidents?" + q).json["incidents"]
    head = lines[0]

    def text(v):
        return "" if v is None else str(v)
    want = [[text(i[k]) for k in head] for i in js]
    # The CSV defuses formulas; the JSON holds the words as written.
    want = [[("'" + v) if v.startswith("=") else v for v in row] for row in want]
    r.eq("the incident CSV's lines are the JSON's incidents, cell for cell", lines[1:], want)
    r.eq("every incident of the period", len(lines) - 1, c.t.scalar(
        "SELECT count(*) FROM incidents"))
    r.check("the CSV holds the incidents made here (%d)" % (len(lines) - 1), len(lines) - 1 >= 5)


def evaluation(c):
    r = c.r
    q = "from=%s&to=%s" % (c.t.day(-120), c.t.day(0))
    before = access_rows(c, "evaluation_report")
    resp = c.get("manager", "/api/v1/reports/evaluation?format=csv&" + q)
    js = c.get("manager", "/api/v1/reports/evaluation?" + q).json
    lines = rows_of(resp)
    r.eq("the evaluation CSV's header", lines[0], ["section", "measure", "value"])

    def value(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float):
            return "%.4f" % v
        return str(v)

    def walk(section, path, v, out):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("key", "code"):
                    continue
                walk(section, path + "." + k if path else k, x, out)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                name = (x.get("key") or x.get("code")) if isinstance(x, dict) else None
                walk(section, (path + "." + name if path else name) if name
                     else "%s.%d" % (path, i), x, out)
        else:
            out.append([section, path, value(v)])
    want = []
    for k, v in js.items():
        walk(k, "", v, want)
    r.eq("the evaluation CSV says what its JSON says, a line a figure",
         sorted(lines[1:]), sorted(want))
    r.check("the evaluation has figures (%d)" % len(want), len(want) > 20)
    r.eq("both are in the access log", access_rows(c, "evaluation_report"), before + 2)


def register_json(c):
    """The register's JSON view, now written entry by entry to the spool:
    every entry of the demo's history as the database holds it, and its
    paging at the limit and one over."""
    r, t = c.r, c.t
    first = t.scalar("SELECT min(event_date) FROM register_entries")
    prem = t.scalar("SELECT premises_id FROM register_pages GROUP BY premises_id"
                    " ORDER BY count(*) DESC LIMIT 1")
    rng = "premises_id=%d&from=%s&to=%s" % (prem, iso_day(first), t.day(0))
    before = access_rows(c, "cd_register")
    resp = c.get("manager", "/api/v1/register?" + rng)
    r.eq("the register's JSON is JSON", (resp.header("Content-Type") or "").split(";")[0],
         "application/json")
    r.eq("reading it is in the access log", access_rows(c, "cd_register"), before + 1)
    view = resp.json or {}
    r.eq("the view names its period", (view.get("from"), view.get("to")),
         (iso_day(first), t.day(0)))
    r.check("and the chain head as read", re.search(r"[0-9A-Fa-f]{64}", view.get("chain_head", "")),
            view.get("chain_head"))
    cols = ("id", "seq", "kind", "qty", "balance_after", "lot_id", "patient_id",
            "administration_id", "given_ug", "wasted_ug")
    got = sorted(tuple(e[k] for k in cols) for p in view.get("pages", []) for e in p["entries"])
    want = sorted(t.query("SELECT e.id, e.seq, e.kind, e.qty, e.balance_after, e.lot_id,"
                          " e.patient_id, e.administration_id, e.given_ug, e.wasted_ug"
                          " FROM register_entries e JOIN register_pages p ON p.id = e.page_id"
                          " WHERE p.premises_id = ?", (prem,)))
    r.eq("every entry of the premises, as the database holds it", got, want)
    r.check("the demo's register is long enough to page (%d entries)" % len(want),
            len(want) > 100)
    pages = sorted(p["id"] for p in view.get("pages", []))
    r.eq("one page per drug of the premises", pages, [x for (x,) in t.query(
        "SELECT id FROM register_pages WHERE premises_id = ? ORDER BY id", (prem,))])
    r.check("no page cut short at the default limit",
            all(p.get("next_after_seq", "absent") is None for p in view.get("pages", [])))
    big = max(view["pages"], key=lambda p: len(p["entries"]))
    n = len(big["entries"])
    for limit, more in ((n, False), (n - 1, True)):
        part = c.get("manager", "/api/v1/register?%s&page_id=%d&limit=%d" % (rng, big["id"],
                                                                            limit)).json
        p = part["pages"][0]
        r.eq("page %d at limit %d of its %d entries: the first %d" % (big["id"], limit, n, limit),
             [e["seq"] for e in p["entries"]], [e["seq"] for e in big["entries"]][:limit])
        r.eq("page %d at limit %d: next_after_seq" % (big["id"], limit),
             p.get("next_after_seq", "absent"), big["entries"][limit - 1]["seq"] if more else None)
    part = c.get("manager", "/api/v1/register?%s&page_id=%d&after_seq=%d"
                 % (rng, big["id"], big["entries"][-1]["seq"])).json
    r.eq("after the last entry: an empty page, no next", (part["pages"][0]["entries"],
                                                          part["pages"][0]["next_after_seq"]),
         ([], None))


def cli(c, research_csv, ndtms_csv, top_csv):
    r, t = c.r, c.t
    for what, extra, want in (("research", (), research_csv), ("ndtms", (), ndtms_csv),
                              ("ndtms", ("--top",), top_csv)):
        out = os.path.join(t.dir, "export-%s%s.csv" % (what, "-top" if extra else ""))
        before = access_rows(c, "%s_export" % what)
        p = t.hatctl("export", what, "--as", "mgr.hughes", "--out", out, *extra)
        r.eq("hatctl export %s%s succeeds" % (what, " --top" if extra else ""), p.returncode, 0)
        with open(out, "rb") as f:
            got = f.read()
        r.eq("hatctl export %s%s writes what hatd answers" % (what, " --top" if extra else ""),
             got, want)
        r.eq("hatctl export %s is in the access log" % what,
             access_rows(c, "%s_export" % what), before + 1)
        p = t.hatctl("export", what, "--as", "mgr.hughes", "--out", out, *extra)
        r.check("hatctl export %s refuses a file that exists" % what, p.returncode != 0, p.err)
        with open(out, "rb") as f:
            r.eq("and leaves it as it was", f.read(), want)
    p = t.hatctl("export", "research", "--as", "mgr.hughes")
    r.eq("hatctl export research to standard output", p.stdout, research_csv)


def body(t):
    c = Client(t)
    paging(c)
    setup_exports(c)
    rcsv = research(c)
    ncsv, tcsv = ndtms(c)
    incidents(c)
    evaluation(c)
    register_json(c)
    cli(c, rcsv, ncsv, tcsv)


if __name__ == "__main__":
    sys.exit(main("test_streaming", body))
