"""Scans land wherever they are made (issue 31, item 4): every staff scan field takes the codes of its own meaning
and sends any other where the page-wide /scan would, saying what it read and where it went. Browser tests drive a
real Chromium with real key bursts (a wedge scanner: keys a few ms apart, then Enter), several in a row."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from testing.samples import ADULT_SELLER
from tests.browser import chromium_page, live_server, screenshot
from tests.conftest import KioskClient, model_id, run_to_quote
from tests.test_browser import scan, settled, sign_in
from tests.test_pos import CASE, CHARGER, traded_in_voucher

DEVICE_STEP = re.compile(r"/tradeins/[0-9a-f-]{36}/device$")
WATCH_SERIALS = ("H4TF2K9WQ1", "FH7Q2M8KXW")  # Apple serials: a watch's or a tablet's, the clerk says which


def clerk(app) -> KioskClient:
    signed_in = KioskClient(app.test_client())
    signed_in.login(app)
    return signed_in


def accepted_tradein(app, db) -> tuple[str, str]:
    """A trade-in taken through the routes: (uuid, its TI- code)."""
    staff = clerk(app)
    uuid = run_to_quote(staff, "352099001761481", device_id=model_id(app), storage_gb=64)
    assert staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "payout_method": "store_credit"}).status_code == 303
    return uuid, db["tradeins"].get(uuid)["code"]


def flash_text(page) -> str:
    return " ".join(page.get_by_role("status").all_inner_texts())


# --- the start form: a kind button, then a serial; other codes scanned into its field -------------------------------

@pytest.mark.browser
def test_choosing_watch_then_scanning_the_serial_starts_a_watch_trade_in(app, db):
    """The clerk clicks "Watch" (the focus leaves the field for the radio) and scans: the burst goes into the
    identifier field and starts the watch's trade-in; twice in a row, from the same screen."""
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        for serial in WATCH_SERIALS:
            page.locator("#start-form .segmented label", has_text="Watch").click()
            expect(page.locator("#identifier")).to_be_focused()  # the click gave the focus back to the field
            scan(page, serial)
            page.wait_for_url(DEVICE_STEP)
            page.goto(base + "/tradeins")
            settled(page)
    assert db.execute("SELECT device_kind, serial FROM tradeins ORDER BY created_at").fetchall() == [
        ("watch", WATCH_SERIALS[0]), ("watch", WATCH_SERIALS[1])]


@pytest.mark.browser
def test_a_trade_in_code_scanned_into_the_start_field_opens_that_trade_in(app, db):
    uuid, code = accepted_tradein(app, db)
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        expect(page.locator("#identifier")).to_be_focused()
        scan(page, code)
        page.wait_for_url(re.compile(rf"/tradeins/{uuid}$"))
        expect(page.get_by_role("status").first).to_contain_text(f"Read a trade-in code: {code}, its trade-in opened")
        screenshot(page, "scan-routing-tradein-code-opened")
        page.goto(base + "/tradeins")
        settled(page)
        scan(page, f"BAG:{code}")  # its bag label, the next scan into the same field
        page.wait_for_url(re.compile(rf"/tradeins/{uuid}$"))
        expect(page.get_by_role("status").first).to_contain_text(f"Read a bag label: {code}")
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 1  # nothing was started from the codes


