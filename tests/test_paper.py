"""Legal paper read back from its bytes (issue 17, item 5): every text a receipt can carry, in both languages,
prints with glyphs the printer's code pages hold (python-escpos prints "?" for any other), and a trade-in receipt
names the store's company, the police register entry, the seller's ID document (masked) and says DUPLICATE on a
reprint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.receipts import ReceiptFacts, build_bag_label, build_tradein_receipt
from hardware import escpos_render
from kiosk.translations import catalogue
from testing.paper import paper_text

ACCEPTED = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def everything_receipt(locale: str, duplicate: bool = False):
    """A receipt with every optional part: handoff, voucher, transfer, tracking, legal identity."""
    _ = catalogue(locale).gettext
    tradein = {"code": "TI-7K4Q-2M9C", "imei": "490154203237518", "serial": None, "storage_gb": 128,
               "cosmetic_grade": "B", "functional_grade": 8, "spec_version": "2026.11-1",
               "grid_version": "G-2026-12", "currency": "EUR", "base_minor": 19200,
               "bonuses": [["Bonus Noël", 2000]], "total_minor": 21200, "accepted_at": ACCEPTED.isoformat(),
               "override_reason": "écran changé récemment"}
    handoff = ((_("%(question)s: %(said)s, checked: %(found)s") % {
        "question": _("Screen"), "said": _("Flawless"), "found": _("Light scratches")}, "- 30,00 €"),)
    return build_tradein_receipt(ReceiptFacts(
        store_name="Télé Shop Saint-Denis", store_address="5 rue de Paris, 97400 Saint-Denis",
        terminal=_("Counter 1"), clerk="Nadia Benali", locale=locale, timezone="Indian/Reunion", tradein=tradein,
        device_name="Apple iPhone 13", checklist=((_("Screen"), _("Light scratches")),),
        payout_label=_("Bank transfer"), seller_name="Élodie Dupont", cancel_until=ACCEPTED + timedelta(hours=24),
        handoff=handoff, translate=_, transfer=("•••• 0189", "5 déc. 2026"),
        voucher={"code": "V-AAAA-BBBB-CCCC", "issued_minor": 21200, "currency": "EUR", "expires_at": "2027-11-23"},
        tracking_url="https://hq.example/track/TI-7K4Q-2M9C/abc", legal=("Télé Shop SARL", "SIRET 73282932000074"),
        register_no=12, seller_document=_("National identity card") + " *****PFW4", duplicate=duplicate))


@pytest.mark.parametrize("locale", ["fr_FR", "en_FR"])
def test_every_receipt_text_prints_in_the_printers_code_pages(locale):
    receipt = everything_receipt(locale)
    printed = paper_text(escpos_render.render(receipt, "TM-T88V"))
    assert "?" not in printed, [line for line in printed.splitlines() if "?" in line]
    label = paper_text(escpos_render.render_label(build_bag_label(ReceiptFacts(**{
        **everything_receipt_facts(locale)})), "TM-T88V"))
    assert "?" not in label


def everything_receipt_facts(locale: str) -> dict:
    _ = catalogue(locale).gettext
    return {"store_name": "Télé Shop Saint-Denis", "store_address": "", "terminal": "", "clerk": "", "locale": locale,
            "timezone": "Europe/Paris", "device_name": "Apple iPhone 13", "checklist": (), "payout_label": "",
            "seller_name": "", "cancel_until": None, "translate": _,
            "tradein": {"code": "TI-7K4Q-2M9C", "imei": "490154203237518", "serial": None, "storage_gb": 128,
                        "cosmetic_grade": "B", "functional_grade": 8}}


def test_a_french_receipt_carries_the_legal_identity_register_entry_and_masked_document():
    printed = " ".join(paper_text(escpos_render.render(everything_receipt("fr_FR"), "TM-T88V")).split())  # unwrapped
    for text in ("REÇU DE REPRISE", "Télé Shop SARL", "SIRET 73282932000074", "Terminal : Caisse 1", "128 Go",
                 "Registre de police", "n° 12", "Carte nationale d'identité *****PFW4", "23 nov. 2027",
                 "Écran : Impeccable, constaté : Rayures légères"):
        assert text in printed, text
    assert "DUPLICATA" not in printed and "X4RTBPFW4" not in printed
    reprinted = paper_text(escpos_render.render(everything_receipt("fr_FR", duplicate=True), "TM-T88V"))
    assert reprinted.startswith("DUPLICATA : REÇU DE\nREPRISE\n")  # double width: wrapped, never cut


def test_closing_a_shipment_prints_the_couriers_manifest_with_every_bag_as_a_barcode(app, staff, db):
    """Issue 17, item 7."""
    from pathlib import Path

    from testing.samples import ADULT_SELLER
    from tests.conftest import model_id, run_to_quote

    uuids = []
    for imei in ("490154203237518", "352099001761481"):
        uuid = run_to_quote(staff, imei=imei, device_id=model_id(app), storage_gb=128)
        staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
        uuids.append(uuid)
    assert staff.post("/shipments", {"tradein": uuids}).status_code == 303
    shipment = db.execute("SELECT code FROM shipments").fetchone()[0]
    data = next((Path(app.config["DATA_DIR"]) / "prints").glob(f"{shipment}-manifest*")).read_bytes()
    text = paper_text(data)
    codes = [db.execute("SELECT code FROM tradeins WHERE uuid = ?", [u]).fetchone()[0] for u in uuids]
    assert text.startswith("BORDEREAU\nD'EXPÉDITION") and "SACHETS" in text and shipment in text
    assert all(text.count(code) == 2 for code in codes)  # in the list and under its barcode
    assert data.count(b"\x1dkI") == 1 + len(codes)  # the shipment's Code128 and one per bag
    assert "Remis au transporteur : nom et signature" in text and "?" not in text


def test_a_receipt_whose_identifier_code128_cannot_hold_still_renders_with_the_text():
    """A serial typed with a character beyond Latin-1 (Code128 holds Latin-1 only): no bars, never an error."""
    from dataclasses import replace

    from hardware.receipt_png import render_png
    from kiosk.codes_svg import code128_svg

    receipt = replace(everything_receipt("fr_FR"), barcode="SN-日本-1")
    assert code128_svg(receipt.barcode) == "" and code128_svg("") == ""
    assert render_png(receipt)[:8] == b"\x89PNG\r\n\x1a\n"
    assert code128_svg("SN-1234").startswith("<svg")
