"""Sellers' rights on their data: export, rectification, erasure, retention purge, key rotation, and requests
logged with their deadline under the store's privacy regime (its jurisdiction pack: GDPR's month in France, the
New York store's CCPA-style 45 days). No Flask. The store's registers are a legal obligation: erasure leaves them
whole, and their records go only after the periods of the store's jurisdiction pack ([retention]: the police
register's 10 years in France, the dealer record's 6 in New York City; the database triggers refuse earlier
deletion)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import sqlite_utils

from core import jurisdiction, protocol
from core.clock import utcnow
from core.messages import N_, UserError
from core.retention import SELLER_AFTER_ACTIVITY, SELLER_AFTER_ORDER
from core.text import canonical_id_number
from kiosk.compliance import audit, dealer_record, register
from kiosk.compliance.crypto import DataCipher
from kiosk.evidence import photos
from kiosk.store.db import fetch_all, write_transaction
from sync import outbox

RECTIFIABLE = ("surname", "first_names", "address", "birth_date", "id_doc_issuer")
# The periods and their sources are data of the store's jurisdiction pack ([retention]): an identity goes once both
# seller periods have passed (from the last activity, from the last order: a trade-in is the seller's order); the
# police register's entries after its own period, at a store whose pack keeps one.
PURGED_ON = "retention_purged_on"  # the day the daily purge last ran (sync_state)
# Every kind any pack's regime has (a store takes its own pack's: core/data/jurisdictions).
REQUEST_KINDS = tuple(dict.fromkeys(kind for pack in jurisdiction.PACKS.values() for kind in pack.privacy.requests))


class NotADocumentNumber(UserError):
    """An ID number with a character no document prints: it names no seller (core.text.canonical_id_number)."""


def reference_for(cipher: DataCipher, id_doc_type: str, id_doc_number: str) -> str:
    """The pseudonymous seller id: the same ID document always gives the same id, whoever typed it
    (core.text.canonical_id_number: the form the seller form stores). A look-alike is refused, never hashed into
    another seller's id."""
    number = canonical_id_number(id_doc_number)
    if number is None:
        raise NotADocumentNumber(N_("Type the number with only the letters A to Z and the digits printed on the "
                                    "document (spaces and dashes do not matter)."))
    return cipher.pseudonym(f"{id_doc_type}:{number}")


def export(db: sqlite_utils.Database, cipher: DataCipher, seller_ref: str) -> dict:
    """Everything held about one seller, decrypted (right of access / portability)."""
    trade_ins = []
    for ti in fetch_all(db, "SELECT * FROM tradeins WHERE seller_ref = ? ORDER BY accepted_at", [seller_ref]):
        sealed, account = ti.pop("seller_identity"), ti.pop("payout_account")
        trade_ins.append({**ti, "seller": json.loads(cipher.decrypt(sealed)) if sealed else None,
                          "bank_account": json.loads(cipher.decrypt(account)) if account else None})
    uuids = [t["uuid"] for t in trade_ins]
    marks = ",".join("?" * len(uuids))
    entries = [{**e, "identity": json.loads(cipher.decrypt(e["identity"]))} for e in
               fetch_all(db, f"SELECT * FROM police_register WHERE tradein_uuid IN ({marks})", uuids)]
    with write_transaction(db):
        audit.record(db, "gdpr_export", seller_ref=seller_ref, trade_ins=len(trade_ins))
    return {"seller_ref": seller_ref, "exported_at": utcnow(), "trade_ins": trade_ins, "police_register": entries}


def rectify(db, cipher: DataCipher, seller_ref: str, field: str, value: str) -> int:
    """Correct a field on the seller's trade-ins. The register keeps what was recorded at the time."""
    if field not in RECTIFIABLE:
        raise ValueError(f"{field} cannot be rectified here; choose one of {', '.join(RECTIFIABLE)}")
    with write_transaction(db):
        rows = fetch_all(db, "SELECT uuid, seller_identity FROM tradeins WHERE seller_ref = ? AND "
                             "seller_identity IS NOT NULL", [seller_ref])
        for row in rows:
            identity = {**json.loads(cipher.decrypt(row["seller_identity"])), field: value}
            db.execute("UPDATE tradeins SET seller_identity = ? WHERE uuid = ?",
                       [cipher.encrypt(json.dumps(identity, sort_keys=True)), row["uuid"]])
        audit.record(db, "gdpr_rectify", seller_ref=seller_ref, field=field, trade_ins=len(rows))
    return len(rows)


