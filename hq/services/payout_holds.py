"""Payouts a supervisor decides on (issue 29): one set aside with the reason (`hold`: its account cannot be
carried in a SEPA file, or it is above its store's cap), which they correct, approve or reject on HQ's payouts
page while the others are exported; each store's payout policy (its cap, and whether it pays before HQ has the
device); and a cancel that reached HQ after the transfer was ordered, flagged until a supervisor has handled it.

A store's payouts act only on that store's trade-ins (hq.services.payouts.record_requests); here every change is by
a signed-in supervisor and writes an hq_events row in the same transaction.
"""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken

from core.clock import utcnow_ms
from core.messages import N_, Message
from core.payout import account_from_json
from core.text import has_control
from hq.services.receiving import event
from hq.storage import Storage

# Why a payout is set aside: kept in English in hq_payouts.note, shown translated.
UNREADABLE = ("account", N_("the account cannot be opened with HQ's keys: reject it and ask the store again"))
BAD_HOLDER = ("holder", N_("the holder's name cannot be carried in a SEPA file: correct it or reject the payout"))
BAD_ACCOUNT = ("account", N_("the IBAN or BIC cannot be carried in a SEPA file: reject the payout and ask the "
                             "store for the seller's account again"))
FILE_REFUSED = ("holder", N_("the bank file's schema refused this payment: check the holder's name, or reject it"))
ABOVE_CAP = N_("above this store's cap: a supervisor approves it before it is paid")
LATE_CANCEL = N_("cancelled at the store after its transfer was ordered: the money may have left")
MAX_CAP_UNITS = 1_000_000
APPROVABLE = ("cap", "daily", "same_account")  # holds a supervisor may approve (payout_limits holds the last two)


class HoldError(ValueError):
    """Why the supervisor's action cannot be done (a core.messages text)."""


def hold(tx, unfit: list[tuple[str, str, tuple[str, str]]], staff_name: str) -> None:
    """Set payouts aside (uuid, store, (kind, reason)): back to pending with the reason, out of any file."""
    now = utcnow_ms()
    for tradein_uuid, store_id, (kind, reason) in unfit:
        tx.run("UPDATE hq_payouts SET status = 'pending', hold = %s, note = %s, updated_at = %s WHERE "
               "tradein_uuid = %s AND status IN ('pending', 'exported')", [kind, reason, now, tradein_uuid])
        event(tx, {"uuid": tradein_uuid, "store_id": store_id}, "payout_held", staff_name, reason=reason)


def hold_above_cap(tx, store_id: str | None = None) -> None:
    """Pending payouts above their store's cap wait for a supervisor's approval (the cap may have been lowered
    since they arrived, so the export asks again)."""
    one_store, params = ("AND store_id = %s ", [store_id]) if store_id else ("", [])
    tx.run("UPDATE hq_payouts SET hold = 'cap', note = %s WHERE status = 'pending' AND hold IS NULL AND "
           f"approved_holds NOT LIKE %s {one_store}AND amount_minor > (SELECT payout_cap_minor FROM hq_stores WHERE "
           "hq_stores.id = hq_payouts.store_id)", [ABOVE_CAP, "%cap%", *params])


def flag_late_cancels(tx, store_id: str, tradein_uuids: list[str], now: str) -> None:
    """This store's cancels of trade-ins whose transfer was already in a file or sent: flagged, never undone."""
    for tradein_uuid in tradein_uuids:
        if tx.run("UPDATE hq_payouts SET late_cancel_at = %s WHERE tradein_uuid = %s AND store_id = %s AND "
                  "status IN ('exported', 'sent') AND late_cancel_at IS NULL", [now, tradein_uuid, store_id]).rowcount:
            event(tx, {"uuid": tradein_uuid, "store_id": store_id}, "payout_cancelled_late", None)


def _held(tx, tradein_uuid: str, kinds: tuple[str, ...]) -> dict:
    rows = tx.rows("SELECT store_id, hold, account FROM hq_payouts WHERE tradein_uuid = %s AND status = 'pending' "
                   "AND hold IS NOT NULL", [tradein_uuid])
    if not rows or rows[0][1] not in kinds:
        raise HoldError(N_("This payout is not waiting for that decision."))
    return {"uuid": tradein_uuid, "store_id": rows[0][0], "account": rows[0][2], "hold": rows[0][1]}


def approve(storage: Storage, tradein_uuid: str, staff_name: str) -> None:
    """A payout held for a supervisor's approval (above its store's cap or daily total, or to an account paid
    lately), approved for that reason: it goes into the next file unless another reason holds it again."""
    with storage.transaction() as tx:
        held = _held(tx, tradein_uuid, APPROVABLE)
        tx.run("UPDATE hq_payouts SET hold = NULL, approved_by = %s, approved_holds = approved_holds || %s, "
               "note = '', updated_at = %s WHERE tradein_uuid = %s",
               [staff_name, f",{held['hold']}", utcnow_ms(), tradein_uuid])
        event(tx, held, "payout_approved", staff_name, hold=held["hold"])


