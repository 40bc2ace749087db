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

from cryptography.fernet import InvalidToken
from sepaxml import SepaTransfer

from core.clock import utcnow_ms
from core.markets import SEPA_CURRENCY
from core.messages import N_
from core.payout import BankAccount, account_from_json, account_problems, open_from_store, sepa_name
from hq.services import payout_holds, payout_limits
from hq.services.receiving import event
from hq.storage import Storage

STATUSES = ("pending", "held", "exported", "sent", "returned")  # "held": pending, set aside (hold) for a supervisor
CANCELLED_NOTE = N_("trade-in cancelled at the store")  # kept in English, shown translated
OFFER_OPEN_NOTE = N_("waits for the seller's answer to HQ's counter-offer")
OFFER_ZERO_NOTE = N_("the seller accepted HQ's counter-offer of nothing: no transfer")
OFFER_REFUSED_NOTE = N_("the seller refused HQ's counter-offer: the device goes back, no transfer")
SHOWN = ("tradein_uuid", "store_id", "code", "amount_minor", "currency", "iban_last4", "status", "attempt",
         "requested_at", "updated_at", "note", "hold", "waits_for_device")
# Exportable: not set aside, the device is at HQ unless its store's policy pays before receipt, and no counter-offer
# waits for the seller's answer (the amount may still change: hq.services.counter_offers).
READY = ("p.status = 'pending' AND p.hold IS NULL AND (t.received_at IS NOT NULL OR s.payout_before_receipt = 1) "
         "AND NOT EXISTS (SELECT 1 FROM hq_counter_offers c WHERE c.tradein_uuid = p.tradein_uuid AND "
         "c.status = 'open')")
JOINED = "hq_payouts p JOIN hq_tradeins t ON t.uuid = p.tradein_uuid JOIN hq_stores s ON s.id = p.store_id"
_WHERE = {"pending": "p.status = 'pending' AND p.hold IS NULL", "held": "p.status = 'pending' AND p.hold IS NOT NULL"}


class PayoutError(ValueError):
    """Why the action cannot be done; shown to the supervisor."""


@dataclass(frozen=True)
class AccountKeys:
    """What reads a store's payout request: the store's HMAC secret (the account is sealed under a key derived
    from it, core.payout.seal_for_hq), HQ's own sealing for the account at rest, and HQ's keyed fingerprint of the
    IBAN (payout_limits compares accounts with it)."""

    store_secret: str
    seal: Callable[[str], str]
    fingerprint: Callable[[str], str]


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
            account.iban[-4:], "pending", 1, now, now, "", keys.fingerprint(account.iban))


def record_requests(tx, store_id: str, rows: list[tuple]) -> None:
    """Only for this store's own trade-in, paid by transfer, for no more than its total (a store cannot make HQ
    pay for another store's trade-in, nor more than it bought for); above the store's cap, or to an account paid
    for another trade-in lately, it waits for a supervisor."""
    # The code and currency are the trade-in's as HQ holds it, never the request's words: a bank statement names the
    # trade-in that was bought, not one another store holds. No transfer for a trade-in already paid by voucher, nor
    # for a store that does not trade in euros (core.markets: a SEPA transfer carries euros only).
    tx.many("INSERT INTO hq_payouts (tradein_uuid, store_id, code, amount_minor, currency, account, iban_last4, "
            "status, attempt, requested_at, updated_at, note, account_fp) SELECT %s, %s, t.code, %s, "
            "coalesce(t.currency, %s), %s, %s, %s, %s, %s, %s, %s, %s FROM hq_tradeins t JOIN hq_stores s ON "
            "s.id = t.store_id WHERE t.uuid = %s AND t.store_id = %s AND t.total_minor >= %s AND "
            "t.payout_method = 'bank_transfer' AND t.store_state NOT IN ('cancelled', 'declined') AND "
            "coalesce(t.currency, %s) = %s AND coalesce(s.currency, %s) = %s AND "
            "NOT EXISTS (SELECT 1 FROM hq_vouchers v WHERE v.tradein_uuid = t.uuid) "
            "ON CONFLICT (tradein_uuid) DO NOTHING",
            [(row[0], row[1], *row[3:], row[0], store_id, row[3], *[SEPA_CURRENCY] * 4) for row in rows])
    if rows:
        payout_holds.hold_above_cap(tx, store_id)
        payout_limits.hold_same_account(tx, None, [row[0] for row in rows])


def cancel_requests(tx, store_id: str, tradein_uuids: list[str], now: str) -> None:
    """A trade-in cancelled at the store before its transfer left: nothing is to be paid. After it was ordered
    (a terminal offline since), the money may be gone: flagged for a supervisor."""
    tx.many("UPDATE hq_payouts SET status = 'returned', hold = NULL, note = %s, updated_at = %s "
            "WHERE tradein_uuid = %s AND store_id = %s AND status = 'pending'",
            [(CANCELLED_NOTE, now, tradein_uuid, store_id) for tradein_uuid in tradein_uuids])
    payout_holds.flag_late_cancels(tx, store_id, tradein_uuids, now)


