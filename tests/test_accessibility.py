"""axe-core (vendored, tests only) in the real Chromium on every page of both modes: no serious or
critical violation. And the staff flow done with the keyboard alone, start to receipt."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect

from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC, PERFECT_PHONE, PIN
from tests.browser import ARTIFACTS, chromium, live_server, new_page, screenshot
from tests.conftest import KioskClient, model_id, run_to_quote
from tests.test_browser import settled
from tests.test_customer import estimate_to_ticket

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))  # the context bypasses the page's CSP for this one script
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")["violations"]


def check(page, url: str, name: str, report: dict, action=None) -> None:
    page.goto(url)
    if action:
        action(page)
    violations = axe_violations(page)
    report[name] = {"url": url, "violations": dict(Counter(v["impact"] for v in violations)),
                    "rules": [f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in violations],
                    "blocking": [v["id"] for v in violations if v["impact"] in BLOCKING]}


def staff_fixtures(app) -> dict:
    """Trade-ins in every state a staff page shows, made through the routes."""
    clerk = KioskClient(app.test_client())
    clerk.login(app)
    draft = clerk.post("/tradeins", {"device_kind": "phone", "identifier": IMEI_KNOWN_TAC}).headers["Location"]
    quoted = run_to_quote(clerk, "356938035643809", device_id=model_id(app), storage_gb=64)
    accepted = run_to_quote(clerk, "353918056340017", device_id=model_id(app), storage_gb=64)
    clerk.post(f"/tradeins/{accepted}/seller", ADULT_SELLER)
    code = estimate_to_ticket(KioskClient(app.test_client()), app)
    for barcode in ("3761234500014", "9782012345676"):
        clerk.post("/pos/scan", {"code": barcode})
    sale = clerk.post("/pos/pay", {"cash_given": "50"}).headers["Location"].rsplit("/", 1)[1]
    clerk.post("/pos/scan", {"code": "3761234500021"})  # a cart left open for the till page
    return {"draft": draft.rsplit("/", 1)[0], "quoted": quoted, "accepted": accepted, "ticket": code, "sale": sale}


def sign_in_as(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.get_by_label(name).check()
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/tradeins$"))


def test_every_page_of_both_modes_has_no_serious_or_critical_violation(app):
    made, report = staff_fixtures(app), {}
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser, bypass_csp=True)
        check(page, base + "/login", "staff: sign-in", report)
        check(page, base + "/login", "staff: sign-in, wrong PIN", report, lambda p: (
            p.get_by_label("PIN").fill("0000"), p.get_by_role("button", name="Sign in").click(), settled(p)))
        sign_in_as(page, base, "Sacha Leroy")  # a manager sees every staff page
        for name, path in [
            ("staff: today", "/tradeins"), ("staff: search, no result", "/tradeins?q=ZZZZ"),
            ("staff: device", made["draft"] + "/device"), ("staff: checklist", made["draft"] + "/checklist"),
            ("staff: checklist choice", made["draft"] + "/checklist/1"),
            ("staff: checklist percent", made["draft"] + "/checklist/10"),
            ("staff: quote", f"/tradeins/{made['quoted']}/quote"),
            ("staff: seller", f"/tradeins/{made['quoted']}/seller"),
            ("staff: trade-in and receipt", f"/tradeins/{made['accepted']}"),
            ("staff: receipt", f"/tradeins/{made['accepted']}/receipt"),
            ("staff: ticket pick-up", f"/tradeins/pickup/{made['ticket']}"), ("staff: sync", "/sync"),
            ("staff: hardware", "/hardware"), ("staff: staff accounts", "/staff"), ("staff: not found", "/nowhere"),
            ("till: cart", "/pos"), ("till: payment", "/pos/pay"), ("till: sale receipt", f"/pos/sales/{made['sale']}"),
            ("till: find a return", "/pos/returns"), ("till: return", f"/pos/sales/{made['sale']}/return"),
            ("till: X / Z reports", "/pos/reports"), ("staff: shipments", "/shipments"),
        ]:
            check(page, base + path, name, report)
        check(page, base + f"/tradeins/{made['quoted']}/seller", "staff: seller, errors", report, lambda p: (
            p.get_by_role("button", name="Accept and save the trade-in").click(), settled(p)))
        check(page, base + f"/tradeins/{made['quoted']}/quote", "staff: quote, override open", report,
              lambda p: p.get_by_text("Change the price (manager)").click())

        kiosk = new_page(browser, 1080, 1920, bypass_csp=True, has_touch=True)
        check(kiosk, base + "/customer/", "customer: start", report)
        kiosk.get_by_role("button", name="A phone").click()
        for name, path in [("customer: brands", "/customer/device"),
                           ("customer: models", "/customer/device?brand=Apple"),
                           ("customer: storage", f"/customer/device?model={model_id(app)}")]:
            check(kiosk, base + path, name, report)
        check(kiosk, base + "/customer/device?brand=Apple", "customer: IMEI keypad, error", report, lambda p: (
            p.get_by_text("Not sure? Identify it by its IMEI").click(), p.locator("#imei").fill("123"),
            p.get_by_role("button", name="Find my model").click()))
        kiosk.goto(base + f"/customer/device?model={model_id(app)}")
        kiosk.get_by_role("button", name="64 GB").click()
        check(kiosk, base + "/customer/questions/1", "customer: question", report)
        check(kiosk, base + "/customer/questions/10", "customer: battery keypad", report)
        for step, value in enumerate(PERFECT_PHONE.values(), start=1):
            kiosk.goto(base + f"/customer/questions/{step}")
            if step == 10:
                kiosk.locator("#answer").fill(value)
                kiosk.get_by_role("button", name="Next").click()
            else:
                kiosk.locator(f'button[name="answer"][value="{value}"]').click()
        check(kiosk, base + "/customer/estimate", "customer: estimate", report)
        check(kiosk, base + "/customer/estimate", "customer: estimate, French", report, lambda p: (
            p.get_by_role("button", name="Français").click(),
            expect(p.locator("html")).to_have_attribute("lang", "fr")))
        kiosk.get_by_role("button", name="Obtenir mon ticket").click()
        check(kiosk, base + "/customer/ticket", "customer: ticket, French", report)
        check(kiosk, base + "/customer/ticket", "customer: idle countdown", report, lambda p: (
            p.evaluate("() => document.getElementById('idle-dialog').showModal()")))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    for name, found in report.items():
        print(f"{name:<36} {found['rules'] or 'no violation'}")
    assert len(report) >= 36
    assert {name: found["blocking"] for name, found in report.items() if found["blocking"]} == {}


def tab_to(page, locator, limit: int = 60) -> None:
    """Press Tab until the element has focus, as a keyboard user would; fails if it never does."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