def _redact(db, where: str, params: list) -> tuple[int, set[str]]:
    """Inside the caller's transaction: the identity and account leave these trade-ins, their photos' rows go (the
    files they leave unnamed are the caller's to remove once committed: returned), and the erasure travels to HQ as
    a synced record, so HQ blanks the seller's sealed account too (hq/payouts.erase_accounts) and its photos."""
    uuids = [r["uuid"] for r in fetch_all(db, f"SELECT uuid FROM tradeins WHERE {where}", params)]
    if not uuids:
        return 0, set()
    marks = ",".join("?" * len(uuids))
    db.execute(f"UPDATE tradeins SET seller_identity = NULL, seller_ref = NULL, payout_account = NULL "
               f"WHERE uuid IN ({marks})", uuids)
    # What the terminal kept of a payout HQ already holds: its account sealed for HQ, in the outbox row.
    db.execute(f"UPDATE outbox SET payload = json_remove(payload, '$.account_sealed') WHERE kind = ? AND seq <= "
               f"coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = 'acked_through_seq'), 0) "
               f"AND entity_uuid IN ({marks})", [protocol.PAYOUT_REQUESTED, *uuids])
    erasure = str(uuid.uuid4())
    outbox.append(db, erasure, protocol.SELLER_ERASED, {"uuid": erasure, "tradein_uuids": uuids,
                                                         "erased_at": utcnow()})
    return len(uuids), photos.forget_tradeins(db, uuids)


def codes_of(db, seller_ref: str) -> list[str]:
    """The codes of a seller's trade-ins (what their print files are named after)."""
    return [r["code"] for r in fetch_all(db, "SELECT code FROM tradeins WHERE seller_ref = ?", [seller_ref])]


def erase(db, seller_ref: str) -> int:
    """Right to erasure: identity leaves the trade-ins; the police register keeps its legal copy."""
    with write_transaction(db):
        redacted, files = _redact(db, "seller_ref = ?", [seller_ref])
        audit.record(db, "gdpr_erase", seller_ref=seller_ref, trade_ins=redacted)
    photos.remove_unreferenced(db, files)  # unless another trade-in's shot is the same file
    return redacted


def purge(db, now: datetime | None = None) -> dict:
    """Retention, by the periods of the store's jurisdiction pack: a seller's identity once both seller periods have
    passed (in France and New York City alike: 3 years since their last activity and 6 since their last accepted
    trade-in), and their trade-ins' photos with it; police register entries after the register's period, where the
    store keeps one (France: 10 years). Photos of trade-ins that bought nothing (declined, discarded, expired) go too.
    A New York City store's dealer records go at their own date (kiosk.compliance.dealer_report.purge_expired)."""
    now = now or datetime.now(UTC)
    periods = register.store_pack(db).retention
    activity_cutoff = periods[SELLER_AFTER_ACTIVITY].cutoff(now).isoformat(timespec="seconds")
    order_cutoff = periods[SELLER_AFTER_ORDER].cutoff(now).isoformat(timespec="seconds")
    with write_transaction(db):
        redacted, files = _redact(db, "seller_ref IN (SELECT seller_ref FROM tradeins WHERE seller_ref IS NOT "
                                      "NULL GROUP BY seller_ref HAVING max(accepted_at) < ? AND max(updated_at) < ?)",
                                  [order_cutoff, activity_cutoff])
        files |= photos.forget_tradeins(db, [r[0] for r in db.execute(
            "SELECT DISTINCT tradein_uuid FROM photos WHERE tradein_uuid IN (SELECT uuid FROM tradeins WHERE "
            "state = 'declined')").fetchall()])
        removed = _purge_register(db, now)
        audit.record(db, "retention_purge", seller_ref=None, redacted_trade_ins=redacted,
                     register_entries_removed=removed)
    photos.remove_unreferenced(db, files)
    photos.sweep(db)  # files of estimates the customer never ticketed (their rows went with the estimate)
    return {"redacted_trade_ins": redacted, "register_entries_removed": removed}


