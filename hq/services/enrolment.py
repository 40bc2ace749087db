"""The store registry's go-live side: a store's profile (core.store_profile), one-time enrolment codes a
terminal exchanges for the store's id, HMAC secret and profile, and revoking a terminal's access.

An enrolment code is single use, expires (HQ_ENROLMENT_HOURS), and is kept only as its SHA-256 (it carries
60 random bits, so a hash is enough: nobody can search that space through a rate-limited door). Exchanging it
gives the store a new secret: re-enrolling replacement hardware keeps the store id and cuts the old terminal off.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from core.clock import utcnow_ms
from core.codes import ENROLMENT
from core.store_profile import FIELDS, validate_profile
from hq.storage import Storage


class EnrolmentRefused(ValueError):
    """The code is unknown, used, expired, or its store revoked; str(err) says which."""


def _hash(code: str) -> str:
    """Kept instead of the code; the code as typed is read first (case, dashes, 0/O and 1/I/L do not matter)."""
    return hashlib.sha256(ENROLMENT.typed(code).encode()).hexdigest()


def issue_code(storage: Storage, store_id: str, hours: int) -> str:
    """A fresh one-time code for the store (earlier unused ones stay valid until they expire)."""
    code, now = ENROLMENT.mint(), datetime.now(UTC)
    with storage.transaction() as tx:
        if not tx.rows("SELECT 1 FROM hq_stores WHERE id = %s", [store_id]):
            raise LookupError(f"unknown store {store_id}")
        tx.run("INSERT INTO hq_enrolment_codes VALUES (%s, %s, %s, %s, NULL)",
               [_hash(code), store_id, now.isoformat(timespec="milliseconds"),
                (now + timedelta(hours=hours)).isoformat(timespec="milliseconds")])
    return code


def add_store(storage: Storage, raw_profile: dict, hours: int) -> tuple[str, str]:
    """A new store with its validated profile: (store id, first enrolment code). No secret is given out:
    the terminal gets one when it exchanges the code."""
    profile = validate_profile(raw_profile)
    store_id = f"st_{uuid.uuid4().hex[:16]}"
    with storage.transaction() as tx:
        tx.run(f"INSERT INTO hq_stores (id, name, secret, created_at, {', '.join(FIELDS[:1] + FIELDS[2:])}) "
               f"VALUES (%s, %s, %s, %s, {', '.join(['%s'] * (len(FIELDS) - 1))})",
               [store_id, profile["trading_name"], storage.box.seal(secrets.token_urlsafe(32)), utcnow_ms(),
                profile["legal_name"], *(profile[f] for f in FIELDS[2:])])
    return store_id, issue_code(storage, store_id, hours)


def update_profile(storage: Storage, store_id: str, raw_profile: dict) -> dict:
    profile = validate_profile(raw_profile)
    columns = [f for f in FIELDS if f != "trading_name"]  # the trading name is the store's name
    with storage.transaction() as tx:
        tx.run(f"UPDATE hq_stores SET name = %s, {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s",
               [profile["trading_name"], *(profile[c] for c in columns), store_id])
    return profile


def profile_of(tx, store_id: str) -> dict | None:
    columns = [f for f in FIELDS if f != "trading_name"]
    rows = tx.rows(f"SELECT name, {', '.join(columns)}, revoked_at, created_at FROM hq_stores WHERE id = %s",
                   [store_id])
    if not rows:
        return None
    names = ("trading_name", *columns, "revoked_at", "created_at")
    return {"id": store_id, **dict(zip(names, rows[0], strict=True))}


def exchange(storage: Storage, code: str) -> dict:
    """Use a code once: the store gets a new secret (the old one stops working) and the terminal its
    store id, secret and profile. Refused codes change nothing."""
    now, code_hash = utcnow_ms(), _hash(code)
    secret = secrets.token_urlsafe(32)
    with storage.transaction() as tx:
        # One statement claims the code: of two exchanges at once, PostgreSQL's second waits on the row and finds
        # it used (READ COMMITTED re-checks the WHERE), SQLite's waits for the write lock. A SELECT first would
        # let both see it unused.
        claimed = tx.rows("UPDATE hq_enrolment_codes SET used_at = %s WHERE code_hash = %s AND used_at IS NULL "
                          "AND expires_at >= %s RETURNING store_id", [now, code_hash, now])
        if not claimed:
            raise EnrolmentRefused(_why_refused(tx, code_hash))
        store_id = claimed[0][0]
        tx.run("UPDATE hq_stores SET secret = %s, revoked_at = NULL WHERE id = %s",
               [storage.box.seal(secret), store_id])
        profile = profile_of(tx, store_id)
    return {"store_id": store_id, "secret": secret,
            "profile": {k: profile[k] for k in FIELDS}}


def _why_refused(tx, code_hash: str) -> str:
    rows = tx.rows("SELECT used_at FROM hq_enrolment_codes WHERE code_hash = %s", [code_hash])
    if not rows:
        return "unknown enrolment code: check it, or ask HQ for a new one"
    if rows[0][0]:
        return "this enrolment code was already used: ask HQ for a new one"
    return "this enrolment code has expired: ask HQ for a new one"


def revoke(storage: Storage, store_id: str) -> None:
    """Cut the store's terminals off at once: the secret they hold no longer signs anything, and unused codes
    die. A new enrolment code brings a terminal back (with a new secret)."""
    with storage.transaction() as tx:
        if not tx.rows("SELECT 1 FROM hq_stores WHERE id = %s", [store_id]):
            raise LookupError(f"unknown store {store_id}")
        tx.run("UPDATE hq_stores SET secret = %s, revoked_at = %s WHERE id = %s",
               [storage.box.seal(secrets.token_urlsafe(32)), utcnow_ms(), store_id])
        tx.run("UPDATE hq_enrolment_codes SET used_at = %s WHERE store_id = %s AND used_at IS NULL",
               [utcnow_ms(), store_id])


def profiles(storage: Storage) -> list[dict]:
    """Every store's profile, by name (the stores page)."""
    with storage.read() as tx:
        ids = [row[0] for row in tx.rows("SELECT id FROM hq_stores ORDER BY name")]
        return [profile_of(tx, store_id) for store_id in ids]


def profile(storage: Storage, store_id: str) -> dict | None:
    with storage.read() as tx:
        return profile_of(tx, store_id)
