"""Counter-offers (issue 33): a supervisor who settles a dispute for HQ's grade (`settle_dispute`) lowers what the
seller is paid, so the seller is asked on their tracking page to accept the new amount, or refuse it and get the
device back free, by a deadline (HQ_COUNTER_OFFER_DAYS); silence then becomes the policy frozen on the offer when it
was made (HQ_COUNTER_OFFER_POLICY: accept, or return to the store). The rules, and why (docs/hq.md#counter-offers):

- The new amount is what the store paid less the grid's difference between the two grades (core.counter_offer).
- A transfer already in a bank file when the dispute is settled is not lowered: the offer is `waived`, the seller
  keeps what was sent and HQ takes the device at the old price. While an offer waits, its transfer waits too.
- Accepted: store credit loses the difference from the voucher's balance (as far as it goes: what was spent stays
  spent, the shortfall is written off); a transfer still to make is made for the new amount.
- Refused: nothing is paid and the device goes back (hq.services.device_returns): the voucher is voided, the transfer
  cancelled. If the seller has spent some of the voucher (or the transfer left), they keep the original amount and
  HQ keeps the device at the old price: taking money back from a seller is not something a store can do.
- One answer decides: hq_counter_offer_answers' primary key, written in the transaction that applies the answer. A
  second click, another tab or the deadline job finds the row and changes nothing.

Each step is an hq_events row the store pulls (counter_offer_made, _waived, _accepted, _refused)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import states
from core.counter_offer import ANSWERS, POLICIES, RETURN_METHODS, new_amount, postal_address
from core.messages import N_, UserError
from hq.services import device_returns, payouts, receiving, voucher_ledger
from hq.services.periodic import Periodic
from hq.services.receiving import event
from hq.storage import Storage

FIELDS = ("tradein_uuid", "store_id", "old_minor", "new_minor", "currency", "payout_method", "made_at", "deadline_at",
          "policy", "status", "outcome")
SWEEP_SECONDS = 3600  # deadlines are days long: an hour late at most


@dataclass(frozen=True)
class Terms:
    """HQ's settings when an offer is made: the days the seller has, and what silence becomes."""

    days: int = 14
    policy: str = "accept"


@dataclass(frozen=True)
class Answer:
    answer: str  # accept | refuse
    return_to: str = "store"  # refuse: store (pickup) | post
    address: str = ""  # post: the address as core.counter_offer.postal_address keeps it


def parse_answer(form: Mapping[str, str]) -> Answer:
    """The seller's form, checked: a refusal by post needs an address a parcel can carry (UserError otherwise)."""
    choice, return_to = form.get("answer", ""), form.get("return_to", "store")
    if choice not in ANSWERS or return_to not in RETURN_METHODS:
        raise UserError(N_("Choose to accept the new amount or to get your device back."))
    if choice == "accept" or return_to == "store":
        return Answer(choice, return_to)
    address = postal_address(form.get("address", ""))
    if address is None:
        raise UserError(N_("Type the full postal address the device is to be sent to (name, street, postcode and "
                           "town: 10 to 300 characters, 6 lines at most)."))
    return Answer(choice, "post", address)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def _transfer_left(tx, tradein_uuid: str) -> bool:
    return bool(tx.rows("SELECT 1 FROM hq_payouts WHERE tradein_uuid = %s AND status IN ('exported', 'sent')",
                        [tradein_uuid]))


