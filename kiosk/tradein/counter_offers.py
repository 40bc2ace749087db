"""HQ's counter-offers as the store sees them. HQ decides (hq.services.counter_offers); its feed brings each outcome
here once (kiosk.tradein.shipping.apply_updates stores an update the first time only, and calls `apply_update`):

- accepted on store credit: the voucher loses what HQ took from it (never below zero: what was spent here offline
  meanwhile is not taken twice);
- refused: the voucher HQ voided is voided here too, unless a sale here spent some of it meanwhile (HQ then gets the
  sale and applies what it can, as for any offline spend);
- a device coming back for its seller to pick up is listed on the shipments page from HQ's word (`return_asked`),
  marked on its way once HQ sent it (`return_sent`), and handed back by a clerk: the outbox tells HQ
  (`device.handed_back`), which shows it on its return shipments."""

from __future__ import annotations

import sqlite_utils

from core import protocol
from core.clock import utcnow
from core.messages import N_, UserError
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.tradein.listing import DEVICE_COLUMNS
from sync import outbox


class HandBackError(UserError):
    """The device cannot be marked handed back; the message says why."""


def _amount(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else 0


def apply_update(db: sqlite_utils.Database, update: dict) -> None:
    """One of HQ's updates stored for the first time, inside the pull's write transaction."""
    action, tradein_uuid = update["action"], update["tradein_uuid"]
    detail = update.get("detail") if isinstance(update.get("detail"), dict) else {}
    if action == "counter_offer_accepted" and (taken := _amount(detail.get("taken_minor"))):
        db.execute("UPDATE vouchers SET balance_minor = balance_minor - min(balance_minor, ?) WHERE tradein_uuid = ? "
                   "AND status = 'active'", [taken, tradein_uuid])
    elif action == "counter_offer_refused" and detail.get("voucher") == "voided":
        db.execute("UPDATE vouchers SET status = 'cancelled' WHERE tradein_uuid = ? AND status = 'active' AND "
                   "balance_minor = issued_minor", [tradein_uuid])
    elif action == "return_asked" and detail.get("method") == "store":
        db.execute("INSERT INTO returns_from_hq (tradein_uuid, asked_at) SELECT uuid, ? FROM tradeins WHERE uuid = ? "
                   "ON CONFLICT (tradein_uuid) DO NOTHING", [update["at"], tradein_uuid])
    elif action == "return_sent":
        db.execute("UPDATE returns_from_hq SET sent_at = ? WHERE tradein_uuid = ? AND sent_at IS NULL",
                   [update["at"], tradein_uuid])


def coming_back(db: sqlite_utils.Database, store_id: str) -> list[dict]:
    """Devices HQ sends (or sent) back here for their sellers, not handed back yet, oldest first."""
    # CROSS JOIN: the few waiting returns first (their partial index), each trade-in by its key; left to itself
    # SQLite scanned every trade-in of the store for its store_id (0.33 s at 200,000 trade-ins).
    return fetch_all(db, f"SELECT r.*, t.code, t.uuid, {DEVICE_COLUMNS} FROM returns_from_hq r "
                         "CROSS JOIN tradeins t ON t.uuid = r.tradein_uuid LEFT JOIN devices d ON d.id = t.device_id "
                         "WHERE t.store_id = ? AND r.handed_back_at IS NULL ORDER BY r.asked_at", [store_id])


def hand_back(db: sqlite_utils.Database, actor: Actor, tradein_uuid: str) -> dict:
    """The seller took their device back at the counter: marked once, and HQ told through the outbox."""
    with write_transaction(db):
        row = fetch_one(db, "SELECT r.*, t.code FROM returns_from_hq r JOIN tradeins t ON t.uuid = r.tradein_uuid "
                            "WHERE r.tradein_uuid = ? AND t.store_id = ?", [tradein_uuid, actor.store_id])
        if row is None:
            raise HandBackError(N_("No device is coming back from HQ under this trade-in."))
        if row["handed_back_at"]:
            raise HandBackError(N_("%(code)s was already handed back to its seller."), code=row["code"])
        if not row["sent_at"]:
            raise HandBackError(N_("HQ has not sent %(code)s back yet: it cannot be handed back."), code=row["code"])
        now = utcnow()
        db.execute("UPDATE returns_from_hq SET handed_back_at = ?, handed_back_by = ? WHERE tradein_uuid = ?",
                   [now, actor.staff_id, tradein_uuid])
        outbox.append(db, tradein_uuid, protocol.DEVICE_HANDED_BACK, {
            "uuid": tradein_uuid, "code": row["code"], "store_id": actor.store_id, "staff_id": actor.staff_id,
            "handed_back_at": now, "created_at": now})
    return {**row, "handed_back_at": now}
