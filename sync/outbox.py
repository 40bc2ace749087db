"""Transactional outbox: every business write appends its outbox row in the same SQLite transaction,
so HQ eventually receives exactly what the store committed, and nothing it did not."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from kiosk.db import utcnow


class OutsideTransaction(RuntimeError):
    """An outbox row written on its own could be committed without its business write."""


def canonical_json(payload: dict[str, Any]) -> str:
    """Stable text for a payload: HQ compares payload hashes to tell a duplicate from a conflict."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def append(db: sqlite_utils.Database, record_uuid: str, kind: str, payload: dict[str, Any]) -> int:
    """Append one record; must run inside the caller's write transaction. Returns its seq."""
    if not db.conn.in_transaction:
        raise OutsideTransaction("outbox.append must run inside the business write's transaction")
    cursor = db.execute(
        "INSERT INTO outbox (record_uuid, kind, payload, created_at) VALUES (?, ?, ?, ?)",
        [record_uuid, kind, canonical_json(payload), utcnow()],
    )
    return cursor.lastrowid


def pending_count(db: sqlite_utils.Database) -> int:
    """Rows not yet acknowledged by HQ (the checkpoint is advanced by the pusher)."""
    acked = db.execute("SELECT value FROM sync_state WHERE key = 'acked_through_seq'").fetchone()
    return db.execute("SELECT count(*) FROM outbox WHERE seq > ?", [int(acked[0]) if acked else 0]).fetchone()[0]