def payouts(storage: Storage, status: str | None = None) -> list[dict]:
    where = _WHERE.get(status) or ("p.status = %s" if status in STATUSES else "1 = 1")
    params = [status] if "%s" in where else []
    columns = ", ".join(f"p.{c}" for c in SHOWN[:-1])
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {columns}, CASE WHEN p.status = 'pending' AND t.received_at IS NULL AND "
                       f"s.payout_before_receipt = 0 THEN 1 ELSE 0 END FROM {JOINED} WHERE {where} "
                       "ORDER BY p.requested_at, p.code LIMIT 2000", params)
    return [dict(zip(SHOWN, row, strict=True)) for row in rows]


def ready_count(storage: Storage) -> int:
    with storage.read() as tx:
        return tx.rows(f"SELECT count(*) FROM {JOINED} WHERE {READY} AND p.currency = 'EUR'")[0][0]


def exports(storage: Storage) -> list[dict]:
    names = ("id", "created_at", "created_by", "payouts", "total_minor", "sent_at", "sent_by")
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {', '.join(names)} FROM hq_payout_exports ORDER BY created_at DESC LIMIT 100")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _transfer_file(debtor: dict, items: list[tuple[dict, BankAccount]], execution: date, msg_id: str) -> bytes:
    config = {"name": sepa_name(debtor["name"]), "IBAN": debtor["iban"], "batch": True, "currency": "EUR"}
    if debtor.get("bic"):
        config["BIC"] = debtor["bic"]
    sepa = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    sepa.msg_id = msg_id
    for payout, account in items:
        payment = {"name": sepa_name(account.holder), "IBAN": account.iban, "amount": payout["amount_minor"],
                   "execution_date": execution, "description": f"Trade-in {payout['code']}",
                   "endtoend_id": payout["code"].replace("-", "")[:35]}
        if account.bic:
            payment["BIC"] = account.bic
        sepa.add_payment(payment)
    return sepa.export(validate=True)  # checked against the pain.001.001.03 XSD


def _debtor(debtor: dict) -> dict:
    """HQ's own account, checked with the rules a seller's is (a wrong setting would fail every file)."""
    if not debtor.get("iban") or not debtor.get("name"):
        raise PayoutError(N_("Set HQ_PAYOUT_NAME and HQ_PAYOUT_IBAN (the account HQ pays from) first."))
    account = account_from_json({"iban": debtor["iban"], "holder": debtor["name"], "bic": debtor.get("bic") or ""})
    if account is None:
        raise PayoutError(N_("HQ_PAYOUT_IBAN, HQ_PAYOUT_NAME or HQ_PAYOUT_BIC is not one a SEPA file can carry: "
                             "correct HQ's settings."))
    return {"name": account.holder, "iban": account.iban, "bic": account.bic}


def _carriable(storage: Storage, rows: list[tuple]) -> tuple[list[tuple[tuple, BankAccount]], list[tuple]]:
    """Each ready payout with its account checked again by core.payout, or (uuid, store, reason) when it cannot
    be carried: rows HQ took before these checks, or sealed under keys HQ no longer holds."""
    carried, unfit = [], []
    for row in rows:
        try:
            raw = json.loads(storage.box.open(row[5]))
        except (InvalidToken, ValueError):
            unfit.append((row[0], row[1], payout_holds.UNREADABLE))
            continue
        problems = account_problems(raw)
        if problems:
            reason = payout_holds.BAD_HOLDER if set(problems) == {"account_holder"} else payout_holds.BAD_ACCOUNT
            unfit.append((row[0], row[1], reason))
        else:
            carried.append((row, account_from_json(raw)))
    return carried, unfit


def _file_or_culprits(debtor: dict, items: list[tuple[tuple, BankAccount]], execution: date,
                      export_id: str) -> tuple[str | None, list[tuple]]:
    """The file's XML, or (when the XSD still refuses it) the payouts it refuses, each tried alone."""
    def file_of(chosen: list[tuple[tuple, BankAccount]]) -> str:
        return _transfer_file(debtor, [({"code": r[2], "amount_minor": r[3]}, account) for r, account in chosen],
                              execution, export_id).decode()
    try:
        return file_of(items), []
    except Exception:  # noqa: BLE001 - sepaxml raises bare Exception on a payment it refuses; found one by one below
        culprits = []
        for item in items:
            try:
                file_of([item])
            except Exception:  # noqa: BLE001
                culprits.append((item[0][0], item[0][1], payout_holds.FILE_REFUSED))
        return None, culprits


