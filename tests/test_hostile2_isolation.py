"""Issue 29, store isolation at HQ: one test per finding, two real stores signing real batches to HQ (its own
process) over HTTP, as a hostile store would."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime

import pytest
import requests

from core.codes import TRADEIN, classify
from core.protocol import signed_headers, tracking_hash
from hq.services.staff import add_staff
from sync.client import HQClient, HQRefused
from testing.hostile import hq_staff, send
from testing.processes import hq_process
from tests.hq_fixtures import create_hq_app

HQ_PIN = "135790"
RECEIVER = "Inès Moreau"


@pytest.fixture
def hq(tmp_path):
    """HQ as its own process with two stores and a receiver, each store's signed client."""
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    add_staff(setup.extensions["hq.storage"], RECEIVER, "receiver", HQ_PIN)
    stores = [setup.extensions["hq.storage"].add_store(name) for name in ("Boutique A", "Boutique B")]
    with hq_process(tmp_path / "hq") as (base, _process):
        yield base, [HQClient(base, *store, timeout=10) for store in stores]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _tradein(code: str, imei: str, model: str, token: str = "t0ken", total: int = 16800) -> dict:
    return {"uuid": str(uuid.uuid4()), "code": code, "imei": imei, "device_kind": "phone", "brand": "Apple",
            "model": model, "storage_gb": 128, "total_minor": total, "accepted_at": _now(),
            "tracking_hash": tracking_hash(token), "payout_method": "voucher"}


def test_high_3_a_store_cannot_undo_its_spend_of_another_stores_voucher_once_the_sale_is_at_hq(hq):
    _base, (a, b) = hq
    tradein, voucher = _tradein("TI-3AAA-AAAA", "490154203237518", "iPhone 13"), "V-3AAA-AAAA-AAAA"
    send(a, ("tradein.accepted", tradein), ("voucher.issued", {
        "code": voucher, "tradein_uuid": tradein["uuid"], "issued_minor": 16800, "expires_at": "2099-01-01"}))
    sale = str(uuid.uuid4())
    assert b.redeem_voucher(voucher, sale, 1000) == 15800
    send(b, ("sale.completed", {"uuid": sale, "tenders": [
        {"kind": "voucher", "reference": voucher, "amount_minor": 1000}]}))
    with pytest.raises(HQRefused) as refused:  # the sale is recorded at HQ: its spend stands
        b.release_voucher(voucher, sale)
    assert refused.value.status == 422 and "recorded" in str(refused.value)
    with pytest.raises(HQRefused):  # nothing came back: 15,800 left, not 16,800
        a.redeem_voucher(voucher, str(uuid.uuid4()), 15801)
    # A sale returned (the voucher credited back), then a release of that sale: refused, never a 500.
    other = str(uuid.uuid4())
    assert b.redeem_voucher(voucher, other, 500) == 15300
    send(b, ("sale.returned", {"uuid": str(uuid.uuid4()), "original_uuid": other, "tenders": [
        {"kind": "voucher", "reference": voucher, "amount_minor": -500}]}), first_seq=2)
    with pytest.raises(HQRefused) as after_return:
        b.release_voucher(voucher, other)
    assert after_return.value.status == 422
    # Only the store that redeemed may release, and only a sale HQ has not recorded: A cannot release B's.
    pending = str(uuid.uuid4())
    assert b.redeem_voucher(voucher, pending, 300) == 15500
    a.release_voucher(voucher, pending)
    assert a.redeem_voucher(voucher, str(uuid.uuid4()), 15500) == 0  # B's 300 still taken
    b.release_voucher(voucher, pending)  # B's sale was never saved: B gets its 300 back
    assert a.redeem_voucher(voucher, str(uuid.uuid4()), 300) == 0


