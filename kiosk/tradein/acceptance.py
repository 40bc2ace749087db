"""Accepting a quoted trade-in: the seller, the store's register record (France's police register entry, New York
City's dealer record: the store's jurisdiction pack says which), the payment (a store-credit voucher now, or
a bank transfer HQ makes, asked through the outbox with the account sealed for HQ), the HQ record and the print
jobs commit together, or nothing does. Reprints are queued here too."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Mapping
from datetime import date, timedelta

from core import protocol
from core.clock import utcnow
from core.messages import N_, restored
from core.payout import STORE_CREDIT, seal_for_hq
from core.seller import Seller
from core.states import TAKEN, IllegalTransition
from kiosk.compliance import dealer_record, privacy, register
from kiosk.compliance.audit import Actor
from kiosk.compliance.crypto import DataCipher
from kiosk.evidence import photos
from kiosk.store.db import write_transaction
from kiosk.till import vouchers
from kiosk.tradein import catalog
from kiosk.tradein.tradeins import _TAKEN_SQL, TradeInError, _audit, _fresh, _store_gates, hq_payload, move_to
from sync import outbox


def seller_ref(cipher: DataCipher, seller: Seller) -> str:
    """A pseudonymous seller id: stable per ID document, meaningless without the store's key."""
    return privacy.reference_for(cipher, seller.id_doc_type, seller.id_doc_number)


def trade_ins_today_by(db, seller_reference: str) -> int:
    """How many trade-ins this seller has had accepted today (UTC day), for the manager gate."""
    return db.execute("SELECT count(*) FROM tradeins WHERE seller_ref = ? AND accepted_at >= ? AND state IN "
                      f"({_TAKEN_SQL})", [seller_reference, utcnow()[:10]]).fetchone()[0]


def accept(db, actor: Actor, tradein_uuid: str, seller: Seller, today: date, cipher: DataCipher,
           approved_by: str | None = None, transfer_days: int = 7, hq_secret: str = "",
           dealer_answers: Mapping[str, str] | None = None) -> int:
    """Trade-in + seller + police register entry + audit + outbox + print job commit together, or
    nothing does. Returns the receipt's print job id; printing happens after the commit. `dealer_answers`: the
    accept form's answers New York City's dealer record asks for (kiosk.compliance.dealer_record)."""
    if seller.bank and not hq_secret:  # HQ makes transfers: a terminal HQ does not know cannot promise one
        raise TradeInError(N_("A bank transfer is paid by HQ, and this terminal is not enrolled with HQ: choose "
                              "store credit."))
    reference = seller_ref(cipher, seller)
    identity = register.identity_of(seller)
    sealed = cipher.encrypt(json.dumps(identity, sort_keys=True))  # identity is stored encrypted only
    account = cipher.encrypt(json.dumps(seller.bank.as_json())) if seller.bank else None  # likewise the IBAN
    try:
        with write_transaction(db):
            ti = _fresh(db, tradein_uuid)
            _check_acceptable(db, ti, today)
            accepted = move_to(db, ti, "accepted", actor, "accepted", accepted_at=utcnow(),
                               payout_method=seller.payout_method, seller_ref=reference, seller_identity=sealed,
                               payout_account=account, tracking_token=secrets.token_urlsafe(16),
                               payout_due_on=(today + timedelta(days=transfer_days)).isoformat() if account else None)
            if approved_by:
                _audit(db, actor, tradein_uuid, "approved", approved_by=approved_by, total_minor=ti["total_minor"])
            device = catalog.get_device(db, ti["device_id"])
            if register.kept_by(db, accepted["store_id"]):  # France's law: never a New York City store's
                register.append_entry(db, accepted, device.name, identity, sealed, cipher)
            dealer_record.write(db, accepted, device, seller, dealer_answers or {}, cipher)  # where the law asks
            outbox.append(db, tradein_uuid, protocol.TRADEIN_ACCEPTED, hq_payload(db, accepted, reference, device))
            photos.announce(db, accepted)  # each shot's record after the trade-in's: HQ then takes its file
            _pay(db, accepted, seller, today, hq_secret)
            # The label printed after the receipt, both by this terminal's printer (where the seller stands).
            return _queue_print(db, tradein_uuid, actor.terminal_id, "receipt", "label")
    except sqlite3.IntegrityError as err:
        if "tradeins.imei" not in str(err) and "tradeins.serial" not in str(err):
            raise
        # The partial unique index: another terminal took this device between quote and accept.
        raise TradeInError(N_("This device was traded in on another terminal a moment ago: "
                              "nothing was saved.")) from err


def _pay(db, accepted: dict, seller: Seller, today: date, hq_secret: str) -> None:
    """Store credit is paid now (a voucher); a bank transfer is asked of HQ through the outbox, as its own record,
    the account sealed for HQ (core.payout.seal_for_hq): HQ makes the transfer. A zero offer pays nothing."""
    if accepted["total_minor"] <= 0:
        return
    if seller.payout_method == STORE_CREDIT:
        vouchers.issue_for_tradein(db, accepted, today)
    elif seller.bank:
        outbox.append(db, accepted["uuid"], protocol.PAYOUT_REQUESTED, {
            "tradein_uuid": accepted["uuid"], "code": accepted["code"], "amount_minor": accepted["total_minor"],
            "currency": accepted["currency"], "account_sealed": seal_for_hq(seller.bank, hq_secret),
            "due_on": accepted["payout_due_on"]})


def _check_acceptable(db, ti: dict, today: date) -> None:
    if ti["state"] != "quoted":
        raise IllegalTransition("Only a quoted trade-in can be accepted: finish the checklist and quote first.")
    reasons = [restored(r) for r in json.loads(ti["gate_reasons"] or "[]")] or list(_store_gates(db, ti))
    if reasons:
        raise TradeInError(N_("Not eligible: %(reasons)s"), reasons=" ".join(reasons))
    if date.fromisoformat(ti["quote_valid_until"]) < today:
        raise TradeInError(N_("The quote has expired: quote again with the current price grid."))
    if missing := photos.missing_required(db, ti):  # the store's rule (core/data/photos.toml, or its own)
        raise TradeInError(N_("This store takes a photo of %(shot)s before it buys (%(count)s required photo(s) "
                              "missing): take it on the photo step, then accept again."),
                           shot=photos.kind_label(missing[0]), count=len(missing))


def _queue_print(db, tradein_uuid: str, terminal_id: str, *kinds: str) -> int:
    """Queue print jobs in that order with one statement, for the printer of the terminal that asks (only that
    terminal prints or retries them); returns the first one's id."""
    now = utcnow()
    rows = db.execute("INSERT INTO print_jobs (tradein_uuid, terminal_id, kind, status, created_at) VALUES "
                      + ", ".join("(?, ?, ?, 'pending', ?)" for _ in kinds) + " RETURNING id",
                      [value for kind in kinds for value in (tradein_uuid, terminal_id, kind, now)]).fetchall()
    return min(row[0] for row in rows)


def queue_reprint(db, actor: Actor, tradein_uuid: str) -> int:
    with write_transaction(db):
        ti = _fresh(db, tradein_uuid)
        if ti["state"] not in TAKEN and ti["state"] != "cancelled":
            raise TradeInError(N_("Only an accepted trade-in has a receipt to print."))
        _audit(db, actor, tradein_uuid, "reprint_requested")
        return _queue_print(db, tradein_uuid, actor.terminal_id, "receipt")  # printed where the clerk asked
