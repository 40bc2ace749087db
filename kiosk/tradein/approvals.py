"""A manager's approval given on the quote screen, before the seller form: kept for the offer it approved, so a
changed price needs approval again. Used once, by the accept (its audit row names the approver)."""

from __future__ import annotations

from core.clock import utcnow
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_one, write_transaction
from kiosk.tradein.tradeins import _audit


def record(db, actor: Actor, ti: dict, approver_id: str) -> None:
    with write_transaction(db):
        db.execute("INSERT INTO tradein_approvals (tradein_uuid, approver_id, total_minor, approved_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (tradein_uuid) DO UPDATE SET approver_id = excluded.approver_id, "
                   "total_minor = excluded.total_minor, approved_at = excluded.approved_at",
                   [ti["uuid"], approver_id, ti["total_minor"], utcnow()])
        _audit(db, actor, ti["uuid"], "offer_approved", approved_by=approver_id, total_minor=ti["total_minor"])


def approver_of(db, ti: dict) -> str | None:
    """Who approved this very offer on the quote screen, if anyone did."""
    row = fetch_one(db, "SELECT approver_id FROM tradein_approvals WHERE tradein_uuid = ? AND total_minor = ?",
                    [ti["uuid"], ti["total_minor"]])
    return row["approver_id"] if row else None
