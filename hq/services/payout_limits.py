"""Limits on what HQ pays out beyond each payout's cap (issue 32). An attack found that a store whose policy is
"cap 100, pays before receipt" could send 20 forged trade-ins of 100 € to one account and have one export pay
them all. So two more holds, each waiting for a supervisor's approval on the held tab like the cap's:

- a store's daily total of payouts exported before HQ has the device (its policy; 5 x its cap unless set): the
  payouts that would take the day's total above it are held;
- a payout to an account another payout (any store) used in the last 30 days is held with the other's date.
  Accounts are compared by a keyed fingerprint of the IBAN (hq_payouts.account_fp, HMAC under HQ's data key), so
  the database holds no IBAN in clear.

A supervisor's approval releases one kind of hold (hq_payouts.approved_holds): a payout held twice asks twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.messages import N_, Message, stored_text
from hq.services import payout_holds

SAME_ACCOUNT_DAYS = 30
DAILY_TIMES_CAP = 5  # the daily total before receipt when a store's policy does not set one
SAME_ACCOUNT = N_("the same account was paid for another trade-in on %(day)s")
ABOVE_DAILY = N_("above this store's daily total for payouts before the device is received: a supervisor "
                 "approves it before it is paid")
_NOT_APPROVED = "p.approved_holds NOT LIKE %s"


def _not_approved(kind: str) -> str:
    return f"%{kind}%"


def hold_same_account(tx, staff_name: str | None, tradein_uuids: list[str] | None = None) -> None:
    """Pending payouts whose account another, earlier payout used in the last 30 days: held with its date. The
    earliest of a group goes on (the order is the request's time, then its uuid: one of a batch is first)."""
    # A re-queued payout (attempt 2 on) was judged before its first file: the bank's return is no new account.
    rows = tx.rows("SELECT p.tradein_uuid, p.store_id, p.account_fp, p.requested_at FROM hq_payouts p WHERE "
                   "p.status = 'pending' AND p.hold IS NULL AND p.attempt = 1 AND p.account_fp IS NOT NULL AND "
                   f"{_NOT_APPROVED}",
                   [_not_approved("same_account")])
    chosen = set(tradein_uuids) if tradein_uuids is not None else None
    held = []
    for tradein_uuid, store_id, fingerprint, requested_at in rows:
        if chosen is not None and tradein_uuid not in chosen:
            continue
        day = _earlier_use(tx, tradein_uuid, fingerprint, requested_at)
        if day:
            held.append((tradein_uuid, store_id, ("same_account", stored_text(Message(SAME_ACCOUNT, day=day)))))
    payout_holds.hold(tx, held, staff_name)


def _earlier_use(tx, tradein_uuid: str, fingerprint: str, requested_at: str) -> str | None:
    """The day another payout to this account was asked for, in the 30 days before this one; a payout rejected
    or cancelled ('returned' without a new attempt) paid nobody and does not count."""
    since = (datetime.fromisoformat(requested_at) - timedelta(days=SAME_ACCOUNT_DAYS)).isoformat(
        timespec="milliseconds")
    rows = tx.rows("SELECT requested_at FROM hq_payouts WHERE account_fp = %s AND tradein_uuid <> %s AND "
                   "status <> 'returned' AND requested_at >= %s AND (requested_at < %s OR (requested_at = %s AND "
                   "tradein_uuid < %s)) ORDER BY requested_at DESC LIMIT 1",
                   [fingerprint, tradein_uuid, since, requested_at, requested_at, tradein_uuid])
    return rows[0][0][:10] if rows else None


def _paid_before_receipt(tx, store_id: str, day: str) -> int:
    """What this store's payouts in files made today (UTC) came to, for devices HQ had not received then."""
    rows = tx.rows("SELECT coalesce(sum(p.amount_minor), 0) FROM hq_payout_items i JOIN hq_payout_exports x ON "
                   "x.id = i.export_id JOIN hq_payouts p ON p.tradein_uuid = i.tradein_uuid JOIN hq_tradeins t ON "
                   "t.uuid = p.tradein_uuid WHERE p.store_id = %s AND x.created_at >= %s AND (t.received_at IS NULL "
                   "OR t.received_at > x.created_at)", [store_id, day])
    return int(rows[0][0])


def _over_daily_total(tx, store_id: str, limit: int, day: str) -> list[str]:
    """The ready payouts before receipt that would take today's total above the limit: approved ones count
    first, then the others in the order they came, and from the first that does not fit all wait."""
    rows = tx.rows("SELECT p.tradein_uuid, p.amount_minor, p.approved_holds FROM hq_payouts p JOIN hq_tradeins t ON "
                   "t.uuid = p.tradein_uuid WHERE p.store_id = %s AND p.status = 'pending' AND p.hold IS NULL AND "
                   "t.received_at IS NULL AND p.currency = 'EUR' ORDER BY p.requested_at, p.code", [store_id])
    total = _paid_before_receipt(tx, store_id, day) + sum(r[1] for r in rows if "daily" in r[2])
    over: list[str] = []
    for tradein_uuid, amount, approved in rows:
        if "daily" in approved:
            continue
        if over or total + amount > limit:
            over.append(tradein_uuid)
        else:
            total += amount
    return over


def hold_above_daily_total(tx, staff_name: str, now: str) -> None:
    """At export: for each store paying before receipt, what would pass its daily total waits for a supervisor."""
    stores = tx.rows("SELECT id, coalesce(payout_daily_minor, %s * payout_cap_minor) FROM hq_stores WHERE "
                     "payout_before_receipt = 1", [DAILY_TIMES_CAP])
    for store_id, limit in stores:
        over = _over_daily_total(tx, store_id, int(limit), now[:10])
        payout_holds.hold(tx, [(u, store_id, ("daily", ABOVE_DAILY)) for u in over], staff_name)
