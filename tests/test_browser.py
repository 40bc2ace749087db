"""End to end in a real headless Chromium: sign in, scan, grade, accept, receipt on file."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC, PERFECT_PHONE, PIN
from tests.browser import chromium_page, live_server, screenshot, wedge_scan

pytestmark = pytest.mark.browser


def sign_in(page, base: str) -> None:
    page.goto(base + "/tradeins")
    page.get_by_label("Camille Martin").check()
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/tradeins")  # not /login?next=/tradeins
    settled(page)


def settled(page) -> None:
    """Wait until htmx has swapped and processed the new content (a few ms after the URL changes)."""
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-swapping, .htmx-request")).to_have_count(0)


def scan(page, text: str) -> None:
    """A keyboard-wedge scanner types fast into the focused field and ends with Enter."""
    wedge_scan(page, text)


def answer_checklist(page, answers: dict[str, str] | None = None) -> None:
    """The one-screen checklist: every question starts at its fine answer; set the ones given, then Quote."""
    expect(page).to_have_url(re.compile(r"/checklist$"))
    settled(page)
    for question_id, value in (answers or PERFECT_PHONE).items():
        if question_id == "battery_health":
            page.locator('input[name="battery_health"]').fill(value)
        else:
            page.locator(f'input[name="{question_id}"][value="{value}"]').check()
    page.get_by_role("button", name="Quote").first.click()


def fill_seller(page) -> None:
    for name, value in ADULT_SELLER.items():
        field = page.locator(f'[name="{name}"]')
        if name in ("id_doc_type", "payout_method"):
            field.select_option(value)
        else:
            field.fill(value)


def test_a_clerk_completes_a_trade_in_in_the_browser(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        # The IMEI field has focus on arrival: the scanner needs no click first.
        expect(page.locator("#identifier")).to_be_focused()
        scan(page, "1234")
        expect_error = page.locator("#identifier-error")
        expect_error.wait_for()
        assert "Too short: 4 digits" in expect_error.inner_text()
        assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 0
        screenshot(page, "01-today-invalid-imei")

        expect(page.locator("#identifier")).to_be_focused()
        page.locator("#identifier").fill("")
        scan(page, "IMEI " + IMEI_KNOWN_TAC)
        page.wait_for_url(re.compile(r"/device$"))
        settled(page)
        assert "Apple iPhone 13" in page.locator(".notice").inner_text()
        # Changing the model fetches that model's storage options as a fragment.
        page.select_option("#device_id", label="Apple iPhone 12")
        page.get_by_label("64 GB").wait_for()
        page.get_by_label("64 GB").check()
        screenshot(page, "02-device")
        page.get_by_role("button", name="Continue to the checklist").click()
        page.wait_for_url(re.compile(r"/checklist$"))
        screenshot(page, "03-question")
        answer_checklist(page)
        page.wait_for_url(re.compile(r"/quote$"))
        total = page.locator("#offer-total").inner_text()
        assert "€" in total
        screenshot(page, "04-quote")

        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_url(re.compile(r"/seller$"))
        fill_seller(page)
        screenshot(page, "05-seller")
        page.get_by_role("button", name="Accept and save the trade-in").click()
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}$"))
        assert page.locator("#state").inner_text() == "Receipt printed"
        screenshot(page, "06-detail")

    ti = db.execute("SELECT uuid, code, total_minor FROM tradeins").fetchone()
    job = db.execute("SELECT status, output_ref FROM print_jobs WHERE tradein_uuid = ? AND kind = 'receipt'",
                     [ti[0]]).fetchone()
    assert job[0] == "printed"
    with open(job[1], "rb") as printed:
        receipt = printed.read()
    assert IMEI_KNOWN_TAC.encode() in receipt and ti[1].encode() in receipt
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox WHERE entity_uuid = ? ORDER BY seq", [ti[0]])]
    assert kinds == ["tradein.accepted", "voucher.issued"]  # paid in store credit, in the same transaction


def test_the_flow_works_without_javascript(app, db):
    """Every form keeps action/method: a browser with JavaScript off can still take a trade-in to the quote."""
    from tests.browser import chromium

    with live_server(app) as base, chromium() as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        sign_in(page, base)
        page.locator("#identifier").fill(IMEI_KNOWN_TAC)
        page.get_by_role("button", name="Start").click()
        page.wait_for_url(re.compile(r"/device$"))
        page.get_by_label("128 GB").check()
        page.get_by_role("button", name="Continue to the checklist").click()
        answer_checklist(page)
        page.wait_for_url(re.compile(r"/quote$"))
        assert "€" in page.locator("#offer-total").inner_text()


def test_a_scanner_burst_anywhere_on_the_page_starts_a_trade_in(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        # Focus leaves the IMEI field (a click would give it back: scanner.js), the clerk was doing something else
        page.locator("#identifier").blur()
        expect(page.locator("#identifier")).not_to_be_focused()
        page.keyboard.type("ab", delay=120)  # a person typing: ignored
        scan(page, "490154203237518")  # the scanner: fast, then Enter
        page.wait_for_url(re.compile(r"/device$"))
        settled(page)
        assert "Apple iPhone 13" in page.locator(".notice").inner_text()
    assert db.execute("SELECT imei FROM tradeins").fetchall() == [("490154203237518",)]


@contextlib.contextmanager
def quoted_in_browser(app) -> Iterator[tuple[str, str, object]]:
    """A trade-in brought to its quote over HTTP, and a signed-in clerk's browser: (uuid, base URL, page)."""
    from tests.conftest import KioskClient, run_to_quote

    clerk = KioskClient(app.test_client())
    clerk.login(app)
    uuid = run_to_quote(clerk)
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        yield uuid, base, page


