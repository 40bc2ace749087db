"""What HQ gives back to rebuild a store's dead terminal (issue 35; docs/going-live.md "A terminal died"): one
store's data only, paged by a cursor (the item's uuid or code), each page checked with core.restore as the terminal
checks it. Read-only: nothing here changes what HQ holds.

HQ has the records the store sent, byte for byte (hq_records): the trade-ins' and sales' payloads come back as they
were sent; HQ's own view adds what it knows since (a shipment closed, a voucher's balance after spends anywhere).
HQ never had the sellers' identities (the store keeps them, sealed with its own key) nor the police register's
entries: only their chained head (register_anchors). Of the till's fiscal chain it serves the head record it
anchored last and its terminal's public key (hq_fiscal_heads, hq_fiscal_keys), checked as the terminal checks them:
a record that is not the anchored head is logged and left out (the terminal then starts a chain of its own)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from core.protocol import SALE_COMPLETED, SALE_RETURNED, TRADEIN_ACCEPTED, VOUCHER_ISSUED, event_uuid
from core.restore import MAX_PAGE, PARTS, checked_page, checked_summary, fiscal_head_problem, warranty_cutoff
from hq.services.register_anchors import anchor_of, fiscal_head_of
from hq.storage import Storage

__all__ = ["PARTS", "page", "summary"]
log = logging.getLogger(__name__)


def _fiscal(tx, store_id: str) -> dict:
    """The till's last anchored head {seq, hash, at}, with its record and its terminal's public key when HQ keeps
    them and they are that head."""
    anchored = anchor_of(tx, store_id, "fiscal")
    head = {k: anchored[k] for k in ("seq", "hash", "at")}
    kept = fiscal_head_of(tx, store_id, head["seq"]) if head["seq"] else None
    if kept and (problem := fiscal_head_problem(head, *kept)):
        log.warning("store %s: the fiscal head record HQ keeps is left out of the restore: %s", store_id, problem)
    elif kept:
        head.update(record=kept[0], public_key=kept[1])
    return head


def summary(storage: Storage, store_id: str) -> dict:
    """The register's and the till's anchored heads, the last batch, and each terminal's last report."""
    with storage.read() as tx:
        register, fiscal = anchor_of(tx, store_id), _fiscal(tx, store_id)
        last_batch = tx.rows("SELECT last_batch_at FROM hq_stores WHERE id = %s", [store_id])
        heard = tx.rows("SELECT terminal_id, seen_at, health FROM hq_terminal_health WHERE store_id = %s "
                        "ORDER BY seen_at LIMIT 64", [store_id])
    terminals = [{"terminal_id": terminal, "seen_at": seen,
                  "outbox_pending": int(json.loads(health or "{}").get("outbox_pending") or 0)}
                 for terminal, seen, health in heard]
    return checked_summary({"register": {k: register[k] for k in ("seq", "hash", "at")},
                            "fiscal": fiscal,
                            "last_batch_at": last_batch[0][0] if last_batch else None, "terminals": terminals})


def _tradeins(tx, store_id: str, after: str, limit: int) -> list[dict]:
    rows = tx.rows("SELECT t.uuid, t.store_state, r.payload, s.shipment_uuid, s.code, s.closed_at FROM hq_tradeins t "
                   "JOIN hq_records r ON r.entity_uuid = t.uuid AND r.kind = %s AND r.store_id = t.store_id "
                   "LEFT JOIN hq_shipment_bags b ON b.tradein_uuid = t.uuid "
                   "LEFT JOIN hq_shipments s ON s.shipment_uuid = b.shipment_uuid AND s.store_id = t.store_id "
                   "WHERE t.store_id = %s AND t.received_at IS NULL AND t.store_state IN ('accepted', 'shipped') "
                   "AND t.uuid > %s ORDER BY t.uuid LIMIT %s", [TRADEIN_ACCEPTED, store_id, after, limit])
    return [{"state": state, "record": json.loads(payload),
             "shipment": {"uuid": shipment, "code": code, "closed_at": closed} if shipment else None}
            for _uuid, state, payload, shipment, code, closed in rows]


def _vouchers(tx, store_id: str, after: str, limit: int) -> list[dict]:
    """Open vouchers with HQ's balance; the rest as the store issued them: its voucher.issued record, found by the id
    the store derived from the trade-in (core.protocol.event_uuid; a voucher's payload names no entity of its own)."""
    today = datetime.now(UTC).date().isoformat()
    rows = tx.rows("SELECT v.code, v.tradein_uuid, v.balance_minor, v.status FROM hq_vouchers v WHERE v.store_id = %s "
                   "AND v.status = 'active' AND v.balance_minor > 0 AND v.expires_at >= %s AND v.code > %s "
                   "ORDER BY v.code LIMIT %s", [store_id, today, after, limit])
    ids = {event_uuid(tradein, VOUCHER_ISSUED): code for code, tradein, _, _ in rows if tradein}
    issued = {ids[key]: json.loads(payload) for key, payload in tx.rows(
        f"SELECT record_uuid, payload FROM hq_records WHERE store_id = %s AND kind = %s AND record_uuid IN "
        f"({', '.join(['%s'] * len(ids)) or 'NULL'})", [store_id, VOUCHER_ISSUED, *ids])}
    return [{**issued[code], "balance_minor": balance, "status": status}
            for code, _tradein, balance, status in rows if code in issued]


def _sales(tx, store_id: str, after: str, limit: int) -> list[dict]:
    """Sales sold since the warranty cutoff, and the returns of those sales: the payloads as the store sent them."""
    cutoff = warranty_cutoff(datetime.now(UTC).date()).isoformat()
    rows = tx.rows("SELECT r.record_uuid, r.payload FROM hq_records r WHERE r.store_id = %s AND r.kind IN (%s, %s) "
                   "AND r.record_uuid > %s AND (r.entity_uuid IN (SELECT sale_uuid FROM hq_sales WHERE store_id = %s "
                   "AND sold_at >= %s) OR r.entity_uuid IN (SELECT x.return_uuid FROM hq_sale_returns x JOIN hq_sales "
                   "s ON s.sale_uuid = x.original_uuid WHERE x.store_id = %s AND s.sold_at >= %s)) "
                   "ORDER BY r.record_uuid LIMIT %s",
                   [store_id, SALE_COMPLETED, SALE_RETURNED, after, store_id, cutoff, store_id, cutoff, limit])
    return [(record_uuid, json.loads(payload)) for record_uuid, payload in rows]


def page(storage: Storage, store_id: str, part: str, after: str, limit: int = MAX_PAGE) -> dict:
    """One page of `part` after the cursor `after` ("" from the start): {items, next} (next None: the last page)."""
    limit = max(1, min(limit, MAX_PAGE))
    with storage.read() as tx:
        if part == "sales":
            found = _sales(tx, store_id, after, limit)
            items, cursors = [payload for _, payload in found], [key for key, _ in found]
        else:
            items = (_tradeins if part == "tradeins" else _vouchers)(tx, store_id, after, limit)
            cursors = [item["record"]["uuid"] if part == "tradeins" else item["code"] for item in items]
    return checked_page(part, {"items": items, "next": cursors[-1] if len(items) == limit else None})
