"""X report (any time) and Z report (closes the period, numbered, final) at the till."""

from __future__ import annotations

import logging
import sqlite3

from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask_babel import gettext

from core.sale_receipt import build_report_receipt, build_z_receipt
from kiosk.auth import login_required
from kiosk.compliance.staff import StaffAuthError
from kiosk.formatting import current_store, money
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.till import reports
from kiosk.till.sales import SaleError
from kiosk.tradein.listing import tidy_search_index
from kiosk.translations import catalogue
from kiosk.views.pos import amount_input
from kiosk.web import current_actor, see_other, send_paper
from kiosk.web.approvals import approval_context, approver_from_form

bp = Blueprint("posreports", __name__, url_prefix="/pos/reports")
log = logging.getLogger(__name__)
bp.before_request(login_required(lambda: None))


def _page(status: int = 200, error: str | None = None):
    store_id = g.staff["store_id"]
    closed = reports.closed_reports(get_db(), store_id)
    return render_template("pos/reports.html", x=reports.figures(get_db(), store_id), closed=closed,
                           error=error, **approval_context()), status


@bp.get("")
def index():
    return _page()


def _confirm_page(counted: int, status: int = 200, error: str | None = None):
    """Step 2 of closing: the figures, the counted cash against the expected, the comment a difference needs,
    the manager's PIN. Nothing is written until it is confirmed."""
    x = reports.figures(get_db(), g.staff["store_id"])
    return render_template("pos/z_confirm.html", x=x, counted=counted, error=error, form=request.form,
                           difference=counted - x["expected_cash_minor"], **approval_context()), status


@bp.post("/z")
def close_z():
    try:
        counted = amount_input(request.form.get("counted_cash"), None)
    except (SaleError, ValueError) as err:
        return _page(422, translated(err))
    if request.form.get("confirm") != "1":
        return _confirm_page(counted)
    try:
        approver_from_form(gettext("closing the day with a Z report"))  # final and legal: a manager's PIN
        z = reports.close_z(get_db(), current_actor(), counted, request.form.get("comment", ""))
    except (SaleError, ValueError, StaffAuthError) as err:
        return _confirm_page(counted, 422, translated(err))
    store = current_store()
    if reason := send_paper(build_z_receipt(store, z, money, catalogue(store["locale"]).gettext),
                            f"Z-{z['number']:05d}"):
        flash(gettext("Z report %(number)s closed; it did not print: %(reason)s", number=z["number"], reason=reason),
              "error")
    else:
        flash(gettext("Z report %(number)s closed and printed.", number=z["number"]))
    _tidy_after_the_day()
    return see_other(url_for(".z", number=z["number"]))


def _tidy_after_the_day() -> None:
    """The day's housekeeping, once its Z is closed and its paper sent: if another terminal holds the database too long,
    it waits for tomorrow's Z (searches are slower meanwhile, never wrong)."""
    try:
        tidy_search_index(get_db())
    except sqlite3.OperationalError as err:
        log.warning("search index not merged after the Z report: %s", err)


@bp.post("/x/print")
def print_x():
    """The X report on paper: the figures so far, closing nothing."""
    store = current_store()
    receipt = build_report_receipt(store, reports.figures(get_db(), g.staff["store_id"]), money,
                                   catalogue(store["locale"]).gettext)
    if reason := send_paper(receipt, "X"):
        flash(gettext("The X report did not print: %(reason)s", reason=reason), "error")
    else:
        flash(gettext("X report printed."))
    return see_other(url_for(".index"))


@bp.get("/z/<int:number>")
def z(number: int):
    found = reports.get_z(get_db(), number)
    if found is None or found["store_id"] != g.staff["store_id"]:
        abort(404)
    store = current_store()
    return render_template("pos/z.html", z=found, receipt=build_z_receipt(store, found, money,
                                                                      catalogue(store["locale"]).gettext))
