"""The counter timed as a clerk works it (issue 31, "Done when"): a returning seller's phone trade-in from the first
scan to the printed receipt, counting every click and every key the clerk presses (the scanner's bursts are the
scanner's, not the clerk's). Real Chromium, real key bursts, the kiosk's real routes and file printer."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from testing.paper import paper_text
from testing.samples import ADULT_SELLER, PERFECT_PHONE
from tests.browser import chromium_page, live_server, screenshot, wedge_scan
from tests.conftest import KioskClient
from tests.test_browser import settled, sign_in
from tests.test_counter import accept, imei, quoted

pytestmark = pytest.mark.browser


class Clerk:
    """The clerk's hands on the page: every click and typed key goes through here and is counted."""

    def __init__(self, page):
        self.page, self.clicks, self.keys = page, 0, 0

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text, delay=60)  # a person: about 60 ms a key
        self.keys += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def scan(self, text: str) -> None:
        """The wedge scanner's burst: a few ms a character, then Enter (the scanner's keys, not the clerk's)."""
        wedge_scan(self.page, text)


def test_a_returning_sellers_phone_trade_in_takes_at_most_10_clicks_and_20_keys(app, db, capsys):
    client = KioskClient(app.test_client())
    client.login(app)
    accept(client, quoted(client, 20))  # the seller traded a phone in here last week
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        clerk = Clerk(page)
        started = time.monotonic()
        clerk.scan(imei(21))  # the home page's scan field has the focus on arrival
        page.wait_for_url(re.compile(r"/device$"))
        settled(page)
        expect(page.locator("#device_id")).to_contain_text("iPhone 13")  # the model from the IMEI's TAC
        clerk.click(page.get_by_label("128 GB"))
        clerk.click(page.get_by_role("button", name="Continue to the checklist"))
        page.wait_for_url(re.compile(r"/checklist$"))
        settled(page)
        screenshot(page, "counter-01-checklist")
        clerk.type(PERFECT_PHONE["battery_health"])  # the one answer read off the device; the rest are fine
        clerk.press("Enter")
        page.wait_for_url(re.compile(r"/quote$"))
        clerk.click(page.get_by_role("link", name="Customer accepts: seller details"))
        page.wait_for_url(re.compile(r"/seller$"))
        settled(page)
        expect(page.locator("#id_doc_number")).to_be_focused()
        clerk.type(ADULT_SELLER["id_doc_number"])
        clerk.press("Enter")
        expect(page.locator("#seller-notice")).to_contain_text("Returning seller")
        expect(page.locator("#surname")).to_have_value(ADULT_SELLER["surname"])
        screenshot(page, "counter-02-returning-seller")
        clerk.click(page.get_by_role("button", name="Accept and save the trade-in"))
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}$"))
        expect(page.locator("#state")).to_have_text("Receipt printed")
        elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nreturning seller: {clerk.clicks} clicks, {clerk.keys} keys, {elapsed:.1f} s in the browser")
    assert clerk.clicks <= 10 and clerk.keys <= 20
    uuid, code = db.execute("SELECT uuid, code FROM tradeins WHERE imei = ?", [imei(21)]).fetchone()
    path = db.execute("SELECT output_ref FROM print_jobs WHERE tradein_uuid = ? AND kind = 'receipt' AND "
                      "status = 'printed'", [uuid]).fetchone()[0]
    with open(path, "rb") as printed:
        paper = paper_text(printed.read())
    assert code in paper and imei(21) in paper
    refs = db.execute("SELECT count(DISTINCT seller_ref) FROM tradeins WHERE seller_ref IS NOT NULL").fetchone()[0]
    assert refs == 1  # the same seller as last week, found by the document's number


def test_a_new_sellers_passport_read_by_the_camera_fills_the_form_within_14_clicks(app, db, tmp_path, capsys):
    from testing.mrz_documents import passport_photo

    photo, truth = passport_photo(3)
    (tmp_path / "passport.jpg").write_bytes(photo)
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        clerk = Clerk(page)
        clerk.scan(imei(22))
        page.wait_for_url(re.compile(r"/device$"))
        settled(page)
        clerk.click(page.get_by_label("128 GB"))
        clerk.click(page.get_by_role("button", name="Continue to the checklist"))
        page.wait_for_url(re.compile(r"/checklist$"))
        settled(page)
        clerk.type(PERFECT_PHONE["battery_health"])
        clerk.press("Enter")
        page.wait_for_url(re.compile(r"/quote$"))
        clerk.click(page.get_by_role("link", name="Customer accepts: seller details"))
        page.wait_for_url(re.compile(r"/seller$"))
        settled(page)
        with page.expect_file_chooser() as chooser:  # the camera's photo, as the tablet's file picker gives it
            clerk.click(page.locator("#document"))
        chooser.value.set_files(str(tmp_path / "passport.jpg"))
        clerk.clicks += 1  # the picture chosen (or the shutter pressed) in the picker
        expect(page.locator("#seller-notice")).to_contain_text("Read from the document")
        expect(page.locator("#surname")).to_have_value(truth.surname)
        expect(page.locator("#id_doc_number")).to_have_value(truth.number)
        expect(page.locator("#id_doc_type")).to_have_value("passport")
        screenshot(page, "counter-03-passport-read")
        clerk.click(page.locator("#address"))  # what the zone does not carry: the address and the date of issue
        clerk.type("12 rue de la Paix, 75002 Paris")
        clerk.click(page.locator("#id_doc_issued_on"))
        clerk.type("01/02/2022")
        clerk.click(page.get_by_role("button", name="Accept and save the trade-in"))
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}$"))
        expect(page.locator("#state")).to_have_text("Receipt printed")
    with capsys.disabled():
        print(f"\nnew seller, passport read by the camera: {clerk.clicks} clicks, {clerk.keys} keys")
    assert clerk.clicks <= 14
    assert not list(Path(app.config["DATA_DIR"]).rglob("*.jpg"))  # the document's picture was never kept