def make(tx, ti: dict, store_minor: int | None, hq_minor: int | None, terms: Terms,
         now: datetime | None = None) -> str | None:
    """In the transaction that settles a dispute for HQ's grade: the offer's status (open, or waived when the
    transfer left already), or None when HQ's grade does not lower the price."""
    new = new_amount(ti["total_minor"], store_minor, hq_minor)
    if new is None or terms.policy not in POLICIES:
        return None
    now = now or datetime.now(UTC)
    made, deadline = _iso(now), _iso(now + timedelta(days=terms.days))
    status = "waived" if _transfer_left(tx, ti["uuid"]) else "open"
    tx.run(f"INSERT INTO hq_counter_offers ({', '.join(FIELDS)}) VALUES ({', '.join(['%s'] * len(FIELDS))}) "
           "ON CONFLICT (tradein_uuid) DO NOTHING",
           [ti["uuid"], ti["store_id"], ti["total_minor"], new, ti["currency"] or "EUR",
            ti["payout_method"] or "store_credit", made, deadline, terms.policy, status, "{}"])
    if status == "open":
        payouts.await_answer(tx, ti["uuid"], made)
    event(tx, ti, f"counter_offer_{'made' if status == 'open' else 'waived'}", None, old_minor=ti["total_minor"],
          new_minor=new, deadline_at=deadline, policy=terms.policy)
    return status


def settle_dispute(storage: Storage, tradein_uuid: str, accept: bool, supervisor: str, note: str,
                   terms: Terms) -> None:
    """A supervisor settles a dispute (receiving.decide); HQ's grade standing at a lower price makes the seller a
    counter-offer in the same transaction."""
    receiving.decide(storage, tradein_uuid, accept, supervisor, note,
                     lambda tx, ti, store_minor, hq_minor: make(tx, ti, store_minor, hq_minor, terms))


def _offer(tx, tradein_uuid: str) -> dict | None:
    rows = tx.rows(f"SELECT {', '.join(FIELDS)} FROM hq_counter_offers WHERE tradein_uuid = %s", [tradein_uuid])
    return {**dict(zip(FIELDS, rows[0], strict=True)), "outcome": json.loads(rows[0][-1])} if rows else None


def answer(storage: Storage, tradein_uuid: str, choice: Answer, now: datetime | None = None) -> bool:
    """The seller's answer, applied once; False when the offer is not open (answered already: a replay changes
    nothing). Past its deadline the offer's policy applies instead of the late answer."""
    at = _iso(now or datetime.now(UTC))
    sealed = storage.box.seal(choice.address) if choice.address else ""
    with storage.transaction() as tx:
        offer = _offer(tx, tradein_uuid)
        if offer is None or offer["status"] != "open":
            return False
        if offer["deadline_at"] <= at:
            return _apply(tx, offer, _by_policy(offer), "deadline", "", at)
        return _apply(tx, offer, choice, "seller", sealed, at)


def _by_policy(offer: dict) -> Answer:
    return Answer("accept") if offer["policy"] == "accept" else Answer("refuse", "store")


def _apply(tx, offer: dict, choice: Answer, by: str, sealed_address: str, at: str) -> bool:
    if not tx.rows("INSERT INTO hq_counter_offer_answers VALUES (%s, %s, %s, %s) ON CONFLICT (tradein_uuid) "
                   "DO NOTHING RETURNING tradein_uuid", [offer["tradein_uuid"], choice.answer, by, at]):
        return False  # another request answered first, in a transaction that has committed since
    if choice.answer == "accept":
        status, outcome = "accepted", _accepted(tx, offer, at)
        _lower_total(tx, offer)
    else:
        status, outcome = "refused", _refused(tx, offer, choice, sealed_address, at)
    tx.run("UPDATE hq_counter_offers SET status = %s, outcome = %s WHERE tradein_uuid = %s",
           [status, json.dumps(outcome), offer["tradein_uuid"]])
    event(tx, {"uuid": offer["tradein_uuid"], "store_id": offer["store_id"]}, f"counter_offer_{status}", None,
          by=by, old_minor=offer["old_minor"], new_minor=offer["new_minor"], **outcome)
    return True


def _accepted(tx, offer: dict, at: str) -> dict:
    if offer["payout_method"] == "store_credit":
        return voucher_ledger.take_difference(tx, offer["tradein_uuid"], offer["old_minor"] - offer["new_minor"], at)
    return payouts.lower_to(tx, offer["tradein_uuid"], offer["new_minor"], at)


