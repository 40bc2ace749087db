"""Golden tests of a French store's paper in French: a till ticket, a Z report and a trade-in receipt, their ESC/POS
bytes recorded from the code before jurisdiction packs (core.jurisdiction) existed. A French store's paper must not
change by a byte when another jurisdiction's rules are added.

Regenerate after an intended change with: UPDATE_GOLDEN=1 bash scripts/test.sh -k paper_golden_fr
(then read the decoded paper, testing/paper.py, before committing).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core import till
from core.money import format_money
from core.receipts import ReceiptFacts, build_tradein_receipt, paper_time
from core.sale_receipt import build_sale_receipt, build_z_receipt
from hardware import escpos_render
from kiosk.translations import catalogue
from testing.paper import paper_text

GOLDEN = Path(__file__).parent / "golden"
SOLD = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
STORE = {"name": "Boutique Démo Paris 11e", "legal_name": "Boutique Démo SAS (fictitious)", "siret": "73282932000074",
         "address": "12 rue de la Roquette, 75011 Paris", "locale": "fr_FR", "timezone": "Europe/Paris",
         "currency": "EUR"}
_ = catalogue("fr_FR").gettext  # paper speaks the store's language


def _euros(minor: int) -> str:
    return format_money(minor, "EUR", "fr_FR")


def sale_ticket():
    """A case (20 % VAT, discounted), a refurbished phone under the margin scheme, paid by voucher, card and cash."""
    lines = [till.Line("3760000000017", "Coque iPhone 13", 2, 2999, 2000, 500, "Client fidèle"),
             till.Line("3760000000024", "iPhone 12 reconditionné", 1, 42900, 2000, imei="490154203237518",
                       margin_purchase_minor=30000)]
    tenders = [till.Tender("voucher", 20000, "VC-7K4Q-2M9C-X3"), till.Tender("card", 20000, "CB-001122"),
               till.Tender("cash", 8398)]
    sale = {"number": "V-7K4Q-2M9C", "kind": "sale", "total_minor": 48398, "cash_given_minor": 10000,
            "change_minor": 1602}
    return build_sale_receipt(STORE, "Caisse 1", "Camille Martin", paper_time(SOLD, "Europe/Paris", "fr_FR"), sale,
                              lines, tenders, _euros, _)


def z_report():
    data = {"period_start": "2026-11-22T20:00:00+00:00", "period_end": "2026-11-23T19:00:00+00:00",
            "period_first": "2026-11-23T08:10:00+00:00", "sales": 3, "returns": 1, "sales_minor": 51397,
            "returns_minor": 2999,
            "tenders": {"cash": {"taken": 8398, "refunded": 2999}, "card": {"taken": 22999, "refunded": 0},
                        "voucher": {"taken": 20000, "refunded": 0}},
            "vat": {"2000": [6497, 5414, 1083]}, "margin": {"2000": [42900, 30000, 12900, 2150]},
            "tradeins": 2, "tradeins_minor": 41200, "vouchers_issued": 1, "vouchers_issued_minor": 21200,
            "vouchers_redeemed_minor": 20000, "expected_cash_minor": 5399, "cash_comment": "Pièce de 1 € perdue",
            "register_head": {"seq": 42, "hash": "9f2c4e1a7b3d5f6e8a0b1c2d3e4f5a6b"}}
    return build_z_receipt(STORE, {"number": 12, "data": data, "counted_cash_minor": 5299}, _euros, _)


def tradein_receipt():
    tradein = {
        "code": "TI-7K4Q-2M9C", "imei": "490154203237518", "serial": None, "storage_gb": 128,
        "cosmetic_grade": "B", "functional_grade": 8, "spec_version": "2026.11-1", "grid_version": "DEMO-20261123",
        "currency": "EUR", "base_minor": 19200, "bonuses": [["Bonus Noël", 2000]], "total_minor": 21200,
        "accepted_at": SOLD.isoformat(),
    }
    return build_tradein_receipt(ReceiptFacts(
        store_name=STORE["name"], store_address=STORE["address"], terminal="Caisse 1", clerk="Camille Martin",
        locale="fr_FR", timezone="Europe/Paris", tradein=tradein, device_name="Apple iPhone 13",
        checklist=(("Écran", "Rayures légères"), ("Santé de la batterie", "82 %")),
        payout_label="Avoir en magasin", seller_name="Élodie Dupont", cancel_until=SOLD + timedelta(hours=24),
        legal=(STORE["legal_name"], _("SIRET %(number)s") % {"number": STORE["siret"]}), register_no=17,
        seller_document="Carte nationale d'identité *****FW4X", translate=_,
    ))


PAPERS = {"sale_receipt_fr": sale_ticket, "z_report_fr": z_report, "tradein_receipt_fr": tradein_receipt}


@pytest.mark.parametrize("name", sorted(PAPERS))
def test_french_paper_matches_its_golden_bytes(name):
    data = escpos_render.render(PAPERS[name](), "TM-T88V")
    golden = GOLDEN / f"{name}_TM-T88V.bin"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{name}: ESC/POS output changed: read it (testing/paper.py), then " \
                                        "UPDATE_GOLDEN=1"


def test_french_paper_reads_as_french():
    ticket = paper_text(escpos_render.render(sale_ticket(), "TM-T88V"))
    assert "TVA INCLUSE" in ticket and "Régime particulier – Biens d'occasion" in ticket and "23/11/2026" in ticket
    receipt = paper_text(escpos_render.render(tradein_receipt(), "TM-T88V"))
    assert "SIRET 73282932000074" in receipt and "un mois" in receipt and "212,00" in receipt