def _ready(tx) -> list[tuple]:
    return tx.rows(f"SELECT p.tradein_uuid, p.store_id, p.code, p.amount_minor, p.attempt, p.account FROM {JOINED} "
                   f"WHERE {READY} AND p.currency = 'EUR' ORDER BY p.requested_at, p.code LIMIT 5000")


def _claimed(tx, tradein_uuid: str, now: str) -> bool:
    """Conditional: of two supervisors exporting at once, one file takes each payout."""
    return tx.run("UPDATE hq_payouts SET status = 'exported', updated_at = %s WHERE tradein_uuid = %s AND "
                  "status = 'pending' AND hold IS NULL", [now, tradein_uuid]).rowcount == 1


def _record_file(tx, export_id: str, now: str, staff_name: str, claimed: list[tuple], xml: str) -> int:
    total = sum(r[3] for r in claimed)
    tx.run("INSERT INTO hq_payout_exports VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL)",
           [export_id, now, staff_name, len(claimed), total, xml])
    tx.many("INSERT INTO hq_payout_items VALUES (%s, %s, %s)", [(export_id, r[0], r[4]) for r in claimed])
    for r in claimed:
        event(tx, {"uuid": r[0], "store_id": r[1]}, "payout_exported", staff_name, file=export_id)
    return total


def export_pending(storage: Storage, debtor: dict, staff_name: str, execution: date | None = None) -> dict:
    """Every ready EUR payout into one new SEPA file; they become `exported` in the same transaction. A payout
    the file cannot carry is set aside with the reason (`held`, for a supervisor) and the others still go."""
    debtor, day = _debtor(debtor), execution or date.today()
    export_id, now = f"PX{datetime.now(UTC):%Y%m%d%H%M%S}{uuid.uuid4().hex[:6].upper()}", utcnow_ms()
    with storage.transaction() as tx:
        payout_holds.hold_above_cap(tx)
        payout_limits.hold_same_account(tx, staff_name)
        payout_limits.hold_above_daily_total(tx, staff_name, now)
        items, unfit = _carriable(storage, _ready(tx))
        payout_holds.hold(tx, unfit, staff_name)
        items = [item for item in items if _claimed(tx, item[0][0], now)]
        xml, culprits = _file_or_culprits(debtor, items, day, export_id)
        if culprits:
            payout_holds.hold(tx, culprits, staff_name)
            items = [item for item in items if item[0][0] not in {c[0] for c in culprits}]
            xml, _ = _file_or_culprits(debtor, items, day, export_id)
        done = {"id": None, "payouts": 0, "total_minor": 0, "held": len(unfit) + len(culprits)}
        if items and xml is None:
            raise PayoutError(N_("The bank file could not be made: nothing was exported."))
        if items:
            claimed = [row for row, _ in items]
            done.update(id=export_id, payouts=len(claimed),
                        total_minor=_record_file(tx, export_id, now, staff_name, claimed, xml))
    return done


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


def await_answer(tx, tradein_uuid: str, now: str) -> None:
    """A counter-offer is made: the pending transfer says why it stays out of the next file (READY)."""
    tx.run("UPDATE hq_payouts SET note = %s, updated_at = %s WHERE tradein_uuid = %s AND status = 'pending'",
           [OFFER_OPEN_NOTE, now, tradein_uuid])


def lower_to(tx, tradein_uuid: str, new_minor: int, now: str) -> dict:
    """The seller accepted a counter-offer: the transfer still to make is the new amount (none at zero). One already
    in a bank file is not changed (counter_offers makes no offer then)."""
    if new_minor > 0:
        done = tx.rows("UPDATE hq_payouts SET amount_minor = %s, note = '', updated_at = %s WHERE tradein_uuid = %s "
                       "AND status = 'pending' RETURNING amount_minor", [new_minor, now, tradein_uuid])
    else:
        done = tx.rows("UPDATE hq_payouts SET status = 'returned', hold = NULL, note = %s, updated_at = %s WHERE "
                       "tradein_uuid = %s AND status = 'pending' RETURNING amount_minor",
                       [OFFER_ZERO_NOTE, now, tradein_uuid])
    return {"payout_minor": new_minor if done else None}


def cancel_for_refusal(tx, tradein_uuid: str, now: str) -> bool:
    """The seller refused a counter-offer: the transfer still to make is not made. False when it had left already."""
    return bool(tx.rows("UPDATE hq_payouts SET status = 'returned', hold = NULL, note = %s, updated_at = %s WHERE "
                        "tradein_uuid = %s AND status = 'pending' RETURNING tradein_uuid",
                        [OFFER_REFUSED_NOTE, now, tradein_uuid]))
