"""Every terminal's health at HQ (issue 35): each signed contact (a batch, or a report sent alone) noted per terminal,
with its protocol, the clock offset HQ measured and the terminal's last report; and the fleet judged with
core.health, the worst first, for the Fleet page and its JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from core.health import Contact, TerminalHealth, Thresholds, parse_health, reasons, worst_first
from core.protocol import PROTOCOL_UNVERSIONED
from hq.storage import Storage, Tx


@dataclass(frozen=True)
class Heard:
    """One signed contact: the protocol it spoke, the terminal's signed timestamp minus HQ's clock, and the report
    it carried (None: a terminal older than protocol 2.1 sends none)."""

    protocol: str
    hq_clock_offset_s: int | None
    health: TerminalHealth | None = None


def note(tx: Tx, store_id: str, heard: Heard, now: str) -> None:
    """Inside the caller's transaction (ingest's, for a batch): the terminal's row is now as it said."""
    terminal = heard.health.terminal_id if heard.health else ""
    report = json.dumps(heard.health.as_json(), sort_keys=True) if heard.health else "{}"
    tx.run("INSERT INTO hq_terminal_health (store_id, terminal_id, seen_at, protocol, hq_clock_offset_s, health) "
           "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (store_id, terminal_id) DO UPDATE SET "
           "seen_at = excluded.seen_at, protocol = excluded.protocol, "
           "hq_clock_offset_s = excluded.hq_clock_offset_s, health = excluded.health",
           [store_id, terminal, now, heard.protocol, heard.hq_clock_offset_s, report])
    if terminal:  # the store's terminal now names itself: the row of its unnamed, older self is done with
        tx.run("DELETE FROM hq_terminal_health WHERE store_id = %s AND terminal_id = ''", [store_id])


def note_report(storage: Storage, store_id: str, heard: Heard, now: str) -> None:
    """A report sent alone (the terminal had nothing to push): its own transaction."""
    with storage.transaction() as tx:
        note(tx, store_id, heard, now)


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_ROWS = ("SELECT s.id, s.name, s.timezone, s.last_batch_at, h.terminal_id, h.seen_at, h.protocol, "
         "h.hq_clock_offset_s, h.health FROM hq_stores s LEFT JOIN hq_terminal_health h ON h.store_id = s.id "
         "WHERE s.revoked_at IS NULL")


def _contact(row: tuple) -> Contact:
    """A store that has no row yet (it has not synced since HQ kept them) is judged on its last batch."""
    *_, last_batch_at, terminal, seen_at, protocol, offset, report = row
    if terminal is None:
        return Contact(_instant(last_batch_at), PROTOCOL_UNVERSIONED)
    health = parse_health(json.loads(report)) if report and report != "{}" else None
    return Contact(_instant(seen_at), protocol, offset, health)


def fleet(storage: Storage, limits: Thresholds, now: datetime | None = None) -> list[dict]:
    """Every active store's terminals, the worst first, each with what is wrong (core.health.Reason)."""
    now = now or datetime.now(UTC)
    with storage.read() as tx:
        rows = tx.rows(_ROWS)
    judged = [(contact, reasons(contact, now, limits)) for contact in map(_contact, rows)]
    listed = []
    for index in worst_first(judged):
        contact, found = judged[index]
        store_id, name, timezone, *_, terminal = rows[index][:5]
        listed.append({"store_id": store_id, "store_name": name, "timezone": timezone, "terminal_id": terminal or "",
                       "last_seen_at": contact.last_seen_at.isoformat() if contact.last_seen_at else None,
                       "protocol": contact.protocol, "clock_offset_s": contact.clock_offset_s,
                       "health": contact.health.as_json() if contact.health else None, "reasons": found})
    return listed


def as_json(listed: list[dict]) -> list[dict]:
    """The fleet for an external monitor: reasons as codes, English text and values."""
    return [{**row, "ok": not row["reasons"], "reasons": [reason.as_json() for reason in row["reasons"]]}
            for row in listed]