def _lower_total(tx, offer: dict) -> None:
    """The trade-in's price at HQ is the new amount the seller agreed to (a shortfall written off on a spent voucher
    is HQ's loss, said in the outcome, not a price), and the dashboard's day totals (hq_daily, which a later
    cancellation subtracts the trade-in's total from) move with it; a cancelled trade-in counts in no day."""
    rows = tx.rows("UPDATE hq_tradeins SET total_minor = %s WHERE uuid = %s AND store_id = %s RETURNING "
                   "store_state, accepted_at, cosmetic_grade", [offer["new_minor"], offer["tradein_uuid"],
                                                               offer["store_id"]])
    if rows and rows[0][0] not in states.UNDONE and rows[0][1]:
        tx.run("UPDATE hq_daily SET value_minor = value_minor - %s WHERE store_id = %s AND day = %s AND "
               "cosmetic_grade = %s", [offer["old_minor"] - offer["new_minor"], offer["store_id"], rows[0][1][:10],
                                       rows[0][2] or "?"])


def _refused(tx, offer: dict, choice: Answer, sealed_address: str, at: str) -> dict:
    voucher = None
    if offer["payout_method"] == "store_credit":
        voucher = voucher_ledger.void_unspent(tx, offer["tradein_uuid"])
        if voucher == "spent":
            return {"kept_original": True, "voucher": voucher}
    elif not payouts.cancel_for_refusal(tx, offer["tradein_uuid"], at) and _transfer_left(tx, offer["tradein_uuid"]):
        return {"kept_original": True}
    device_returns.ask(tx, offer, choice.return_to, sealed_address if choice.return_to == "post" else "", at)
    return {"return_to": choice.return_to, "voucher": voucher}


def expire_due(storage: Storage, now: datetime | None = None) -> int:
    """Every open offer past its deadline gets its policy, each in its own transaction; returns how many."""
    at = _iso(now or datetime.now(UTC))
    with storage.read() as tx:
        due = [row[0] for row in tx.rows("SELECT tradein_uuid FROM hq_counter_offers WHERE status = 'open' AND "
                                         "deadline_at <= %s ORDER BY deadline_at LIMIT 1000", [at])]
    applied = 0
    for tradein_uuid in due:
        with storage.transaction() as tx:
            offer = _offer(tx, tradein_uuid)
            if offer and offer["status"] == "open":
                applied += _apply(tx, offer, _by_policy(offer), "deadline", "", at)
    return applied


def for_seller(storage: Storage, tradein_uuid: str) -> dict | None:
    """What the seller's page shows of the offer: amounts, deadline, policy, the differences the regrade found,
    the answer and its outcome, and whether refusing would keep the original amount (the seller was paid)."""
    with storage.read() as tx:
        offer = _offer(tx, tradein_uuid)
        if offer is None:
            return None
        answered = tx.rows("SELECT answer, answered_by, answered_at FROM hq_counter_offer_answers WHERE "
                           "tradein_uuid = %s", [tradein_uuid])
        regrade = tx.rows("SELECT changes FROM hq_regrades WHERE tradein_uuid = %s", [tradein_uuid])
        returned = tx.rows("SELECT method, sent_at, tracking FROM hq_returns WHERE tradein_uuid = %s", [tradein_uuid])
        spent = tx.rows("SELECT 1 FROM hq_vouchers WHERE tradein_uuid = %s AND status = 'active' AND "
                        "balance_minor < issued_minor", [tradein_uuid])
        keeps = bool(spent) if offer["payout_method"] == "store_credit" else _transfer_left(tx, tradein_uuid)
    return {**offer, "changes": json.loads(regrade[0][0]) if regrade else [], "refusal_keeps_original": keeps,
            "answer": dict(zip(("answer", "by", "at"), answered[0], strict=True)) if answered else None,
            "return": dict(zip(("method", "sent_at", "tracking"), returned[0], strict=True)) if returned else None}


def deadline_sweep(storage: Storage, interval: float = SWEEP_SECONDS) -> Periodic:
    """In HQ's own process (python -m hq): offers past their deadline get their policy, at start and every hour.
    `flask --app hq counter-offers expire` does the same once."""
    return Periodic("hq-counter-offer-deadlines", lambda: expire_due(storage), interval,
                    "counter-offers: %s past their deadline got their policy")