def _purge_register(db, now: datetime) -> int:
    """Inside the purge's transaction: the police register's entries past its period, at a store that keeps it."""
    kept = register.period(db)
    if kept is None:
        return 0
    cutoff = kept.cutoff(now).isoformat(timespec="seconds")
    register.mark_purge(db, cutoff)  # verify starts from here: the chain stays checkable
    return db.execute("DELETE FROM police_register WHERE entered_at < ?", [cutoff]).rowcount


def purge_if_due(db, now: datetime | None = None) -> dict | None:
    """The daily purge, run by the terminal's own background loop (run_kiosk.py): at most once a calendar day (UTC),
    whoever asks, so a restart or a second process does not purge twice; None when today's has run."""
    now = now or datetime.now(UTC)
    today = now.date().isoformat()
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [PURGED_ON]).fetchone()
    if row and row[0] >= today:
        return None
    result = purge(db, now)
    with write_transaction(db):
        db.execute("INSERT INTO sync_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [PURGED_ON, today])
    return result


def rotate(db, cipher: DataCipher) -> int:
    """Re-encrypt every stored identity under the newest key (plaintext, and so register hashes, unchanged)."""
    count = 0
    with write_transaction(db):
        for ti in fetch_all(db, "SELECT uuid, seller_identity, payout_account FROM tradeins "
                                "WHERE seller_identity IS NOT NULL OR payout_account IS NOT NULL"):
            db.execute("UPDATE tradeins SET seller_identity = ?, payout_account = ? WHERE uuid = ?",
                       [cipher.rotate(ti["seller_identity"]) if ti["seller_identity"] else None,
                        cipher.rotate(ti["payout_account"]) if ti["payout_account"] else None, ti["uuid"]])
            count += 1
        for entry in fetch_all(db, "SELECT seq, identity FROM police_register"):
            db.execute("UPDATE police_register SET identity = ? WHERE seq = ?", [cipher.rotate(entry["identity"]),
                                                                                  entry["seq"]])
            count += 1
        count += dealer_record.rotate(db, cipher)  # New York City's records, kept six years under the newest key
        audit.record(db, "key_rotated", seller_ref=None, rows=count)
    return count


def store_privacy(db) -> jurisdiction.Privacy:
    """This terminal's store's privacy regime (France's before enrolment)."""
    return register.store_pack(db).privacy


def log_request(db, seller_ref: str, kind: str, received: datetime | None = None, note: str = "") -> dict:
    """A seller asks to exercise a right: logged with the deadline the store's regime gives (GDPR art. 12(3): one
    month; the New York store's CCPA-style policy: 45 days, Cal. Civ. Code § 1798.130(a)(2))."""
    regime = store_privacy(db)
    if kind not in regime.requests:
        raise ValueError(f"kind must be one of {', '.join(regime.requests)}")
    received = received or datetime.now(UTC)
    due = regime.due_on(received.date())
    with write_transaction(db):
        cursor = db.execute("INSERT INTO privacy_requests (kind, seller_ref, received_at, due_on, note) "
                            "VALUES (?, ?, ?, ?, ?)", [kind, seller_ref, received.isoformat(timespec="seconds"),
                                                        due.isoformat(), note[:500]])
        audit.record(db, "gdpr_request", seller_ref=seller_ref, kind=kind, due_on=due.isoformat())
    return {"id": cursor.lastrowid, "kind": kind, "due_on": due.isoformat()}


def answer_request(db, request_id: int, note: str = "") -> bool:
    with write_transaction(db):
        done = db.execute("UPDATE privacy_requests SET answered_at = ?, note = note || ? WHERE id = ? "
                          "AND answered_at IS NULL", [utcnow(), f" {note}"[:500] if note else "", request_id]).rowcount
        if done:
            audit.record(db, "gdpr_request_answered", seller_ref=None, request=request_id)
    return bool(done)


def open_requests(db) -> list[dict]:
    """Requests not answered yet, the nearest deadline first (for the managers' page)."""
    return fetch_all(db, "SELECT id, kind, received_at, due_on, note FROM privacy_requests WHERE answered_at IS NULL "
                         "ORDER BY due_on, id")


def _one_month_after(day: date) -> date:
    """The same day next month (the month's last day when it has no such day): GDPR's deadline."""
    return jurisdiction.Deadline(months=1).after(day)
