"""The gates checked the moment a device's identifier is scanned, before any question: HQ's blocklist, this
store's own earlier trade-ins of the device (core.device_gates' re-trade policy) and, when HQ answers within a
short timeout, every store's. HQ answers with a reason code; the words are the kiosk's, in the reader's
language. Offline, the store's own checks still apply and the trade-in is not held up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlite_utils

from core.device_gates import BLOCKLISTED, Earlier, Refusal, retrade_refusal
from kiosk.store.db import fetch_all
from kiosk.tradein.tradeins import _TAKEN_SQL, blocklist_entry, device_is

# The last of these HQ outcomes says whether HQ is done with a received trade-in.
_SETTLING = ("received", "dispute_opened", "regrade_confirmed", "dispute_accepted", "dispute_rejected")


def _settled(db: sqlite_utils.Database, tradein_uuid: str) -> bool:
    marks = ", ".join("?" * len(_SETTLING))
    rows = db.execute(f"SELECT action FROM hq_updates WHERE tradein_uuid = ? AND action IN ({marks}) ORDER BY at",
                      [tradein_uuid, *_SETTLING]).fetchall()
    return bool(rows) and rows[-1][0] != "dispute_opened"


def earlier_here(db: sqlite_utils.Database, kind: str, value: str) -> list[Earlier]:
    """This store's earlier trade-ins of the device (under either IMEI) that were not undone."""
    where, params = device_is(kind, value)
    rows = fetch_all(db, f"SELECT uuid, accepted_at, resold_at FROM tradeins WHERE {where} "
                         f"AND state IN ({_TAKEN_SQL})", params)
    return [Earlier(date.fromisoformat(r["accepted_at"][:10]), _settled(db, r["uuid"]), bool(r["resold_at"]), True)
            for r in rows]


def blocklisted(db: sqlite_utils.Database, kind: str, identifier: str) -> Refusal | None:
    """HQ's blocklist entry for this IMEI or serial number, as a refusal."""
    if (entry := blocklist_entry(db, kind, identifier)) is None:
        return None
    return Refusal(BLOCKLISTED, detail=f"{entry['reason'] or 'reported lost or stolen'}, list {entry['version']}")


def local_refusal(db: sqlite_utils.Database, imei: str, serial: str, today: date, min_days: int) -> Refusal | None:
    """The store's own answer: the blocklist, then its earlier trade-ins of the device (under either IMEI)."""
    kind, value = ("imei", imei) if imei else ("serial", serial)
    if found := blocklisted(db, kind, value):
        return found
    return retrade_refusal(earlier_here(db, kind, value), today, min_days)


def scan_refusal(db: sqlite_utils.Database, imei: str, serial: str, today: date, min_days: int,
                 ask_hq: Callable[[str], Refusal | None]) -> Refusal | None:
    """Why this device cannot be traded in (the store's own reasons first, then HQ's), or None."""
    return local_refusal(db, imei, serial, today, min_days) or ask_hq(imei or serial)