@pytest.mark.browser
def test_a_product_barcode_scanned_into_the_start_field_goes_to_the_cart(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        scan(page, CASE)
        page.wait_for_url(re.compile(r"/pos$"))
        settled(page)
        expect(page.locator("#cart")).to_contain_text("Coque silicone iPhone 12")
        expect(page.get_by_role("status")).to_have_text(
            f"Read a product barcode: {CASE}, added to the till's cart: Coque silicone iPhone 12.")  # one message
        page.locator("#code").focus()
        scan(page, CHARGER)  # the till's own field, next
        expect(page.locator("#cart")).to_contain_text("Chargeur USB-C 20 W")
    assert db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 0


@pytest.mark.browser
def test_a_refused_code_then_a_good_one_in_the_same_fields(app, db):
    """An unknown trade-in code scanned into the till's field is refused there, saying what was read; the field is
    emptied and the next burst adds its product. The same on the start form, then an IMEI starts a trade-in."""
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        scan(page, "TI-ZZZZ-ZZZZ-ZZZZ")
        expect(page.locator("#identifier-error")).to_contain_text(
            "Read: TI-ZZZZ-ZZZZ-ZZZZ (trade-in code). No trade-in TI-ZZZZ-ZZZZ-ZZZZ at this store.")
        expect(page.locator("#identifier")).to_have_value("")
        scan(page, "490154203237518")
        page.wait_for_url(DEVICE_STEP)
        page.goto(base + "/pos")
        settled(page)
        expect(page.locator("#code")).to_be_focused()
        scan(page, "TI-ZZZZ-ZZZZ-ZZZZ")
        expect(page.locator("#till-error")).to_contain_text("Read: TI-ZZZZ-ZZZZ-ZZZZ (trade-in code).")
        expect(page.locator("#code")).to_have_value("")
        expect(page.locator("#code")).to_be_focused()
        scan(page, CASE)
        expect(page.locator("#cart")).to_contain_text("Coque silicone iPhone 12")
    assert db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 1
    assert db.execute("SELECT imei FROM tradeins").fetchall() == [("490154203237518",)]


# --- the till: a voucher in the product field, the payment form ---------------------------------------------------

@pytest.mark.browser
def test_a_voucher_scanned_into_the_product_field_goes_to_the_payment_with_its_balance(app, db):
    staff = clerk(app)
    voucher = traded_in_voucher(app, staff)
    staff.post("/pos/scan", {"code": CASE})
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.goto(base + "/pos")
        settled(page)
        expect(page.locator("#code")).to_be_focused()
        scan(page, voucher["code"])
        page.wait_for_url(re.compile(r"/pos/pay\?voucher_code="))
        settled(page)
        expect(page.get_by_role("status").first).to_contain_text(
            f"Read a voucher: {voucher['code']}, taken to the payment.")
        expect(page.locator("#voucher_code")).to_have_value(voucher["code"])
        expect(page.locator("#voucher-status")).to_contain_text("left, valid until")
        expect(page.locator("#voucher-status")).to_contain_text("It pays 19,90")
        screenshot(page, "scan-routing-voucher-to-payment")
    assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 0


@pytest.mark.browser
def test_a_voucher_scanned_in_its_field_is_added_without_paying_and_an_underpaid_retry_keeps_it(app, db):
    """The voucher's burst shows its balance and records nothing; scanned again, the field holds it once. An
    underpaid submit keeps the voucher and the amounts typed; the retry pays with the voucher."""
    staff = clerk(app)
    voucher = traded_in_voucher(app, staff)
    issued = db.execute("SELECT issued_minor FROM vouchers WHERE code = ?", [voucher["code"]]).fetchone()[0]
    staff.post("/pos/scan", {"code": CASE})
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.goto(base + "/pos/pay")
        settled(page)
        for _ in range(2):  # the second burst replaces the first, never appended to it
            page.locator("#voucher_code").focus()
            scan(page, voucher["code"])
            expect(page.locator("#voucher-status")).to_contain_text(f"Voucher {voucher['code']}:")
            expect(page.locator("#voucher_code")).to_have_value(voucher["code"])
            assert page.url.endswith("/pos/pay")
        assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 0  # the burst paid nothing
        screenshot(page, "scan-routing-voucher-added")
        page.get_by_label("Amount from the voucher (blank: as much as possible)").press_sequentially("5")
        cash = page.get_by_label("Cash handed over by the customer")
        cash.press_sequentially("10")  # 5 + 10 for 19,90: underpaid
        page.get_by_role("button", name="Record the payment").click()
        expect(page.get_by_role("alert").first).to_contain_text("Nothing was recorded")
        expect(page.locator("#voucher_code")).to_have_value(voucher["code"])  # all kept
        expect(page.locator("#voucher_amount")).to_have_value("5")
        expect(cash).to_have_value("10")
        assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 0
        cash.press("Control+a")
        cash.press_sequentially("20")
        cash.press("Enter")  # Enter in an amount records the payment
        page.wait_for_url(re.compile(r"/pos/sales/[0-9a-f-]{36}$"))
        expect(page.locator("article.receipt")).to_contain_text(f"Bon d'achat {voucher['code']}")
    assert db.execute("SELECT balance_minor FROM vouchers WHERE code = ?", [voucher["code"]]).fetchone()[0] == \
        issued - 500


# --- other fields: returns, the search box ---------------------------------------------------------------------------

@pytest.mark.browser
def test_a_voucher_then_a_trade_in_code_scanned_into_the_returns_field_go_where_they_belong(app, db):
    uuid, code = accepted_tradein(app, db)
    staff = clerk(app)
    voucher = traded_in_voucher(app, staff, "490154203237518")
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        for scanned, lands, said in ((voucher["code"], r"/pos/pay\?voucher_code=", "Read a voucher"),
                                     (code, rf"/tradeins/{uuid}$", "Read a trade-in code")):
            page.goto(base + "/pos/returns")
            expect(page.locator("#receipt")).to_be_focused()
            scan(page, scanned)
            page.wait_for_url(re.compile(lands))
            expect(page.get_by_role("status").first).to_contain_text(f"{said}: {scanned}")


@pytest.mark.browser
def test_a_burst_into_the_search_box_is_left_to_the_search(app, db):
    """The search box is no scan field: a burst there searches (a person may paste a code), nothing is routed."""
    uuid, code = accepted_tradein(app, db)
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.locator("#q").focus()
        scan(page, code)
        page.wait_for_url(re.compile(r"/tradeins\?q="))
        expect(page.locator("#tradein-rows")).to_contain_text(code)
        expect(page.locator("#q")).to_have_value(code)


# --- without JavaScript: the routes themselves --------------------------------------------------------------------

def test_each_field_routes_a_code_of_another_meaning_and_says_so(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    uuid, code = accepted_tradein(app, db)
    led = staff.post("/tradeins", {"device_kind": "phone", "identifier": code})
    assert led.status_code == 303 and led.headers["Location"].endswith(f"/tradeins/{uuid}")
    assert f"Read a trade-in code: {code}, its trade-in opened." in staff.get(led.headers["Location"]).get_data(
        as_text=True)
    to_pay = staff.post("/pos/scan", {"code": voucher["code"]})
    assert to_pay.headers["Location"] == f"/pos/pay?voucher_code={voucher['code']}"
    to_cart = staff.post("/pos/pay", {"voucher_code": CASE})  # a product in the voucher field: to the cart
    assert to_cart.headers["Location"] == "/pos" and db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 1
    opened = staff.post("/pos/returns", {"receipt": f"BAG:{code}"})
    assert opened.headers["Location"].endswith(f"/tradeins/{uuid}")
    refused = staff.post("/pos/returns", {"receipt": "V-ZZZZ-ZZZZ-ZZZZ"})  # routed to the payment: shown there
    assert refused.status_code == 303 and "voucher_code=V-ZZZZ-ZZZZ-ZZZZ" in refused.headers["Location"]
    unknown = staff.get(refused.headers["Location"])
    assert "Unknown voucher V-ZZZZ-ZZZZ-ZZZZ" in unknown.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 0


def test_the_voucher_button_shows_the_balance_and_records_nothing(app, staff, db):
    voucher = traded_in_voucher(app, staff)
    staff.post("/pos/scan", {"code": CASE})
    shown = staff.post("/pos/pay", {"voucher_code": voucher["code"].lower(), "action": "voucher", "cash_given": "7"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="voucher-status"' in page and "It pays 19,90" in page
    assert 'value="7"' in page  # what was typed stays
    unknown = staff.post("/pos/pay", {"voucher_code": "V-ZZZZ-ZZZZ-ZZZZ", "action": "voucher"})
    assert unknown.status_code == 422 and "Unknown voucher" in unknown.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 0


def test_digits_typed_for_a_watch_are_its_serial_and_an_ambiguous_serial_scanned_at_the_till_asks_its_kind(
        app, staff, db):
    """Twelve or thirteen digits could be a product barcode: with "Watch" chosen they are the watch's serial. A serial
    whose format names no kind, scanned into the till's field, reaches the start form, which asks the kind."""
    started = staff.post("/tradeins", {"device_kind": "watch", "identifier": CASE})
    assert started.status_code == 303 and DEVICE_STEP.search(started.headers["Location"])
    assert db.execute("SELECT device_kind, serial FROM tradeins").fetchone() == ("watch", CASE)
    asked = staff.post("/pos/scan", {"code": WATCH_SERIALS[0]})
    assert asked.headers["Location"] == f"/tradeins?serial={WATCH_SERIALS[0]}"
    page = staff.get(asked.headers["Location"]).get_data(as_text=True)
    assert "choose whether the device is a watch" in page and f'value="{WATCH_SERIALS[0]}"' in page
    assert "data-scan-keep" in page  # kept in the field while the clerk chooses the kind


def test_the_pick_up_field_takes_the_device_and_routes_any_other_code(app, db):
    from tests.test_customer import customer, estimate_to_ticket

    ticket = estimate_to_ticket(customer(app), app)
    staff = clerk(app)
    refused = staff.post(f"/tradeins/pickup/{ticket}", {"identifier": "TI-ZZZZ-ZZZZ-ZZZZ"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Read: TI-ZZZZ-ZZZZ-ZZZZ (trade-in code). No trade-in" in page
    to_cart = staff.post(f"/tradeins/pickup/{ticket}", {"identifier": CASE})  # a phone is no product: the cart
    assert to_cart.headers["Location"] == "/pos" and db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 1
    started = staff.post(f"/tradeins/pickup/{ticket}", {"identifier": "352099001761481"})
    assert DEVICE_STEP.search(started.headers["Location"])
