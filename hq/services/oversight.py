"""What HQ staff look at: the inbox (batches per store, trade-ins filtered), a trade-in's whole
history, shipments expected vs received, and the dashboard figures. Read-only queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.dates import read_date
from core.markets import DEFAULT_MARKET, per_currency
from core.text import has_control
from hq.services.receiving import TRADEIN_FIELDS
from hq.storage import Storage

PAGE_SIZE = 50
STATUSES = {  # inbox filter -> condition on hq_tradeins
    "awaiting": "store_state IN ('accepted', 'shipped') AND received_at IS NULL",
    "received": "received_at IS NOT NULL",
    "disputed": "regrade_status = 'open'",
    "settled": "regrade_status IN ('accepted', 'rejected')",
    "cancelled": "store_state = 'cancelled'",
    "declined": "store_state = 'declined'",
}


@dataclass
class Filters:
    store_id: str = ""
    date_from: str = ""
    date_to: str = ""
    status: str = ""
    model: str = ""
    grade: str = ""
    q: str = ""
    page: int = 1
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # date fields whose text is not a date (not applied)

    @classmethod
    def from_args(cls, args, locale: str) -> Filters:
        """The inbox's filters as typed; dates as the reader's locale writes them (or ISO, as links carry them)."""
        found = cls(**{name: (args.get(name) or "").strip()[:64] for name in
                       ("store_id", "date_from", "date_to", "status", "model", "grade", "q")})
        found.page = max(1, min(int(args.get("page", "1")) if str(args.get("page", "1")).isdigit() else 1, 10_000))
        for name in ("date_from", "date_to"):
            typed = getattr(found, name)
            day = read_date(typed, locale) if typed else None
            setattr(found, name, day.isoformat() if day else "")
            found.unreadable += [name] if typed and day is None else []
        found.build()
        return found

    def build(self) -> None:
        def add(condition: str, *values) -> None:
            self.where.append(condition)
            self.params.extend(values)

        if self.store_id:
            add("store_id = %s", self.store_id)
        if self.date_from:
            add("accepted_at >= %s", self.date_from)
        if self.date_to:
            add("accepted_at < %s", self.date_to + "T99")  # the whole day, whatever the time's form
        if self.status in STATUSES:
            add(STATUSES[self.status])
        if self.model:
            add("model = %s", self.model)
        if self.grade:
            add("cosmetic_grade = %s", self.grade)
        if self.q:
            digits = "".join(ch for ch in self.q if ch.isalnum()).upper()
            add("(code = %s OR identifier = %s)", self.q.upper(), digits)

    @property
    def sql(self) -> str:
        return ("WHERE " + " AND ".join(self.where)) if self.where else ""


def tradeins(storage: Storage, filters: Filters, limit: int = PAGE_SIZE) -> list[dict]:
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {', '.join(TRADEIN_FIELDS)} FROM hq_tradeins {filters.sql} "
                       "ORDER BY accepted_at DESC, uuid LIMIT %s OFFSET %s",
                       [*filters.params, limit, (filters.page - 1) * limit])
    return [dict(zip(TRADEIN_FIELDS, row, strict=True)) for row in rows]


def stores(storage: Storage) -> list[dict]:
    """Each store's sync health: batches, records, last contact, what it still had to send then."""
    with storage.read() as tx:
        rows = tx.rows(
            "SELECT s.id, s.name, s.acked_through_seq, s.last_batch_at, s.backlog_pending, s.backlog_oldest_at, "
            "coalesce(b.batches, 0), coalesce(b.records, 0), s.timezone FROM hq_stores s LEFT JOIN (SELECT store_id, "
            "count(*) AS batches, sum(records) AS records FROM hq_batches GROUP BY store_id) b ON b.store_id = s.id "
            "ORDER BY s.name")
    keys = ("id", "name", "acked_through_seq", "last_batch_at", "backlog_pending", "backlog_oldest_at", "batches",
            "records", "timezone")
    return [{**dict(zip(keys, row, strict=True)), "lag_seconds": _lag(row[5])} for row in rows]


def places(stores_seen: list[dict]) -> dict[str, dict]:
    """Store id -> its name and time zone: lists show names, and each time in its store's zone."""
    return {s["id"]: {"name": s["name"], "timezone": s["timezone"]} for s in stores_seen}


def place_of(storage: Storage, store_id: str) -> dict:
    """One store's name and time zone (a trade-in's page needs no other store, nor any store's sync figures)."""
    with storage.read() as tx:
        rows = tx.rows("SELECT name, timezone FROM hq_stores WHERE id = %s", [store_id])
    return {"name": rows[0][0], "timezone": rows[0][1]} if rows else {}


def _lag(oldest_at: str | None) -> int:
    if not oldest_at:
        return 0
    try:
        oldest = datetime.fromisoformat(oldest_at)
    except ValueError:
        return 0
    return max(0, int((datetime.now(UTC) - (oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC))).total_seconds()))


def clerk_of(payload: dict) -> str | None:
    """The clerk's name as the store's record gives it (a store's text: shown only if it is a plain name)."""
    name = payload.get("staff_name")
    return " ".join(name.split())[:80] or None if isinstance(name, str) and not has_control(name) else None


