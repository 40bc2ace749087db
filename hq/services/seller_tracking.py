"""The facts behind a seller's public tracking page (hq.web.tracking renders them)."""

from __future__ import annotations

from hq.services import photos
from hq.storage import Storage
from hq.storage.photos import PhotoStore

_FACTS = (
    "SELECT t.uuid, t.tracking_hash, t.brand, t.model, t.accepted_at, t.received_at, t.store_state, t.payout_method, "
    "s.timezone, s.locale, s.country, r.status, coalesce(r.decided_at, r.regraded_at), p.status, p.updated_at, "
    "t.total_minor, t.currency, p.amount_minor, s.payout_before_receipt, "
    "(SELECT min(x.closed_at) FROM hq_shipment_bags b JOIN hq_shipments x ON x.shipment_uuid = b.shipment_uuid "
    "WHERE b.tradein_uuid = t.uuid) FROM hq_tradeins t JOIN hq_stores s ON s.id = t.store_id "
    "LEFT JOIN hq_regrades r ON r.tradein_uuid = t.uuid LEFT JOIN hq_payouts p ON p.tradein_uuid = t.uuid "
    "WHERE t.code = %s AND t.uuid = coalesce((SELECT c.tradein_uuid FROM hq_tradein_codes c WHERE c.code = %s), "
    "t.uuid)")


def facts(storage: Storage, code: str) -> dict | None:
    """What the seller's tracking page shows of the trade-in holding `code` (hq_tradein_codes names the one
    holder of a code), with its store's zone and language; None for an unknown code."""
    with storage.read() as tx:
        rows = tx.rows(_FACTS, [code[:32], code[:32]])
    names = ("uuid", "tracking_hash", "brand", "model", "accepted_at", "received_at", "store_state", "payout_method",
             "timezone", "locale", "country", "regrade", "regrade_at", "payout", "payout_at", "total_minor", "currency",
             "payout_minor", "before_receipt", "shipped_at")
    return dict(zip(names, rows[0], strict=True)) if rows else None


def photo(storage: Storage, files: PhotoStore, tradein_uuid: str, sha256: str) -> tuple[bytes, str] | None:
    """A whole photo file among the shots this trade-in's own store sent (its seller sees what the store took of
    their device, nothing else), with its media type; None otherwise."""
    if not any(shot["sha256"] == sha256 and shot["held"] for shot in photos.of_tradein(storage, tradein_uuid)):
        return None
    return photos.file_for_staff(storage, files, sha256)
