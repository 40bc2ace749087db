"""Devices going back to their sellers (a counter-offer refused: hq.services.counter_offers): to the store for
pickup, or by post to the address the seller typed (sealed at rest like a payout's account; only HQ's staff read
it, to write the parcel, and it is blanked once the parcel is sent). HQ's shipments page lists them: to send, sent
(with the carrier's number for a parcel), and, for a store pickup, handed back once the store's terminal says so
(its `device.handed_back` record, which ingest keeps in hq_records like every record). The store's terminal learns
of each return from the feed it pulls (`return_asked`, `return_sent`), never of the address."""

from __future__ import annotations

from core import protocol
from core.clock import utcnow_ms
from core.messages import N_, UserError
from core.text import printable
from hq.services.receiving import event
from hq.storage import Storage

TRACKING_MAX = 40
_LISTED = ("tradein_uuid", "store_id", "code", "method", "address", "asked_at", "sent_at", "sent_by", "tracking",
           "store", "timezone", "brand", "model", "handed_back_at")


def ask(tx, offer: dict, method: str, address: str, now: str) -> None:
    """In the answer's transaction: the device is to go back (once: the trade-in is the primary key)."""
    done = tx.rows("INSERT INTO hq_returns (tradein_uuid, store_id, code, method, address, asked_at) SELECT t.uuid, "
                   "t.store_id, t.code, %s, %s, %s FROM hq_tradeins t WHERE t.uuid = %s "
                   "ON CONFLICT (tradein_uuid) DO NOTHING RETURNING tradein_uuid",
                   [method, address, now, offer["tradein_uuid"]])
    if done:
        event(tx, {"uuid": offer["tradein_uuid"], "store_id": offer["store_id"]}, "return_asked", None,
              method=method)


def returns(storage: Storage, limit: int = 500) -> list[dict]:
    """Every return, newest first, with the store's name and zone, the device, and when the store handed it back."""
    with storage.read() as tx:
        rows = tx.rows(
            "SELECT r.tradein_uuid, r.store_id, r.code, r.method, r.address, r.asked_at, r.sent_at, r.sent_by, "
            "r.tracking, s.name, s.timezone, t.brand, t.model, (SELECT min(h.received_at) FROM hq_records h WHERE "
            "h.entity_uuid = r.tradein_uuid AND h.kind = %s AND h.store_id = r.store_id) FROM hq_returns r "
            "JOIN hq_stores s ON s.id = r.store_id JOIN hq_tradeins t ON t.uuid = r.tradein_uuid "
            "ORDER BY r.asked_at DESC LIMIT %s", [protocol.DEVICE_HANDED_BACK, limit])
    found = [dict(zip(_LISTED, row, strict=True)) for row in rows]
    for entry in found:
        entry["address"] = storage.box.open(entry["address"]) if entry["address"] else ""
    return found


def mark_sent(storage: Storage, tradein_uuid: str, staff_name: str, tracking: str) -> None:
    """HQ sent the device (to the store, or by post with the carrier's number): once."""
    tracking = " ".join(printable(tracking[:4 * TRACKING_MAX]).split())[:TRACKING_MAX]
    with storage.transaction() as tx:
        # The address is HQ's only to write the parcel: once it is posted the carrier's number identifies it.
        done = tx.rows("UPDATE hq_returns SET sent_at = %s, sent_by = %s, tracking = %s, address = '' WHERE "
                       "tradein_uuid = %s AND sent_at IS NULL RETURNING store_id, method",
                       [utcnow_ms(), staff_name, tracking, tradein_uuid])
        if not done:
            raise UserError(N_("This device is not waiting to be sent back (already sent, or no return asked)."))
        event(tx, {"uuid": tradein_uuid, "store_id": done[0][0]}, "return_sent", staff_name, method=done[0][1],
              tracking=tracking)
