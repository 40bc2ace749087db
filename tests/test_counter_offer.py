"""HQ's counter-offer (issue 33), on both HQ backends and over real HTTP: a supervisor settles a dispute for HQ's
lower grade, the seller reads the offer on the tracking page printed on their receipt and accepts (the voucher or
the transfer is lowered once, however often the answer is sent) or refuses (the device goes back: HQ's return
shipments, the store's list of devices to hand back); a deadline with no answer applies the policy."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from hq.services import counter_offers
from kiosk.store.db import fetch_all
from kiosk.tradein.reference import pull
from sync import pusher
from testing.samples import BANK_SELLER, PERFECT_PHONE
from tests.browser import chromium, live_server, new_page, screenshot
from tests.conftest import KioskClient, model_id, run_to_quote
from tests.test_accessibility import BLOCKING, axe_violations
from tests.test_browser import sign_in
from tests.test_hq_receiving import HQ_PIN, HQStaff, publish_store_grid
from tests.test_sync import client_of, kiosk_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HQ_IBAN = "FR7630004000031234567890143"
SCRATCHED = {**PERFECT_PHONE, "screen": "deep_scratches"}


class Seller:
    """The seller's phone: the tracking link from the receipt, opened over real HTTP, with its own cookies."""

    def __init__(self, url: str) -> None:
        self.url, self.http, self.token = url, requests.Session(), ""

    def page(self, lang: str = "en") -> str:
        response = self.http.get(self.url, params={"lang": lang}, timeout=10)
        assert response.status_code == 200, response.status_code
        if found := CSRF.search(response.text):
            self.token = found.group(1)  # the form's, as a tab still showing it holds it
        return response.text

    def answer(self, form: dict, token: str | None = None) -> requests.Response:
        """The form sent as the page's button sends it (a second time: the tab still shows the first page)."""
        if not (token or self.token):
            self.page()
        return self.http.post(f"{self.url}/answer?lang=en", data={"csrf_token": token or self.token, **form},
                              timeout=10, allow_redirects=False)


class Offer:
    """A store whose trade-in HQ received, regraded lower and settled for HQ's grade: the counter-offer is made."""

    def __init__(self, tmp_path, hq_app, hq_url, hq_store, db_of, seller_form: dict | None = None) -> None:
        self.hq_app, self.hq_url, self.storage = hq_app, hq_url, hq_app.extensions["hq.storage"]
        self.app = kiosk_for(tmp_path, hq_url, hq_store)
        self.clerk = KioskClient(self.app.test_client())
        self.clerk.login(self.app)
        self.db = db_of(self.app)
        publish_store_grid(hq_app, self.db)
        self.receiver = HQStaff(hq_app, "Inès Moreau", "receiver")
        self.supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
        self.uuid, self.code, self.seller = self.trade_in("490154203237518", seller_form)

    def trade_in(self, imei: str, seller_form: dict | None = None) -> tuple[str, str, Seller]:
        """A trade-in taken at the counter, shipped, synced, and its bag checked in at HQ; with its seller's link."""
        uuid = run_to_quote(self.clerk, imei=imei, device_id=model_id(self.app))
        form = seller_form or {**BANK_SELLER, "payout_method": "store_credit"}
        assert self.clerk.post(f"/tradeins/{uuid}/seller", form).status_code == 303
        assert self.clerk.post("/shipments", {"tradein": [uuid]}).status_code == 303
        self.push()
        code, token = self.db.execute("SELECT code, tracking_token FROM tradeins WHERE uuid = ?", [uuid]).fetchone()
        assert self.receiver.post("/hq/checkin", {"code": f"BAG:{code}"}).status_code == 200
        return uuid, code, Seller(f"{self.hq_url}/track/{code}/{token}")

    def regrade_and_settle(self, uuid: str | None = None) -> None:
        uuid = uuid or self.uuid
        assert self.receiver.post(f"/hq/tradeins/{uuid}/regrade", SCRATCHED).status_code == 303
        assert self.supervisor.post(f"/hq/tradeins/{uuid}/decision",
                                    {"decision": "accept", "note": "deep scratch across the glass"}).status_code == 303

    def push(self) -> None:
        pusher.drain(self.db, client_of(self.app), batch_size=50)

    def pull(self) -> list[str]:
        return pull(self.db, client_of(self.app))

    def one(self, sql: str) -> tuple:
        with self.storage.transaction() as tx:
            rows = tx.rows(sql, [self.uuid])
        assert len(rows) == 1, rows
        return tuple(rows[0])

    def voucher(self) -> tuple[int, int, str]:
        return tuple(int(v) if isinstance(v, int) else v for v in self.one(
            "SELECT issued_minor, balance_minor, status FROM hq_vouchers WHERE tradein_uuid = %s"))

    def local_voucher(self) -> tuple:
        return tuple(self.db.execute("SELECT issued_minor, balance_minor, status FROM vouchers WHERE tradein_uuid = ?",
                                     [self.uuid]).fetchone())

    def events(self, action: str) -> int:
        with self.storage.transaction() as tx:
            return tx.rows("SELECT count(*) FROM hq_events WHERE tradein_uuid = %s AND action = %s",
                           [self.uuid, action])[0][0]


