"""HQ's read model, kept in the ingest transaction: one row per trade-in (hq_tradeins) and per shipment,
made from the records as they arrive, so the inbox never disagrees with what was acknowledged.

Payloads come from stores and are checked field by field: a bad value is stored as NULL here (the
record itself is kept byte for byte in hq_records), never a failed batch.
"""

from __future__ import annotations

from core import protocol
from hq.services import dealer_reports, devices, payouts, photos, retention
from hq.services.aftersales import AfterSales
from hq.services.voucher_ledger import StoreUse, apply_store_uses

TRADEIN_COLUMNS = ("uuid", "store_id", "code", "identifier", "device_kind", "brand", "model", "storage_gb",
                   "cosmetic_grade", "functional_grade", "grid_version", "spec_version", "currency", "total_minor",
                   "staff_id", "accepted_at", "tracking_hash", "payout_method", "synced_at", "store_state",
                   "identifier2")  # a dual-SIM phone's second IMEI
MAX_BAGS = 500


def _text(value: object, limit: int = 64) -> str | None:
    return value[:limit] if isinstance(value, str) and "\x00" not in value else None


def _whole(value: object, limit: int = 2**62) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and -limit < value < limit else None


def tradein_key(payload: dict) -> tuple[str, str] | None:
    """(uuid, code) of a trade-in's payload as the read model keeps them; None if it names no trade-in."""
    uuid, code = _text(payload.get("uuid")), _text(payload.get("code"))
    return (uuid, code) if uuid and code else None


def tradein_row(store_id: str, payload: dict, state: str, now: str) -> tuple | None:
    """The hq_tradeins row of an accepted (or declined) trade-in's payload; None if it names no trade-in."""
    uuid, code = _text(payload.get("uuid")), _text(payload.get("code"))
    if not uuid or not code:
        return None
    return (uuid, store_id, code, _text(payload.get("imei")) or _text(payload.get("serial")),
            _text(payload.get("device_kind")), _text(payload.get("brand"), 80), _text(payload.get("model"), 120),
            _whole(payload.get("storage_gb"), 10**7), _text(payload.get("cosmetic_grade"), 1),
            _whole(payload.get("functional_grade"), 100), _text(payload.get("grid_version")),
            _text(payload.get("spec_version")), _text(payload.get("currency"), 3),
            _whole(payload.get("total_minor")), _text(payload.get("staff_id")), _text(payload.get("accepted_at")),
            _text(payload.get("tracking_hash")), _text(payload.get("payout_method"), 20), now, state,
            _text(payload.get("imei2")))


def voucher_row(store_id: str, payload: dict) -> tuple | None:
    code, issued, expires = _text(payload.get("code")), _whole(payload.get("issued_minor")), \
        _text(payload.get("expires_at"))
    if not code or not issued or issued <= 0 or not expires:
        return None
    return (code, store_id, _text(payload.get("tradein_uuid")), issued, issued, "active", expires)


def voucher_uses(kind: str, payload: dict) -> list[StoreUse]:
    """The voucher tenders of a synced sale (spends: amounts above zero) or return (credits: below zero, naming
    the sale they return); a tender of the wrong sign is no movement at all."""
    sale_uuid, tenders = _text(payload.get("uuid")), payload.get("tenders")
    if not sale_uuid or not isinstance(tenders, list):
        return []
    original = _text(payload.get("original_uuid")) if kind == protocol.SALE_RETURNED else None
    sign = -1 if kind == protocol.SALE_RETURNED else 1
    uses = [StoreUse(sale_uuid, _text(t.get("reference")), _whole(t.get("amount_minor")), original)
            for t in tenders if isinstance(t, dict) and t.get("kind") == "voucher" and _text(t.get("reference"))
            and _whole(t.get("amount_minor"))]
    return [use for use in uses if use.amount * sign > 0 and (sign > 0 or original)]


