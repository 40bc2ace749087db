"""HQ ingest on PostgreSQL when two stores' batches meet: ingest looks the batch's ids up, then streams the new
rows in with COPY, so another store's transaction can write one of the same keys in between. Each test plays
that other transaction on a connection of its own and a store's batch over real HTTP, and checks that nothing
is stored twice, nothing is lost and the store hears why."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from flask import Flask

from core.clock import utcnow_ms
from core.protocol import payload_hash
from hq import create_app as create_hq_app
from hq.storage.postgres import COPY_FROM
from sync.client import batch_body
from tests.browser import live_server
from tests.test_sync import signed_post

# A store's usual batch goes in by INSERT statements, a big one (a backlog after a day offline) by COPY: both ways.
BATCH_SIZES = [3, COPY_FROM + 6]


@pytest.fixture
def hq(pg_schema_url: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    app = create_hq_app({"DATABASE_URL": pg_schema_url, "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    with live_server(app) as base:
        yield app, base
    app.extensions["hq.storage"].close()


def _tradein(seq: int, tradein_uuid: str | None = None) -> dict:
    payload = json.dumps({"uuid": tradein_uuid or str(uuid.uuid4()), "code": f"TI-RACE-{seq:04d}",
                          "imei": f"35000000000{seq:04d}", "brand": "Apple", "model": "iPhone 13", "total_minor": 15000,
                          "currency": "EUR", "accepted_at": "2026-11-29T10:00:00+00:00"})
    return {"seq": seq, "record_uuid": str(uuid.uuid4()), "kind": "tradein.accepted",
            "payload": payload, "created_at": "2026-11-29T10:00:00+00:00"}


def _post_while_held(url: str, base: str, store: tuple[str, str], batch: list[dict], statement: str,
                     params: list) -> requests.Response:
    """The store's batch, posted while another transaction holds `statement`'s row uncommitted; that transaction
    commits once the batch's write waits on it."""
    answer: dict = {}
    with psycopg.connect(url) as other:
        other.execute(statement, params)
        thread = threading.Thread(target=lambda: answer.update(
            response=signed_post(base, store, batch_body(uuid.uuid4().hex, batch))))
        thread.start()
        _wait_until_blocked(url, other)
        other.commit()
        thread.join(timeout=30)
    return answer["response"]


def _wait_until_blocked(url: str, holder: psycopg.Connection) -> None:
    """Until a session waits on the lock of `holder`'s open transaction (the batch's write met its key)."""
    pid = holder.info.backend_pid
    with psycopg.connect(url, autocommit=True) as watcher:
        for _ in range(200):
            if watcher.execute("SELECT 1 FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                               [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError("the batch never reached the key the other transaction holds")


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_a_record_id_another_store_writes_meanwhile_is_refused_and_the_rest_of_the_batch_is_kept(hq, pg_schema_url,
                                                                                                size):
    app, base = hq
    storage = app.extensions["hq.storage"]
    first, second = storage.add_store("Boutique Paris 11e"), storage.add_store("Boutique Lyon 2e")
    batch = [_tradein(seq) for seq in range(1, size + 1)]
    contested = batch[1]
    # The first store's ingest, between its write and its commit.
    response = _post_while_held(pg_schema_url, base, second, batch, "INSERT INTO hq_records (record_uuid, store_id, "
                                "seq, kind, payload, payload_hash, batch_id, received_at) VALUES (%s, %s, 1, %s, %s, "
                                "%s, 'b-first', %s)", [contested["record_uuid"], first[0], contested["kind"],
                                                       contested["payload"], payload_hash(contested["payload"]),
                                                       utcnow_ms()])
    assert response.status_code == 200, response.text
    ack = response.json()
    assert ack["accepted"] == size - 1 and ack["acked_through_seq"] == size
    assert [(r["seq"], r["code"]) for r in ack["rejected"]] == [(2, "other_store")]
    stored = {r[0]: r[1] for r in storage.records()}
    assert stored == {r["record_uuid"]: first[0] if r is contested else second[0] for r in batch}
    with storage.read() as tx:
        assert tx.rows("SELECT count(*) FROM hq_tradeins WHERE store_id = %s", [second[0]]) == [(size - 1,)]


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_a_trade_in_another_store_enters_meanwhile_stays_that_stores(hq, pg_schema_url, size):
    """A forged record (its own new id) naming another store's trade-in changes nothing of that trade-in: refused
    when HQ had the trade-in before the batch (issue 29: a store's records act only on its own trade-ins), kept
    as sent when it arrived while the batch was written."""
    app, base = hq
    storage = app.extensions["hq.storage"]
    first, second = storage.add_store("Boutique Paris 11e"), storage.add_store("Boutique Lyon 2e")
    held, arriving = str(uuid.uuid4()), str(uuid.uuid4())
    assert signed_post(base, first, batch_body(uuid.uuid4().hex, [_tradein(1, held)])).json()["accepted"] == 1
    batch = [_tradein(1, held), _tradein(2, arriving), *(_tradein(seq) for seq in range(3, size + 1))]
    response = _post_while_held(pg_schema_url, base, second, batch, "INSERT INTO hq_tradeins (uuid, store_id, code, "
                                "synced_at, store_state, total_minor) VALUES (%s, %s, 'TI-FIRST-0002', %s, "
                                "'accepted', 15000)", [arriving, first[0], utcnow_ms()])
    assert response.status_code == 200, response.text
    rejected = [(r["seq"], r["code"]) for r in response.json()["rejected"]]
    # The arriving one too when the batch's write met its key and ran again (COPY: RaceLost), knowing it then.
    assert rejected[:1] == [(1, "other_stores_tradein")] and rejected[1:] in ([], [(2, "other_stores_tradein")])
    assert response.json()["accepted"] == size - len(rejected)
    with storage.read() as tx:
        owners = dict(tx.rows("SELECT uuid, store_id FROM hq_tradeins"))
        codes = dict(tx.rows("SELECT uuid, code FROM hq_tradeins"))
    assert owners[held] == first[0] and owners[arriving] == first[0] and len(owners) == size
    assert codes[held] == "TI-RACE-0001" and codes[arriving] == "TI-FIRST-0002"
