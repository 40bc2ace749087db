"""What the return and warranty screens share: the store's today, a manager's approval of a late return, the refund
methods a sale's tenders allow, and the sale looked up here or at HQ."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import gettext

from core import returns_policy
from kiosk.formatting import current_store
from kiosk.hq_link import hq_client
from kiosk.store.connection import get_db
from kiosk.till import elsewhere, returns
from sync.client import HQRefused, HQUnavailable


def store_today() -> date:
    """Today in the store's time zone: the return window counts the customer's days."""
    return datetime.now(ZoneInfo(current_store()["timezone"])).date()


def late_approval() -> returns.LateApproval | None:
    """A manager's approval typed on the return form (checked: their PIN), or None when none was typed."""
    from kiosk.web.approvals import approver_from_form

    if not request.form.get("approver_pin", "").strip():  # the manager list always sends a name: the PIN decides
        return None
    return returns.LateApproval(approver_from_form(gettext("a return after the return window")),
                                request.form.get("late_reason", "")[:300])


def method_choices(available: list[tuple[str, int]], methods: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The refund methods to offer (each kind that paid, and the split when several did), and the one checked:
    the sale's one means of payment, or none (the clerk asks the customer)."""
    kinds = [k for k in methods if any(key.split("|")[0] == k and amount > 0 for key, amount in available)]
    offered = kinds + ([returns_policy.AS_PAID] if len(kinds) > 1 else [])
    return offered, kinds[0] if len(kinds) == 1 else None


class LookupOffline(Exception):
    """HQ cannot be reached: another store's sale cannot be looked up now."""


def find_sale(key: str) -> dict | None:
    """This store's sale (receipt number or IMEI), else HQ's answer for any store's; None: neither has it."""
    key = key.strip().upper()[:32]
    if not key:
        return None
    if found := elsewhere.own_sale(get_db(), current_store()["id"], key):
        return found
    client = hq_client(current_app.config)
    if client is None:
        raise LookupOffline()
    try:
        return client.find_sale(key)
    except HQUnavailable:
        raise LookupOffline() from None
    except HQRefused:  # revoked or unknown at HQ: the sync panel says so; here, HQ cannot help either
        raise LookupOffline() from None
