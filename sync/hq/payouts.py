"""Paying sellers by bank transfer: each trade-in paid by transfer reaches HQ as its own `payout.requested`
record; a supervisor exports the pending ones as one SEPA Credit Transfer file (pain.001.001.03, built and
checked against its XSD by sepaxml), marks the file sent once the bank took it, and re-queues a payment the
bank rejected or returned, with the reason. Each change is an hq_events row the store pulls into its feed.

A payout is in exactly one file per attempt: the export moves rows from pending with a conditional UPDATE in
the transaction that writes the file, so two supervisors exporting at once cannot both include one.
The seller's account is sealed at rest with the same keys as the stores' secrets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sepaxml import SepaTransfer

from core.clock import utcnow_ms
from core.messages import N_
from core.payout import BankAccount, open_from_store
from sync.hq.receiving import event
from sync.hq.storage import Storage

STATUSES = ("pending", "exported", "sent", "returned")
CANCELLED_NOTE = N_("trade-in cancelled at the store")  # kept in English, shown translated
SHOWN = ("tradein_uuid", "store_id", "code", "amount_minor", "currency", "iban_last4", "status", "attempt",
         "requested_at", "updated_at", "note")


class PayoutError(ValueError):
    """Why the action cannot be done; shown to the supervisor."""


@dataclass(frozen=True)
class AccountKeys:
    """What reads a store's payout request: the store's HMAC secret (the account is sealed under a key derived
    from it, core.payout.seal_for_hq) and HQ's own sealing for the account at rest."""

    store_secret: str
    seal: Callable[[str], str]


def payout_row(store_id: str, payload: dict, keys: AccountKeys, now: str) -> tuple | None:
    """The hq_payouts row of a synced request, or None when it is not a well-formed one (the account is checked
    again with core.payout, the same code the terminal ran)."""
    account = open_from_store(payload.get("account_sealed"), keys.store_secret)
    amount = payload.get("amount_minor")
    tradein_uuid, code, currency = (payload.get(k) for k in ("tradein_uuid", "code", "currency"))
    if account is None or not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < 10**9:
        return None
    if not all(isinstance(v, str) and 0 < len(v) <= 64 and "\x00" not in v for v in (tradein_uuid, code, currency)):
        return None
    return (tradein_uuid, store_id, code, amount, currency[:3], keys.seal(json.dumps(account.as_json())),
            account.iban[-4:], "pending", 1, now, now, "")


def record_requests(tx, store_id: str, rows: list[tuple]) -> None:
    """Only for this store's own trade-in, paid by transfer, for no more than its total (a store cannot make HQ
    pay for another store's trade-in, nor more than it bought for)."""
    tx.many("INSERT INTO hq_payouts SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 "
            "FROM hq_tradeins WHERE uuid = %s AND store_id = %s AND total_minor >= %s AND payout_method = "
            "'bank_transfer' AND store_state NOT IN ('cancelled', 'declined')) ON CONFLICT (tradein_uuid) DO NOTHING",
            [(*row, row[0], store_id, row[3]) for row in rows])


def cancel_requests(tx, store_id: str, tradein_uuids: list[str], now: str) -> None:
    """A trade-in cancelled at the store before its transfer left: nothing is to be paid."""
    tx.many("UPDATE hq_payouts SET status = 'returned', note = %s, updated_at = %s "
            "WHERE tradein_uuid = %s AND store_id = %s AND status = 'pending'",
            [(CANCELLED_NOTE, now, tradein_uuid, store_id) for tradein_uuid in tradein_uuids])


def payouts(storage: Storage, status: str | None = None) -> list[dict]:
    where, params = ("WHERE status = %s", [status]) if status in STATUSES else ("", [])
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {', '.join(SHOWN)} FROM hq_payouts {where} ORDER BY requested_at, code", params)
    return [dict(zip(SHOWN, row, strict=True)) for row in rows]


def exports(storage: Storage) -> list[dict]:
    names = ("id", "created_at", "created_by", "payouts", "total_minor", "sent_at", "sent_by")
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {', '.join(names)} FROM hq_payout_exports ORDER BY created_at DESC LIMIT 100")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _transfer_file(debtor: dict, items: list[tuple[dict, BankAccount]], execution: date, msg_id: str) -> bytes:
    config = {"name": debtor["name"], "IBAN": debtor["iban"], "batch": True, "currency": "EUR"}
    if debtor.get("bic"):
        config["BIC"] = debtor["bic"]
    sepa = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    sepa.msg_id = msg_id
    for payout, account in items:
        payment = {"name": account.holder, "IBAN": account.iban, "amount": payout["amount_minor"],
                   "execution_date": execution, "description": f"Trade-in {payout['code']}",
                   "endtoend_id": payout["code"].replace("-", "")[:35]}
        if account.bic:
            payment["BIC"] = account.bic
        sepa.add_payment(payment)
    return sepa.export(validate=True)  # checked against the pain.001.001.03 XSD


