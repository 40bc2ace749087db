"""The technical event journal (JET, BOI-TVA-DECLA-30-10-30 § 120): start and stop, sign-ins, settings changes,
clock changes, printer faults, reprints (DUPLICATA n° k), archives made, restores, software version changes. Each
event is a row of fiscal_events (insert-only) and a signed record of the fiscal chain; the list of events is
core/data/fiscal.toml [jet]."""

from __future__ import annotations

import json
import uuid

import sqlite_utils

from core import fiscal
from core.clock import utcnow
from kiosk.store.db import fetch_all, write_transaction
from kiosk.till import fiscal_chain


def record(db: sqlite_utils.Database, code: str, terminal_id: str, staff_id: str | None = None,
           **detail: object) -> dict:
    """Inside the caller's transaction: the event, numbered E-n, and its signed chain record."""
    if code not in fiscal.JET_EVENTS:
        raise ValueError(f"{code!r} is not a JET event (core/data/fiscal.toml)")
    number = db.execute("SELECT count(*) FROM fiscal_events").fetchone()[0] + 1
    event = {"uuid": str(uuid.uuid4()), "at": utcnow(), "code": code, "terminal_id": terminal_id,
             "staff_id": staff_id, "detail": json.dumps(detail, sort_keys=True, default=str)}
    db["fiscal_events"].insert(event)
    fiscal_chain.append(db, "jet", event["uuid"], f"E-{number}", terminal_id, {}, event["at"])
    return {**event, "number": number}


def record_now(db: sqlite_utils.Database, code: str, terminal_id: str, staff_id: str | None = None,
               **detail: object) -> dict:
    """An event in its own transaction (a sign-in, a start, an archive made)."""
    with write_transaction(db):
        return record(db, code, terminal_id, staff_id, **detail)


def watch(db: sqlite_utils.Database, terminal_id: str, at: str) -> None:
    """Before a record: a clock set back behind the last record, or another software version than the last
    record's, goes in the journal first."""
    last = fiscal_chain.last(db)
    if last is None:
        return
    if at < last["at"]:
        record(db, "clock_change", terminal_id, last_record_at=last["at"], now=at)
    if last["software_version"] != fiscal_chain.software_version():
        record(db, "version_change", terminal_id, before=last["software_version"], now=fiscal_chain.software_version())


def started(db: sqlite_utils.Database, terminal_id: str, settings: dict[str, str]) -> list[str]:
    """The terminal starts: a clock or version change first (watch), then the settings whose digest differs from
    the last start's (a settings_change naming them), then the start carrying the digests. Returns the changed
    names (none on the terminal's first start: nothing to compare with)."""
    with write_transaction(db):
        at = utcnow()
        watch(db, terminal_id, at)
        last = db.execute("SELECT detail FROM fiscal_events WHERE code = 'start' AND terminal_id = ? "
                          "ORDER BY rowid DESC LIMIT 1", [terminal_id]).fetchone()
        before = json.loads(last[0]).get("settings") if last else None
        changed = fiscal.changed_settings(before, settings) if before is not None else []
        if changed:
            record(db, "settings_change", terminal_id, changed=changed)
        record(db, "start", terminal_id, version=fiscal_chain.software_version(), settings=settings)
    return changed


def reprint(db: sqlite_utils.Database, terminal_id: str, staff_id: str | None, document: str) -> int:
    """A reprint of `document`: its duplicate number k (DUPLICATA n° k), counted per document."""
    with write_transaction(db):
        earlier = db.execute("SELECT count(*) FROM fiscal_events WHERE code = 'reprint' AND "
                             "json_extract(detail, '$.document') = ?", [document]).fetchone()[0]
        record(db, "reprint", terminal_id, staff_id, document=document, duplicate=earlier + 1)
    return earlier + 1


def events(db: sqlite_utils.Database, limit: int = 200) -> list[dict]:
    return fetch_all(db, "SELECT * FROM fiscal_events ORDER BY at DESC, rowid DESC LIMIT ?", [limit])
