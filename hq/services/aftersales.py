"""After-sales across stores: every store's synced sales kept so that another store can take a return or a warranty
claim (looked up by receipt number or a device line's IMEI), what each sale line has come back, and warranty claims
with their status.

A lookup answers only what the asking store needs: the sale's number, its store's name, date, lines, what each
line has come back, what is still refundable per kind of tender and each device's warranty end; never the selling
clerk, terminal, card references or voucher codes. A store's return or claim is its own record: it adds rows under
its own store id and changes no other store's vouchers or payments (DESIGN §8)."""

from __future__ import annotations

import json
from datetime import datetime

from core import protocol
from core.clock import utcnow_ms
from core.returns_policy import warranty_end

CLAIM_STATUSES = ("open", "received", "repaired", "replaced", "refused")
MAX_LINES = 500


def _text(value: object, limit: int = 120) -> str | None:
    return value[:limit] if isinstance(value, str) and "\x00" not in value else None


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**62 else None


def _tenders(payload: dict) -> list[dict]:
    """The tenders a record lists that are tenders at all (a store's record is checked, never trusted)."""
    tenders = payload.get("tenders") if isinstance(payload.get("tenders"), list) else []
    return [t for t in tenders[:MAX_LINES] if isinstance(t, dict) and _text(t.get("kind"), 10)
            and _whole(t.get("amount_minor"))]


def _lines(payload: dict) -> list[dict]:
    lines = payload.get("lines") if isinstance(payload.get("lines"), list) else []
    keep = ("line_no", "ean", "name", "quantity", "unit_minor", "discount_minor", "vat_bp", "imei", "original_line_no")
    return [{k: line.get(k) for k in keep if isinstance(line.get(k), str | int) and not isinstance(line.get(k), bool)}
            for line in lines[:MAX_LINES] if isinstance(line, dict)]


class AfterSales:
    """The after-sales rows of one batch's new records, written in the ingest transaction (projection.py)."""

    def __init__(self, store_id: str, now: str) -> None:
        self.store_id, self.now = store_id, now
        self.sales: list[tuple] = []
        self.devices: list[tuple] = []
        self.returned: list[tuple] = []
        self.refunds: list[tuple] = []
        self.claims: list[tuple] = []

    def add(self, kind: str, payload: dict) -> None:
        uuid = _text(payload.get("uuid"), 64)
        if not uuid:
            return
        if kind == protocol.SALE_COMPLETED:
            self._sale(uuid, payload)
        elif kind == protocol.SALE_RETURNED:
            self._return(uuid, payload)
        elif kind == protocol.WARRANTY_CLAIMED:
            self.claims.append((uuid, self.store_id, _text(payload.get("number"), 20) or "?",
                                _text(payload.get("sale_uuid"), 64), _text(payload.get("identifier"), 32),
                                _text(payload.get("problem"), 500), _text(payload.get("condition"), 500),
                                _text(payload.get("created_at"), 40) or self.now, "open", self.now))

    def _sale(self, uuid: str, payload: dict) -> None:
        lines = _lines(payload)
        tenders = [{"kind": t["kind"], "amount_minor": t["amount_minor"]} for t in _tenders(payload)]
        self.sales.append((uuid, self.store_id, _text(payload.get("number"), 20) or "?",
                           _text(payload.get("created_at"), 40) or self.now, _text(payload.get("currency"), 3) or "EUR",
                           json.dumps(lines), json.dumps(tenders)))
        self.devices += [(line["imei"][:32], uuid) for line in lines if isinstance(line.get("imei"), str)]

    def _return(self, uuid: str, payload: dict) -> None:
        elsewhere = payload.get("original_elsewhere") if isinstance(payload.get("original_elsewhere"), dict) else {}
        original = _text(payload.get("original_uuid"), 64) or _text(elsewhere.get("uuid"), 64)
        if not original:
            return
        for line in _lines(payload):
            if _whole(line.get("original_line_no")) and _whole(line.get("quantity")):
                self.returned.append((uuid, self.store_id, original, line["original_line_no"], line["quantity"]))
        refunded: dict[str, int] = {}
        for tender in _tenders(payload):
            refunded[tender["kind"]] = refunded.get(tender["kind"], 0) - tender["amount_minor"]
        self.refunds += [(uuid, self.store_id, original, kind, amount) for kind, amount in refunded.items()]

    def write(self, tx) -> None:
        tx.many("INSERT INTO hq_sales VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (sale_uuid) DO NOTHING",
                self.sales)
        tx.many("INSERT INTO hq_sale_devices VALUES (%s, %s) ON CONFLICT DO NOTHING", self.devices)
        # A return counts against a sale HQ holds; it is the returning store's row, whichever store sold.
        tx.many("INSERT INTO hq_sale_returns SELECT %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM hq_sales WHERE "
                "sale_uuid = %s) ON CONFLICT DO NOTHING", [(*row, row[2]) for row in self.returned])
        tx.many("INSERT INTO hq_sale_refunds SELECT %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM hq_sales WHERE "
                "sale_uuid = %s) ON CONFLICT DO NOTHING", [(*row, row[2]) for row in self.refunds])
        tx.many("INSERT INTO hq_warranty_claims VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (claim_uuid) DO NOTHING", self.claims)


