"""Staff accounts: PIN checks with lockout (for sign-in and for manager approvals), and their upkeep."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import sqlite_utils

from core import pins
from core.clock import utcnow
from core.messages import N_, UserError
from core.pins import Lockout, hash_pin
from kiosk.compliance import audit
from kiosk.store.db import fetch_all, fetch_one, write_transaction

ROLES = ("clerk", "manager", "admin")
APPROVERS = ("manager", "admin")
PIN_LENGTHS = range(4, 13)


class StaffAuthError(UserError):
    """Refused sign-in or approval; str(err) is shown as it is."""


def check_pin(db: sqlite_utils.Database, staff_id: str, pin: str, attempts: int, lock_minutes: int,
              now: datetime | None = None) -> dict:
    """The active staff row when the PIN is right; counts failures and locks the account after `attempts`."""
    now = now or datetime.now(UTC)
    with write_transaction(db):
        row = fetch_one(db, "SELECT * FROM staff WHERE id = ? AND active = 1", [staff_id])
        if row is None:
            raise StaffAuthError(N_("Choose a name from the list."))
        outcome = Lockout(attempts, lock_minutes).attempt(
            row["pin_hash"] if len(pin) in PIN_LENGTHS else "", pin, row["failed_attempts"], row["locked_until"], now)
        db.execute("UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE id = ?",
                   [outcome.failures, outcome.locked_until, staff_id])
        if outcome.outcome == pins.RIGHT:
            return row
        error = _refusal(db, row, outcome, attempts, lock_minutes)
    raise error


def _refusal(db, row: dict, outcome: pins.PinAttempt, attempts: int, lock_minutes: int) -> StaffAuthError:
    if outcome.outcome == pins.LOCKED:
        return StaffAuthError(N_("%(name)s is locked after too many wrong PINs: try again in %(minutes)s min "
                                 "or ask a manager."), name=row["name"], minutes=outcome.minutes)
    if outcome.outcome == pins.NOW_LOCKED:
        audit.record(db, staff_id=row["id"], action="staff_locked", failures=attempts)
        return StaffAuthError(N_("Wrong PIN. %(name)s is now locked for %(minutes)s min."), name=row["name"],
                              minutes=lock_minutes)
    audit.record(db, staff_id=row["id"], action="pin_wrong", failures=outcome.failures)
    return StaffAuthError(N_("Wrong PIN. %(count)s tries left before the account locks."),
                          count=attempts - outcome.failures)


def check_approver(db, staff_id: str, pin: str, attempts: int, lock_minutes: int, what: str,
                   requester_id: str | None = None) -> dict:
    """A manager (or admin) approves `what` with their own PIN on the clerk's screen; never their own request."""
    if not staff_id or not pin:  # not filled in: ask, without counting it as a wrong PIN
        raise StaffAuthError(N_("A manager must approve %(what)s: choose the manager and enter their PIN."), what=what)
    row = check_pin(db, staff_id, pin, attempts, lock_minutes)
    if row["role"] not in APPROVERS:
        raise StaffAuthError(N_("%(name)s is not a manager: a manager must approve %(what)s."), name=row["name"],
                             what=what)
    if staff_id == requester_id:
        raise StaffAuthError(N_("Nobody approves their own request: another manager must approve %(what)s."),
                             what=what)
    return row


def approvers(db) -> list[dict]:
    return fetch_all(db, "SELECT id, name FROM staff WHERE active = 1 AND role IN ('manager', 'admin') "
                         "ORDER BY name")


