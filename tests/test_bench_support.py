"""The benchmarks' own helpers: the accept's statements recorded and replayed raw (bench/accept_statements.py), and
the big store's seeded file kept between runs (bench/big_store.py)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bench import big_store
from bench.accept_statements import record_each, recorded, replay
from core.seller import parse_seller
from kiosk.provisioning.setup import prepare_database
from kiosk.store.db import open_database
from kiosk.tradein import acceptance, counter_offers
from testing.factories import TEST_CIPHER, actor_of, quoted_tradeins
from testing.samples import ADULT_SELLER

TABLES = ("tradeins", "police_register", "vouchers", "outbox", "print_jobs", "audit_log")


def _rows(db, table: str) -> list[tuple]:
    return db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def test_replaying_recorded_accepts_writes_the_same_rows(tmp_path: Path) -> None:
    prepare_database(str(tmp_path / "a.db"), demo=True, demo_pin="123456")
    db = open_database(tmp_path / "a.db")
    pending = quoted_tradeins(db, 3)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.copyfile(tmp_path / "a.db", tmp_path / "b.db")
    accepted, replayed = open_database(tmp_path / "a.db"), open_database(tmp_path / "b.db")
    actor, seller = actor_of(accepted), parse_seller(ADULT_SELLER, date.today())
    scripts = record_each(accepted, lambda key: acceptance.accept(
        accepted, actor, key, seller, date.today(), TEST_CIPHER), pending)
    for script in scripts:
        replay(replayed.conn, script)
    assert all(len(script) > 10 for script in scripts)  # every write and read, not only the first statement
    for table in TABLES:  # the register, the voucher, the outbox: the replay leaves none out
        assert _rows(replayed, table) == _rows(accepted, table), table
    assert _rows(accepted, "police_register")


def test_a_statement_sent_past_the_recording_fails_it(tmp_path: Path) -> None:
    prepare_database(str(tmp_path / "a.db"), demo=True, demo_pin="123456")
    db = open_database(tmp_path / "a.db")
    real = db.conn
    with pytest.raises(RuntimeError, match="1 statements reached SQLite, 0 were recorded"), recorded(db):
        real.execute("SELECT 1")  # around the recording connection, as a cursor of its own would be


def test_the_big_store_is_seeded_once_then_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path / "cache"))
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    for path in (first, second):
        prepare_database(str(path), demo=True, demo_pin="123456")
    store = big_store.cached(first, 300, 600, seed_number=7)
    (kept,) = (tmp_path / "cache").glob("big-store-7-300-600-*.db")
    kept_at = kept.stat().st_mtime_ns
    assert big_store.cached(second, 300, 600, seed_number=7) == store
    assert kept.stat().st_mtime_ns == kept_at  # not seeded again
    db = open_database(second)
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 300
    assert db.execute("SELECT count(*) FROM sales").fetchone()[0] == 600
    assert db.execute("SELECT state FROM tradeins WHERE uuid = ?", [store.old_tradein]).fetchone()[0] == "received"
    assert db.execute("SELECT journal_mode FROM pragma_journal_mode").fetchone()[0] == "wal"


def test_devices_coming_back_are_found_without_reading_every_trade_in(tmp_path: Path) -> None:
    prepare_database(str(tmp_path / "a.db"), demo=True, demo_pin="123456")
    db = open_database(tmp_path / "a.db")
    store = actor_of(db).store_id
    big_store.seed(db, tradeins=2000, sales=100)  # with ANALYZE's figures the plain JOIN read every trade-in
    with recorded(db) as log:
        counter_offers.coming_back(db, store)
    (sql, params), = log
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert not any(step.startswith("SCAN t") for step in plan), plan  # the shipments page, on a big store
    assert any("returns_from_hq_waiting" in step for step in plan), plan