def test_a_clerk_completes_a_trade_in_with_the_keyboard_alone(app, db):
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser)
        page.goto(base + "/tradeins")
        expect(page.locator("#pin")).to_be_focused()
        page.keyboard.type(PIN)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/tradeins$"))
        settled(page)
        expect(page.locator("#identifier")).to_be_focused()
        page.keyboard.type("356938035643809")  # not in the TAC table: the model is chosen by keyboard
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/device$"))
        settled(page)
        tab_to(page, page.locator("#device_id"))
        page.keyboard.type("Apple iPhone 12")  # a focused <select> jumps to the option typed
        expect(page.locator("#device_id")).to_have_value(str(model_id(app)))
        tab_to(page, page.get_by_label("64 GB"))
        page.keyboard.press("Space")
        tab_to(page, page.get_by_role("button", name="Continue to the checklist"))
        page.keyboard.press("Enter")
        # One screen: every question starts at its fine answer; the battery's percent has the focus, Enter quotes.
        page.wait_for_url(re.compile(r"/checklist$"))
        settled(page)
        expect(page.locator('input[name="battery_health"]')).to_be_focused()
        page.keyboard.type(PERFECT_PHONE["battery_health"])
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/quote$"))
        settled(page)
        tab_to(page, page.get_by_role("link", name="Customer accepts: seller details"))
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/seller$"))
        settled(page)
        expect(page.locator("#id_doc_number")).to_be_focused()  # the document first: it finds a returning seller
        typed = {**ADULT_SELLER, "birth_date": "12/04/1990", "id_doc_issued_on": "01/06/2021",  # as France writes
                 "id_doc_type": "National", "payout_method": "Store"}
        for name, value in typed.items():
            tab_to(page, page.locator(f'[name="{name}"]'))
            page.keyboard.type(value)
        tab_to(page, page.get_by_role("button", name="Accept and save the trade-in"))
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}$"))
        expect(page.locator("#state")).to_have_text(re.compile("Receipt printed|Accepted"))
        row = db.execute("SELECT state, payout_method FROM tradeins WHERE imei = '356938035643809'").fetchone()
        assert row == ("printed", "store_credit")


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_hq_pages_have_no_serious_or_critical_violation(tmp_path, hq_app, hq_url, hq_store, db_of):
    from hq.services.staff import add_staff
    from tests.test_golive import fresh_terminal
    from tests.test_hq_receiving import HQ_PIN, synced_store

    app, db, (uuid,) = synced_store(tmp_path, hq_app, hq_url, hq_store, db_of)
    add_staff(hq_app.extensions["hq.storage"], "Nadia Benali", "supervisor", HQ_PIN)
    code = db.execute("SELECT code FROM tradeins").fetchone()[0]
    report = {}
    with chromium() as browser:
        page = new_page(browser, bypass_csp=True)
        check(page, hq_url + "/hq/login", "hq: sign-in", report)
        page.get_by_label("Name").press_sequentially("Nadia Benali")
        page.get_by_label("PIN").fill(HQ_PIN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/hq/$"))
        check(page, hq_url + "/hq/checkin", "hq: check-in, refused", report, lambda p: (
            p.locator("#code").fill("BAG:TI-0000-0000"), p.get_by_role("button", name="Check in").click(),
            expect(p.get_by_role("alert")).to_be_visible()))
        page.locator("#code").fill(f"BAG:{code}")
        page.get_by_role("button", name="Check in").click()
        expect(page.get_by_role("status")).to_be_visible()
        pages = [("dashboard", "/hq/"), ("inbox", "/hq/inbox"), ("trade-in with regrade form", f"/hq/tradeins/{uuid}"),
                 ("shipments", "/hq/shipments"), ("publish", "/hq/publish"), ("stores", "/hq/stores"),
                 ("new store", "/hq/stores/new"), ("payouts", "/hq/payouts")]
        for name, path in pages:
            check(page, hq_url + path, f"hq: {name}", report)
        page.get_by_role("button", name="Français").click()  # the same pages as a French receiver reads them
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        for name, path in pages:
            check(page, hq_url + path, f"hq (fr): {name}", report)
            screenshot(page, f"hq-fr-{name.replace(' ', '-')}")
        token = db.execute("SELECT tracking_token FROM tradeins").fetchone()[0]
        check(page, f"{hq_url}/track/{code}/{token}?lang=fr", "hq: seller's tracking page", report)
        fresh = fresh_terminal(tmp_path / "fresh")  # a terminal out of its box: the set-up pages
        with live_server(fresh) as base:
            check(page, base + "/setup/enrol", "kiosk: set-up, enrolment refused", report, lambda p: (
                p.locator("#hq_url").fill(hq_url), p.locator("#code").fill("AAAA-BBBB-CCCC"),
                p.get_by_role("button", name="Enrol this terminal").click(),
                expect(p.get_by_role("alert")).to_be_visible()))
    for name, found in report.items():
        print(f"{name:<36} {found['rules'] or 'no violation'}")
    assert {name: found["blocking"] for name, found in report.items() if found["blocking"]} == {}