def shipment_rows(store_id: str, payload: dict, now: str) -> tuple[tuple, list[tuple]] | None:
    uuid, code, closed = (_text(payload.get(k)) for k in ("uuid", "code", "closed_at"))
    bags = payload.get("bags")
    if not uuid or not code or not closed or not isinstance(bags, list):
        return None
    rows = [(uuid, _text(bag.get("uuid")), _text(bag.get("code"))) for bag in bags[:MAX_BAGS]
            if isinstance(bag, dict) and _text(bag.get("uuid")) and _text(bag.get("code"))]
    return (uuid, store_id, code, closed, now), rows


class Projection:
    """Newly stored records (kind, payload) gathered one by one as ingest sorts them, then applied to the read
    model in the same transaction. `keys` open a payout's account as the store sealed it and seal it again for
    HQ's rest (no keys: payouts are not read)."""

    def __init__(self, store_id: str, now: str, keys: payouts.AccountKeys | None = None) -> None:
        self.store_id, self.now, self.keys = store_id, now, keys
        self.tradeins: dict[str, tuple] = {}  # uuid -> row: a trade-in sent twice in one batch keeps its first
        self.cancelled: list[str] = []
        self.shipments: list[tuple] = []
        self.bags: list[tuple] = []
        self.vouchers: list[tuple] = []
        self.uses: list[StoreUse] = []
        self.payouts: list[tuple] = []
        self.sold: list = []
        self.erased: list[str] = []  # trade-ins whose seller the store erased: HQ blanks its copy of the account
        self.aftersales = AfterSales(store_id, now)  # sales, returns and warranty claims any store may look up
        self.photos = photos.PhotoRecords(store_id, now)  # the shots HQ is to expect on the photo channel
        self.dealer_reports = dealer_reports.DealerReportRecords(store_id)  # a New York store's daily reports

    def add(self, kind: str, payload: dict) -> None:
        store_id, now = self.store_id, self.now
        self.aftersales.add(kind, payload)
        self.photos.add(kind, payload)
        self.dealer_reports.add(kind, payload)
        if kind == protocol.PAYOUT_REQUESTED and self.keys and \
                (row := payouts.payout_row(store_id, payload, self.keys, now)):
            self.payouts.append(row)
        if kind == protocol.SALE_COMPLETED:
            self.sold += devices.sold_devices(payload)
        if kind == protocol.SELLER_ERASED and isinstance(payload.get("tradein_uuids"), list):
            self.erased += [u for u in map(_text, payload["tradein_uuids"][:MAX_BAGS]) if u]
        if kind == protocol.VOUCHER_ISSUED and (row := voucher_row(store_id, payload)):
            self.vouchers.append(row)
        if kind in protocol.SALE_KINDS:
            self.uses += voucher_uses(kind, payload)
        if kind in (protocol.TRADEIN_ACCEPTED, protocol.TRADEIN_DECLINED):
            if row := tradein_row(store_id, payload, kind.split(".")[1], now):
                self.tradeins.setdefault(row[0], row)
        elif kind == protocol.TRADEIN_CANCELLED and _text(payload.get("uuid")):
            self.cancelled.append(_text(payload["uuid"]))
        elif kind == protocol.SHIPMENT_CLOSED and (rows := shipment_rows(store_id, payload, now)):
            self.shipments.append(rows[0])
            self.bags += rows[1]

    def write(self, tx) -> None:
        store_id, cancelled, bags = self.store_id, self.cancelled, self.bags
        inserted = tx.insert_tradeins(TRADEIN_COLUMNS, list(self.tradeins.values()))
        written = [row for uuid, row in self.tradeins.items() if uuid in inserted]
        # Each new trade-in holds its code (ingest refused those another trade-in holds; a concurrent batch that
        # took one since: RaceLost on PostgreSQL's key, and the batch runs again to be refused).
        tx.write_new("hq_tradein_codes", "code, tradein_uuid, store_id",
                     [(row[2], row[0], store_id) for row in written])
        _count_daily(tx, [row for row in written if row[STATE] == "accepted"], 1)
        _cancel(tx, store_id, cancelled, self.now)
        payouts.record_requests(tx, store_id, self.payouts)
        payouts.cancel_requests(tx, store_id, cancelled, self.now)
        retention.erase_accounts(tx, store_id, self.erased, self.now)
        self.photos.write(tx, self.erased)  # after the trade-ins (a batch may carry a trade-in and its shots)
        self.dealer_reports.write(tx)
        devices.mark_resold(tx, self.sold, None, "sold at a store's till", received_only=True)
        # A voucher is this store's own live trade-in paid in store credit, for no more than that trade-in's total,
        # and one only: a trade-in is paid once (never five vouchers, never a voucher and a transfer).
        tx.many("INSERT INTO hq_vouchers (code, store_id, tradein_uuid, issued_minor, balance_minor, status, "
                "expires_at) SELECT %s, %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM hq_tradeins WHERE uuid = %s "
                "AND store_id = %s AND total_minor >= %s AND coalesce(payout_method, '') <> 'bank_transfer' AND "
                "store_state NOT IN ('cancelled', 'declined')) AND NOT EXISTS (SELECT 1 FROM hq_vouchers WHERE "
                "tradein_uuid = %s) ON CONFLICT (code) DO NOTHING",
                [(*row, row[2], store_id, row[3], row[2]) for row in self.vouchers])
        tx.many("UPDATE hq_vouchers SET status = 'cancelled' WHERE tradein_uuid = %s AND store_id = %s",
                [(tradein_uuid, store_id) for tradein_uuid in cancelled])
        apply_store_uses(tx, store_id, self.uses, self.now)
        self.aftersales.write(tx)
        tx.many("INSERT INTO hq_shipments VALUES (%s, %s, %s, %s, %s) ON CONFLICT (shipment_uuid) DO NOTHING",
                self.shipments)
        tx.many("INSERT INTO hq_shipment_bags SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM hq_tradeins WHERE "
                "uuid = %s AND store_id = %s) ON CONFLICT DO NOTHING", [(*bag, bag[1], store_id) for bag in bags])
        tx.many("UPDATE hq_tradeins SET store_state = 'shipped' WHERE uuid = %s AND store_id = %s "
                "AND store_state = 'accepted'", [(bag[1], store_id) for bag in bags])


