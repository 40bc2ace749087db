"""The customer's ticket: the same Receipt model as the trade-in receipt, so screen and paper agree,
printed in the customer's language on the kiosk's printer."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import format_date, gettext

from core.receipts import Receipt
from hardware import escpos_render
from kiosk.formatting import current_store, money
from kiosk.store.connection import get_db
from kiosk.tradein import catalog


def estimate_range(est: dict) -> str:
    low, high = est["low_minor"], est["high_minor"]
    if high is None:
        return gettext("No offer")
    if low is None or low == high:
        return money(high, est["currency"])
    return gettext("%(low)s to %(high)s", low=money(low, est["currency"]), high=money(high, est["currency"]))


def ticket_receipt(est: dict) -> Receipt:
    store = current_store()
    device = catalog.get_device(get_db(), est["device_id"])
    storage = gettext("%(gb)s GB", gb=est["storage_gb"])
    return Receipt(
        title=gettext("ESTIMATE"),
        header=(store["name"], store["address"]),
        code=est["code"],
        sections=((gettext("Your device"), ((device.name, storage),)),),
        totals=(),
        total=(gettext("Estimate"), estimate_range(est)),
        barcode=est["code"],
        footer=(
            gettext("Show this ticket to a member of staff with your device."),
            gettext("The final price is set after the staff member checks the device."),
            gettext("Valid until %(date)s.", date=format_date(date.fromisoformat(est["expires_at"]), "long")),
            gettext("No personal data was recorded."),
        ),
    )


def print_ticket(est: dict) -> str:
    """Send the ticket to the printer; PrinterError when it cannot (the screen still shows the code)."""
    data = escpos_render.render(ticket_receipt(est), current_app.config["PRINTER_PROFILE"])
    return current_app.extensions["kiosk.printer"].send(data, f"{est['code']}-ticket")
