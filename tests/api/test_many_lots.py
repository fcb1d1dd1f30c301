"""test_many_lots.py: ampoule choice sees every usable lot, however many.

Run by ctest as: python3 test_many_lots.py --hatd PATH --hatctl PATH

The choice once read at most 64 lots (in the order they were received) and
at most 64 picks: with more lots on the shelf a dose could be refused for
"no stock" that was there, or drawn from a later-expiring lot while an
earlier one waited.  Here 70 single-ampoule lots of 10 mg are received, the
soonest-expiring last: a 10 mg dose must take that last lot, and a 650 mg
dose (65 ampoules, 65 picks) must be given from the 65 soonest-expiring of
the 69 left, with nothing refused.
"""
import sys

from harness import dig, main
from test_register import Clinic

LOTS = 70


def body(t):
    c = Clinic(t)
    c.start()
    c.at(0, "07:00:00")
    c.setup("Many Lots Clinic")
    # Lot i (1-based) expires on day 400 - i: the last received goes first.
    lots = [c.receive(10, 1, "M%02d" % i, 400 - i, label="receive lot %d of %d" % (i, LOTS))
            for i in range(1, LOTS + 1)]
    expiry_of = {l["lot_id"]: 400 - i for i, l in enumerate(lots, 1)}
    c.eq("70 lots on one page", c.balances(), {10: LOTS})

    c.at(1, "08:30:00")
    a = c.patient("Manylots")
    c.rx(a, session_mg=700, daily_mg=800)
    c.ready(a, "10 mg")
    r = c.dose(a, 10, "10 mg with 70 lots on the shelf")
    got = [(e["lot_id"], e["ampoules"]) for e in dig(r.json, "detail.register_entries") or []]
    c.eq("the soonest-expiring lot, received 70th, is the one taken", got,
         [(lots[-1]["lot_id"], 1)])

    c.at(1, "15:00:00")
    c.ready(a, "650 mg")
    r = c.dose(a, 650, "650 mg from 69 single-ampoule lots: 65 ampoules")
    taken = sorted(e["lot_id"] for e in dig(r.json, "detail.register_entries") or [])
    left = sorted((l["lot_id"] for l in lots[:-1]), key=lambda lid: (expiry_of[lid], lid))
    c.eq("65 entries, one per lot, from the 65 soonest-expiring lots", taken,
         sorted(left[:65]))
    c.eq("every entry is one whole ampoule, none wasted",
         {(e["ampoules"], e["wasted_ug"]) for e in dig(r.json, "detail.register_entries") or []},
         {(1, 0)})
    c.eq("four ampoules are left, in the four latest-expiring lots", c.scalar(
        "SELECT count(*) FROM stock_lots l WHERE (SELECT e.lot_after FROM register_entries e"
        " WHERE e.lot_id = l.id ORDER BY e.id DESC LIMIT 1) = 1 AND l.id IN (%s)"
        % ",".join(str(x) for x in left[65:])), 4)
    c.eq("the balance is 4", c.balances(), {10: 4})


if __name__ == "__main__":
    sys.exit(main("test_many_lots", body, start=False))
