"""A wedge scanner's second and third scans (issue 17, item 1): three bursts in a row into the focused scan field,
each accepted. `fill()` would hide the bug: it replaces the field's text, a scanner appends to it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import chromium_page, live_server, screenshot
from tests.test_browser import scan, settled, sign_in

pytestmark = pytest.mark.browser
DEVICE_STEP = re.compile(r"/tradeins/[0-9a-f-]{36}/device$")


def start_by_scan(page, identifier: str) -> str:
    """The clerk's start: the scanner's burst into the start field; returns the device step it led to."""
    page.locator("#identifier").focus()
    scan(page, identifier)
    page.wait_for_url(DEVICE_STEP)
    return page.url
PRODUCTS = ("3761234500014", "3761234500021", "3761234500038")  # a case, a charger, a screen protector


def test_three_scans_in_a_row_on_the_till_each_add_their_product(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.goto(base + "/pos")
        settled(page)
        for ean in PRODUCTS:
            expect(page.locator("#code")).to_be_focused()
            scan(page, ean)
            settled(page)
            expect(page.locator("#code")).to_have_value("")  # emptied for the next burst
        for name in ("Coque silicone iPhone 12", "Chargeur USB-C 20 W", "Verre trempé iPhone 12"):
            expect(page.locator("#cart")).to_contain_text(name)
        screenshot(page, "pos-three-scans")
    assert db.execute("SELECT count(*) FROM cart_lines").fetchone()[0] == 3


def test_a_refused_scan_then_a_good_one_in_the_trade_in_field(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.locator("#identifier").focus()
        scan(page, "12345")  # a misread: refused with the reason
        settled(page)
        expect(page.locator("#identifier")).to_have_value("")
        expect(page.locator("#identifier")).to_be_focused()
        scan(page, "490154203237518")  # the next burst is not appended to the misread
        page.wait_for_url(DEVICE_STEP)
    assert db.execute("SELECT imei FROM tradeins").fetchall() == [("490154203237518",)]


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_three_bag_labels_in_a_row_at_hq_check_in_each_received(tmp_path, hq_app, hq_url, hq_store, db_of):
    from hq.services.staff import add_staff
    from sync import pusher
    from tests.browser import chromium, new_page
    from tests.test_browser_hq import hq_sign_in
    from tests.test_hq_receiving import HQ_PIN
    from tests.test_sync import client_of, kiosk_for, take_trade_ins

    kiosk = kiosk_for(tmp_path, hq_url, hq_store)
    uuids = take_trade_ins(kiosk, 3)
    db = db_of(kiosk)
    pusher.drain(db, client_of(kiosk), 100)
    codes = [db.execute("SELECT code FROM tradeins WHERE uuid = ?", [u]).fetchone()[0] for u in uuids]
    add_staff(hq_app.extensions["hq.storage"], "Inès Moreau", "receiver", HQ_PIN)
    with chromium() as browser:
        receiver = new_page(browser)
        hq_sign_in(receiver, hq_url, "Inès Moreau")
        receiver.goto(hq_url + "/hq/checkin")
        settled(receiver)
        receiver.locator("#code").focus()  # the check-in field, as a receiver leaves it between bags
        for code in codes:
            scan(receiver, f"BAG:{code}")
            expect(receiver.get_by_role("status")).to_contain_text(f"Received {code}")
            expect(receiver.locator("#code")).to_have_value("")
            expect(receiver.locator("#code")).to_be_focused()
        screenshot(receiver, "hq-three-check-ins")
    with hq_app.extensions["hq.storage"].transaction() as tx:
        assert tx.rows("SELECT count(*) FROM hq_tradeins WHERE received_at IS NOT NULL")[0][0] == 3


def test_a_device_already_traded_in_is_refused_at_the_scan_before_the_first_question(app, db):
    """A clerk scans a phone the store already bought (the customer brought it back): the refusal is on the
    start screen, with the reason, before any question; the next scan works."""
    from testing.samples import ADULT_SELLER
    from tests.conftest import KioskClient, run_to_quote

    clerk = KioskClient(app.test_client())
    clerk.login(app)
    taken = run_to_quote(clerk)
    assert clerk.post(f"/tradeins/{taken}/seller", ADULT_SELLER).status_code == 303
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.locator("#identifier").focus()
        scan(page, "490154203237518")
        settled(page)
        expect(page.get_by_role("alert")).to_contain_text("already traded in here")
        assert "/checklist" not in page.url and "/device" not in page.url
        screenshot(page, "scan-refused-before-questions")
        expect(page.locator("#identifier")).to_be_focused()
        scan(page, "352099001761481")  # the next phone goes through
        page.wait_for_url(DEVICE_STEP)
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 2


def test_the_same_phone_scanned_again_resumes_its_trade_in_and_a_draft_can_be_discarded(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        first = start_by_scan(page, "356938035643809")
        page.goto(base + "/tradeins")
        settled(page)
        page.locator("#identifier").focus()
        scan(page, "356938035643809")  # the clerk scans the same phone again
        page.wait_for_url(first)
        expect(page.get_by_role("status").first).to_contain_text("already started: resumed")
        page.goto(base + "/tradeins")
        settled(page)
        page.get_by_role("button", name=re.compile("Discard TI-")).click()
        expect(page.get_by_role("status").first).to_contain_text("Trade-in discarded")
        expect(page.locator("#tradein-rows")).to_contain_text("Declined")
        screenshot(page, "draft-discarded")
    assert db.execute("SELECT count(*), max(state) FROM tradeins").fetchone() == (1, "declined")


def test_the_hardware_page_tests_the_scanner_and_the_camera_with_what_they_really_send(app, tmp_path):
    """Issue 17, item 10: a burst into the test box and a picture through the camera button, each shown as
    received and as read, in the reader's language; nothing is "OK" before a clerk tried it."""
    import cv2
    import numpy as np

    from bench.frames import make_frame

    frame = make_frame(np.random.default_rng(7), "easy")  # a label as a phone camera would take it
    picture = tmp_path / "label.jpg"
    cv2.imwrite(str(picture), frame.image)
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.goto(base + "/hardware")
        expect(page.locator("#check-scanner")).to_contain_text("Not tested yet")
        page.locator("#scanner-test").focus()
        scan(page, "490154203237518")
        expect(page.locator("#check-scanner")).to_contain_text("read as imei 490154203237518")
        page.locator("#camera-test").set_input_files(str(picture))
        page.get_by_role("button", name="Decode the picture").click()
        expected = sorted(text for text, _ in frame.expected)
        expect(page.locator("#check-camera")).to_contain_text(expected[0])
        screenshot(page, "hardware-tested")


def test_a_dual_sim_phones_two_imeis_are_scanned_as_bursts_and_the_second_cannot_come_back(app, db):
    """Issue 15, item 3, as a clerk does it: the first IMEI scanned at the start, the second scanned into its
    field on the device step (the burst's Enter sends the form); then the other slot's IMEI scanned at the start
    again is the same phone, already in progress: it is resumed, not started twice."""
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        started = start_by_scan(page, "490154203237518")
        settled(page)
        page.get_by_label("128 GB").check()  # the iPhone 13 its TAC names
        page.locator("#imei2").focus()
        scan(page, "IMEI2 352099001761481")
        page.wait_for_url(re.compile(r"/checklist$"))
        assert db.execute("SELECT imei, imei2 FROM tradeins").fetchall() == [("490154203237518", "352099001761481")]
        page.goto(base + "/")
        assert start_by_scan(page, "352099001761481") == started  # the same trade-in, where it stands
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 1