def test_a_refused_seller_form_puts_the_focus_on_the_first_field_in_error(app, db):
    """Issue 17, item 4 (in part): after a refusal the clerk types straight into the field to correct."""
    with quoted_in_browser(app) as (uuid, base, page):
        page.goto(f"{base}/tradeins/{uuid}/seller")
        expect(page.locator("#id_doc_number")).to_be_focused()  # nothing wrong yet: the document's number first
        page.locator("#surname").press_sequentially("Dupont")
        page.get_by_role("button", name="Accept and save the trade-in").click()
        expect(page.get_by_role("alert").first).to_contain_text("nothing was saved")
        expect(page.locator("#id_doc_number")).to_be_focused()  # the first of the fields in error
        expect(page.locator("#surname")).to_have_value("Dupont")  # what was typed is kept
    assert db.execute("SELECT state FROM tradeins WHERE uuid = ?", [uuid]).fetchone()[0] == "quoted"


def test_a_seller_form_left_by_back_keeps_what_was_typed_until_the_trade_in_is_settled(app, db):
    """Issue 17, item 4: the clerk goes back to the quote (its button, or the browser's Back) and returns to
    the seller form: what was typed is there, sealed on the terminal meanwhile, and gone once accepted."""
    with quoted_in_browser(app) as (uuid, base, page):
        page.goto(f"{base}/tradeins/{uuid}/quote")
        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_url(re.compile(r"/seller$"))
        page.locator("#surname").press_sequentially(ADULT_SELLER["surname"], delay=5)
        page.locator("#birth_date").press_sequentially("14/07/1989", delay=5)
        page.get_by_role("button", name="Back to the quote").click()
        page.wait_for_url(re.compile(r"/quote$"))
        sealed = db.execute("SELECT sealed FROM seller_drafts WHERE tradein_uuid = ?", [uuid]).fetchone()[0]
        assert ADULT_SELLER["surname"] not in sealed  # the seller's identity is never kept in clear
        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_url(re.compile(r"/seller$"))
        expect(page.locator("#surname")).to_have_value(ADULT_SELLER["surname"])
        expect(page.locator("#birth_date")).to_have_value("14/07/1989")
        screenshot(page, "seller-kept-after-back")

        page.locator("#first_names").press_sequentially(ADULT_SELLER["first_names"], delay=5)
        page.go_back()  # the browser's Back this time
        page.wait_for_url(re.compile(r"/quote$"))
        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_url(re.compile(r"/seller$"))
        expect(page.locator("#first_names")).to_have_value(ADULT_SELLER["first_names"])
        expect(page.locator("#surname")).to_have_value(ADULT_SELLER["surname"])

        for name, value in ADULT_SELLER.items():
            field = page.locator(f'[name="{name}"]')
            if name in ("id_doc_type", "payout_method"):
                field.select_option(value)
            elif field.input_value() != value:
                field.fill(value)
        page.get_by_role("button", name="Accept and save the trade-in").click()
        page.wait_for_url(re.compile(rf"/tradeins/{uuid}$"))
    assert db.execute("SELECT count(*) FROM seller_drafts").fetchone()[0] == 0  # settled: nothing typed is kept


def test_a_seller_form_left_by_back_and_opened_again_at_once_waits_for_what_was_typed(app, db):
    """The clerk presses the browser's Back and at once opens the seller form again, while what was typed is still
    on its way to the terminal (a busy terminal, held here by the browser's network for half a second): the form
    opens once it is kept, with what was typed, never empty before it."""
    with quoted_in_browser(app) as (uuid, base, page):
        page.goto(f"{base}/tradeins/{uuid}/quote")
        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_url(re.compile(r"/seller$"))
        page.locator("#first_names").press_sequentially(ADULT_SELLER["first_names"], delay=5)
        held = []
        page.route("**/seller/keep", lambda route: held.append(route))
        page.go_back()
        page.wait_for_url(re.compile(r"/quote$"))
        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_timeout(500)
        assert len(held) == 1  # what was typed is on its way, not lost
        held[0].continue_()
        page.wait_for_url(re.compile(r"/seller$"))
        expect(page.locator("#first_names")).to_have_value(ADULT_SELLER["first_names"])
