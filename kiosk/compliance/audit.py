"""The audit log: one row per state change, approval, sign-in failure and data-rights action."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from core.clock import utcnow


@dataclass(frozen=True)
class Actor:
    """Who acts, on which terminal: written on every audit row and business record."""

    staff_id: str
    store_id: str
    terminal_id: str


def record(db: sqlite_utils.Database, action: str, *, staff_id: str | None = None, tradein_uuid: str | None = None,
           from_state: str | None = None, to_state: str | None = None, **detail) -> None:
    """Append one audit row, inside the caller's transaction."""
    db.execute(
        "INSERT INTO audit_log (at, staff_id, tradein_uuid, action, from_state, to_state, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [utcnow(), staff_id, tradein_uuid, action, from_state, to_state,
         json.dumps(detail, sort_keys=True, default=str)],
    )