def find_sale(storage, key: str, asking_store: str) -> dict | None:
    """The sale with this receipt number, or the latest sale of a device with this IMEI/serial; None if HQ has none.
    What came back counts every store's returns but the asking store's own (it has them all, synced or not)."""
    with storage.read() as tx:
        rows = tx.rows("SELECT s.sale_uuid, s.store_id, st.name, s.number, s.sold_at, s.currency, s.lines, s.tenders "
                       "FROM hq_sales s JOIN hq_stores st ON st.id = s.store_id WHERE s.number = %s OR s.sale_uuid IN "
                       "(SELECT sale_uuid FROM hq_sale_devices WHERE identifier = %s) ORDER BY s.sold_at DESC LIMIT 1",
                       [key, key])
        if not rows:
            return None
        uuid, store_id, store_name, number, sold_at, currency, lines, tenders = rows[0]
        returned = dict(tx.rows("SELECT original_line_no, sum(quantity) FROM hq_sale_returns WHERE original_uuid = %s "
                                "AND store_id <> %s GROUP BY original_line_no", [uuid, asking_store]))
        refunded = dict(tx.rows("SELECT kind, sum(amount_minor) FROM hq_sale_refunds WHERE original_uuid = %s "
                                "AND store_id <> %s GROUP BY kind", [uuid, asking_store]))
    paid: dict[str, int] = {}
    for tender in json.loads(tenders):
        paid[tender["kind"]] = paid.get(tender["kind"], 0) + tender["amount_minor"]
    sold = datetime.fromisoformat(sold_at)
    return {"uuid": uuid, "number": number, "store_id": store_id, "store_name": store_name, "sold_at": sold_at,
            "currency": currency,
            "lines": [{**line, "returned": int(returned.get(line.get("line_no"), 0)),
                       "warranty_end": warranty_end(sold, "device" if line.get("imei") else "accessory").isoformat()}
                      for line in json.loads(lines)],
            "refundable": {kind: amount - int(refunded.get(kind, 0)) for kind, amount in paid.items()}}


def claim_status(storage, store_id: str, claim_uuid: str) -> dict | None:
    """A claim's status as HQ's after-sales desk set it: to the store that opened it only."""
    with storage.read() as tx:
        rows = tx.rows("SELECT status, status_at FROM hq_warranty_claims WHERE claim_uuid = %s AND store_id = %s",
                       [claim_uuid, store_id])
    return {"status": rows[0][0], "status_at": rows[0][1]} if rows else None


def set_claim_status(storage, claim_uuid: str, status: str) -> bool:
    if status not in CLAIM_STATUSES:
        return False
    with storage.transaction() as tx:
        return bool(tx.rows("UPDATE hq_warranty_claims SET status = %s, status_at = %s WHERE claim_uuid = %s "
                            "RETURNING claim_uuid", [status, utcnow_ms(), claim_uuid]))


def claims(storage, status: str = "") -> list[dict]:
    """Warranty claims for the after-sales desk, newest first (a status in CLAIM_STATUSES narrows the list)."""
    where, args = ("WHERE c.status = %s", [status]) if status in CLAIM_STATUSES else ("", [])
    with storage.read() as tx:
        rows = tx.rows("SELECT c.claim_uuid, c.number, st.name, st.timezone, c.identifier, c.problem, "
                       "c.device_condition, c.opened_at, c.status, c.status_at FROM hq_warranty_claims c "
                       f"JOIN hq_stores st ON st.id = c.store_id {where} ORDER BY c.opened_at DESC LIMIT 500", args)
    names = ("uuid", "number", "store", "timezone", "identifier", "problem", "condition", "opened_at", "status",
             "status_at")
    return [dict(zip(names, row, strict=True)) for row in rows]