def history(storage: Storage, tradein_uuid: str, store_name: str) -> list[dict]:
    """Store events (as synced, by the clerk named in the record) and HQ events, in time order."""
    with storage.read() as tx:
        synced = tx.rows("SELECT kind, received_at, payload FROM hq_records WHERE entity_uuid = %s ORDER BY seq",
                         [tradein_uuid])
        hq = tx.rows("SELECT at, staff_name, action, detail FROM hq_events WHERE tradein_uuid = %s ORDER BY at, id",
                     [tradein_uuid])
    events = []
    for kind, received_at, payload in synced:
        data = json.loads(payload)
        at = data.get("accepted_at") or data.get("cancelled_at") or data.get("created_at") or received_at
        who = " · ".join(part for part in (store_name, clerk_of(data)) if part)
        events.append({"at": at, "who": who, "what": kind, "synced_at": received_at})
    events += [{"at": at, "who": name or "—", "by_hq": True, "what": action, "detail": json.loads(detail)}
               for at, name, action, detail in hq]
    return sorted(events, key=lambda e: e["at"] or "")


def shipments(storage: Storage, store_id: str = "") -> list[dict]:
    """Each closed shipment: bags expected, received, and the missing ones by code."""
    where, params = ("WHERE s.store_id = %s", [store_id]) if store_id else ("", [])
    with storage.read() as tx:
        rows = tx.rows(
            "SELECT s.shipment_uuid, s.code, s.store_id, st.name, st.timezone, s.closed_at, b.code, t.received_at "
            "FROM hq_shipments s JOIN hq_stores st ON st.id = s.store_id "
            "JOIN hq_shipment_bags b ON b.shipment_uuid = s.shipment_uuid "
            f"LEFT JOIN hq_tradeins t ON t.uuid = b.tradein_uuid {where} ORDER BY s.closed_at DESC, b.code", params)
    found: dict[str, dict] = {}
    for shipment_uuid, code, sid, name, zone, closed_at, bag, received_at in rows:
        entry = found.setdefault(shipment_uuid, {"uuid": shipment_uuid, "code": code, "store_id": sid, "store": name,
                                                 "timezone": zone, "closed_at": closed_at, "expected": 0,
                                                 "received": 0, "missing": []})
        entry["expected"] += 1
        if received_at:
            entry["received"] += 1
        else:
            entry["missing"].append(bag)
    return list(found.values())


# Each store's daily totals in its own currency (hq_daily: kept by the ingest, hq.services.projection); a store
# added before profiles trades in DEFAULT_MARKET (a constant of ours: an ISO 4217 code the packs checked).
_CURRENCY = f"coalesce(s.currency, '{DEFAULT_MARKET}')"
_DAILY = (f"SELECT d.day, {_CURRENCY}, sum(d.tradeins), sum(d.value_minor) FROM hq_daily d JOIN hq_stores s "
          f"ON s.id = d.store_id WHERE d.day >= %s GROUP BY d.day, {_CURRENCY} ORDER BY d.day, {_CURRENCY}")


def dashboard(storage: Storage, days: int = 14) -> dict:
    """The figures behind the charts; each is also shown as a table. Money is summed per currency (a row or a
    column per currency), never across two: euros and dollars make no total."""
    since = (datetime.now(UTC) - timedelta(days=days - 1)).date().isoformat()
    with storage.read() as tx:
        daily = tx.rows(_DAILY, [since])
        per_store = tx.rows(
            "SELECT s.name, coalesce(d.tradeins, 0), coalesce(d.value_minor, 0), r.disputes, r.regraded, "
            "coalesce(s.currency, %s) FROM hq_stores s LEFT JOIN (SELECT store_id, sum(tradeins) AS tradeins, "
            "sum(value_minor) AS value_minor FROM hq_daily WHERE day >= %s GROUP BY store_id) d ON d.store_id = s.id "
            "LEFT JOIN (SELECT store_id, count(*) AS regraded, sum(CASE WHEN regrade_status IN "
            "('open', 'accepted', 'rejected') THEN 1 ELSE 0 END) AS disputes FROM hq_tradeins "
            "WHERE regrade_status <> 'none' AND accepted_at >= %s GROUP BY store_id) r ON r.store_id = s.id "
            "ORDER BY s.name", [DEFAULT_MARKET, since, since])
        grades = tx.rows("SELECT cosmetic_grade, sum(tradeins) FROM hq_daily WHERE day >= %s GROUP BY cosmetic_grade "
                         "ORDER BY cosmetic_grade", [since])
    day_list = [(datetime.now(UTC) - timedelta(days=n)).date().isoformat() for n in range(days - 1, -1, -1)]
    totals = per_currency((currency, count, value) for _, currency, count, value in daily)
    return {
        "since": since,
        "currencies": [currency for currency, _, _ in totals] or [DEFAULT_MARKET],
        "per_currency": totals,
        "per_day": _per_day(day_list, daily),
        "per_store": [{"store": name, "count": count, "value_minor": value, "disputes": disputed or 0,
                       "currency": currency, "regraded": regraded or 0,
                       "regrade_rate": (disputed or 0) / regraded if regraded else 0.0}
                      for name, count, value, disputed, regraded, currency in per_store],
        "grades": [(grade or "?", count) for grade, count in grades],
    }


def _per_day(day_list: list[str], daily: list[tuple]) -> list[tuple[str, int, dict[str, int]]]:
    """(day, trade-ins, currency -> value paid) for each day of the window, days without any included."""
    counts: dict[str, int] = {}
    values: dict[str, dict[str, int]] = {}
    for day, currency, count, value in daily:
        counts[day] = counts.get(day, 0) + int(count or 0)
        values.setdefault(day, {})[currency] = int(value or 0)
    return [(day, counts.get(day, 0), values.get(day, {})) for day in day_list]


def daily_rows(storage: Storage, days: int = 14) -> list[tuple[str, str, int, int]]:
    """(day, currency, trade-ins, value paid) per day and currency: the dashboard's CSV, a row per currency."""
    since = (datetime.now(UTC) - timedelta(days=days - 1)).date().isoformat()
    with storage.read() as tx:
        return [(day, currency, int(count), int(value)) for day, currency, count, value in
                tx.rows(_DAILY, [since])]
