"""When a seller is paid, as their tracking page says it at every step. Pure (HQ's tracking page asks it).

- Store credit: paid at the store when the trade-in was accepted (the voucher is issued then).
- A transfer HQ marked sent: paid that day. One in a SEPA file not yet marked sent: expected by the next business
  day after the file (a SEPA Credit Transfer reaches the account at D+1; public holidays are not counted).
- A transfer still to order: `days` (HQ_PAYOUT_EXPECTED_DAYS) after the later of the device reaching HQ (the
  acceptance, for a store that pays before receipt) and the seller's answer to a counter-offer. Before the device
  reaches HQ there is no date yet ("after receipt"), nor while a counter-offer waits for the seller's answer.
- A transfer HQ will not make (rejected, cancelled, refused): no date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class PaymentFacts:
    method: str  # "store_credit" | "bank_transfer"
    payout_status: str | None  # hq_payouts.status: pending, exported, sent, returned (None: no request yet)
    payout_at: str | None  # when the payout last changed (exported: the file's time; sent: when marked sent)
    accepted_at: str | None
    received_at: str | None
    answered_at: str | None = None  # the seller's (or the deadline's) answer to a counter-offer
    offer_open: bool = False
    before_receipt: bool = False  # the store's policy pays transfers before HQ receives the device


@dataclass(frozen=True)
class Expected:
    state: str  # paid | expected | after_receipt | after_answer | none
    at: datetime | None = None


def _next_business_day(at: datetime) -> datetime:
    at += timedelta(days=1)
    while at.weekday() >= 5:
        at += timedelta(days=1)
    return at


def expected_payment(facts: PaymentFacts, days: int) -> Expected:
    if facts.method == "store_credit":
        return Expected("paid", _at(facts.accepted_at)) if facts.accepted_at else Expected("none")
    if facts.payout_status == "returned":
        return Expected("none")
    if facts.payout_status == "sent" and facts.payout_at:
        return Expected("paid", _at(facts.payout_at))
    if facts.payout_status == "exported" and facts.payout_at:
        return Expected("expected", _next_business_day(_at(facts.payout_at)))
    if facts.offer_open:
        return Expected("after_answer")
    start = facts.accepted_at if facts.before_receipt else facts.received_at
    if not start:
        return Expected("after_receipt")
    since = max(_at(start), _at(facts.answered_at)) if facts.answered_at else _at(start)
    return Expected("expected", since + timedelta(days=days))


def _at(iso: str) -> datetime:
    at = datetime.fromisoformat(iso)
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # every stored time is UTC; an older record wrote no zone
