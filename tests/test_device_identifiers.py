"""Identifiers per kind (issue 15, item 3): HQ's blocklist by serial number as well as IMEI, a dual-SIM phone's
second IMEI checked like the first before any question, recorded, and carried by receipt and police register.
Kiosk and HQ over real HTTP, the blocklist published at HQ and pulled by the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.reference import ReferenceInvalid, validate
from kiosk.tradein.reference import pull
from sync import pusher
from testing.paper import paper_text
from testing.samples import ADULT_SELLER
from tests.conftest import KioskClient, model_id, run_to_quote
from tests.test_sync import client_of, kiosk_for

STOLEN_CONSOLE = "E01234567Z9"
STOLEN_SECOND_IMEI = "356938035643809"
FIRST_IMEI = "490154203237518"


@pytest.fixture
def blocked_terminal(tmp_path, hq_app, hq_url, hq_store, db_of):
    """A terminal that pulled HQ's blocklist: one console by serial, one phone's second IMEI."""
    app = kiosk_for(tmp_path, hq_url, hq_store)
    hq_app.extensions["hq.storage"].publish("blocklist", "B-7", json.dumps(validate("blocklist", {"entries": [
        {"type": "serial", "identifier": f"s/n {STOLEN_CONSOLE.lower()}", "reason": "stolen from a shop"},
        {"type": "imei", "identifier": STOLEN_SECOND_IMEI, "reason": "reported lost"}]})))
    assert pull(db_of(app), client_of(app)) == ["blocklist B-7"]
    staff = KioskClient(app.test_client())
    staff.login(app)
    return app, staff, db_of(app)


def test_a_blocklisted_console_serial_is_refused_before_the_first_question(blocked_terminal):
    app, staff, db = blocked_terminal
    refused = staff.post("/tradeins", {"device_kind": "console", "identifier": f"S/N: {STOLEN_CONSOLE}"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "blocklist" in page and "stolen from a shop" in page and "B-7" in page
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 0  # nothing started
    other = staff.post("/tradeins", {"device_kind": "console", "identifier": "E01234567Z8"})
    assert other.status_code == 303  # another console's serial goes on


def test_a_blocklisted_second_imei_is_refused_before_the_first_question(blocked_terminal):
    app, staff, db = blocked_terminal
    started = staff.post("/tradeins", {"device_kind": "phone", "identifier": FIRST_IMEI})
    device_page = started.headers["Location"]
    refused = staff.post(device_page, {"device_id": model_id(app), "storage_gb": 64, "imei2": STOLEN_SECOND_IMEI})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"Second IMEI {STOLEN_SECOND_IMEI}" in page and "reported lost" in page
    uuid = device_page.split("/")[2]
    assert db.execute("SELECT imei2, state FROM tradeins WHERE uuid = ?", [uuid]).fetchone() == (None, "draft")
    assert staff.post(device_page, {"device_id": model_id(app), "storage_gb": 64, "imei2": FIRST_IMEI}
                      ).status_code == 422  # the same IMEI twice is not a second one


def test_a_second_imei_is_recorded_on_receipt_and_register_and_taken_once(blocked_terminal):
    app, staff, db = blocked_terminal
    second = "352099001761481"
    uuid = run_to_quote(staff, imei=FIRST_IMEI, device_id=model_id(app), storage_gb=64, imei2=second)
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    receipt = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)
    assert FIRST_IMEI in receipt and second in receipt
    printed = db.execute("SELECT output_ref FROM print_jobs WHERE tradein_uuid = ? ORDER BY id", [uuid]).fetchone()[0]
    paper = paper_text(Path(printed).read_bytes())  # the paper, decoded back from its ESC/POS bytes
    assert f"IMEI {FIRST_IMEI}" in " ".join(paper.split()) and f"IMEI 2 {second}" in " ".join(paper.split())
    assert db.execute("SELECT identifier FROM police_register").fetchone()[0] == f"{FIRST_IMEI} / {second}"
    again = staff.post("/tradeins", {"device_kind": "phone", "identifier": second})  # the other slot's IMEI
    assert again.status_code == 422 and "already traded in" in again.get_data(as_text=True)
    assert pusher.drain(db, client_of(app), batch_size=50) >= 1  # HQ too knows the phone by either IMEI
    assert client_of(app).device_status(second)["refusal"]["code"] == "open_here"


def test_blocklist_rows_name_their_identifier_type_and_are_checked_on_both_sides():
    assert validate("blocklist", {"entries": [{"imei": "352099001761481", "reason": ""}]})["entries"] == [
        {"type": "imei", "identifier": "352099001761481", "reason": ""}]  # the first format still reads
    for bad in ({"type": "vin", "identifier": "ABCDE12345"}, {"type": "serial", "identifier": "AB"},
                {"type": "imei", "identifier": "352099001761482"}):
        with pytest.raises(ReferenceInvalid):
            validate("blocklist", {"entries": [bad]})
