"""Returns and warranty (issue 32 item 6): the return window per product kind (a clerk is refused past it, a manager
takes it back with their PIN and a reason, logged), the refund method the clerk chooses (never a split unasked), and
a return and a warranty claim at a second store, the sale looked up at HQ running as its own process, over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hq.services.staff import add_staff
from sync import pusher
from sync.client import HQClient
from testing.hostile import hq_staff
from testing.paper import paper_text
from testing.processes import hq_process
from testing.samples import PIN
from tests.conftest import KioskClient, make_app, staff_id
from tests.hq_fixtures import create_hq_app
from tests.test_compliance import flask_cli
from tests.test_pos import CASE, CHARGER, IPHONE, fill, traded_in_voucher

DEVICE_IMEI = "356938035643809"


def backdate_sale(db, sale_uuid: str, days: int) -> None:
    """The state "a sale made `days` ago": its time moved back, its insert-only triggers set aside for the move."""
    triggers = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'sales'").fetchall()
    names = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'sales'").fetchall()
    with db.conn:
        for (name,) in names:
            db.execute(f"DROP TRIGGER {name}")
        when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        db.execute("UPDATE sales SET created_at = ? WHERE uuid = ?", [when, sale_uuid])
        for (sql,) in triggers:
            db.execute(sql)


def returns_count(db) -> int:
    return db.execute("SELECT count(*) FROM sales WHERE kind = 'return'").fetchone()[0]


def test_a_15_day_old_return_is_refused_for_a_clerk_and_taken_back_with_a_managers_pin_and_reason(app, staff, db):
    fill(staff, CASE)
    assert staff.post("/pos/pay", {"cash_given": "19,90"}).status_code == 303
    sale_uuid = db.execute("SELECT uuid FROM sales").fetchone()[0]
    backdate_sale(db, sale_uuid, 15)
    page = staff.get(f"/pos/sales/{sale_uuid}/return").get_data(as_text=True)
    assert "The return window ended on" in page and "Manager PIN" in page
    refused = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1"})
    assert refused.status_code == 422 and "Only a manager can take it back" in refused.get_data(as_text=True)
    clerk = staff_id(db, "Camille Martin")
    own_pin = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "approver_id": clerk, "approver_pin": PIN,
                                                           "late_reason": "customer was abroad"})
    assert own_pin.status_code == 422 and "is not a manager" in own_pin.get_data(as_text=True)
    manager = staff_id(db, "Sacha Leroy")
    no_reason = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "approver_id": manager,
                                                             "approver_pin": PIN, "late_reason": ""})
    assert no_reason.status_code == 422 and "Give the reason" in no_reason.get_data(as_text=True)
    assert returns_count(db) == 0
    taken = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "approver_id": manager, "approver_pin": PIN,
                                                         "late_reason": "customer was abroad"})
    assert taken.status_code == 303 and returns_count(db) == 1
    detail = json.loads(db.execute("SELECT detail FROM audit_log WHERE action = 'return_past_window'").fetchone()[0])
    assert detail["approved_by"] == manager and detail["reason"] == "customer was abroad"


def test_a_return_inside_the_window_needs_no_manager(app, staff, db):
    fill(staff, CASE)
    staff.post("/pos/pay", {"cash_given": "19,90"})
    sale_uuid = db.execute("SELECT uuid FROM sales").fetchone()[0]
    backdate_sale(db, sale_uuid, 13)
    assert staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1"}).status_code == 303
    assert db.execute("SELECT kind, amount_minor FROM tenders WHERE amount_minor < 0").fetchall() == [("cash", -1990)]


def test_the_clerk_chooses_the_refund_method_within_the_original_tenders_and_never_gets_a_split_unasked(
        app, staff, db):
    voucher = traded_in_voucher(app, staff)
    fill(staff, CASE, CHARGER, CHARGER)  # 19,90 + 2 x 24,90 = 69,70
    staff.post("/pos/pay", {"voucher_code": voucher["code"], "voucher_amount": "3,36", "card_amount": "50",
                            "card_reference": "AUTH 4411", "cash_given": "16,34"})
    sale_uuid = db.execute("SELECT uuid FROM sales WHERE kind = 'sale'").fetchone()[0]
    page = staff.get(f"/pos/sales/{sale_uuid}/return").get_data(as_text=True)
    assert 'value="card"' in page and 'value="as_paid"' in page and "checked" not in page  # asked, not chosen
    unasked = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1"})
    assert unasked.status_code == 422 and "paid in several ways" in unasked.get_data(as_text=True)
    too_much_cash = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-2": "1", "refund_method": "cash"})
    assert too_much_cash.status_code == 422 and "cannot be refunded this way" in too_much_cash.get_data(as_text=True)
    assert returns_count(db) == 0
    assert staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "refund_method": "card"}).status_code == 303
    refunds = db.execute("SELECT t.kind, t.amount_minor, t.reference FROM tenders t JOIN sales s ON s.uuid = "
                         "t.sale_uuid WHERE s.kind = 'return'").fetchall()
    assert refunds == [("card", -1990, "AUTH 4411")]  # the whole case back on the card that paid, one refund
    split = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-2": "1", "refund_method": "as_paid"})
    assert split.status_code == 303
    kinds = {r[0] for r in db.execute("SELECT t.kind FROM tenders t JOIN sales s ON s.uuid = t.sale_uuid "
                                      "WHERE s.kind = 'return' AND s.uuid <> (SELECT sale_uuid FROM tenders "
                                      "WHERE amount_minor = -1990)")}
    assert kinds == {"voucher", "card", "cash"}  # chosen: split over each means of payment


DESK, DESK_PIN = "Agnès Roux", "246813"


@pytest.fixture
def two_stores(tmp_path):
    """HQ as its own process, two stores enrolled there, a kiosk for each, its clerk signed in."""
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    storage = setup.extensions["hq.storage"]
    stores = [storage.add_store(name) for name in ("Boutique Lyon", "Boutique Lille")]
    add_staff(storage, DESK, "supervisor", DESK_PIN)
    with hq_process(tmp_path / "hq") as (base, _process):
        apps = [make_app(tmp_path / name, SYNC_URL=base, SYNC_STORE_ID=store[0], SYNC_SECRET=store[1])
                for name, store in zip(("lyon", "lille"), stores, strict=True)]
        clerks = []
        for app in apps:
            clerks.append(KioskClient(app.test_client()))
            clerks[-1].login(app)
        yield base, storage, apps, clerks


def _sync(app, db_of) -> None:
    c = app.config
    pusher.drain(db_of(app), HQClient(c["SYNC_URL"], c["SYNC_STORE_ID"], c["SYNC_SECRET"], 5), 50)


def test_a_return_and_a_warranty_claim_at_a_second_store_through_hq_over_http(two_stores, db_of):
    base, storage, (lyon, lille), (at_lyon, at_lille) = two_stores
    fill(at_lyon, IPHONE, DEVICE_IMEI, CASE)
    assert at_lyon.post("/pos/pay", {"card_amount": "398,90", "card_reference": "AUTH 9001"}).status_code == 303
    number = db_of(lyon).execute("SELECT number FROM sales").fetchone()[0]
    not_yet = at_lille.post("/pos/returns", {"receipt": number}, follow_redirects=True)
    assert not_yet.status_code == 422 and "No sale with this receipt number" in not_yet.get_data(as_text=True)
    _sync(lyon, db_of)
    found = at_lille.post("/pos/returns", {"receipt": DEVICE_IMEI}, follow_redirects=True).get_data(as_text=True)
    assert f"Sale {number} at Boutique Lyon" in found and "looked up at HQ" in found and "AUTH 9001" not in found
    # A return of the case at Lille: Lille's own document, refunded from Lille's till to the card.
    back = at_lille.post(f"/pos/aftersales/{number}/return", {"qty-2": "1", "refund_method": "card"})
    assert back.status_code == 303
    db_lille = db_of(lille)
    ret = db_lille.execute("SELECT uuid, store_id, original_uuid, total_minor FROM sales").fetchone()
    assert ret[2] is None and ret[3] == -1990
    assert db_lille.execute("SELECT original_number, original_store_name FROM returns_elsewhere").fetchone() == (
        number, "Boutique Lyon")
    assert db_of(lyon).execute("SELECT count(*) FROM sales WHERE kind = 'return'").fetchone()[0] == 0
    again = at_lille.post(f"/pos/aftersales/{number}/return", {"qty-2": "1", "refund_method": "card"})
    assert again.status_code == 422 and "at most 0" in again.get_data(as_text=True)
    voucher_way = at_lille.post(f"/pos/aftersales/{number}/return", {"qty-1": "1", "refund_method": "voucher"})
    assert voucher_way.status_code == 422  # another store's voucher or payment is never this store's to refund
    # A warranty claim on the phone at Lille: printed, synced to HQ, its status shown back.
    claim = at_lille.post(f"/pos/aftersales/{number}/warranty", {"line_no": "1", "problem": "no sound from speaker",
                                                                 "condition": "scratch on the back, screen intact"})
    assert claim.status_code == 303
    claim_uuid, claim_number = db_lille.execute("SELECT uuid, number FROM warranty_claims").fetchone()
    [printed] = [p for p in (Path(lille.config["DATA_DIR"]) / "prints").iterdir() if p.name.startswith(claim_number)]
    ticket = paper_text(printed.read_bytes())  # in the store's language: the demo store is French
    assert "PRISE EN CHARGE" in ticket and "PANNE DÉCRITE" in ticket and DEVICE_IMEI in ticket
    assert "no sound from speaker" in ticket and number in ticket and "Boutique Lyon" in ticket
    assert "Not at HQ yet" in at_lille.get(f"/pos/aftersales/warranty/{claim_uuid}").get_data(as_text=True)
    _sync(lille, db_of)
    assert "waiting for the after-sales desk" in at_lille.get(
        f"/pos/aftersales/warranty/{claim_uuid}").get_data(as_text=True)
    desk = hq_staff(base, DESK, DESK_PIN)  # HQ's after-sales desk, on its page
    assert claim_number in desk.get("/hq/claims/").text
    assert desk.post(f"/hq/claims/{claim_uuid}/status", {"status": "repaired"}).status_code == 303
    assert "Repaired" in at_lille.get(f"/pos/aftersales/warranty/{claim_uuid}").get_data(as_text=True)
    # Lille's return of Lyon's sale is a signed document of Lille's till like any return: its chain verifies whole.
    verified = flask_cli(lille, "fiscal", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # HQ counts Lille's return against Lyon's sale, and keeps it on Lille's store.
    with storage.read() as tx:
        assert tx.rows("SELECT store_id, quantity FROM hq_sale_returns") == [(lille.config["SYNC_STORE_ID"], 1)]
    seen_by_lyon = HQClient(base, lyon.config["SYNC_STORE_ID"], lyon.config["SYNC_SECRET"], 5).find_sale(number)
    assert seen_by_lyon["lines"][1]["returned"] == 1 and seen_by_lyon["refundable"] == {"card": 39890 - 1990}
    assert HQClient(base, lyon.config["SYNC_STORE_ID"], lyon.config["SYNC_SECRET"], 5).warranty_claim(
        claim_uuid) is None  # another store's claim is not Lyon's to read


def test_lookups_are_refused_to_unknown_and_revoked_stores_and_offline_the_clerk_is_told(two_stores, db_of):
    base, storage, (lyon, lille), (at_lyon, at_lille) = two_stores
    forged = HQClient(base, "not-a-store", "secret", 5)
    with pytest.raises(Exception, match="unknown store"):
        forged.find_sale("S-0000-0000")
    with storage.transaction() as tx:
        tx.run("UPDATE hq_stores SET revoked_at = %s WHERE id = %s", ["2026-01-01", lille.config["SYNC_STORE_ID"]])
    with pytest.raises(Exception, match="revoked"):
        HQClient(base, lille.config["SYNC_STORE_ID"], lille.config["SYNC_SECRET"], 5).find_sale(DEVICE_IMEI)
    lille.config["SYNC_URL"] = "http://127.0.0.1:9"  # HQ out of reach
    offline = at_lille.post("/pos/returns", {"receipt": "S-0000-0000"}, follow_redirects=True)
    assert offline.status_code == 422 and "HQ cannot be reached" in offline.get_data(as_text=True)
    assert "own sales are still found by receipt or IMEI" in offline.get_data(as_text=True)
