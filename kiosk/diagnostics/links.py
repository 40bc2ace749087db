"""A trade-in's phone test links: registered at HQ (a signed call: HQ keeps the token's SHA-256 and draws the tone),
and their reports fetched back, by the clerk's panel while it waits and by the background sync for any link still
open (a report sent while the terminal was offline arrives with the next pull). The token is drawn here, shown once
in the QR code, and kept nowhere: this terminal keeps its SHA-256 too.

Offline (no HQ configured, or HQ out of reach) there is no test: the panel says so and the clerk answers the
checklist by hand, as before."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from core.clock import utcnow
from core.device_tests import MAX_REPORT_BYTES
from core.messages import N_, UserError
from kiosk.compliance.audit import Actor, record
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from sync.client import HQClient, HQRefused, HQUnavailable

STILL_ASKED = timedelta(days=2)  # an open link is asked about for this long after it expired, then given up


class DeviceTestUnavailable(UserError):
    """No phone test now: the clerk answers the checklist by hand."""


@dataclass(frozen=True)
class Started:
    url: str  # the page with its token: what the QR code holds, shown once
    expires_at: str
    token_sha256: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start(db: sqlite_utils.Database, client: HQClient | None, actor: Actor, tradein_uuid: str, minutes: int,
          language: str) -> Started:
    """A new test link for the trade-in, registered at HQ; DeviceTestUnavailable when HQ cannot take it."""
    if client is None:
        raise DeviceTestUnavailable(N_("This terminal is not linked to HQ: the phone test runs on HQ's secure page. "
                                       "Answer the checklist by hand."))
    token = secrets.token_urlsafe(32)
    body = json.dumps({"token_sha256": _digest(token), "tradein_uuid": tradein_uuid, "minutes": minutes,
                       "language": language}).encode()
    try:
        answer = client.register_device_test(body)
        page, expires_at, tone = str(answer["page"]), str(answer["expires_at"]), int(answer["tone_hz"])
    except HQUnavailable:
        raise DeviceTestUnavailable(N_("HQ cannot be reached (is the store offline?): the phone test needs HQ's "
                                       "secure page. Answer the checklist by hand.")) from None
    except (HQRefused, KeyError, TypeError, ValueError) as err:
        raise DeviceTestUnavailable(N_("HQ refused the phone test (%(reason)s): answer the checklist by hand."),
                                    reason=str(err)[:200]) from None
    with write_transaction(db):
        db.execute("INSERT INTO device_tests (token_sha256, tradein_uuid, started_at, started_by, expires_at, tone_hz) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [_digest(token), tradein_uuid, utcnow(), actor.staff_id, expires_at,
                                                 tone])
        record(db, "device_test_started", staff_id=actor.staff_id, tradein_uuid=tradein_uuid, expires_at=expires_at)
    return Started(page + token, expires_at, _digest(token))


def latest(db: sqlite_utils.Database, tradein_uuid: str) -> dict | None:
    """The trade-in's newest test link."""
    return fetch_one(db, "SELECT * FROM device_tests WHERE tradein_uuid = ? ORDER BY started_at DESC, rowid DESC "
                         "LIMIT 1", [tradein_uuid])


def refresh(db: sqlite_utils.Database, client: HQClient | None, row: dict) -> dict:
    """The link as HQ now holds it, kept here; the row unchanged when HQ cannot say (offline: asked again later)."""
    if client is None or row["hq_status"] != "open":
        return row
    try:
        found = client.device_test(row["token_sha256"])
    except (HQUnavailable, HQRefused):
        return row
    return _keep(db, row, found)


def _keep(db: sqlite_utils.Database, row: dict, found: dict | None) -> dict:
    """HQ's answer kept: the report once it came (bounded), or the link closed when HQ says expired or unknown."""
    status = found.get("status") if isinstance(found, dict) else "expired"
    report = found.get("report") if isinstance(found, dict) else None
    if status == "used" and isinstance(report, dict):
        text = json.dumps(report, sort_keys=True)
        if len(text.encode()) > MAX_REPORT_BYTES:  # HQ refuses such a report; never kept whatever it says
            report, text = {}, "{}"
        changes = {"hq_status": "used", "tested_at": str(found.get("submitted_at") or "")[:40],
                   "received_at": utcnow(), "report": text}
    elif status == "open":
        return row
    else:  # expired without a report, or unknown to HQ (a link it dropped): nothing more will come
        changes = {"hq_status": "expired"}
    with write_transaction(db):
        db.execute(f"UPDATE device_tests SET {', '.join(f'{k} = ?' for k in changes)} "
                   "WHERE token_sha256 = ? AND hq_status = 'open'", [*changes.values(), row["token_sha256"]])
    return fetch_one(db, "SELECT * FROM device_tests WHERE token_sha256 = ?", [row["token_sha256"]])


def pull(db: sqlite_utils.Database, client: HQClient) -> list[str]:
    """The background sync's part: every link still open, asked of HQ; what came back, for the sync's report.
    HQ out of reach stops the round (asked again next time)."""
    since = (datetime.now(UTC) - STILL_ASKED).isoformat(timespec="seconds")
    arrived = []
    for row in fetch_all(db, "SELECT * FROM device_tests WHERE hq_status = 'open' AND expires_at > ? "
                             "ORDER BY started_at LIMIT 50", [since]):
        try:
            found = client.device_test(row["token_sha256"])
        except HQRefused:
            continue
        if _keep(db, row, found)["hq_status"] == "used":
            arrived.append(row["tradein_uuid"])
    return [f"{len(arrived)} phone test report(s)"] if arrived else []
