"""Every device kind for real (issue 15, items 1, 3 and 5): a tablet (on its IMEI, and a Wi-Fi one on its serial
number), a smartwatch and a game console each go from the scan to the printed receipt with their own checklist
and their own grid price; receipt and police register carry the identifier each was taken on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.grading import load_spec
from kiosk.translations import catalogue
from testing.paper import paper_text
from testing.samples import ADULT_SELLER, PERFECT_CONSOLE, PERFECT_TABLET, PERFECT_WATCH
from tests.conftest import model_id

SPEC = load_spec()
KINDS = {  # kind, identifier scanned, model, storage, answers, a question only that kind is asked
    "cellular tablet": ("tablet", "IMEI 356938035643809", "iPad Air 11-inch (M3)", 128, PERFECT_TABLET, "radio"),
    "Wi-Fi tablet": ("tablet", "S/N DMPXK2LQ9R", "iPad Air 11-inch (M3)", 256, PERFECT_TABLET, "accessory_connector"),
    "watch": ("watch", "SN: H4KX91ABCD", "Apple Watch Series 10", 64, PERFECT_WATCH, "heart_rate"),
    "console": ("console", "s/n E01234567Z7", "PlayStation 5 Slim", 1024, PERFECT_CONSOLE, "controllers"),
}


@pytest.mark.parametrize("case", list(KINDS))
def test_each_kind_goes_from_scan_to_receipt_with_its_own_questions_and_price(app, staff, db, case):
    kind, scanned, model, storage, answers, own_question = KINDS[case]
    assert list(answers) == [q.id for q in SPEC.questions_for(kind)]  # that kind's checklist, whole and in order
    started = staff.post("/tradeins", {"device_kind": kind, "identifier": scanned})
    assert started.status_code == 303, started.get_data(as_text=True)
    uuid = re.search(r"/tradeins/([0-9a-f-]{36})/device", started.headers["Location"]).group(1)
    device_page = staff.get(f"/tradeins/{uuid}/device").get_data(as_text=True)
    groups = re.findall(r'<optgroup label="([^"]+)"', device_page)
    assert groups[0] == {"tablet": "Tablets", "watch": "Watches", "console": "Game consoles"}[kind]  # its kind first
    assert staff.post(f"/tradeins/{uuid}/device", {"device_id": model_id(app, model), "storage_gb": storage}
                      ).status_code == 303
    asked = []
    for step, value in enumerate(answers.values(), start=1):
        asked.append(staff.get(f"/tradeins/{uuid}/checklist/{step}").get_data(as_text=True))
        assert staff.post(f"/tradeins/{uuid}/checklist/{step}", {"answer": value}).status_code == 303
    own = SPEC.question(own_question)
    assert any(own.text in page for page in asked)
    ti = db.execute("SELECT total_minor, grid_version, device_id, imei, serial FROM tradeins WHERE uuid = ?",
                    [uuid]).fetchone()
    grid_price = db.execute("SELECT base_minor FROM price_grid_values WHERE grid_version = ? AND device_id = ? AND "
                            "storage_gb = ? AND cosmetic = 'A' AND functional_band = 'F1'",
                            [ti[1], ti[2], storage]).fetchone()[0]
    assert ti[0] == grid_price > 0  # priced on that model's own grid row
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    identifier = ti[3] or ti[4]
    assert db.execute("SELECT identifier FROM police_register WHERE tradein_uuid = ?", [uuid]).fetchone()[0] \
        == identifier
    printed = db.execute("SELECT output_ref FROM print_jobs WHERE tradein_uuid = ? ORDER BY id", [uuid]).fetchone()[0]
    paper = " ".join(paper_text(Path(printed).read_bytes()).split())  # read back from the ESC/POS bytes
    assert identifier in paper and catalogue("fr").gettext(own.short) in paper  # its own checks, in the store's French
    assert ("IMEI" in paper) == bool(ti[3])


def test_a_wifi_tablet_without_imei_is_taken_on_its_serial_but_a_phone_is_not(staff):
    assert staff.post("/tradeins", {"device_kind": "tablet", "identifier": "DMPXK2LQ9R"}).status_code == 303
    refused = staff.post("/tradeins", {"device_kind": "phone", "identifier": "DMPXK2LQ9S"})
    assert refused.status_code == 422  # a phone is always taken on its IMEI
