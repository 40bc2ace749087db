"""The point of sale through its routes, on a real SQLite file: vouchers from trade-ins, scan to cart,
discounts with approval, split tenders, receipts, returns to the original tenders, X/Z reports, and two
terminals racing for one voucher."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.till import vouchers
from testing.paper import paper_text
from testing.samples import ADULT_SELLER, BANK_SELLER, PIN
from tests.conftest import KioskClient, make_app, model_id, run_to_quote, staff_id

DRAWER_KICK = b"\x1bp\x00"  # ESC p m: pulse to the drawer connector's pin 2 (python-escpos cashdraw(2))
CASE, CHARGER, BOOK, IPHONE = "3761234500014", "3761234500021", "9782012345676", "3761234500052"


def traded_in_voucher(app, staff: KioskClient, imei: str = "490154203237518") -> dict:
    uuid_ = run_to_quote(staff, imei, device_id=model_id(app), storage_gb=64)
    assert staff.post(f"/tradeins/{uuid_}/seller", {**ADULT_SELLER, "payout_method": "store_credit"}
                      ).status_code == 303
    page = staff.get(f"/tradeins/{uuid_}").get_data(as_text=True)
    code = re.search(r'id="voucher-code">(V-[0-9A-Z-]+)<', page).group(1)
    assert "QR code of voucher" in page  # printed as a QR the till scans
    return {"code": code, "tradein": uuid_}


def voucher_row(db, code: str) -> dict:
    return dict(zip(("balance", "issued", "status"), db.execute(
        "SELECT balance_minor, issued_minor, status FROM vouchers WHERE code = ?", [code]).fetchone(), strict=True))


def manager_approval(db) -> dict:
    """The manager's own PIN on the clerk's screen (the Z report is final: a manager closes it)."""
    return {"approver_id": staff_id(db, "Sacha Leroy"), "approver_pin": PIN}


def fill(staff: KioskClient, *codes: str) -> None:
    for code in codes:
        assert staff.post("/pos/scan", {"code": code}).status_code == 200, code


def test_a_store_credit_trade_in_issues_a_voucher_and_a_terminal_without_hq_promises_no_transfer(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    row = voucher_row(db, voucher["code"])
    total = db.execute("SELECT total_minor FROM tradeins WHERE uuid = ?", [voucher["tradein"]]).fetchone()[0]
    assert row == {"balance": total, "issued": total, "status": "active"}
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox ORDER BY seq")]
    assert kinds == ["tradein.accepted", "voucher.issued"]  # the same transaction, both for HQ
    other = run_to_quote(staff, "352099001761481", device_id=model_id(app), storage_gb=64)
    refused = staff.post(f"/tradeins/{other}/seller", BANK_SELLER)  # this terminal is not enrolled with HQ
    assert refused.status_code == 422 and "not enrolled with HQ" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM vouchers").fetchone()[0] == 1
    assert db["tradeins"].get(other)["state"] == "quoted"  # nothing was saved


def test_scans_fill_the_cart_and_discounts_above_the_threshold_need_a_manager(app, staff, db):
    fill(staff, CASE, CASE, BOOK)
    page = staff.get("/pos").get_data(as_text=True)
    assert 'value="2"' in page and "49,70" in page  # 2 x 19,90 + 9,90
    for code, reason in (("3761234500015", "is not a product barcode"), ("3761234599995", "No product"),
                         ("hello", "is not a product barcode")):
        response = staff.post("/pos/scan", {"code": code})
        assert response.status_code == 422 and reason in response.get_data(as_text=True), code
    refused = staff.post("/pos/discount", {"line_no": "1", "discount": "10", "reason": "display model"})
    assert refused.status_code == 422 and "A manager must approve" in refused.get_data(as_text=True)
    manager = db.execute("SELECT id FROM staff WHERE role = 'manager'").fetchone()[0]
    approved = staff.post("/pos/discount", {"line_no": "1", "discount": "10", "reason": "display model",
                                           "approver_id": manager, "approver_pin": PIN})
    assert approved.status_code == 200
    assert db.execute("SELECT discount_minor, discount_approved_by FROM cart_lines WHERE line_no = 1").fetchone() \
        == (1000, manager)
    assert staff.post("/pos/lines/2", {"action": "remove"}).status_code == 200
    assert db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 1


def test_a_sale_paid_by_voucher_card_and_cash_prints_vat_warranty_and_change(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    fill(staff, IPHONE, "356938035643809", BOOK)  # a device, then its IMEI; a 5,5 % book
    total = 37900 + 990
    balance = voucher_row(db, voucher["code"])["balance"]
    response = staff.post("/pos/pay", {"voucher_code": voucher["code"], "card_amount": "100",
                                       "card_reference": "AUTH 778812", "cash_given": "300"})
    assert response.status_code == 303
    sale = db.execute("SELECT uuid, total_minor, change_minor FROM sales").fetchone()
    cash_due = total - balance - 10000
    assert sale[1] == total and sale[2] == 30000 - cash_due
    assert voucher_row(db, voucher["code"])["balance"] == 0
    tenders = db.execute("SELECT kind, amount_minor, reference FROM tenders ORDER BY line_no").fetchall()
    assert tenders == [("voucher", balance, voucher["code"]), ("card", 10000, "AUTH 778812"), ("cash", cash_due, "")]
    receipt = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "TVA 5,5 % sur" in receipt and "TVA 20 % sur" not in receipt  # the iPhone: margin scheme, no VAT shown
    assert "Régime particulier – Biens d&#39;occasion" in receipt  # HTML-escaped apostrophe
    assert "Garantie 12 mois" in receipt and "356938035643809" in receipt and "Retour sous 14 jours" in receipt
    payload = db.execute("SELECT payload FROM outbox WHERE kind = 'sale.completed'").fetchone()[0]
    assert "AUTH 778812" in payload and db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 0
    printed = [p for p in (Path(app.config["DATA_DIR"]) / "prints").iterdir() if "-S-" in p.name or
               p.name.startswith("S-")]
    assert printed[0].read_bytes().startswith(DRAWER_KICK)  # cash was taken: the drawer opens as it prints


@pytest.mark.parametrize("problem, fix, reason", [
    ("expired", "UPDATE vouchers SET expires_at = ?", "expired on"),
    ("cancelled", "UPDATE vouchers SET status = 'cancelled'", "was cancelled"),
    ("other store", "UPDATE vouchers SET store_id = 'elsewhere'", "issued by another store"),
])
def test_unusable_vouchers_are_refused_with_the_reason(app, staff, db, problem, fix, reason):
    voucher = traded_in_voucher(app, staff)
    params = [(date.today() - timedelta(days=1)).isoformat()] if "?" in fix else []
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute(fix, params)
    db.conn.commit()
    fill(staff, CASE)
    response = staff.post("/pos/pay", {"voucher_code": voucher["code"]})
    assert response.status_code == 422 and reason in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 0


def test_a_trade_in_whose_voucher_was_spent_cannot_be_cancelled(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    fill(staff, CASE)
    assert staff.post("/pos/pay", {"voucher_code": voucher["code"]}).status_code == 303
    staff.post(f"/tradeins/{voucher['tradein']}/cancel", {})
    manager = db.execute("SELECT id FROM staff WHERE role = 'manager'").fetchone()[0]
    staff.post(f"/tradeins/{voucher['tradein']}/cancel", {"approver_id": manager, "approver_pin": PIN})
    assert db.execute("SELECT state FROM tradeins").fetchone()[0] != "cancelled"


def test_partial_returns_refund_the_original_tenders_exactly_and_never_twice(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    fill(staff, CHARGER, CHARGER, CASE)  # 2 x 24,90 + 19,90 = 69,70
    voucher_part = 3000
    staff.post("/pos/pay", {"voucher_code": voucher["code"], "voucher_amount": "30", "cash_given": "39,70"})
    sale_uuid, number = db.execute("SELECT uuid, number FROM sales").fetchone()
    assert staff.post("/pos/returns", {"receipt": number}).headers["Location"].endswith(f"/sales/{sale_uuid}/return")
    before = voucher_row(db, voucher["code"])["balance"]
    first = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "refund_method": "as_paid"})  # 24,90
    assert first.status_code == 303
    refunds = dict(db.execute("SELECT t.kind, t.amount_minor FROM tenders t JOIN sales s ON s.uuid = t.sale_uuid "
                              "WHERE s.kind = 'return'").fetchall())
    assert sum(refunds.values()) == -2490 and refunds["voucher"] == -round(2490 * voucher_part / 6970)
    assert voucher_row(db, voucher["code"])["balance"] == before - refunds["voucher"]
    staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "qty-2": "1", "refund_method": "as_paid"})
    net = db.execute("SELECT kind, sum(amount_minor) FROM tenders GROUP BY kind").fetchall()
    assert dict(net) == {"voucher": 0, "cash": 0}  # everything back where it came from, to the cent
    again = staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "refund_method": "as_paid"})
    assert again.status_code == 422 and "at most 0" in again.get_data(as_text=True)


def test_x_and_z_reports_count_everything_and_a_z_is_final(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    fill(staff, CASE, BOOK)
    staff.post("/pos/pay", {"voucher_code": voucher["code"], "voucher_amount": "10", "cash_given": "50"})
    x = staff.get("/pos/reports").get_data(as_text=True)
    assert "Cash expected in the drawer" in x and "19,80" in x  # 29,80 - 10,00 of voucher
    check = staff.post("/pos/reports/z", {"counted_cash": "19,50"})  # step 1: the figures, nothing written
    assert check.status_code == 200 and "Confirm the Z report" in check.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM z_reports").fetchone()[0] == 0
    closing = {"counted_cash": "19,50", "confirm": "1", **manager_approval(db)}
    unexplained = staff.post("/pos/reports/z", closing)  # 30 cents short: say why first
    assert unexplained.status_code == 422 and "say why" in unexplained.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM z_reports").fetchone()[0] == 0
    response = staff.post("/pos/reports/z", {**closing, "comment": "change given twice at 15:10"})
    assert response.status_code == 303
    z = db.execute("SELECT number, data, counted_cash_minor, expected_cash_minor FROM z_reports").fetchone()
    assert z[0] == 1 and z[2] == 1950 and z[3] == 1980
    data = json.loads(z[1])
    assert data["sales"] == 1 and data["tradeins"] == 1 and data["vouchers_issued"] == 1
    assert data["vouchers_redeemed_minor"] == 1000 and set(data["vat"]) == {"550", "2000"}
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "RAPPORT Z 1" in page and "-0,30" in page and "change given twice at 15:10" in page  # and why
    paper = paper_text(next((Path(app.config["DATA_DIR"]) / "prints").glob("Z-00001*")).read_bytes())
    first_sale = db.execute("SELECT min(accepted_at) FROM tradeins").fetchone()[0]  # the period's first event
    local = datetime.fromisoformat(first_sale).astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M")
    assert f"Du {local}" in paper and "Du —" not in paper and "T" not in paper.split("Au ")[1][:17]
    assert "Motif" in paper and "change given twice at 15:10" in paper
    with pytest.raises(sqlite3.IntegrityError, match="final"):
        db.execute("UPDATE z_reports SET counted_cash_minor = 1980")
    assert "<dd>0 · 0,00" in staff.get("/pos/reports").get_data(as_text=True)  # a new period starts empty
    staff.post("/pos/reports/x/print")  # the X report prints too, and closes nothing
    x_paper = paper_text(next((Path(app.config["DATA_DIR"]) / "prints").glob("X*")).read_bytes())
    assert x_paper.startswith("RAPPORT X (SANS") and "seul un rapport Z" in " ".join(x_paper.split())
    assert db.execute("SELECT count(*) FROM z_reports").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'z.closed'").fetchone()[0] == 1


def test_two_terminals_racing_for_one_voucher_only_one_gets_it(tmp_path, db_of):
    """Two app instances over one store database, each its own terminal, paying at the same instant."""
    first = make_app(tmp_path / "instance")
    db = db_of(first)
    store = db.execute("SELECT id FROM stores").fetchone()[0]
    second_terminal = str(uuid.uuid4())
    db.execute("INSERT INTO terminals VALUES (?, ?, 'Counter 2', 'staff')", [second_terminal, store])
    db.conn.commit()
    second = make_app(tmp_path / "instance", TERMINAL_ID=second_terminal)
    tills = []
    for app in (first, second):
        client = KioskClient(app.test_client())
        client.login(app)
        tills.append(client)
    wins = 0
    for round_ in range(10):
        code = f"V-RACE-{round_:04d}-TEST"
        db.execute("INSERT INTO vouchers VALUES (?, ?, NULL, 2000, 2000, 'EUR', 'active', ?, ?)",
                   [code, store, date.today().isoformat(), (date.today() + timedelta(days=30)).isoformat()])
        db.conn.commit()
        for client in tills:
            fill(client, CASE)  # 19,90: the voucher covers it whole
        barrier, answers = threading.Barrier(2), []

        def pay(client, code=code, barrier=barrier, answers=answers):
            barrier.wait()
            answers.append(client.post("/pos/pay", {"voucher_code": code}).status_code)

        threads = [threading.Thread(target=pay, args=(client,)) for client in tills]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(answers) == [303, 422], answers
        assert db.execute("SELECT balance_minor FROM vouchers WHERE code = ?", [code]).fetchone()[0] == 10
        assert db.execute("SELECT count(*) FROM tenders WHERE reference = ?", [code]).fetchone()[0] == 1
        wins += 1
        for client in tills:  # the loser's cart is still there (nothing was recorded): empty it
            client.post("/pos/lines/1", {"action": "remove"})
        assert db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 0
    assert wins == 10


def test_the_database_itself_refuses_a_negative_balance(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE vouchers SET balance_minor = -1 WHERE code = ?", [voucher["code"]])
    assert vouchers.get(db, voucher["code"])["balance_minor"] > 0


def test_sales_returns_vouchers_and_z_reach_hq_once_and_hq_products_reach_the_till(tmp_path, hq_app, hq_url,
                                                                                   hq_store, db_of):
    from kiosk.tradein.reference import pull
    from sync import pusher
    from tests.test_sync import client_of, kiosk_for

    app = kiosk_for(tmp_path, hq_url, hq_store)
    staff = KioskClient(app.test_client())
    staff.login(app)
    db = db_of(app)
    voucher = traded_in_voucher(app, staff)
    fill(staff, CASE, CASE)
    staff.post("/pos/pay", {"voucher_code": voucher["code"], "voucher_amount": "5", "cash_given": "40"})
    sale_uuid = db.execute("SELECT uuid FROM sales").fetchone()[0]
    staff.post(f"/pos/sales/{sale_uuid}/return", {"qty-1": "1", "refund_method": "as_paid"})
    staff.post("/pos/reports/z", {"counted_cash": "17,35", "confirm": "1", "comment": "counted in a hurry",
                                  **manager_approval(db)})
    for _ in range(2):  # a second drain sends nothing twice
        pusher.drain(db, client_of(app), batch_size=3)
    stored = [r[3] for r in hq_app.extensions["hq.storage"].records(hq_store[0])]
    assert sorted(stored) == sorted(["tradein.accepted", "voucher.issued", "sale.completed", "sale.returned",
                                     "z.closed"])
    assert pusher.status(db)["rejections"] == 0
    case = {"ean": CASE, "name": "Coque silicone iPhone 12", "kind": "accessory", "price_minor": 1790, "vat_bp": 2000}
    hq_app.extensions["hq.storage"].publish("products", "P-BAD", json.dumps({"products": [case, {
        "ean": "not-an-ean", "name": "broken row", "kind": "accessory", "price_minor": 1, "vat_bp": 2000}]}))
    assert "products P-BAD refused" in pull(db, client_of(app))  # refused whole: the till keeps what it has
    assert db.execute("SELECT price_minor FROM products WHERE ean = ?", [CASE]).fetchone()[0] == 1990
    hq_app.extensions["hq.storage"].publish("products", "P-2026-12", json.dumps({"products": [case]}))
    assert "products P-2026-12" in pull(db, client_of(app))
    assert db.execute("SELECT price_minor FROM products WHERE ean = ?", [CASE]).fetchone()[0] == 1790
    assert db.execute("SELECT count(*) FROM products WHERE ean = 'not-an-ean'").fetchone()[0] == 0


def test_a_product_or_voucher_scanned_on_any_staff_page_goes_to_the_till(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    added = staff.post("/scan", {"code": CASE})
    assert added.headers["Location"] == "/pos" and db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 1
    to_pay = staff.post("/scan", {"code": voucher["code"]})
    assert to_pay.headers["Location"] == f"/pos/pay?voucher_code={voucher['code']}"
    assert f'value="{voucher["code"]}"' in staff.get(to_pay.headers["Location"]).get_data(as_text=True)
    unknown = staff.post("/scan", {"code": "3761234599995"})
    assert unknown.status_code == 422 and "No product has the barcode" in unknown.get_data(as_text=True)


def test_a_scanner_burst_on_the_till_page_goes_to_the_cart(staff):
    till = staff.get("/pos").get_data(as_text=True)
    assert '<form id="scan-form" method="post" action="/pos/scan" hidden>' in till
    assert 'action="/scan" hidden>' in staff.get("/tradeins").get_data(as_text=True)


def test_two_stores_racing_through_hq_for_one_voucher_only_one_gets_it(tmp_path, hq_app, hq_url, hq_store, db_of):
    """Store A issued the voucher; A and B spend its whole balance at the same instant, both online."""
    from sync import pusher
    from tests.test_sync import client_of

    other_store = hq_app.extensions["hq.storage"].add_store("Boutique Lyon 2e")
    store_a = make_app(tmp_path / "a", SYNC_URL=hq_url, SYNC_STORE_ID=hq_store[0], SYNC_SECRET=hq_store[1])
    store_b = make_app(tmp_path / "b", SYNC_URL=hq_url, SYNC_STORE_ID=other_store[0], SYNC_SECRET=other_store[1])
    tills = {}
    for name, app in (("a", store_a), ("b", store_b)):
        tills[name] = KioskClient(app.test_client())
        tills[name].login(app)
    voucher = traded_in_voucher(store_a, tills["a"])
    db_a, db_b = db_of(store_a), db_of(store_b)
    pusher.drain(db_a, client_of(store_a), batch_size=50)  # HQ learns of the voucher
    balance = voucher_row(db_a, voucher["code"])["balance"]
    for client in tills.values():
        fill(client, *[CHARGER] * 7)  # 174,30: more than the voucher holds
    barrier, answers = threading.Barrier(2), {}

    def pay(name):
        barrier.wait()
        answers[name] = tills[name].post("/pos/pay", {"voucher_code": voucher["code"],
                                                       "voucher_amount": f"{balance / 100:.2f}".replace(".", ","),
                                                       "cash_given": "200"})

    threads = [threading.Thread(target=pay, args=(name,)) for name in tills]
    [t.start() for t in threads]
    [t.join() for t in threads]
    messages = {n: re.findall(r"role=\"alert\">([^<]+)", r.get_data(as_text=True)) for n, r in answers.items()}
    assert sorted(r.status_code for r in answers.values()) == [303, 422], messages
    loser = next(r for r in answers.values() if r.status_code == 422).get_data(as_text=True)
    assert "HQ refused voucher" in loser or "has only" in loser
    spent = sum(db.execute("SELECT count(*) FROM tenders WHERE reference = ?", [voucher["code"]]).fetchone()[0]
                for db in (db_a, db_b))
    assert spent == 1
    for app, db in ((store_a, db_a), (store_b, db_b)):  # the sales sync: the spend is not taken a second time
        pusher.drain(db, client_of(app), batch_size=50)
    with hq_app.extensions["hq.storage"].transaction() as tx:
        assert tx.rows("SELECT balance_minor FROM hq_vouchers WHERE code = %s", [voucher["code"]]) == [(0,)]


def test_another_stores_voucher_needs_hq_and_our_own_works_offline(tmp_path, db_of):
    offline = {"SYNC_URL": "http://127.0.0.1:9", "SYNC_STORE_ID": "st_offline", "SYNC_SECRET": "x" * 32,
               "SYNC_TIMEOUT": 2}
    app = make_app(tmp_path / "instance", **offline)
    staff = KioskClient(app.test_client())
    staff.login(app)
    voucher = traded_in_voucher(app, staff)
    fill(staff, CASE)
    foreign = staff.post("/pos/pay", {"voucher_code": "V-0000-0000-0001", "voucher_amount": "5", "cash_given": "20"})
    assert foreign.status_code == 422 and "HQ cannot be reached" in foreign.get_data(as_text=True)
    own = staff.post("/pos/pay", {"voucher_code": voucher["code"]})  # HQ down: the store's own voucher still pays
    assert own.status_code == 303


def test_hq_applies_a_stores_offline_voucher_spends_and_refunds_once(hq_app, hq_store):
    from hq.services.ingest import Record, ingest

    storage, store = hq_app.extensions["hq.storage"], hq_store[0]
    issued = {"code": "V-AAAA-BBBB-CCCC", "issued_minor": 5000, "expires_at": "2099-01-01", "tradein_uuid": "t1"}
    sale = {"uuid": str(uuid.uuid4()), "tenders": [{"kind": "voucher", "amount_minor": 3000,
                                                     "reference": "V-AAAA-BBBB-CCCC"}]}
    back = {"uuid": str(uuid.uuid4()), "original_uuid": sale["uuid"],
            "tenders": [{"kind": "voucher", "amount_minor": -1000, "reference": "V-AAAA-BBBB-CCCC"}]}
    accepted = {"uuid": "t1", "code": "TI-AAAA-BBBB", "total_minor": 5000}  # the voucher's own trade-in
    records = [Record(n, str(uuid.uuid4()), kind, json.dumps(payload)) for n, (kind, payload) in enumerate(
        [("tradein.accepted", accepted), ("voucher.issued", issued), ("sale.completed", sale),
         ("sale.returned", back)], start=1)]
    for _ in range(2):  # the same records again are duplicates: nothing is applied twice
        ingest(storage, store, uuid.uuid4().hex, records)
    with storage.transaction() as tx:
        assert tx.rows("SELECT balance_minor FROM hq_vouchers") == [(3000,)]


def test_a_warranty_imei_of_another_model_is_refused_on_a_device_line(app, staff, db):
    """Issue 15, item 5: the IMEI scanned for a refurbished iPhone 12 must be an iPhone 12's (when its TAC is known)."""
    fill(staff, IPHONE)
    refused = staff.post("/pos/scan", {"code": "490154203237518"})  # TAC 49015420: an iPhone 13
    assert refused.status_code == 422
    assert "belongs to the model Apple iPhone 13, not to “iPhone 12 64 Go reconditionné grade A”" in \
        refused.get_data(as_text=True).replace("&#34;", '"')
    assert db.execute("SELECT imei FROM cart_lines WHERE ean = ?", [IPHONE]).fetchone()[0] is None
    assert staff.post("/pos/scan", {"code": "356938035643809"}).status_code == 200  # a TAC we do not know: taken
