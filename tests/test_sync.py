"""Kiosk <-> HQ over real HTTP, on both HQ backends: signed pushes, idempotent ingest, rejections
shown to staff, reference pulls applied atomically."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from core.protocol import signed_headers
from kiosk.tradein.reference import pull
from sync import pusher
from sync.client import HQClient, HQRefused, batch_body
from sync.localdb import set_mark, write_transaction
from testing.samples import ADULT_SELLER
from tests.conftest import KioskClient, make_app, model_id, run_to_quote


def kiosk_for(tmp_path, hq_url: str, store: tuple[str, str], secret: str | None = None):
    return make_app(tmp_path / "kiosk", SYNC_URL=hq_url, SYNC_STORE_ID=store[0], SYNC_SECRET=secret or store[1])


def take_trade_ins(app, count: int, first: int = 0) -> list[str]:
    """`count` accepted trade-ins, of the devices first, first + 1... of three (HQ refuses a device that is
    another store's trade-in: two stores' kiosks take different ones)."""
    staff = KioskClient(app.test_client())
    staff.login(app)
    uuids = []
    for n in range(first, first + count):
        imei = ["490154203237518", "352099001761481", "356938035643809"][n]
        uuid_ = run_to_quote(staff, imei=imei, device_id=model_id(app), storage_gb=128)
        assert staff.post(f"/tradeins/{uuid_}/seller", ADULT_SELLER).status_code == 303
        uuids.append(uuid_)
    return uuids


def client_of(app) -> HQClient:
    c = app.config
    return HQClient(c["SYNC_URL"], c["SYNC_STORE_ID"], c["SYNC_SECRET"], 5)


def test_push_stores_each_record_once_byte_for_byte(tmp_path, hq_app, hq_url, hq_store, db_of):
    app = kiosk_for(tmp_path, hq_url, hq_store)
    take_trade_ins(app, 3)
    db = db_of(app)
    assert pusher.drain(db, client_of(app), batch_size=2) == 6  # each trade-in and the transfer HQ is to make
    outbox = db.execute("SELECT record_uuid, seq, kind, payload FROM outbox ORDER BY seq").fetchall()
    stored = hq_app.extensions["hq.storage"].records(hq_store[0])
    assert [(r[0], r[2], r[3], r[4]) for r in stored] == [tuple(row) for row in outbox]
    assert pusher.checkpoint(db) == outbox[-1][1] and pusher.status(db)["pending"] == 0
    # Sent again from scratch: all duplicates, nothing stored twice.
    with write_transaction(db):
        set_mark(db, pusher.CHECKPOINT, "0")
    assert pusher.drain(db, client_of(app), batch_size=10) == 6
    assert len(hq_app.extensions["hq.storage"].records()) == 6 and pusher.status(db)["rejections"] == 0


def test_conflicting_payload_is_rejected_and_shown_to_staff(tmp_path, hq_app, hq_url, hq_store, db_of):
    app = kiosk_for(tmp_path, hq_url, hq_store)
    take_trade_ins(app, 1)
    db = db_of(app)
    pusher.drain(db, client_of(app), 10)
    with write_transaction(db):  # the same record id now carries another payload
        db.execute("UPDATE outbox SET payload = replace(payload, '\"total_minor\":', '\"total_minor\":1') ")
        set_mark(db, pusher.CHECKPOINT, "0")
    pusher.drain(db, client_of(app), 10)
    [(reason,)] = db.execute("SELECT reason FROM sync_rejections").fetchall()
    assert "conflict" in reason
    staff = KioskClient(app.test_client())
    staff.login(app)
    page = staff.get("/sync").get_data(as_text=True)
    assert "Refused by HQ (1)" in page and "conflict: a different payload" in page
    staff.post("/lang", {"lang": "fr"})  # HQ sent a reason code: the terminal says it in its reader's language
    assert "conflit : le siège a déjà enregistré un autre contenu" in staff.get("/sync").get_data(as_text=True)


def test_a_store_cannot_write_another_stores_record(tmp_path, hq_app, hq_url, hq_store, db_of):
    app = kiosk_for(tmp_path, hq_url, hq_store)
    take_trade_ins(app, 1)
    db = db_of(app)
    pusher.drain(db, client_of(app), 10)
    rows = [dict(zip(("seq", "record_uuid", "kind", "payload", "created_at"), r, strict=True))
            for r in db.execute("SELECT seq, record_uuid, kind, payload, created_at FROM outbox")]
    other_id, other_secret = hq_app.extensions["hq.storage"].add_store("Another store")
    ack = HQClient(hq_url, other_id, other_secret).post_batch(batch_body(uuid.uuid4().hex, rows))
    assert ack["accepted"] == 0 and "another store" in ack["rejected"][0]["reason"]
    assert [r[1] for r in hq_app.extensions["hq.storage"].records()] == [hq_store[0]] * 2


def test_wrong_secret_is_refused_and_the_reason_shown(tmp_path, hq_url, hq_store, db_of):
    app = kiosk_for(tmp_path, hq_url, hq_store, secret="not-the-secret")
    take_trade_ins(app, 1)
    db = db_of(app)
    with pytest.raises(HQRefused, match="wrong signature"):
        pusher.drain(db, client_of(app), 10)
    status = pusher.status(db)
    assert status["pending"] == 2 and "wrong signature" in status["last_error"]
    staff = KioskClient(app.test_client())
    staff.login(app)
    assert "wrong signature" in staff.get("/sync").get_data(as_text=True)
    assert "wrong signature" in staff.get("/healthz").get_json()["sync"]["last_error"]


def signed_post(hq_url, store, body: bytes, timestamp=None, store_header=None):
    path = f"/api/v1/stores/{store[0]}/batches"
    headers = signed_headers(store_header or store[0], store[1], timestamp or int(time.time()), "POST", path, body)
    return requests.post(hq_url + path, data=body, headers=headers, timeout=5)


def test_stale_replayed_malformed_and_misaddressed_requests_are_refused(hq_url, hq_store):
    body = batch_body(uuid.uuid4().hex, [])
    stale = signed_post(hq_url, hq_store, body, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and "stale timestamp" in stale.json()["error"]
    assert signed_post(hq_url, hq_store, body).status_code == 200
    replay = signed_post(hq_url, hq_store, body)
    assert replay.status_code == 409 and "already received" in replay.json()["error"]
    bad = signed_post(hq_url, hq_store, b'{"batch_id": "x", "records": "no"}')
    assert bad.status_code == 422 and "records list" in bad.json()["error"]
    other = signed_post(hq_url, hq_store, batch_body(uuid.uuid4().hex, []), store_header="st_someone_else")
    assert other.status_code == 401
    unsigned = requests.post(f"{hq_url}/api/v1/stores/{hq_store[0]}/batches", data=body, timeout=5)
    assert unsigned.status_code == 401


def test_bad_records_are_rejected_one_by_one(hq_url, hq_store):
    records = [{"seq": 1, "record_uuid": str(uuid.uuid4()), "kind": "tradein.accepted",
                "payload": "{\"code\": \"TI-0001-0001\"}", "created_at": ""},
               {"seq": 2, "record_uuid": "nope", "kind": "tradein.accepted", "payload": "{}", "created_at": ""},
               {"seq": 3, "record_uuid": str(uuid.uuid4()), "kind": "sale.made", "payload": "{}", "created_at": ""},
               {"seq": 4, "record_uuid": str(uuid.uuid4()), "kind": "tradein.accepted", "payload": "[1]",
                "created_at": ""}]
    ack = signed_post(hq_url, hq_store, batch_body(uuid.uuid4().hex, records)).json()
    assert ack["accepted"] == 1 and ack["acked_through_seq"] == 4
    assert [r["reason"] for r in ack["rejected"]] == [
        "record_uuid is not a UUID", "unknown record kind 'sale.made'", "payload must be a JSON object"]


def test_pull_applies_reference_versions_and_the_blocklist_gates_a_quote(tmp_path, hq_app, hq_url, hq_store, db_of):
    app = kiosk_for(tmp_path, hq_url, hq_store)
    storage = hq_app.extensions["hq.storage"]
    storage.publish("catalog", "2026-12", json.dumps({"models": [
        {"kind": "phone", "brand": "Apple", "model": "iPhone 18", "storages_gb": [256, 512], "release_year": 2026}],
        "tacs": [{"tac": "35999901", "brand": "Apple", "model": "iPhone 18"}]}))
    storage.publish("grid", "G-2026-12", json.dumps({"currency": "EUR", "valid_from": "2026-01-01",
                    "valid_until": "2099-12-31", "values": [
                        {"kind": "phone", "brand": "Apple", "model": "iPhone 13", "storage_gb": 128, "cosmetic": "A",
                         "functional_band": "F1", "base_minor": 23456}]}))
    storage.publish("blocklist", "B-1", json.dumps({"entries": [
        {"imei": "352099001761481", "reason": "reported stolen"}]}))  # a garbage row refuses the version whole:
    # tests/test_hostile.py::test_medium_9_*
    db = db_of(app)
    assert pull(db, client_of(app)) == ["catalog 2026-12", "grid G-2026-12", "blocklist B-1"]
    assert pull(db, client_of(app)) == []
    assert db.execute("SELECT count(*) FROM devices WHERE model = 'iPhone 18'").fetchone()[0] == 1
    staff = KioskClient(app.test_client())
    staff.login(app)
    iphone13 = db.execute("SELECT id FROM devices WHERE model = 'iPhone 13'").fetchone()[0]
    ok = run_to_quote(staff, imei="490154203237518", device_id=iphone13, storage_gb=128)
    assert db["tradeins"].get(ok)["total_minor"] == 23456 and db["tradeins"].get(ok)["grid_version"] == "G-2026-12"
    refused = staff.post("/tradeins", {"device_kind": "phone", "identifier": "352099001761481"})
    page = refused.get_data(as_text=True)  # refused at the scan, before any question
    assert refused.status_code == 422 and "blocklist" in page and "reported stolen" in page and "B-1" in page


def test_openapi_document_describes_the_api(hq_url):
    doc = requests.get(hq_url + "/api/v1/openapi.json", timeout=5).json()
    assert doc["openapi"].startswith("3.") and "/api/v1/stores/{store_id}/batches" in doc["paths"]
    assert requests.get(hq_url + "/healthz", timeout=5).json()["status"] == "ok"


def test_a_device_taken_at_another_store_is_refused_while_hq_is_reachable(tmp_path, hq_app, hq_url, hq_store,
                                                                            db_of):
    first = kiosk_for(tmp_path / "first", hq_url, hq_store)
    take_trade_ins(first, 1)  # IMEI 490154203237518, accepted at the first store
    pusher.drain(db_of(first), client_of(first), 10)
    other = hq_app.extensions["hq.storage"].add_store("Lyon Part-Dieu")
    second = kiosk_for(tmp_path / "second", hq_url, other)
    staff = KioskClient(second.test_client())
    staff.login(second)
    refused = staff.post("/tradeins", {"device_kind": "phone", "identifier": "490154203237518"})
    assert refused.status_code == 422  # at the scan, before any question (re-trade policy: tests/test_golive.py)
    assert "HQ reports this device already traded in at another store" in refused.get_data(as_text=True)
    # HQ down: the second store's own check still runs, and the trade-in is not held up
    offline = kiosk_for(tmp_path / "offline", "http://127.0.0.1:9", other)
    staff = KioskClient(offline.test_client())
    staff.login(offline)
    uuid_ = run_to_quote(staff, imei="490154203237518", device_id=model_id(offline), storage_gb=128)
    assert db_of(offline)["tradeins"].get(uuid_)["gate_reasons"] == "[]"


def test_one_trade_in_sent_twice_in_a_batch_is_one_row_and_counted_once(hq_app, hq_url, hq_store):
    """Two records of their own about one trade-in, in one batch (a replayed or forged event): the inbox keeps the
    first, and the dashboard's day counts the trade-in once."""
    tradein = {"uuid": str(uuid.uuid4()), "code": "TI-TWCE-AAAA", "total_minor": 15000, "currency": "EUR",
               "cosmetic_grade": "B", "accepted_at": "2026-11-29T10:00:00+00:00"}
    records = [{"seq": seq, "record_uuid": str(uuid.uuid4()), "kind": "tradein.accepted",
                "payload": json.dumps({**tradein, "brand": brand}), "created_at": ""}
               for seq, brand in ((1, "Apple"), (2, "Samsung"))]
    ack = signed_post(hq_url, hq_store, batch_body(uuid.uuid4().hex, records)).json()
    assert ack["accepted"] == 2 and not ack["rejected"]
    with hq_app.extensions["hq.storage"].read() as tx:
        assert tx.rows("SELECT brand FROM hq_tradeins") == [("Apple",)]
        assert tx.rows("SELECT tradeins, value_minor FROM hq_daily") == [(1, 15000)]