def add_staff(db, store_id: str, name: str, role: str, pin: str, by: str | None, first: bool = False) -> str:
    """A new account; `first`: only if the store has no staff yet (checked in the insert itself: two set-up
    screens racing cannot both create the first manager)."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 80:
        raise StaffAuthError(N_("A name has 2 to 80 characters."))
    if role not in ROLES:
        raise StaffAuthError(N_("Choose a role: clerk, manager or admin."))
    if not (pin.isdigit() and len(pin) in range(6, 13)):
        raise StaffAuthError(N_("A new PIN has 6 to 12 digits."))
    creator = fetch_one(db, "SELECT role FROM staff WHERE id = ?", [by]) if by else None
    if role == "admin" and (creator is None or creator["role"] != "admin"):
        raise StaffAuthError(N_("Only an admin can create an admin account."))
    staff_id = str(uuid.uuid4())
    with write_transaction(db):
        inserted = db.execute("INSERT INTO staff (id, store_id, name, role, pin_hash, active) SELECT ?, ?, ?, ?, ?, 1 "
                              "WHERE NOT ? OR NOT EXISTS (SELECT 1 FROM staff WHERE store_id = ?)",
                              [staff_id, store_id, name, role, hash_pin(pin), first, store_id]).rowcount
        if not inserted:
            raise StaffAuthError(N_("This store already has staff: sign in, and a manager adds the others."))
        audit.record(db, staff_id=by, action="staff_added", staff=staff_id, role=role)
    return staff_id


def add_first_manager(db, store_id: str, name: str, pin: str, pin_again: str) -> str:
    """The store's first account, made on the terminal's first sign-in page after enrolment: a manager who
    chose their own PIN. Only while the store has no staff at all (then the page is gone)."""
    if pin != pin_again:
        raise StaffAuthError(N_("The two PINs differ: type the same PIN twice."))
    return add_staff(db, store_id, name, "manager", pin, None, first=True)


def has_staff(db, store_id: str) -> bool:
    return db.execute("SELECT 1 FROM staff WHERE store_id = ? LIMIT 1", [store_id]).fetchone() is not None


def set_active(db, staff_id: str, active: bool, by: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE staff SET active = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?",
                   [int(active), staff_id])
        audit.record(db, staff_id=by, action="staff_activated" if active else "staff_deactivated", staff=staff_id)
        if not active:
            db.execute("DELETE FROM staff_sessions WHERE staff_id = ?", [staff_id])  # signed out everywhere


def sign_in_list(db) -> list[dict]:
    """Who can sign in on this terminal, by name."""
    return fetch_all(db, "SELECT id, name FROM staff WHERE active = 1 ORDER BY name")


def members(db, store_id: str) -> list[dict]:
    """The store's staff for the managers' page: active first."""
    return fetch_all(db, "SELECT id, name, role, active, locked_until FROM staff WHERE store_id = ? "
                         "ORDER BY active DESC, name", [store_id])


def is_member(db, staff_id: str, store_id: str) -> bool:
    return fetch_one(db, "SELECT 1 AS yes FROM staff WHERE id = ? AND store_id = ?", [staff_id, store_id]) is not None


def name_of(db, staff_id: str) -> str:
    row = fetch_one(db, "SELECT name FROM staff WHERE id = ?", [staff_id])
    return row["name"] if row else ""


def open_session(db, staff_id: str) -> str:
    """A server-side session for a signed-in clerk: the cookie names it, sign-out deletes it."""
    sid = secrets.token_urlsafe(24)
    with write_transaction(db):
        db.execute("INSERT INTO staff_sessions VALUES (?, ?, ?)", [sid, staff_id, utcnow()])
    return sid


def session_member(db, sid: str, staff_id: str, max_minutes: int, now: datetime | None = None) -> dict | None:
    """The active staff row of a live session (not closed, not older than `max_minutes` however active)."""
    oldest = ((now or datetime.now(UTC)) - timedelta(minutes=max_minutes)).isoformat(timespec="seconds")
    return fetch_one(db, "SELECT s.* FROM staff_sessions x JOIN staff s ON s.id = x.staff_id WHERE x.sid = ? "
                         "AND x.staff_id = ? AND x.created_at >= ? AND s.active = 1", [sid, staff_id, oldest])


def close_session(db, sid: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM staff_sessions WHERE sid = ?", [sid])
