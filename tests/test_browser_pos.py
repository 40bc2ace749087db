"""The till in a real Chromium: a trade-in paid as a voucher, the voucher spent with cash on an accessory,
the receipt, then the day closed with a Z report."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from testing.samples import IMEI_KNOWN_TAC, PIN
from tests.browser import chromium_page, code128_in, live_server, screenshot
from tests.test_browser import answer_checklist, fill_seller, scan, settled, sign_in

pytestmark = pytest.mark.browser
CASE = "3761234500014"  # Coque silicone iPhone 12, 19,90 €


def test_trade_in_voucher_then_a_sale_by_voucher_and_cash_then_the_z_report(app, db):
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        scan(page, IMEI_KNOWN_TAC)
        page.wait_for_url(re.compile(r"/device$"))
        settled(page)
        page.select_option("#device_id", label="Apple iPhone 12")
        page.get_by_label("64 GB").check()
        page.get_by_role("button", name="Continue to the checklist").click()
        page.wait_for_url(re.compile(r"/checklist$"))
        answer_checklist(page)
        page.wait_for_url(re.compile(r"/quote$"))
        page.get_by_role("link", name="Customer accepts: seller details").click()
        page.wait_for_url(re.compile(r"/seller$"))
        fill_seller(page)
        page.locator('[name="payout_method"]').select_option("store_credit")
        page.get_by_role("button", name="Accept and save the trade-in").click()
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}$"))
        voucher = page.locator("#voucher-code").inner_text()
        assert re.fullmatch(r"V-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", voucher)
        screenshot(page, "pos-01-voucher-on-receipt")

        page.get_by_role("link", name="Till").click()
        page.wait_for_url(re.compile(r"/pos$"))
        settled(page)
        page.locator("#code").fill(CASE)
        page.locator("#code").press("Enter")
        expect(page.locator("#cart-total")).to_have_text(re.compile(r"19,90"))
        page.get_by_role("link", name="Payment").click()
        page.wait_for_url(re.compile(r"/pos/pay$"))
        page.get_by_label("Voucher code (scan the QR on the trade-in receipt)").fill(voucher)
        page.get_by_label("Amount from the voucher (blank: as much as possible)").fill("10")
        page.get_by_label("Cash handed over by the customer").fill("20")
        screenshot(page, "pos-02-payment")
        page.get_by_role("button", name="Record the payment").click()
        page.wait_for_url(re.compile(r"/pos/sales/[0-9a-f-]{36}$"))
        expect(page.locator("#change")).to_contain_text("10,10")  # 20,00 given for 9,90 left
        assert page.locator("#change").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 40  # large
        receipt = page.locator("article.receipt")
        expect(receipt).to_contain_text(f"Bon d'achat {voucher}")
        expect(receipt).to_contain_text("TVA 20 % sur")
        screenshot(page, "pos-03-sale-receipt")
        number = receipt.locator(".code").inner_text()
        assert code128_in(receipt.locator(".barcode svg").screenshot()) == [number]  # scans as printed

        page.goto(base + "/pos/reports")
        expect(page.locator("#expected-cash")).to_contain_text("9,90")
        page.get_by_label("Cash counted").press_sequentially("9,90")
        page.get_by_role("button", name="Close with a Z report").click()
        expect(page.locator("#z-difference")).to_contain_text("0,00")  # the confirm step: nothing written yet
        screenshot(page, "pos-04-z-confirm")
        page.get_by_label("Manager", exact=True).select_option(label="Sacha Leroy")
        page.get_by_label("Manager PIN").press_sequentially(PIN)
        page.get_by_role("button", name="Confirm and close (final)").click()
        page.wait_for_url(re.compile(r"/pos/reports/z/1$"))
        expect(page.locator("#z-difference")).to_contain_text("0,00")
        expect(page.locator("article.receipt")).to_contain_text("RAPPORT Z 1")
        screenshot(page, "pos-04-z-report")
    assert db.execute("SELECT balance_minor FROM vouchers WHERE code = ?", [voucher]).fetchone()[0] == \
        db.execute("SELECT issued_minor FROM vouchers WHERE code = ?", [voucher]).fetchone()[0] - 1000
