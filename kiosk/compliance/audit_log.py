"""The audit log read back for a manager or an inspector: filtered by person, action and the store's local days,
newest first, a page at a time on screen and whole as CSV (formula-safe). kiosk.compliance.audit writes it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from core.messages import N_
from core.police_register import local_days
from core.states import LABELS as STATE_LABELS
from core.text import csv_cell
from kiosk.store.db import fetch_all

PAGE_SIZE = 50
# What each action is called on the page; an action not listed (a newer one) shows as written.
ACTIONS = {
    "created": N_("trade-in started"), "device_set": N_("device chosen"), "answered": N_("checklist answered"),
    "quoted": N_("quoted"), "price_override": N_("price changed by a manager"), "approved": N_("manager approval"),
    "accepted": N_("accepted"), "printed": N_("receipt printed"), "reprint_requested": N_("reprint asked"),
    "declined": N_("declined"), "discarded": N_("draft discarded"), "expired": N_("draft expired"),
    "cancelled": N_("cancelled"), "bagged": N_("bagged"), "shipped": N_("shipped"),
    "received_at_hq": N_("received at HQ"), "pin_wrong": N_("wrong PIN"), "staff_locked": N_("account locked"),
    "staff_added": N_("staff member added"), "staff_activated": N_("account reactivated"),
    "staff_deactivated": N_("account deactivated"), "gdpr_export": N_("seller's data exported"),
    "gdpr_rectify": N_("seller's data rectified"), "gdpr_erase": N_("seller's data erased"),
    "gdpr_request": N_("seller's request logged"), "gdpr_request_answered": N_("seller's request answered"),
    "retention_purge": N_("retention purge"), "key_rotated": N_("data key rotated"),
}
_SELECT = ("SELECT a.id, a.at, a.staff_id, s.name AS staff_name, a.action, t.code AS tradein_code, a.from_state, "
           "a.to_state, a.detail FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id "
           "LEFT JOIN tradeins t ON t.uuid = a.tradein_uuid")


@dataclass(frozen=True)
class AuditFilter:
    """Empty fields filter nothing; `first` and `last` are the store's local days, both included."""

    staff_id: str = ""
    action: str = ""
    first: date | None = None
    last: date | None = None

    def where(self, timezone: str) -> tuple[str, list]:
        clauses, params = [], []
        if self.staff_id:
            clauses.append("a.staff_id = ?")
            params.append(self.staff_id)
        if self.action:
            clauses.append("a.action = ?")
            params.append(self.action)
        if self.first:
            clauses.append("a.at >= ?")
            params.append(local_days(self.first, self.first, timezone)[0])
        if self.last:
            clauses.append("a.at < ?")
            params.append(local_days(self.last, self.last, timezone)[1])
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class AuditPage:
    rows: list[dict]
    number: int  # from 1
    total: int  # rows matching the filter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def page(db: sqlite_utils.Database, wanted: AuditFilter, timezone: str, number: int = 1) -> AuditPage:
    """One page of matching rows, newest first; a page past the last shows the last."""
    where, params = wanted.where(timezone)
    total = db.execute(f"SELECT count(*) FROM audit_log a{where}", params).fetchone()[0]
    number = min(max(1, number), max(1, -(-total // PAGE_SIZE)))
    rows = fetch_all(db, f"{_SELECT}{where} ORDER BY a.id DESC LIMIT ? OFFSET ?",
                     [*params, PAGE_SIZE, (number - 1) * PAGE_SIZE])
    return AuditPage([_readable(row) for row in rows], number, total)


def _readable(row: dict) -> dict:
    detail = json.loads(row["detail"] or "{}")
    return {**row, "detail": ", ".join(f"{key}={value}" for key, value in detail.items() if value is not None)}


def choices(db: sqlite_utils.Database) -> tuple[list[dict], list[str]]:
    """Who appears in the log (id, name) and which actions it holds, for the filter's lists."""
    people = fetch_all(db, "SELECT id, name FROM staff WHERE id IN (SELECT DISTINCT staff_id FROM audit_log) "
                           "ORDER BY name")
    actions = [row[0] for row in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]
    return people, actions


def _label(action: str, translate: Callable[[str], str]) -> str:
    return translate(ACTIONS[action]) if action in ACTIONS else action


def _all_rows(db: sqlite_utils.Database, wanted: AuditFilter, timezone: str) -> Iterator[dict]:
    where, params = wanted.where(timezone)
    for row in fetch_all(db, f"{_SELECT}{where} ORDER BY a.id", params):
        yield _readable(row)


def to_csv(db: sqlite_utils.Database, wanted: AuditFilter, timezone: str, translate: Callable[[str], str]) -> str:
    """Every matching row, oldest first, its time in the store's local time with its UTC offset."""
    _ = translate
    zone = ZoneInfo(timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Time"), _("Person"), _("Action"), _("Trade-in"), _("From"), _("To"), _("Detail")])
    for row in _all_rows(db, wanted, timezone):
        local = datetime.fromisoformat(row["at"]).astimezone(zone).isoformat(sep=" ", timespec="seconds")
        states = [_(STATE_LABELS[s]) if s in STATE_LABELS else s for s in (row["from_state"], row["to_state"])]
        writer.writerow([csv_cell(cell or "") for cell in (
            local, row["staff_name"], _label(row["action"], _), row["tradein_code"], *states, row["detail"])])
    return out.getvalue()