def export_pending(storage: Storage, debtor: dict, staff_name: str, execution: date | None = None) -> dict:
    """Every pending EUR payout into one new SEPA file; they become `exported` in the same transaction."""
    if not debtor.get("iban") or not debtor.get("name"):
        raise PayoutError(N_("Set HQ_PAYOUT_NAME and HQ_PAYOUT_IBAN (the account HQ pays from) first."))
    export_id, now = f"PX{datetime.now(UTC):%Y%m%d%H%M%S}{uuid.uuid4().hex[:6].upper()}", utcnow_ms()
    with storage.transaction() as tx:
        rows = tx.rows("SELECT tradein_uuid, store_id, code, amount_minor, attempt, account FROM hq_payouts WHERE "
                       "status = 'pending' AND currency = 'EUR' ORDER BY requested_at, code LIMIT 5000")
        claimed = [r for r in rows if tx.run("UPDATE hq_payouts SET status = 'exported', updated_at = %s WHERE "
                                             "tradein_uuid = %s AND status = 'pending'", [now, r[0]]).rowcount == 1]
        if not claimed:
            raise PayoutError(N_("No payout is waiting: nothing was exported."))
        items = [({"code": r[2], "amount_minor": r[3]},
                  BankAccount(**json.loads(storage.box.open(r[5])))) for r in claimed]
        xml = _transfer_file(debtor, items, execution or date.today(), export_id).decode()
        total = sum(r[3] for r in claimed)
        tx.run("INSERT INTO hq_payout_exports VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL)",
               [export_id, now, staff_name, len(claimed), total, xml])
        tx.many("INSERT INTO hq_payout_items VALUES (%s, %s, %s)", [(export_id, r[0], r[4]) for r in claimed])
        for r in claimed:
            event(tx, {"uuid": r[0], "store_id": r[1]}, "payout_exported", staff_name, file=export_id)
    return {"id": export_id, "payouts": len(claimed), "total_minor": total}


def export_file(storage: Storage, export_id: str) -> str | None:
    with storage.read() as tx:
        rows = tx.rows("SELECT xml FROM hq_payout_exports WHERE id = %s", [export_id])
    return rows[0][0] if rows else None


def mark_sent(storage: Storage, export_id: str, staff_name: str) -> int:
    """The bank took the file: its payouts are sent (the seller's tracking page and the store say so)."""
    now = utcnow_ms()
    with storage.transaction() as tx:
        if tx.run("UPDATE hq_payout_exports SET sent_at = %s, sent_by = %s WHERE id = %s AND sent_at IS NULL",
                  [now, staff_name, export_id]).rowcount != 1:
            raise PayoutError(N_("This file is unknown or already marked sent."))
        rows = tx.rows("SELECT p.tradein_uuid, p.store_id FROM hq_payouts p JOIN hq_payout_items i ON "
                       "i.tradein_uuid = p.tradein_uuid AND i.attempt = p.attempt WHERE i.export_id = %s AND "
                       "p.status = 'exported'", [export_id])
        for tradein_uuid, store_id in rows:
            tx.run("UPDATE hq_payouts SET status = 'sent', updated_at = %s WHERE tradein_uuid = %s",
                   [now, tradein_uuid])
            event(tx, {"uuid": tradein_uuid, "store_id": store_id}, "payout_sent", staff_name, file=export_id)
    return len(rows)


def requeue(storage: Storage, tradein_uuid: str, reason: str, staff_name: str) -> None:
    """The bank rejected or returned this payment: it waits for the next file, as a new attempt."""
    reason = " ".join(reason.split())[:200]
    if len(reason) < 5:
        raise PayoutError(N_("Give the bank's reason (at least 5 characters)."))
    with storage.transaction() as tx:
        rows = tx.rows("SELECT store_id FROM hq_payouts WHERE tradein_uuid = %s AND status IN ('exported', 'sent')",
                       [tradein_uuid])
        if not rows:
            raise PayoutError(N_("Only an exported or sent payment can be re-queued."))
        tx.run("UPDATE hq_payouts SET status = 'pending', attempt = attempt + 1, note = %s, updated_at = %s "
               "WHERE tradein_uuid = %s", [reason, utcnow_ms(), tradein_uuid])
        event(tx, {"uuid": tradein_uuid, "store_id": rows[0][0]}, "payout_requeued", staff_name, reason=reason)
