"""X report (any time) and Z report (closes the period, numbered, final) at the till."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext

from core.sale_receipt import build_z_receipt
from hardware import escpos_render
from hardware.printer import PrinterError
from kiosk.auth import login_required
from kiosk.compliance.staff import StaffAuthError
from kiosk.formatting import current_store, money
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.till import reports
from kiosk.till.sales import SaleError
from kiosk.translations import catalogue
from kiosk.views import current_actor, see_other
from kiosk.views.approvals import approval_context, approver_from_form
from kiosk.views.pos import amount_input

bp = Blueprint("posreports", __name__, url_prefix="/pos/reports")
bp.before_request(login_required(lambda: None))


def _page(status: int = 200, error: str | None = None):
    store_id = g.staff["store_id"]
    closed = reports.closed_reports(get_db(), store_id)
    return render_template("pos/reports.html", x=reports.figures(get_db(), store_id), closed=closed,
                           error=error, **approval_context()), status


@bp.get("")
def index():
    return _page()


@bp.post("/z")
def close_z():
    try:
        counted = amount_input(request.form.get("counted_cash"), None)
        approver_from_form(gettext("closing the day with a Z report"))  # final and legal: a manager's PIN
        z = reports.close_z(get_db(), current_actor(), counted)
    except (SaleError, ValueError, StaffAuthError) as err:
        return _page(422, translated(err))
    store = current_store()
    receipt = build_z_receipt(store, z, money, catalogue(store["locale"]).gettext)
    try:
        current_app.extensions["kiosk.printer"].send(
            escpos_render.render(receipt, current_app.config["PRINTER_PROFILE"]), f"Z-{z['number']:05d}")
        flash(gettext("Z report %(number)s closed and printed.", number=z["number"]))
    except PrinterError as err:
        flash(gettext("Z report %(number)s closed; it did not print: %(reason)s", number=z["number"],
                      reason=translated(err)), "error")
    return see_other(url_for(".z", number=z["number"]))


@bp.get("/z/<int:number>")
def z(number: int):
    found = reports.get_z(get_db(), number)
    if found is None or found["store_id"] != g.staff["store_id"]:
        abort(404)
    store = current_store()
    return render_template("pos/z.html", z=found, receipt=build_z_receipt(store, found, money,
                                                                      catalogue(store["locale"]).gettext))
