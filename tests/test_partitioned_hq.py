"""HQ ingest on hq_records hash-partitioned by store_id (PostgreSQL declarative partitioning), over real HTTP
from real kiosks: the same guarantees as on the plain table (tests/test_sync.py's ingest tests run here again
on the partitioned table), and `partition-records` moving what a live HQ already holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from hq import create_app as create_hq_app
from hq.storage.partitioning import is_partitioned
from sync import pusher
from sync.localdb import set_mark, write_transaction
from tests.browser import live_server
from tests.test_sync import (  # noqa: F401 - collected again here, on the partitioned table
    client_of,
    kiosk_for,
    take_trade_ins,
    test_a_store_cannot_write_another_stores_record,
    test_conflicting_payload_is_rejected_and_shown_to_staff,
    test_push_stores_each_record_once_byte_for_byte,
)


def _hq_on(url: str, data_dir: Path) -> Flask:
    return create_hq_app({"DATABASE_URL": url, "DATA_DIR": str(data_dir), "LANGUAGE": "en"})


def _partition(app: Flask, partitions: int) -> str:
    result = app.test_cli_runner().invoke(args=["partition-records", "--partitions", str(partitions)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def hq_app(pg_schema_url: str, tmp_path: Path) -> Iterator[Flask]:
    """Overrides tests/hq_fixtures.py's: PostgreSQL only, hq_records in 4 hash partitions before any push."""
    app = _hq_on(pg_schema_url, tmp_path / "hq")
    _partition(app, 4)
    yield app
    app.extensions["hq.storage"].close()


def _placement(app: Flask) -> dict[str, set[str]]:
    """store id -> the partitions its records are in."""
    with app.extensions["hq.storage"].read() as tx:
        rows = tx.rows("SELECT store_id, tableoid::regclass::text FROM hq_records")
    placed: dict[str, set[str]] = {}
    for store_id, table in rows:
        placed.setdefault(store_id, set()).add(table)
    return placed


def test_partitioning_a_live_hq_keeps_its_records_and_ingest_goes_on(tmp_path, pg_schema_url, db_of):
    hq = _hq_on(pg_schema_url, tmp_path / "hq")
    storage = hq.extensions["hq.storage"]
    first, second = storage.add_store("Boutique Paris 11e"), storage.add_store("Boutique Lyon 2e")
    with live_server(hq) as base:
        kiosk_a = kiosk_for(tmp_path / "a", base, first)
        take_trade_ins(kiosk_a, 1)
        db_a = db_of(kiosk_a)
        assert pusher.drain(db_a, client_of(kiosk_a), 10) == 2  # before: the plain table
        assert not is_partitioned(storage)
        assert "4 partitions by store_id, 2 records moved" in _partition(hq, 4)
        assert is_partitioned(storage)
        kiosk_b = kiosk_for(tmp_path / "b", base, second)
        take_trade_ins(kiosk_b, 2, first=1)
        assert pusher.drain(db_of(kiosk_b), client_of(kiosk_b), 3) == 4  # after: new records go in
        with write_transaction(db_a):  # and the first store sending all again stores nothing twice
            set_mark(db_a, pusher.CHECKPOINT, "0")
        assert pusher.drain(db_a, client_of(kiosk_a), 10) == 2
    assert len(storage.records(first[0])) == 2 and len(storage.records(second[0])) == 4
    placed = _placement(hq)
    assert all(len(tables) == 1 and next(iter(tables)).startswith("hq_records_p") for tables in placed.values())
    with storage.read() as tx:
        [(key,)] = tx.rows("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = 'hq_records'::regclass AND contype = 'p'")
        assert key == "PRIMARY KEY (store_id, record_uuid)"
        assert tx.rows("SELECT count(*) FROM ONLY hq_records") == [(0,)]  # the parent holds nothing itself
        # The plain table's indexes are carried over, and record_uuid alone is indexed for ingest's look-up.
        assert {name for (name,) in tx.rows("SELECT indexrelid::regclass::text FROM pg_index "
                                             "WHERE indrelid = 'hq_records'::regclass AND NOT indisprimary")} == {
            "hq_records_store_seq", "hq_records_entity", "hq_records_uuid"}
        # HQ's pages read one store's records through the partition its id hashes to, not all four.
        plan = "\n".join(r[0] for r in tx.rows("EXPLAIN SELECT * FROM hq_records WHERE store_id = %s", [first[0]]))
        assert plan.count("hq_records_p") == 1
    assert "partitioned already" in hq.test_cli_runner().invoke(args=["partition-records"]).output
    storage.close()


def test_partitioning_is_refused_on_the_embedded_database(tmp_path):
    app = _hq_on("", tmp_path / "hq")
    result = app.test_cli_runner().invoke(args=["partition-records", "--partitions", "4"])
    assert result.exit_code != 0 and "only be partitioned on PostgreSQL" in result.output
