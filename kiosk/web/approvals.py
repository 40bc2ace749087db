"""Manager approval on the clerk's own screen: which actions need it, and checking the manager's PIN."""

from __future__ import annotations

from babel.numbers import NumberFormatError, parse_decimal
from flask import current_app, g, request
from flask_babel import gettext

from core.seller import Seller
from kiosk.compliance.staff import approvers, check_approver
from kiosk.formatting import current_store, money
from kiosk.store.connection import get_db
from kiosk.tradein import acceptance
from kiosk.tradein import approvals as early_approvals


def approver_from_form(what: str) -> str:
    """The approving manager's id; raises StaffAuthError with the reason otherwise."""
    config = current_app.config
    row = check_approver(get_db(), request.form.get("approver_id", ""), request.form.get("approver_pin", "").strip(),
                         config["LOCKOUT_ATTEMPTS"], config["LOCKOUT_MINUTES"], what, requester_id=g.staff["id"])
    return row["id"]


def accept_approval_reasons(ti: dict, seller: Seller | None, approved_on_quote: bool | None = None) -> list[str]:
    """Why accepting this trade-in needs a manager, if it does (empty list: the clerk alone may).
    `approved_on_quote`: whether a manager approved this very offer on the quote screen, when the caller has read it."""
    reasons = []
    limit = current_app.config["APPROVAL_ABOVE_MINOR"]
    if approved_on_quote is None:
        approved_on_quote = early_approvals.approver_of(get_db(), ti) is not None
    if ti["total_minor"] > limit and not approved_on_quote:
        reasons.append(gettext("an offer above %(amount)s", amount=money(limit, ti["currency"])))
    if seller is not None:
        ref = acceptance.seller_ref(current_app.extensions["kiosk.cipher"], seller)
        most = current_app.config["MAX_TRADEINS_PER_SELLER_PER_DAY"]
        if acceptance.trade_ins_today_by(get_db(), ref) >= most:
            reasons.append(gettext("more than %(count)s trade-ins by the same seller today", count=most))
    return reasons


def parse_amount(text: str) -> int:
    """A price typed by a manager ("180", "180,50") in minor units; ValueError with the reason."""
    try:
        amount = parse_decimal(text.strip().replace("€", "").strip(), locale=current_store()["locale"])
    except NumberFormatError:
        raise ValueError(gettext("Type the new price as a number, e.g. 180 or 180,50.")) from None
    if not amount.is_finite():  # Babel reads "Infinity" and "NaN" as numbers: no price is either
        raise ValueError(gettext("Type the new price as a number, e.g. 180 or 180,50."))
    minor = amount * 100
    if minor != minor.to_integral_value():
        raise ValueError(gettext("A price has at most two decimals."))
    return int(minor)


def approval_context() -> dict:
    return {"approvers": approvers(get_db())}
