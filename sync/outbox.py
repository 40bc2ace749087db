"""Transactional outbox: every business write appends its outbox row in the same SQLite transaction,
so HQ eventually receives exactly what the store committed, and nothing it did not."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from core.clock import utcnow
from core.protocol import RECORD_KINDS, canonical_json, event_uuid


class OutsideTransaction(RuntimeError):
    """An outbox row written on its own could be committed without its business write."""


def append(db: sqlite_utils.Database, entity_uuid: str, kind: str, payload: dict[str, Any]) -> int:
    """Append one record; must run inside the caller's write transaction. Returns its seq."""
    if kind not in RECORD_KINDS:
        raise ValueError(f"{kind!r} is not a record kind of the protocol (core.protocol.RECORD_KINDS)")
    if not db.conn.in_transaction:
        raise OutsideTransaction("outbox.append must run inside the business write's transaction")
    cursor = db.execute(
        "INSERT INTO outbox (record_uuid, entity_uuid, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        [event_uuid(entity_uuid, kind), entity_uuid, kind, canonical_json(payload), utcnow()],
    )
    return cursor.lastrowid

