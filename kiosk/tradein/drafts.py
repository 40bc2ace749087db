"""Trade-ins still being worked on (draft, graded, quoted): a device scanned again resumes its open trade-in
instead of starting a second one, a clerk can discard one, and one left untouched for DRAFT_EXPIRY_HOURS is
closed as expired. A discarded or expired draft becomes `declined` (nothing was bought) with its audit row;
HQ never heard of it, so nothing goes to the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from core.messages import N_
from core.states import EDITABLE
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.tradein.tradeins import TradeInError, _fresh, device_is, move_to

_OPEN = ", ".join(f"'{state}'" for state in EDITABLE)


def open_for(db: sqlite_utils.Database, store_id: str, imei: str, serial: str) -> dict | None:
    """The trade-in of this device still in progress at this store, if any (found by either IMEI of a dual-SIM
    phone)."""
    where, params = device_is("imei", imei) if imei else device_is("serial", serial)
    return fetch_one(db, f"SELECT * FROM tradeins WHERE store_id = ? AND {where} AND state IN ({_OPEN}) "
                         "ORDER BY created_at DESC LIMIT 1", [store_id, *params])


def discard(db: sqlite_utils.Database, actor: Actor, tradein_uuid: str) -> None:
    with write_transaction(db):
        ti = _fresh(db, tradein_uuid)
        if ti["state"] not in EDITABLE:
            raise TradeInError(N_("Only a trade-in still in progress can be discarded."))
        move_to(db, ti, "declined", actor, "discarded")


def expire(db: sqlite_utils.Database, hours: int, now: datetime | None = None) -> int:
    """Close the trade-ins left in progress longer than `hours` (no customer waits that long at a counter)."""
    cutoff = ((now or datetime.now(UTC)) - timedelta(hours=hours)).isoformat(timespec="seconds")
    with write_transaction(db):
        stale = fetch_all(db, f"SELECT * FROM tradeins WHERE state IN ({_OPEN}) AND updated_at < ?", [cutoff])
        for ti in stale:
            move_to(db, ti, "declined", None, "expired")
    return len(stale)
