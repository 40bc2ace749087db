"""Transactional outbox: every business write appends its outbox row in the same SQLite transaction,
so HQ eventually receives exactly what the store committed, and nothing it did not."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlite_utils

from kiosk.db import utcnow


class OutsideTransaction(RuntimeError):
    """An outbox row written on its own could be committed without its business write."""


def canonical_json(payload: dict[str, Any]) -> str:
    """Stable text for a payload: HQ compares payload hashes to tell a duplicate from a conflict."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_uuid(entity_uuid: str, kind: str) -> str:
    """One id per (entity, event kind), derived, so the same business event can never get two ids."""
    return str(uuid.uuid5(uuid.UUID(entity_uuid), kind))


def append(db: sqlite_utils.Database, entity_uuid: str, kind: str, payload: dict[str, Any]) -> int:
    """Append one record; must run inside the caller's write transaction. Returns its seq."""
    if not db.conn.in_transaction:
        raise OutsideTransaction("outbox.append must run inside the business write's transaction")
    cursor = db.execute(
        "INSERT INTO outbox (record_uuid, entity_uuid, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        [event_uuid(entity_uuid, kind), entity_uuid, kind, canonical_json(payload), utcnow()],
    )
    return cursor.lastrowid

