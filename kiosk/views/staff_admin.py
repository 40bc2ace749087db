"""Staff management for managers: who may sign in on this store's terminals, in which role."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask_babel import gettext

from kiosk.auth import login_required
from kiosk.compliance import privacy
from kiosk.compliance import staff as staff_accounts
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.web import see_other

bp = Blueprint("staffadmin", __name__, url_prefix="/staff")


@bp.before_request
@login_required
def _managers_only():
    if g.staff["role"] not in staff_accounts.APPROVERS:
        abort(403)


def _page(status: int = 200, error: str | None = None):
    members = staff_accounts.members(get_db(), g.staff["store_id"])
    return render_template("staff/staff.html", members=members, roles=staff_accounts.ROLES, error=error,
                           form=request.form, requests=privacy.open_requests(get_db()),
                           privacy_deadline=privacy.store_privacy(get_db()).deadline_text,
                           today=date.today().isoformat()), status


@bp.get("")
def index():
    return _page()


@bp.post("")
def add():
    try:
        staff_accounts.add_staff(get_db(), g.staff["store_id"], request.form.get("name", ""),
                                 request.form.get("role", ""), request.form.get("pin", "").strip(), g.staff["id"])
    except staff_accounts.StaffAuthError as err:
        return _page(422, translated(err))
    flash(gettext("Staff member added."))
    return see_other(url_for(".index"))


@bp.post("/<staff_id>/active")
def set_active(staff_id: str):
    if staff_id == g.staff["id"]:
        return _page(422, gettext("You cannot deactivate your own account."))
    if not staff_accounts.is_member(get_db(), staff_id, g.staff["store_id"]):
        abort(404)
    active = request.form.get("active") == "1"
    staff_accounts.set_active(get_db(), staff_id, active, g.staff["id"])
    flash(gettext("Account reactivated and unlocked.") if active else
          gettext("Account deactivated: it can no longer sign in."))
    return see_other(url_for(".index"))
