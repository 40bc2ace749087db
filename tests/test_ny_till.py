"""Issue 34, the till: the New York store ADDS sales tax at its pack's rate (8.875 % in New York City, once per
receipt, half a cent up): a $29.99 case is $29.99 + $2.66 = $32.65, on screen and on paper in en_US; the same case at
the Paris store is 29,99 € VAT included, as before. A store-credit voucher pays the total with its tax (it never
lowers the taxable amount), a return refunds the tax its lines carried, the Z report says the tax collected, and the
signed fiscal chain stays whole. Real HQ over HTTP, both terminals enrolled by the README's commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from core.jurisdiction import pack
from testing.paper import paper_text
from tests.conftest import KioskClient, staff_id
from tests.test_golive import add_store_by_cli, enrol_by_cli, first_manager
from tests.test_jurisdictions import MM_DD_YYYY_12H, accept_us_trade_in, new_terminal, ny_store

CASE = "3761234500298"  # EAN-13 of a phone case, $29.99 in New York and 29,99 € in Paris
PRODUCTS = {"products": [{"ean": CASE, "name": "Phone case", "kind": "accessory", "price_minor": 2999,
                          "vat_bp": 2000, "brand": "", "model": "", "vat_scheme": "standard", "purchase_minor": ""}]}


def publish_case(hq_app: Flask, *terminals: Flask) -> None:
    """The case in both markets' products (core.markets: each market has its own), pulled by each terminal."""
    for market in ("EUR", "USD"):
        hq_app.extensions["hq.storage"].publish("products", "cases-1", json.dumps(PRODUCTS), market=market)
    for app in terminals:
        assert app.test_cli_runner().invoke(args=["sync", "pull"]).exit_code == 0


def paper(app: Flask, pattern: str) -> str:
    """The newest print file whose name matches, read back from its ESC/POS bytes (no-break spaces as spaces)."""
    files = sorted((Path(app.config["DATA_DIR"]) / "prints").glob(pattern), key=lambda f: f.stat().st_mtime)
    return paper_text(files[-1].read_bytes()).replace("\xa0", " ")


