"""Kiosk and HQ in a real Chromium, over real HTTP: a trade-in synced to HQ, its bag label scanned in,
regraded with a dispute a supervisor accepts, and the outcome on the store's trade-in page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hq.services.staff import add_staff
from testing.samples import PERFECT_PHONE
from tests.browser import chromium, live_server, new_page, screenshot, wedge_scan
from tests.test_browser import settled, sign_in
from tests.test_hq_receiving import HQ_PIN, publish_store_grid
from tests.test_sync import kiosk_for, take_trade_ins

pytestmark = pytest.mark.browser


def hq_sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/hq/login")
    page.get_by_label("Name").press_sequentially(name)
    page.get_by_label("PIN").press_sequentially(HQ_PIN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/hq/$"))


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_store_trade_in_is_received_regraded_disputed_and_settled_for_the_store(tmp_path, hq_app, hq_url,
                                                                                 hq_store, db_of):
    kiosk_app = kiosk_for(tmp_path, hq_url, hq_store)
    (uuid,) = take_trade_ins(kiosk_app, 1)
    db = db_of(kiosk_app)
    code = db.execute("SELECT code FROM tradeins WHERE uuid = ?", [uuid]).fetchone()[0]
    publish_store_grid(hq_app, db)
    storage = hq_app.extensions["hq.storage"]
    add_staff(storage, "Inès Moreau", "receiver", HQ_PIN)
    add_staff(storage, "Nadia Benali", "supervisor", HQ_PIN)
    with live_server(kiosk_app) as kiosk, chromium() as browser:
        clerk = new_page(browser)
        sign_in(clerk, kiosk)
        clerk.goto(kiosk + "/sync")
        clerk.get_by_role("button", name="Sync now").click()
        expect(clerk.get_by_role("status")).to_contain_text("Sent 2 record(s) to HQ")

        receiver = new_page(browser)
        hq_sign_in(receiver, hq_url, "Inès Moreau")
        receiver.get_by_role("link", name="Check-in").click()
        receiver.wait_for_url(re.compile(r"/hq/checkin$"))
        settled(receiver)
        receiver.locator("body").click()  # focus outside any field: the scanner's burst is caught anywhere
        wedge_scan(receiver, f"BAG:{code}")
        expect(receiver.get_by_role("status")).to_contain_text(f"Received {code}")
        receiver.get_by_role("link", name=f"Open {code}").click()
        receiver.wait_for_url(re.compile(rf"/hq/tradeins/{uuid}$"))
        expect(receiver.locator("#received")).to_contain_text("Inès Moreau")
        receiver.get_by_label("Deep scratches", exact=True).check()  # HQ finds what the store did not declare
        expect(receiver.get_by_label("Flawless", exact=True)).not_to_be_checked()
        receiver.get_by_role("button", name="Save the regrade").click()
        expect(receiver.locator("#differences")).to_contain_text("Deep scratches")
        expect(receiver.locator("#regrade-status")).to_have_text("regrade: dispute open")
        screenshot(receiver, "hq-01-dispute")

        supervisor = new_page(browser)
        hq_sign_in(supervisor, hq_url, "Nadia Benali")
        supervisor.goto(f"{hq_url}/hq/inbox?status=disputed")
        supervisor.get_by_role("link", name=code).click()
        supervisor.get_by_label("Reason, sent to the store").fill("Deep scratch across the glass, photo in file")
        supervisor.get_by_role("button", name="Accept the dispute: HQ's grade stands").click()
        expect(supervisor.locator("#decision")).to_contain_text("Settled by Nadia Benali")
        supervisor.goto(hq_url + "/hq/")
        expect(supervisor.locator("svg.chart").first).to_be_visible()
        screenshot(supervisor, "hq-02-dashboard")

        clerk.goto(kiosk + "/sync")
        clerk.get_by_role("button", name="Sync now").click()
        expect(clerk.get_by_role("status")).to_contain_text("4 HQ update(s)")  # with the seller's counter-offer
        clerk.goto(f"{kiosk}/tradeins/{uuid}")
        updates = clerk.locator("#hq-updates")
        expect(updates).to_contain_text("Received at HQ by Inès Moreau")
        expect(updates).to_contain_text("Dispute settled: HQ's grade stands")
        expect(updates).to_contain_text("Deep scratch across the glass")
        expect(updates).to_contain_text("HQ offered the seller")
        screenshot(clerk, "hq-03-store-sees-outcome")
    assert PERFECT_PHONE["screen"] == "flawless"  # what the store declared