def test_medium_9_a_trade_in_code_another_store_holds_is_refused_and_codes_are_wide_enough(hq):
    base, (a, b) = hq
    code = "TI-9AAA-AAAA"
    mine = _tradein(code, "490154203237518", "iPhone 13", token="seller-of-a")
    assert send(a, ("tradein.accepted", mine))["rejected"] == []
    fake = _tradein(code, "352099001761481", "Nokia 3310", token="forger")
    ack = send(b, ("tradein.accepted", fake), ("tradein.accepted", {**fake, "uuid": mine["uuid"], "code": "TI-9BBB-"
                                                                    "BBBB"}))
    assert [r["code"] for r in ack["rejected"]] == ["code_taken", "other_stores_tradein"], ack
    assert ack["acked_through_seq"] == 2  # refused with the reason, never blocking the store's stream
    tracking = requests.get(f"{base}/track/{code}/seller-of-a", timeout=10)
    assert tracking.status_code == 200 and "iPhone 13" in tracking.text
    assert requests.get(f"{base}/track/{code}/forger", timeout=10).status_code == 404
    receiver = hq_staff(base, RECEIVER, HQ_PIN)
    checked = receiver.post("/hq/checkin", {"code": f"BAG:{code}"})
    assert checked.status_code == 200 and "iPhone 13" in checked.text and "Nokia" not in checked.text
    # Codes minted now are 60 bits: 500 stores x 20 trade-ins a day for 10 years collide with odds under 1 in
    # 1,000 (40 bits: ~600 expected collisions); codes already printed stay valid for every scanner.
    minted, network = TRADEIN.mint(), 500 * 20 * 3650
    bits = 5 * sum(TRADEIN.groups)
    assert -math.expm1(-network * (network - 1) / 2 / 2**bits) < 1e-3
    assert classify(minted).kind == "tradein_code" and classify(f"BAG:{minted}").value == minted
    assert classify("TI-7K4Q-2M9C").kind == "tradein_code" and classify("BAG:TI-7K4Q-2M9C").value == "TI-7K4Q-2M9C"


def test_low_13_a_sale_at_any_store_never_marks_an_unreceived_trade_in_resold(hq):
    base, (a, b) = hq
    imei = "356938035643809"
    tradein = _tradein("TI-13AA-AAAA", imei, "iPhone 13")
    send(a, ("tradein.accepted", tradein))
    send(b, ("sale.completed", {"uuid": str(uuid.uuid4()), "lines": [{"imei": imei}], "tenders": []}))
    assert b.device_status(imei)["refusal"]["code"] == "open_elsewhere"  # still A's, still open
    assert [u for u in a.updates("") if u["action"] == "resold"] == []
    receiver = hq_staff(base, RECEIVER, HQ_PIN)
    assert receiver.post("/hq/checkin", {"code": f"BAG:{tradein['code']}"}).status_code == 200
    send(b, ("sale.completed", {"uuid": str(uuid.uuid4()), "lines": [{"imei": imei}], "tenders": []}), first_seq=2)
    assert [u["tradein_uuid"] for u in a.updates("") if u["action"] == "resold"] == [tradein["uuid"]]


def test_low_14_a_lone_surrogate_anywhere_in_a_signed_batch_is_a_422_not_a_500(hq):
    base, (a, _b) = hq
    record = {"seq": 1, "record_uuid": str(uuid.uuid4()), "kind": "tradein.accepted",
              "payload": json.dumps(_tradein("TI-14AA-AAAA", "353918057629418", "iPhone 13"))}
    bodies = {"batch_id": {"batch_id": "\ud800" * 9, "records": [record]},
              "record_uuid": {"batch_id": uuid.uuid4().hex, "records": [{**record, "record_uuid": "\udfff"}]},
              "payload": {"batch_id": uuid.uuid4().hex, "records": [{**record, "payload": '{"uuid":"\udc00"}'}]},
              "backlog": {"batch_id": uuid.uuid4().hex, "records": [], "backlog": {"pending": 1,
                                                                                  "oldest_at": "\ud800"}}}
    path = f"/api/v1/stores/{a.store_id}/batches"
    for field, body in bodies.items():
        data = json.dumps(body).encode()  # \\ud800 escapes: valid JSON, not Unicode text
        headers = signed_headers(a.store_id, a.secret, int(datetime.now(UTC).timestamp()), "POST", path, data)
        answer = requests.post(base + path, data=data, headers={**headers, "Content-Type": "application/json"},
                               timeout=10)
        assert answer.status_code == 422 and "surrogate" in answer.json()["error"], (field, answer.text)
    assert send(a, ("tradein.accepted", _tradein("TI-14AA-AAAA", "353918057629418", "iPhone 13")))["rejected"] == []