def scan(staff: KioskClient, code: str) -> str:
    """A wedge scanner's burst ending in Enter on the till page: the form posts the code."""
    response = staff.post("/pos/scan", {"code": code})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def row(text: str, label: str) -> str:
    """The value printed at the end of the paper's row that starts with `label`."""
    return re.search(rf"^{re.escape(label)}\s+(\S.*)$", text, re.M).group(1).strip()


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_29_99_case_is_32_65_with_new_york_sales_tax_and_29_99_euros_vat_included_in_paris(
        tmp_path, hq_app, hq_url, db_of):
    ny, clerk = ny_store(tmp_path, hq_app, hq_url)
    _, code = add_store_by_cli(hq_app, "Télé Shop Paris")
    paris = enrol_by_cli(new_terminal(tmp_path / "paris", "en"), hq_url, code)[1]
    publish_case(hq_app, ny, paris)
    cart = scan(clerk, CASE)
    assert re.search(r'id="cart-subtotal">\$29\.99<', cart) and "Sales tax 8.875%" in cart
    assert re.search(r'id="cart-tax">\$2\.66<', cart) and re.search(r'id="cart-total">\$32\.65<', cart)
    assert "of which VAT" not in cart
    assert ">$32.65<" in clerk.get("/pos/pay").get_data(as_text=True)
    short = clerk.post("/pos/pay", {"cash_given": "32.64"})  # the tax is owed too: a cent short is refused
    assert short.status_code == 422 and "$0.01 is still to pay" in short.get_data(as_text=True)
    paid = clerk.post("/pos/pay", {"cash_given": "40"})
    assert paid.status_code == 303
    sale = db_of(ny).execute("SELECT total_minor, tax_minor, tax_rate, change_minor FROM sales").fetchone()
    assert tuple(sale) == (3265, 266, "8.875", 735)
    ticket = paper(ny, "*-receipt.escpos")
    assert (row(ticket, "Subtotal"), row(ticket, "Sales tax 8.875%"), row(ticket, "TOTAL")) == (
        "$29.99", "$2.66", "$32.65")
    assert row(ticket, "Change") == "$7.35" and MM_DD_YYYY_12H.search(ticket) and "VAT" not in ticket
    assert "EIN 04-1234567" in ticket and "SIRET" not in ticket
    page = clerk.get(paid.headers["Location"]).get_data(as_text=True)
    assert "$32.65" in page and "Sales tax 8.875%" in page
    verified = ny.test_cli_runner().invoke(args=["fiscal", "verify"])
    assert verified.exit_code == 0 and "fiscal records intact" in verified.output, verified.output  # kept in the US
    counter = first_manager(paris)
    scan(counter, CASE)
    assert counter.post("/pos/pay", {"cash_given": "29,99"}).status_code == 303
    french = paper(paris, "*-receipt.escpos")
    assert row(french, "TOTAL") == "29,99 €" and row(french, "TVA 20 % sur 24,99 €") == "5,00 €"
    assert "Sales tax" not in french and "Taxe" not in french and "SIRET 73282932000074" in french
    assert tuple(db_of(paris).execute("SELECT total_minor, tax_minor, tax_rate FROM sales").fetchone()) == (
        2999, 0, "")


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_voucher_pays_the_tax_a_return_refunds_it_and_the_z_says_the_tax_collected(tmp_path, hq_app, hq_url,
                                                                                    db_of):
    ny, staff = ny_store(tmp_path, hq_app, hq_url)
    publish_case(hq_app, ny)
    accept_us_trade_in(ny, staff)
    db = db_of(ny)
    voucher, balance = db.execute("SELECT code, balance_minor FROM vouchers").fetchone()
    scan(staff, CASE)
    pay = staff.get(f"/pos/pay?voucher_code={voucher}").get_data(as_text=True)
    assert "$32.65" in pay  # the voucher pays the total with its tax
    assert staff.post("/pos/pay", {"voucher_code": voucher}).status_code == 303
    sold_uuid, number, tax = db.execute("SELECT uuid, number, tax_minor FROM sales").fetchone()
    assert tax == 266  # store credit is a means of payment: the taxable amount stays $29.99 (Tax Law 1101(b)(3))
    assert db.execute("SELECT balance_minor FROM vouchers").fetchone()[0] == balance - 3265
    ticket = paper(ny, f"{number}-receipt.escpos")
    assert row(ticket, f"Voucher {voucher}") == "$32.65" and row(ticket, "Sales tax 8.875%") == "$2.66"
    back = staff.post(f"/pos/sales/{sold_uuid}/return", {"qty-1": "1"})
    assert back.status_code == 303, back.get_data(as_text=True)
    assert tuple(db.execute("SELECT total_minor, tax_minor FROM sales WHERE kind = 'return'").fetchone()) == (
        -3265, -266)
    assert db.execute("SELECT balance_minor FROM vouchers").fetchone()[0] == balance  # all of it back
    refund = paper(ny, "R-*-receipt.escpos")  # a return's number starts R-
    assert row(refund, "TOTAL REFUNDED") == "$32.65" and row(refund, "Sales tax 8.875%") == "$2.66"
    scan(staff, CASE)
    scan(staff, CASE)  # a second case: one more of the line
    assert staff.post("/pos/pay", {"cash_given": "70"}).status_code == 303  # 2 x 29.99 = 59.98 + 5.32 = 65.30
    assert db.execute("SELECT tax_minor FROM sales ORDER BY created_at DESC LIMIT 1").fetchone()[0] == 532
    x = staff.get("/pos/reports").get_data(as_text=True)
    assert "Sales tax collected, 8.875%" in x and "$5.32" in x
    assert staff.post("/staff", {"name": "Jordan Lee", "role": "manager", "pin": "735193"}).status_code == 303
    closing = {"counted_cash": "65.30", "confirm": "1", "approver_id": staff_id(db, "Jordan Lee"),
               "approver_pin": "735193"}  # a second manager approves the first's Z
    closed = staff.post("/pos/reports/z", closing)
    assert closed.status_code == 303, re.findall(r"role=\"alert\"[^>]*>([^<]+)", closed.get_data(as_text=True))
    data = json.loads(db.execute("SELECT data FROM z_reports").fetchone()[0])
    assert data["sales_tax"] == {"8.875": [5998, 532]} and data["vat"] == {}  # the sale, its return, the sale
    z = paper(ny, "Z-00001*")
    assert "SALES TAX COLLECTED" in z and row(z, "Taxable sales") == "$59.98"
    assert row(z, "Sales tax 8.875%") == "$5.32" and "VAT" not in z and MM_DD_YYYY_12H.search(z)
    assert ny.test_cli_runner().invoke(args=["fiscal", "verify"]).exit_code == 0
    assert pack("us-ny-nyc").tax.on(5998) == 532  # once per receipt: 532.3 cents