def test_the_seller_accepts_once_and_the_voucher_at_hq_and_at_the_store_goes_down_by_the_difference(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    before = offer.seller.page()
    assert 'id="offer"' not in before and "Paid in store credit" in before  # no offer before HQ's check
    offer.regrade_and_settle()
    old, new = (int(v) for v in offer.one("SELECT old_minor, new_minor FROM hq_counter_offers WHERE tradein_uuid = %s"))
    assert 0 <= new < old
    page = offer.seller.page()
    offer_part = page[page.index('id="offer"'):page.index('id="steps"')]
    assert "How does the screen look when it is switched off?" in offer_part  # the seller's words, not the clerk's
    assert "At the store: Flawless" in offer_part and "Our check: Deep scratches" in offer_part
    assert "Answer by" in offer_part and "Without an answer by then, the new amount applies." in offer_part
    assert "waiting for your answer" in page[:page.index('id="offer"')]  # the amount at the top says so too
    assert offer.seller.answer({"answer": "accept"}).status_code == 303
    assert offer.voucher() == (old, new, "active")
    accepted = offer.seller.page()
    assert "You accepted our offer on" in accepted and 'id="accept"' not in accepted
    # A double click, the back button's form sent again, another tab refusing: nothing changes.
    token = CSRF.search(page).group(1)  # the form as the earlier page (or another tab) still holds it
    for form in ({"answer": "accept"}, {"answer": "accept"}, {"answer": "refuse", "return_to": "store"}):
        assert offer.seller.answer(form, token).status_code == 303
    assert offer.voucher() == (old, new, "active")
    assert offer.one("SELECT count(*) FROM hq_voucher_uses WHERE code = (SELECT code FROM hq_vouchers WHERE "
                     "tradein_uuid = %s)") == (1,)
    assert offer.events("counter_offer_accepted") == 1 and offer.events("return_asked") == 0

    assert "HQ update(s)" in " ".join(offer.pull())
    assert offer.local_voucher() == (old, new, "active")  # the store's own till spends it offline: lowered there too
    assert offer.pull() == [] and offer.local_voucher() == (old, new, "active")  # once
    detail = offer.clerk.get(f"/tradeins/{offer.uuid}").get_data(as_text=True)
    assert "The seller accepted HQ" in detail and "Voucher lowered by" in detail


def test_an_accepted_offer_is_hqs_new_total_and_its_days_total_lowered_once(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    day_total = ("SELECT sum(value_minor) FROM hq_daily WHERE store_id = (SELECT store_id FROM hq_tradeins WHERE "
                 "uuid = %s)")
    paid = int(offer.one(day_total)[0])
    offer.regrade_and_settle()
    old, new = (int(v) for v in offer.one("SELECT old_minor, new_minor FROM hq_counter_offers WHERE tradein_uuid = %s"))
    assert offer.one("SELECT total_minor FROM hq_tradeins WHERE uuid = %s") == (old,) and paid >= old > new
    for _ in range(2):  # the answer sent twice lowers the totals once
        assert offer.seller.answer({"answer": "accept"}).status_code == 303
    assert offer.one("SELECT total_minor FROM hq_tradeins WHERE uuid = %s") == (new,)
    assert int(offer.one(day_total)[0]) == paid - (old - new)  # the dashboard's day, as HQ paid it


def test_a_transfer_waits_for_the_answer_and_leaves_in_the_bank_file_at_the_new_amount(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    hq_app.config.update(PAYOUT_NAME="Marketplace SAS", PAYOUT_IBAN=HQ_IBAN)
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of, BANK_SELLER)
    offer.regrade_and_settle()
    old, new = (int(v) for v in offer.one("SELECT old_minor, new_minor FROM hq_counter_offers WHERE tradein_uuid = %s"))
    payouts_page = offer.supervisor.get("/hq/payouts").get_data(as_text=True)
    assert "waits for the seller&#39;s answer to HQ&#39;s counter-offer" in payouts_page
    nothing = offer.supervisor.post("/hq/payouts/export", follow_redirects=True).get_data(as_text=True)
    assert "No payout is waiting" in nothing  # not exported while the amount may still change
    assert "after your answer to our offer" in offer.seller.page()
    first, second = offer.seller.answer({"answer": "accept"}), offer.seller.answer({"answer": "accept"})
    assert first.status_code == second.status_code == 303
    assert offer.one("SELECT amount_minor, status FROM hq_payouts WHERE tradein_uuid = %s") == (new, "pending")
    page = offer.seller.page()
    assert "bank transfer expected by" in page
    done = offer.supervisor.post("/hq/payouts/export", follow_redirects=True).get_data(as_text=True)
    export_id = re.search(r"SEPA file (\w+):", done).group(1)
    xml = offer.supervisor.get(f"/hq/payouts/exports/{export_id}.xml").get_data(as_text=True)
    assert re.findall(r'<InstdAmt Ccy="EUR">([\d.]+)</InstdAmt>', xml) == [f"{new / 100:.2f}"]  # not {old}
    assert offer.seller.answer({"answer": "refuse", "return_to": "store"}).status_code == 303  # too late: nothing
    assert offer.one("SELECT amount_minor, status FROM hq_payouts WHERE tradein_uuid = %s") == (new, "exported")
    assert old > new and offer.events("counter_offer_accepted") == 1


def test_refused_the_device_goes_back_to_the_store_which_hands_it_back_and_hq_sees_it(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    offer.regrade_and_settle()
    old = int(offer.one("SELECT old_minor FROM hq_counter_offers WHERE tradein_uuid = %s")[0])
    assert offer.seller.answer({"answer": "refuse", "return_to": "store"}).status_code == 303
    assert offer.seller.answer({"answer": "accept"}).status_code == 303  # the other tab: changes nothing
    assert offer.voucher() == (old, old, "cancelled")  # unspent: voided, nothing is paid for a device given back
    page = offer.seller.page()
    assert "your device goes back to the store, free" in page and "no payment: your device comes back" in page
    assert "paid in store credit" not in page  # the voucher is void: the page never says it is paid
    hq_page = offer.receiver.get("/hq/shipments").get_data(as_text=True)
    row = re.search(rf'<tr id="return-{offer.code}">.*?</tr>', hq_page, re.S).group(0)
    assert "the store, for pickup" in row and "Mark sent" in row

    offer.pull()
    assert offer.local_voucher() == (old, old, "cancelled")
    shipments = offer.clerk.get("/shipments").get_data(as_text=True)
    assert f'id="return-{offer.code}"' in shipments and "HQ has not sent it yet" in shipments
    early = offer.clerk.post(f"/shipments/returns/{offer.uuid}/handed-back")
    assert early.status_code == 422 and "HQ has not sent" in early.get_data(as_text=True)
    assert offer.receiver.post(f"/hq/returns/{offer.uuid}/sent", {"tracking": ""}).status_code == 303
    assert offer.receiver.post(f"/hq/returns/{offer.uuid}/sent", {"tracking": ""}).status_code == 303  # again
    assert offer.events("return_sent") == 1
    offer.pull()
    assert "sent by HQ on" in offer.clerk.get("/shipments").get_data(as_text=True)
    assert offer.clerk.post(f"/shipments/returns/{offer.uuid}/handed-back").status_code == 303
    twice = offer.clerk.post(f"/shipments/returns/{offer.uuid}/handed-back")
    assert twice.status_code == 422 and "already handed back" in twice.get_data(as_text=True)
    assert 'id="none-coming-back"' in offer.clerk.get("/shipments").get_data(as_text=True)
    offer.push()
    row = re.search(rf'<tr id="return-{offer.code}">.*?</tr>',
                    offer.receiver.get("/hq/shipments").get_data(as_text=True), re.S).group(0)
    assert "handed back at the store" in row


def test_refused_by_post_needs_an_address_cancels_the_transfer_and_the_parcel_number_reaches_the_seller(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of, BANK_SELLER)
    offer.regrade_and_settle()
    for address in ("", "Paris", "x" * 5000, "\x1b[2J\x00"):
        refused = offer.seller.answer({"answer": "refuse", "return_to": "post", "address": address})
        assert refused.status_code == 422 and "full postal address" in refused.text
    assert offer.one("SELECT status FROM hq_counter_offers WHERE tradein_uuid = %s") == ("open",)
    address = "Élodie Dupont\r\n\r\n3 place de la République\u200b\n75003   Paris"
    assert offer.seller.answer({"answer": "refuse", "return_to": "post", "address": address}).status_code == 303
    assert offer.one("SELECT status FROM hq_payouts WHERE tradein_uuid = %s") == ("returned",)
    assert offer.one("SELECT method, address <> '' FROM hq_returns WHERE tradein_uuid = %s")[0] == "post"
    with offer.storage.transaction() as tx:  # sealed at rest: not in clear in the database
        assert "République" not in tx.rows("SELECT address FROM hq_returns")[0][0]
    hq_page = offer.receiver.get("/hq/shipments").get_data(as_text=True)
    assert "Élodie Dupont\n3 place de la République\n75003 Paris" in hq_page
    assert offer.receiver.post(f"/hq/returns/{offer.uuid}/sent", {"tracking": "6A12345678901"}).status_code == 303
    assert offer.one("SELECT address FROM hq_returns WHERE tradein_uuid = %s") == ("",)  # posted: HQ forgets it
    assert "République" not in offer.receiver.get("/hq/shipments").get_data(as_text=True)
    page = offer.seller.page()
    assert "we send your device back by post, free" in page and "Parcel number: 6A12345678901" in page
    assert "Dupont" not in page  # the tracking page still shows nothing personal
    offer.pull()
    assert 'id="none-coming-back"' in offer.clerk.get("/shipments").get_data(as_text=True)  # not for the store


@pytest.mark.parametrize("policy", ["accept", "return"])
def test_no_answer_by_the_deadline_applies_the_policy_frozen_on_the_offer(
        tmp_path, hq_app, hq_url, hq_store, db_of, policy):
    hq_app.config["COUNTER_OFFER_POLICY"] = policy
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    offer.regrade_and_settle()
    hq_app.config["COUNTER_OFFER_POLICY"] = "return" if policy == "accept" else "accept"  # changed since: not used
    deadline = datetime.fromisoformat(offer.one("SELECT deadline_at FROM hq_counter_offers WHERE tradein_uuid = %s")[0])
    assert timedelta(days=13, hours=23) < deadline - datetime.now(UTC) <= timedelta(days=14)
    assert counter_offers.expire_due(offer.storage, deadline - timedelta(minutes=1)) == 0
    runner = hq_app.test_cli_runner()
    assert "0 counter-offer(s)" in runner.invoke(args=["counter-offers", "expire"]).output
    assert 'id="accept"' in offer.seller.page()  # the seller opened the offer, and leaves the tab as it is
    with offer.storage.transaction() as tx:  # fourteen days pass
        tx.run("UPDATE hq_counter_offers SET deadline_at = %s WHERE tradein_uuid = %s",
               [(datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="milliseconds"), offer.uuid])
    late = offer.seller.page()
    assert "The deadline has passed" in late and 'id="accept"' not in late
    assert "1 counter-offer(s)" in runner.invoke(args=["counter-offers", "expire"]).output
    assert "0 counter-offer(s)" in runner.invoke(args=["counter-offers", "expire"]).output
    old, new = (int(v) for v in offer.one("SELECT old_minor, new_minor FROM hq_counter_offers WHERE tradein_uuid = %s"))
    assert offer.one("SELECT answer, answered_by FROM hq_counter_offer_answers WHERE tradein_uuid = %s") == (
        "accept" if policy == "accept" else "refuse", "deadline")
    assert offer.seller.answer({"answer": "refuse", "return_to": "store"}).status_code == 303  # a late answer
    if policy == "accept":
        assert offer.voucher() == (old, new, "active")
        assert "No answer by the deadline: the new amount applies" in offer.seller.page()
    else:
        assert offer.voucher() == (old, old, "cancelled")
        assert offer.one("SELECT method FROM hq_returns WHERE tradein_uuid = %s") == ("store",)
        offer.pull()
        assert f'id="return-{offer.code}"' in offer.clerk.get("/shipments").get_data(as_text=True)


def test_two_tabs_answering_at_the_same_instant_one_answer_decides(tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    offer.regrade_and_settle()
    tabs = [Seller(offer.seller.url) for _ in range(6)]
    tokens = [CSRF.search(tab.page()).group(1) for tab in tabs]
    start, answers = threading.Barrier(len(tabs)), []

    def send(tab: Seller, token: str, n: int) -> None:
        form = {"answer": "accept"} if n % 2 else {"answer": "refuse", "return_to": "store"}
        start.wait()
        answers.append(tab.answer(form, token).status_code)

    threads = [threading.Thread(target=send, args=(tab, token, n)) for n, (tab, token) in
               enumerate(zip(tabs, tokens, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303] * len(tabs)
    assert offer.one("SELECT count(*) FROM hq_counter_offer_answers WHERE tradein_uuid = %s") == (1,)
    kept = offer.one("SELECT answer FROM hq_counter_offer_answers WHERE tradein_uuid = %s")[0]
    old, new = (int(v) for v in offer.one("SELECT old_minor, new_minor FROM hq_counter_offers WHERE tradein_uuid = %s"))
    assert offer.voucher() == ((old, new, "active") if kept == "accept" else (old, old, "cancelled"))
    assert offer.events("counter_offer_accepted") + offer.events("counter_offer_refused") == 1


def test_the_answer_needs_the_links_token_a_csrf_token_and_is_rate_limited(tmp_path, hq_app, hq_url, hq_store,
                                                                           db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    offer.regrade_and_settle()
    token = CSRF.search(offer.seller.page()).group(1)
    wrong = requests.post(offer.seller.url[:-3] + "xyz/answer", data={"csrf_token": token, "answer": "accept"},
                          cookies=offer.seller.http.cookies, timeout=10, allow_redirects=False)
    assert wrong.status_code == 404
    for photo in (f"{offer.seller.url[:-3]}xyz/photos/{'a' * 64}", f"{offer.seller.url}/photos/{'a' * 64}"):
        assert requests.get(photo, timeout=10).status_code == 404  # a wrong token, a file not of this trade-in
    assert offer.seller.http.post(f"{offer.seller.url}/answer", data={"answer": "accept"},
                                  timeout=10).status_code == 400  # no CSRF token
    assert offer.one("SELECT status FROM hq_counter_offers WHERE tradein_uuid = %s") == ("open",)
    statuses = [offer.seller.answer({"answer": "maybe"}, token).status_code for _ in range(10)]
    assert set(statuses) == {422, 429} and statuses[-1] == 429  # HQ_RATE_LIMIT_SELLER_ANSWER: 10 per minute
    assert offer.one("SELECT status FROM hq_counter_offers WHERE tradein_uuid = %s") == ("open",)


def test_a_transfer_already_in_a_bank_file_is_not_lowered(tmp_path, hq_app, hq_url, hq_store, db_of):
    hq_app.config.update(PAYOUT_NAME="Marketplace SAS", PAYOUT_IBAN=HQ_IBAN)
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of, BANK_SELLER)
    assert "SEPA file" in offer.supervisor.post("/hq/payouts/export", follow_redirects=True).get_data(as_text=True)
    offer.regrade_and_settle()
    assert offer.one("SELECT status FROM hq_counter_offers WHERE tradein_uuid = %s") == ("waived",)
    old = int(offer.one("SELECT old_minor FROM hq_counter_offers WHERE tradein_uuid = %s")[0])
    assert offer.one("SELECT amount_minor FROM hq_payouts WHERE tradein_uuid = %s") == (old,)
    page = offer.seller.page()
    assert "your bank transfer had already left" in page and 'id="accept"' not in page
    # No form to send; an answer that still reaches HQ (an old link's form, a script) is no answer to a waived offer.
    assert counter_offers.answer(offer.storage, offer.uuid, counter_offers.Answer("refuse", "store")) is False
    assert offer.one("SELECT count(*) FROM hq_returns WHERE tradein_uuid = %s") == (0,)
    offer.pull()
    assert "counter_offer_waived" in [row["action"] for row in fetch_all(offer.db, "SELECT action FROM hq_updates")]


def test_refused_after_some_store_credit_was_spent_the_seller_keeps_the_amount_and_hq_the_device(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    code = offer.db.execute("SELECT code FROM vouchers WHERE tradein_uuid = ?", [offer.uuid]).fetchone()[0]
    assert offer.clerk.post("/pos/scan", {"code": "3761234500014"}).status_code == 200  # a case, 19,90
    assert offer.clerk.post("/pos/pay", {"voucher_code": code, "voucher_amount": "5", "cash_given": "20"}
                            ).status_code == 303  # redeemed at HQ, online
    offer.regrade_and_settle()
    old = int(offer.one("SELECT old_minor FROM hq_counter_offers WHERE tradein_uuid = %s")[0])
    assert offer.voucher() == (old, old - 500, "active")
    page = offer.seller.page()
    assert "if you refuse, you keep" in page and 'name="return_to"' not in page  # said before the choice
    assert offer.seller.answer({"answer": "refuse"}).status_code == 303
    assert offer.voucher() == (old, old - 500, "active")  # neither voided nor lowered
    assert offer.one("SELECT count(*) FROM hq_returns WHERE tradein_uuid = %s") == (0,)
    assert "you keep" in offer.seller.page() and "we keep the device" in offer.seller.page()
    offer.pull()
    assert offer.local_voucher() == (old, old - 500, "active")
    assert 'id="none-coming-back"' in offer.clerk.get("/shipments").get_data(as_text=True)


def blocking(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands (tests/test_accessibility.py's rule)."""
    return [f"{v['id']}: {v['help']}" for v in axe_violations(page) if v["impact"] in BLOCKING]


@pytest.mark.browser
@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_on_a_phone_the_code_stays_whole_the_seller_accepts_and_hq_lists_a_refused_device_to_post(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    offer = Offer(tmp_path, hq_app, hq_url, hq_store, db_of)
    offer.regrade_and_settle()
    other_uuid, other_code, other_seller = offer.trade_in("352099001761481")
    offer.regrade_and_settle(other_uuid)
    pickup_uuid, pickup_code, pickup_seller = offer.trade_in("356938035643809")
    offer.regrade_and_settle(pickup_uuid)
    assert pickup_seller.answer({"answer": "refuse", "return_to": "store"}).status_code == 303
    with chromium() as browser, live_server(offer.app) as kiosk:
        phone = new_page(browser, 390, 844, bypass_csp=True)  # the CSP lets axe-core in, for this test only
        phone.goto(offer.seller.url + "?lang=fr")
        assert blocking(phone) == []
        code = phone.locator("h1 .track-code")
        assert code.inner_text() == offer.code and code.evaluate("e => e.getClientRects().length") == 1  # one line
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        assert phone.locator("#differences li").count() == 1
        screenshot(phone, "counter-offer-phone-fr")
        phone.locator("#accept").click()
        phone.wait_for_url(re.compile(r"#offer$"))
        assert "accepté" in phone.locator("#answer").inner_text()
        assert phone.locator("#accept").count() == 0 and phone.locator("#payment-date").inner_text()
        screenshot(phone, "counter-offer-phone-accepted-fr")

        other = new_page(browser, 390, 844)
        other.goto(other_seller.url + "?lang=en")
        other.get_by_label("Send it to me by post").check()
        other.get_by_label(re.compile("Postal address")).fill("Élodie Dupont\n3 place de la République\n75003 Paris")
        other.locator("#refuse").click()
        other.wait_for_url(re.compile(r"#offer$"))
        assert "back by post" in other.locator("#answer").inner_text()

        hq = new_page(browser, 1280, 800, bypass_csp=True)
        hq.goto(hq_url + "/hq/login")
        hq.get_by_label("Name").press_sequentially("Inès Moreau")
        hq.get_by_label("PIN").press_sequentially(HQ_PIN)
        hq.get_by_role("button", name="Sign in").click()
        hq.wait_for_url(re.compile(r"/hq/$"))
        hq.goto(hq_url + "/hq/shipments")
        row = hq.locator(f"#return-{other_code}")
        assert "75003 Paris" in row.inner_text() and hq.locator(f"#return-{offer.code}").count() == 0
        screenshot(hq, "counter-offer-hq-returns-to-send")
        assert blocking(hq) == []
        row.get_by_label("Parcel number").fill("6A12345678901")
        row.get_by_role("button", name="Mark sent").click()
        expect(hq.locator(f"#return-{other_code}")).to_contain_text("6A12345678901")
        expect(hq.locator(".flash")).to_contain_text("Marked sent")
        hq.locator(f"#return-{pickup_code}").get_by_role("button", name="Mark sent").click()
        expect(hq.locator(f"#return-{pickup_code}")).to_contain_text("sent")
        screenshot(hq, "counter-offer-hq-return-shipments")

        offer.pull()  # the store's terminal pulls HQ's feed
        clerk = new_page(browser, 1280, 800, bypass_csp=True)
        sign_in(clerk, kiosk)
        clerk.goto(kiosk + "/shipments")
        coming = clerk.locator(f"#return-{pickup_code}")
        expect(coming).to_contain_text("sent by HQ on")
        assert clerk.locator(f"#return-{other_code}").count() == 0  # posted to the seller: not the store's
        screenshot(clerk, "counter-offer-kiosk-coming-back")
        assert blocking(clerk) == []
        coming.get_by_role("button", name=f"Hand {pickup_code} back to its seller").click()
        expect(clerk.locator("#none-coming-back")).to_be_visible()
        expect(clerk.locator(".flash").first).to_contain_text("handed back to its seller")
        screenshot(clerk, "counter-offer-kiosk-handed-back")
