"""The margin scheme for second-hand goods (CGI art. 297 A, 297 E) at the till, through its routes: a refurbished
device sold under it prints no VAT line and the mention, an accessory on the same ticket keeps its VAT line, the
ticket names the company (legal name, address, SIRET), and the Z report accounts for the margin and its VAT. The
paper is read back from the ESC/POS bytes the printer got."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core import margin, till
from core.reference import ReferenceInvalid, validate
from testing.paper import paper_text
from testing.samples import ADULT_SELLER
from tests.conftest import model_id, run_to_quote
from tests.test_pos import CASE, IPHONE, fill, manager_approval

MENTION = "Régime particulier – Biens d'occasion"
UNKNOWN_TAC_IMEI = "356938035643809"  # a TAC the demo catalog does not know: taken as the product's model


def printed(app, pattern: str) -> str:
    """The text of the one print job whose file name matches, as the printer would print it."""
    found = [p for p in (Path(app.config["DATA_DIR"]) / "prints").iterdir() if re.search(pattern, p.name)]
    assert len(found) == 1, [p.name for p in found]
    return paper_text(found[0].read_bytes())


def vat_rows(paper: str) -> list[str]:
    """The ticket's VAT rows ("TVA 20 % sur …"), not the section's heading."""
    return [line for line in paper.splitlines() if re.match(r"TVA \d", line)]


def close_z(staff, db, counted: str) -> dict:
    response = staff.post("/pos/reports/z", {"counted_cash": counted, "confirm": "1", **manager_approval(db)})
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    return json.loads(db.execute("SELECT data FROM z_reports ORDER BY number DESC LIMIT 1").fetchone()[0])


def test_a_refurbished_device_under_the_margin_scheme_shows_no_vat_and_the_z_shows_its_margin(app, staff, db):
    fill(staff, IPHONE, UNKNOWN_TAC_IMEI, CASE)  # 379,00 under the margin scheme (bought 290,00) + a 19,90 case
    cart = staff.get("/pos").get_data(as_text=True)
    assert "no VAT shown on the ticket" in cart and "315,83" not in cart  # no VAT on the device's full price
    assert staff.post("/pos/pay", {"cash_given": "400"}).status_code == 303
    sale_number = db.execute("SELECT number FROM sales").fetchone()[0]
    assert db.execute("SELECT ean, margin_purchase_minor FROM sale_lines ORDER BY line_no").fetchall() == [
        (IPHONE, 29000), (CASE, None)]
    paper = printed(app, rf"^{sale_number}-receipt")
    assert MENTION in paper and paper.index(UNKNOWN_TAC_IMEI) < paper.index(MENTION) < paper.index("Coque")
    # Only the case's VAT: 19,90 € at 20 % is 3,32 € on 16,58 €; nothing on the device's 379,00 €.
    assert [" ".join(row.split()) for row in vat_rows(paper)] == ["TVA 20 % sur 16,58 € 3,32 €"]
    assert "315,83" not in paper and "63,17" not in paper  # 379,00 € / 1,2 and its VAT: never printed
    for identity in ("Boutique Démo SAS (fictitious)", "12 rue de la Roquette, 75011 Paris", "SIRET 73282932000074"):
        assert identity in paper, identity
    assert MENTION not in staff.get("/pos/reports").get_data(as_text=True)  # the mention is the ticket's, not the X's

    data = close_z(staff, db, "398,90")
    assert data["vat"] == {"2000": [1990, 1658, 332]}  # the standard-rate lines only
    assert data["margin"] == {"2000": [37900, 29000, 8900, 1483]}  # sold, bought, margin, 8 900 × 20/120
    z = " ".join(printed(app, r"^Z-00001").split())
    assert "RÉGIME DE LA MARGE (BIENS D'OCCASION)" in z
    for row in ("Vendu sous le régime de la marge 379,00 €", "Prix d'achat 290,00 €", "Marge 89,00 €",
                "TVA 20 % sur la marge 14,83 €", "TVA 20 % sur 16,58 € 3,32 €"):
        assert row in z, row


def test_a_device_traded_in_here_is_resold_over_its_trade_in_total_and_a_loss_is_a_zero_margin(app, staff, db):
    tradein = run_to_quote(staff, UNKNOWN_TAC_IMEI, device_id=model_id(app), storage_gb=64)
    assert staff.post(f"/tradeins/{tradein}/seller", {**ADULT_SELLER, "payout_method": "store_credit"}
                      ).status_code == 303
    paid_for_it = db.execute("SELECT total_minor FROM tradeins WHERE uuid = ?", [tradein]).fetchone()[0]
    assert paid_for_it != 29000  # not HQ's purchase price: the store's own
    fill(staff, IPHONE, UNKNOWN_TAC_IMEI)
    assert staff.post("/pos/pay", {"cash_given": "379"}).status_code == 303
    assert db.execute("SELECT margin_purchase_minor FROM sale_lines").fetchone()[0] == paid_for_it

    # Sold below what it cost (a manager's discount): the margin is zero, never a loss set against other sales.
    fill(staff, "3761234500069", "352099001761481")  # Galaxy S21, bought 245,00 by HQ, sold 329,00
    fill(staff, IPHONE, "353918057391522")
    refused = staff.post("/pos/discount", {"line_no": "2", "discount": "150", "reason": "display model, scratched"})
    assert refused.status_code == 422  # 150 € off needs a manager
    assert staff.post("/pos/discount", {"line_no": "2", "discount": "150", "reason": "display model, scratched",
                                        **manager_approval(db)}).status_code == 200
    assert staff.post("/pos/pay", {"cash_given": "558"}).status_code == 303  # 329,00 + 229,00
    # S21: 329 - 245 = 84,00; iPhone: 229 - 290 = -61,00 counted as 0: 84,00 of margin, not 23,00.
    made = (37900 - paid_for_it) + 8400
    assert close_z(staff, db, "937")["margin"] == {"2000": [37900 + 55800, paid_for_it + 53500, made,
                                                            till.round_half_up(made * 2000, 12000)]}


def test_a_store_under_the_standard_regime_prints_the_devices_vat_and_no_mention(app, staff, db):
    db.execute("UPDATE stores SET vat_regime = 'standard'")
    db.conn.commit()
    fill(staff, IPHONE, UNKNOWN_TAC_IMEI)
    assert staff.post("/pos/pay", {"cash_given": "379"}).status_code == 303
    paper = printed(app, r"^S-.*-receipt")
    assert MENTION not in paper
    assert [" ".join(row.split()) for row in vat_rows(paper)] == ["TVA 20 % sur 315,83 € 63,17 €"]
    assert close_z(staff, db, "379")["margin"] == {}


def test_a_returned_margin_device_takes_its_margin_back_out_of_the_z(app, staff, db):
    fill(staff, IPHONE, UNKNOWN_TAC_IMEI, CASE)
    assert staff.post("/pos/pay", {"cash_given": "398,90"}).status_code == 303
    sale = db.execute("SELECT uuid FROM sales").fetchone()[0]
    assert staff.post(f"/pos/sales/{sale}/return", {"qty-1": "1"}).status_code == 303  # the device back
    back = db.execute("SELECT number FROM sales WHERE kind = 'return'").fetchone()[0]
    assert MENTION in printed(app, rf"^{back}-receipt")  # the refund of it shows no VAT either
    data = close_z(staff, db, "19,90")
    assert data["margin"] == {"2000": [0, 0, 0, 0]} and data["vat"] == {"2000": [1990, 1658, 332]}


@pytest.mark.parametrize("row, field", [
    ({"vat_scheme": "margin"}, "purchase_minor"),  # the margin is over a purchase price: HQ must give it
    ({"vat_scheme": "margin", "purchase_minor": "-1"}, "purchase_minor"),
    ({"vat_scheme": "reduced", "purchase_minor": ""}, "vat_scheme"),
    ({"vat_scheme": "standard", "purchase_minor": "100"}, "purchase_minor"),
    ({"kind": "accessory", "vat_scheme": "margin", "purchase_minor": "100"}, "vat_scheme"),  # new: keeps its VAT
])
def test_hqs_products_file_says_each_products_vat_treatment(row, field):
    device = {"ean": IPHONE, "name": "iPhone 12", "kind": "device", "price_minor": "37900", "vat_bp": "2000"}
    accepted = validate("products", {"products": [device, {**device, "ean": CASE, "vat_scheme": "margin",
                                                            "purchase_minor": "29000"}]})["products"]
    assert [(p["vat_scheme"], p["purchase_minor"]) for p in accepted] == [("standard", None), ("margin", 29000)]
    with pytest.raises(ReferenceInvalid) as refused:
        validate("products", {"products": [{**device, **row}]})
    assert [p.field for p in refused.value.problems] == [field]


def test_the_vat_on_a_margin_is_a_fraction_of_the_margin_and_never_of_a_loss():
    sold = till.Line(IPHONE, "iPhone", 1, 37900, 2000, margin_purchase_minor=29000)
    lost = till.Line("3761234500069", "S21", 1, 20000, 2000, margin_purchase_minor=24500)
    new = till.Line(CASE, "Case", 2, 1990, 2000)
    assert margin.margin_breakdown([sold, lost, new]) == (margin.MarginRow(2000, 57900, 53500, 8900, 1483),)
    assert till.vat_breakdown([sold, lost, new]) == (till.VatRow(2000, 3980, 3317, 663),)  # the cases only
    assert margin.vat_on_margin(8900, 550) == 464  # 8 900 × 5,5 / 105,5 = 463,98
    assert margin.mention("fr") == MENTION and margin.mention("en") == "Margin scheme – Second-hand goods"
    assert "297 A" in margin.RULES["base"]["source"] and "297 E" in margin.RULES["no_vat_shown"]["source"]
