"""HQ's staff: accounts, the PIN sign-in (core.pins' one decision, as on a terminal) and server-side sessions.
Each function owns its transaction."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from core import pins
from core.messages import N_, Message
from core.pins import Lockout, hash_pin
from hq.storage import Storage

ROLES = ("receiver", "supervisor")


def add_staff(storage: Storage, name: str, role: str, pin: str) -> str:
    name = " ".join(name.split())
    if role not in ROLES or not 2 <= len(name) <= 80 or not (pin.isdigit() and 6 <= len(pin) <= 12):
        raise ValueError("A name of 2 to 80 characters, a role (receiver or supervisor) and a PIN of 6 to 12 digits.")
    staff_id = str(uuid.uuid4())
    with storage.transaction() as tx:
        tx.run("INSERT INTO hq_staff (id, name, role, pin_hash) VALUES (%s, %s, %s, %s)",
               [staff_id, name, role, hash_pin(pin)])
    return staff_id


def check_pin(storage: Storage, name: str, pin: str, rule: Lockout, now: datetime) -> tuple[Message | None, str | None]:
    """(why not, None) or (None, staff id); counts wrong PINs and locks after the rule's attempts. HQ lists nobody,
    so an unknown name and a wrong PIN read the same."""
    with storage.transaction() as tx:
        found = [r for r in tx.rows("SELECT id, name, pin_hash, failed_attempts, locked_until FROM hq_staff "
                                    "WHERE active = 1") if r[1].casefold() == name.casefold()]
        if not found:
            return Message(N_("Wrong name or PIN.")), None
        staff_id, _name, pin_hash, failures, locked_until = found[0]
        outcome = rule.attempt(pin_hash, pin, failures, locked_until, now)
        tx.run("UPDATE hq_staff SET failed_attempts = %s, locked_until = %s WHERE id = %s",
               [outcome.failures, outcome.locked_until, staff_id])
    if outcome.outcome == pins.RIGHT:
        return None, staff_id
    if outcome.outcome == pins.LOCKED:
        return Message(N_("This account is locked after too many wrong PINs: try again in %(minutes)s min."),
                       minutes=outcome.minutes), None
    if outcome.outcome == pins.NOW_LOCKED:
        return Message(N_("Wrong name or PIN. The account is now locked for %(minutes)s min."),
                       minutes=outcome.minutes), None
    return Message(N_("Wrong name or PIN.")), None


def open_session(storage: Storage, staff_id: str) -> str:
    sid, now = secrets.token_urlsafe(24), datetime.now(UTC).isoformat(timespec="seconds")
    with storage.transaction() as tx:
        tx.run("INSERT INTO hq_sessions VALUES (%s, %s, %s, %s)", [sid, staff_id, now, now])
    return sid


def session_staff(storage: Storage, sid: str, max_minutes: int, idle_minutes: int) -> dict | None:
    """The staff member of a live session: not signed out (a copied cookie dies at sign-out), not idle past
    `idle_minutes`, not older than `max_minutes`; its last-seen time kept to the minute."""
    now = datetime.now(UTC)
    oldest = (now - timedelta(minutes=max_minutes)).isoformat(timespec="seconds")
    idle = (now - timedelta(minutes=idle_minutes)).isoformat(timespec="seconds")
    with storage.read() as tx:  # pages never take ingest's write lock just to look the session up
        rows = tx.rows("SELECT s.id, s.name, s.role, x.seen_at FROM hq_sessions x JOIN hq_staff s ON s.id = x.staff_id "
                       "WHERE x.sid = %s AND x.created_at >= %s AND x.seen_at >= %s AND s.active = 1",
                       [sid, oldest, idle])
    if rows and rows[0][3] < (now - timedelta(minutes=1)).isoformat(timespec="seconds"):  # at most once a minute
        with storage.transaction() as tx:
            tx.run("UPDATE hq_sessions SET seen_at = %s WHERE sid = %s", [now.isoformat(timespec="seconds"), sid])
    return dict(zip(("id", "name", "role"), rows[0][:3], strict=True)) if rows else None


def close_session(storage: Storage, sid: str) -> None:
    with storage.transaction() as tx:
        tx.run("DELETE FROM hq_sessions WHERE sid = %s", [sid])
