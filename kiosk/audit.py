"""The audit log: one row per state change, approval, sign-in failure and data-rights action."""

from __future__ import annotations

import json

import sqlite_utils

from kiosk.db import utcnow


def record(db: sqlite_utils.Database, action: str, *, staff_id: str | None = None, tradein_uuid: str | None = None,
           from_state: str | None = None, to_state: str | None = None, **detail) -> None:
    """Append one audit row, inside the caller's transaction."""
    db.execute(
        "INSERT INTO audit_log (at, staff_id, tradein_uuid, action, from_state, to_state, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [utcnow(), staff_id, tradein_uuid, action, from_state, to_state,
         json.dumps(detail, sort_keys=True, default=str)],
    )
