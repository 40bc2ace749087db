"""New York stores' daily second-hand dealer reports, as HQ sees them: each store makes its day's report after
midnight (kiosk.compliance.dealer_record) and its staff hand it over to the service the city designates; both reach
HQ as records (core.protocol.DEALER_REPORT_MADE, DEALER_REPORT_HANDED_OVER), kept in hq_dealer_reports by the
projection. The day, the counts and the file's SHA-256 travel: no seller's data, no photo."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core import protocol
from core.photos import is_sha256
from hq.storage import Storage

_DAY = re.compile(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]")
SHOWN = ("store", "timezone", "day", "made_at", "records", "photos", "handed_over_at", "handed_over_by")


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6 else None


def _instant(value: object) -> str | None:
    return value[:40] if isinstance(value, str) and "\x00" not in value and value[:4].isdigit() else None


def _name(value: object) -> str | None:
    return " ".join(value.split())[:80] or None if isinstance(value, str) and value.isprintable() else None


class DealerReportRecords:
    """The reports a batch says were made or handed over, gathered as ingest sorts the records and written in its
    transaction: made first (a batch may carry a report and its handing over)."""

    def __init__(self, store_id: str) -> None:
        self.store_id, self.made, self.handed = store_id, {}, {}

    def add(self, kind: str, payload: dict) -> None:
        day = payload.get("day") if isinstance(payload.get("day"), str) and _DAY.fullmatch(payload["day"]) else None
        if day is None:
            return
        if kind == protocol.DEALER_REPORT_MADE:
            row = (self.store_id, day, _instant(payload.get("made_at")), _count(payload.get("records")),
                   _count(payload.get("photos")), payload.get("sha256"))
            if is_sha256(row[-1]) and None not in row:
                self.made.setdefault(day, row)
        elif kind == protocol.DEALER_REPORT_HANDED_OVER and (at := _instant(payload.get("handed_over_at"))):
            self.handed.setdefault(day, (at, _name(payload.get("staff_name")), self.store_id, day))

    def write(self, tx) -> None:
        tx.many("INSERT INTO hq_dealer_reports (store_id, day, made_at, records, photos, sha256) VALUES "
                "(%s, %s, %s, %s, %s, %s) ON CONFLICT (store_id, day) DO NOTHING", list(self.made.values()))
        tx.many("UPDATE hq_dealer_reports SET handed_over_at = %s, handed_over_by = %s WHERE store_id = %s AND "
                "day = %s AND handed_over_at IS NULL", list(self.handed.values()))


def recent(storage: Storage, days: int = 14) -> list[dict]:
    """Every store's reports of the last `days` days, newest first (the dashboard's table)."""
    since = (datetime.now(UTC) - timedelta(days=days)).date().isoformat()
    with storage.read() as tx:
        rows = tx.rows("SELECT s.name, s.timezone, r.day, r.made_at, r.records, r.photos, r.handed_over_at, "
                       "r.handed_over_by FROM hq_dealer_reports r JOIN hq_stores s ON s.id = r.store_id "
                       "WHERE r.day >= %s ORDER BY r.day DESC, s.name LIMIT 500", [since])
    return [dict(zip(SHOWN, row, strict=True)) for row in rows]
