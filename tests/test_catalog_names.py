"""Model names (issue 15, item 5): HQ's catalog may give a model's name in another language, shown to a reader of
that language and printed on the store's paper; the brand is said once everywhere (lists, shipments, HQ); a
dual-SIM phone's second IMEI that already started a trade-in is caught at the device step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.device_names import shown_name
from core.reference import ReferenceInvalid, validate
from testing.paper import paper_text
from testing.samples import ADULT_SELLER, PERFECT_CONSOLE
from tests.conftest import model_id
from tests.test_serials import SWITCH

MODEL = {"kind": "tablet", "brand": "Apple", "model": "iPad Air 11-inch (M3)", "storages_gb": "128;256"}


def test_a_catalog_row_carries_names_per_language_checked_like_any_text():
    assert validate("catalog", {"models": [{**MODEL, "name_fr": " iPad Air 11 pouces (M3) "}]})["models"][0][
        "names"] == {"fr": "iPad Air 11 pouces (M3)"}  # a CSV's name_fr column, trimmed
    assert "names" not in validate("catalog", {"models": [{**MODEL, "name_fr": ""}]})["models"][0]
    for bad in ({"names": {"french": "x"}}, {"name_fr": "iPad\x1b[2J"}, {"name_fr": "x" * 200}):
        with pytest.raises(ReferenceInvalid):
            validate("catalog", {"models": [{**MODEL, **bad}]})
    gettext = lambda text, **values: text % values if values else text  # noqa: E731
    assert shown_name("Apple", "iPad Air 11-inch (M3)", {"fr": "iPad Air 11 pouces (M3)"}, "fr", gettext) == \
        "Apple iPad Air 11 pouces (M3)"
    assert shown_name("Apple", "iPad Air 11-inch (M3)", {"fr": "iPad Air 11 pouces (M3)"}, "en", gettext) == \
        "Apple iPad Air 11-inch (M3)"
    assert shown_name("Apple", "Apple Watch Series 10", {}, "fr", gettext) == "Apple Watch Series 10"


def _console_to_receipt(app, staff, db) -> str:
    uuid = re.search(r"/tradeins/([0-9a-f-]{36})/", staff.post(
        "/tradeins", {"device_kind": "console", "identifier": SWITCH}).headers["Location"]).group(1)
    assert staff.post(f"/tradeins/{uuid}/device", {"device_id": model_id(app, "Switch OLED"), "storage_gb": 64}
                      ).status_code == 303
    for step, value in enumerate(PERFECT_CONSOLE.values(), start=1):
        assert staff.post(f"/tradeins/{uuid}/checklist/{step}", {"answer": value}).status_code == 303
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    return uuid


def test_names_in_the_readers_language_on_screens_and_in_the_stores_on_paper(app, staff, db):
    uuid = _console_to_receipt(app, staff, db)
    printed = db.execute("SELECT output_ref FROM print_jobs WHERE tradein_uuid = ? ORDER BY id", [uuid]).fetchone()[0]
    paper = " ".join(paper_text(Path(printed).read_bytes()).split())  # the store is French: so is its paper
    assert "Nintendo Switch (modèle OLED)" in paper and "Switch OLED" not in paper
    assert db.execute("SELECT description FROM police_register").fetchone()[0].startswith("Nintendo Switch OLED,")
    english = staff.get("/tradeins").get_data(as_text=True)
    assert "Nintendo Switch OLED" in english  # the clerk reads English: the maker's name
    staff.post("/lang", {"lang": "fr", "next": "/tradeins"})
    french = staff.get("/tradeins").get_data(as_text=True)
    assert "Nintendo Switch (modèle OLED)" in french
    started = staff.post("/tradeins", {"device_kind": "watch", "identifier": "H4TF2K9WQ1"})
    device_page = staff.get(started.headers["Location"]).get_data(as_text=True)
    assert "Apple Watch Series 10</option>" in device_page and "Apple Apple" not in device_page
    assert "Apple iPad Air 11 pouces (M3)</option>" in device_page  # the tablets' group, in French
    assert "Apple Watch SE (2e génération)</option>" in device_page


def test_a_second_imei_that_already_started_a_trade_in_is_caught_at_the_device_step(app, staff, db):
    first, second = "490154203237518", "352099001761481"
    assert staff.post("/tradeins", {"device_kind": "phone", "identifier": second}).status_code == 303  # by slot 2
    started = staff.post("/tradeins", {"device_kind": "phone", "identifier": first})
    refused = staff.post(started.headers["Location"], {"device_id": model_id(app), "storage_gb": 64, "imei2": second})
    code = db.execute("SELECT code FROM tradeins WHERE imei = ?", [second]).fetchone()[0]
    assert refused.status_code == 422 and f"trade-in {code} is already in progress" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM tradeins WHERE imei2 IS NOT NULL").fetchone()[0] == 0


def test_todays_list_says_a_models_generation_in_each_readers_language_one_after_the_other(app, staff):
    """The list's names are kept per language and catalogue (kiosk.formatting._listed_name): a reader switching
    language gets the other one at once, and back."""
    started = staff.post("/tradeins", {"device_kind": "watch", "identifier": "H4TF2K9WQ1"}).headers["Location"]
    assert staff.post(started, {"device_id": model_id(app, "Apple Watch SE (2nd generation)"), "storage_gb": 32}
                      ).status_code == 303
    for language, name in (("en", "Apple Watch SE (2nd generation)"), ("fr", "Apple Watch SE (2e génération)"),
                           ("en", "Apple Watch SE (2nd generation)")):
        staff.post("/lang", {"lang": language, "next": "/tradeins"})
        rows = staff.get("/tradeins", headers={"HX-Request": "true", "HX-Target": "tradein-rows"}).get_data(
            as_text=True)
        assert f"<td>{name}" in rows, (language, rows[:2000])
