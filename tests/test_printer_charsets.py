"""Names from anywhere on a receipt printer's code pages (issue 31, item 8): each line printed in one page chosen at
its start, what no page holds transliterated, never "?" nor raw bytes in another encoding. Read back from the ESC/POS
bytes with testing/paper.py, as a printer would print them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.receipts import ReceiptFacts, build_tradein_receipt
from hardware import escpos_render
from kiosk.translations import catalogue
from testing.paper import paper_lines, paper_text
from tests.test_receipt_golden import GOLDEN, fixed_receipt

ACCEPTED = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
VIETNAMESE_PAGES = {30, 31}  # TCVN-3 on the TM-T88V profile


def french_receipt(seller_name: str) -> bytes:
    """A French store's receipt (accents in the lines after the seller's) for this seller."""
    _ = catalogue("fr_FR").gettext
    tradein = {"code": "TI-7K4Q-2M9C", "imei": "490154203237518", "serial": None, "storage_gb": 128,
               "cosmetic_grade": "B", "functional_grade": 8, "spec_version": "2026.11-1", "grid_version": "G-1",
               "currency": "EUR", "base_minor": 19200, "bonuses": [["Bonus Noël", 2000]], "total_minor": 21200,
               "accepted_at": ACCEPTED.isoformat(), "override_reason": "écran changé récemment"}
    return escpos_render.render(build_tradein_receipt(ReceiptFacts(
        store_name="Télé Shop Saint-Denis", store_address="5 rue de Paris, 97400 Saint-Denis", terminal=_("Counter 1"),
        clerk="Nadia Benali", locale="fr_FR", timezone="Europe/Paris", tradein=tradein, device_name="Apple iPhone 13",
        checklist=((_("Screen"), _("Light scratches")),), payout_label=_("Store credit (voucher)"),
        seller_name=seller_name, cancel_until=ACCEPTED + timedelta(hours=24), translate=_,
        seller_document=_("National identity card") + " *****PFW4")), "TM-T88V")


def seller_line(lines: list[tuple[str, set[int]]]) -> tuple[str, set[int]]:
    return next(line for line in lines if line[0].startswith("Vendeur"))


@pytest.mark.parametrize(("name", "printed"), [
    ("Ștefan Țurcanu", "Stefan Turcanu"),  # no page has S or T with a comma below: their base letters
    ("Nguyễn Thị Thu Hằng", "Nguyễn Thị Thu Hằng"),  # every letter in one page the profile has (TCVN-3): as typed
    ("王小明", "Wang Xiao Ming"),  # no page has Han characters: their pinyin, syllable by syllable
])
def test_a_sellers_name_prints_legibly_with_one_code_page_a_line(name, printed):
    data = french_receipt(name)
    text, lines = paper_text(data), paper_lines(data)
    assert "?" not in text and "\ufffd" not in text
    assert [line for line in lines if len(line[1]) > 1] == []  # ESC t only ever at the start of a line
    line, _ = seller_line(lines)
    assert line.endswith(" " + printed) and len(line) <= 42  # still right-aligned on the 42 columns
    assert name.encode("gb18030") not in data and name.encode("utf-8") not in data  # no raw bytes of another codec


def test_after_a_vietnamese_name_the_french_lines_go_back_to_a_western_page():
    """The issue: one Vietnamese name switched the rest of the receipt to a Vietnamese code page."""
    lines = paper_lines(french_receipt("Nguyễn Thị Thu Hằng"))
    at = lines.index(seller_line(lines))
    assert seller_line(lines)[1] == {30}
    accented = [(line, pages) for line, pages in lines[at + 1:] if not line.isascii()]
    assert accented and all(not pages & VIETNAMESE_PAGES for _, pages in accented), accented


def test_a_line_no_single_page_holds_keeps_what_its_page_has_and_spells_the_rest():
    lines = paper_lines(french_receipt("NGUYỄN Thị Hằng"))  # capital Ễ and small ị are in two different pages
    line, pages = seller_line(lines)
    assert line.endswith(" NGUYEN Thị Hằng") and pages == {30}


def test_the_text_door_never_switches_pages_inside_a_line():
    paper = escpos_render._Paper(profile="TM-T88V")
    paper.text("Seller: Nguy")
    paper.text("ễn Thị\n")  # the same line, in a second call: the page in force stays, ễ and ị are spelled
    paper.text("Noël e\u0301te\u0301 €\n")  # decomposed accents are composed first, then printed, not dropped
    lines = paper_lines(paper.output)
    assert lines[0] == ("Seller: Nguyen Thi", {0}) and lines[1][0] == "Noël été €" and len(lines[1][1]) == 1


def test_a_french_receipt_prints_the_same_text_as_before():
    """Every character of the golden receipt, the same: only where its code page switches are made moved, to the
    start of the line."""
    data = escpos_render.render(fixed_receipt(), "TM-T88V")
    assert paper_text(data) == paper_text(GOLDEN.read_bytes())
    assert all(len(pages) <= 1 for _, pages in paper_lines(data))