# Positions in a TRADEIN_COLUMNS row.
STORE, GRADE, TOTAL, ACCEPTED, STATE = 1, 8, 13, 15, TRADEIN_COLUMNS.index("store_state")


def _count_daily(tx, rows: list[tuple], sign: int) -> None:
    """The dashboard's per-day totals, kept as trade-ins arrive (and leave, when cancelled)."""
    totals: dict[tuple, list[int]] = {}
    for row in rows:
        if row[ACCEPTED]:
            key = (row[STORE], row[ACCEPTED][:10], row[GRADE] or "?")
            entry = totals.setdefault(key, [0, 0])
            entry[0] += sign
            entry[1] += sign * (row[TOTAL] or 0)
    tx.many("INSERT INTO hq_daily VALUES (%s, %s, %s, %s, %s) ON CONFLICT (store_id, day, cosmetic_grade) DO UPDATE "
            "SET tradeins = hq_daily.tradeins + excluded.tradeins, "
            "value_minor = hq_daily.value_minor + excluded.value_minor",
            [(*key, count, value) for key, (count, value) in totals.items()])


def _cancel(tx, store_id: str, uuids: list[str], now: str) -> None:
    if not uuids:
        return
    marks = ", ".join(["%s"] * len(uuids))
    rows = tx.rows(f"SELECT {', '.join(TRADEIN_COLUMNS)} FROM hq_tradeins WHERE uuid IN ({marks}) AND store_id = %s "
                   "AND store_state NOT IN ('cancelled', 'declined')", [*uuids, store_id])
    _count_daily(tx, rows, -1)
    tx.many("UPDATE hq_tradeins SET store_state = 'cancelled', synced_at = %s WHERE uuid = %s",
            [(now, row[0]) for row in rows])