def correct_holder(storage: Storage, tradein_uuid: str, holder: str, staff_name: str) -> None:
    """The holder's name as the bank writes it, checked by core.payout (the terminal's rules)."""
    with storage.transaction() as tx:
        held = _held(tx, tradein_uuid, ("holder",))
        try:
            raw = json.loads(storage.box.open(held["account"]))
        except (InvalidToken, ValueError):
            raise HoldError(UNREADABLE[1]) from None
        account = account_from_json({**raw, "holder": holder[:200]}) if isinstance(raw, dict) else None
        if account is None:
            raise HoldError(N_("A bank transfer carries the holder's name in Latin letters only (accents are fine; "
                               "no emoji, symbol or other script): type it as the bank writes it on the account's "
                               "details."))
        tx.run("UPDATE hq_payouts SET account = %s, hold = NULL, note = '', updated_at = %s WHERE tradein_uuid = %s",
               [storage.box.seal(json.dumps(account.as_json())), utcnow_ms(), tradein_uuid])
        event(tx, held, "payout_corrected", staff_name)


def reject(storage: Storage, tradein_uuid: str, reason: str, staff_name: str) -> None:
    """Not paid by transfer: the store hears it with the reason (the seller is paid another way)."""
    reason = " ".join(reason.split())[:200]
    if has_control(reason):
        raise HoldError(N_("Remove the control characters from this field (they cannot be printed)."))
    if len(reason) < 5:
        raise HoldError(N_("Say why in a few words (at least 5 characters): the store reads it."))
    with storage.transaction() as tx:
        held = _held(tx, tradein_uuid, ("holder", "account", *APPROVABLE))
        tx.run("UPDATE hq_payouts SET status = 'returned', hold = NULL, note = %s, updated_at = %s WHERE "
               "tradein_uuid = %s", [reason, utcnow_ms(), tradein_uuid])
        event(tx, held, "payout_rejected", staff_name, reason=reason)


def settle_late_cancel(storage: Storage, tradein_uuid: str, note: str, staff_name: str) -> None:
    """A supervisor has dealt with a cancel that came after the transfer (recall, store credit...): unflagged."""
    note = " ".join(note.split())[:200]
    if has_control(note):
        raise HoldError(N_("Remove the control characters from this field (they cannot be printed)."))
    if len(note) < 5:
        raise HoldError(N_("Say what was done in a few words (at least 5 characters)."))
    with storage.transaction() as tx:
        rows = tx.rows("SELECT store_id FROM hq_payouts WHERE tradein_uuid = %s AND late_cancel_at IS NOT NULL AND "
                       "late_cancel_note IS NULL", [tradein_uuid])
        if not rows:
            raise HoldError(N_("This payout is not waiting for that decision."))
        tx.run("UPDATE hq_payouts SET late_cancel_note = %s WHERE tradein_uuid = %s", [note, tradein_uuid])
        event(tx, {"uuid": tradein_uuid, "store_id": rows[0][0]}, "payout_late_cancel_settled", staff_name,
              note=note)


def late_cancels(storage: Storage) -> list[dict]:
    names = ("tradein_uuid", "code", "amount_minor", "currency", "status", "late_cancel_at")
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {', '.join(names)} FROM hq_payouts WHERE late_cancel_at IS NOT NULL AND "
                       "late_cancel_note IS NULL ORDER BY late_cancel_at LIMIT 500")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _whole_units(text: str) -> int | None:
    units = text.strip()
    return int(units) if units.isascii() and units.isdigit() and 1 <= int(units) <= MAX_CAP_UNITS else None


def set_policy(storage: Storage, store_id: str, cap: str, before_receipt: bool, daily: str = "") -> None:
    """A store's cap (whole units of its currency), whether its payouts may leave before HQ has the device, and
    its daily total of those (blank: 5 x the cap, hq.services.payout_limits)."""
    units, daily_units = _whole_units(cap), _whole_units(daily) if daily.strip() else None
    if units is None:
        raise HoldError(Message(N_("The cap is a whole amount between 1 and %(most)s."), most=MAX_CAP_UNITS))
    if daily.strip() and daily_units is None:
        raise HoldError(Message(N_("The daily total is blank or a whole amount between 1 and %(most)s."),
                                most=MAX_CAP_UNITS))
    daily_minor = daily_units * 100 if daily_units is not None else None
    with storage.transaction() as tx:
        if not tx.run("UPDATE hq_stores SET payout_cap_minor = %s, payout_before_receipt = %s, payout_daily_minor = %s "
                      "WHERE id = %s", [units * 100, int(before_receipt), daily_minor, store_id]).rowcount:
            raise HoldError(N_("Unknown store."))
        hold_above_cap(tx, store_id)


def policies(storage: Storage) -> list[dict]:
    names = ("id", "name", "payout_cap_minor", "payout_before_receipt", "currency", "payout_daily_minor")
    with storage.read() as tx:  # the daily total as it applies: the store's own or 5 x its cap
        rows = tx.rows(f"SELECT {', '.join(names[:-1])}, coalesce(payout_daily_minor, 5 * payout_cap_minor) FROM "
                       "hq_stores WHERE revoked_at IS NULL ORDER BY name")
    return [dict(zip(names, row, strict=True)) for row in rows]
