"""First run of a terminal: while it belongs to no store, every staff page leads to enrolment (HQ's address
and the one-time code); once enrolled, while the store has no staff, to the first manager's account (name and
their own PIN, typed twice). Both pages disappear once done. Demo data is never made here."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from kiosk.compliance import staff as staff_accounts
from kiosk.formatting import current_store
from kiosk.i18n import translated
from kiosk.provisioning.enrolment import EnrolmentFailed, enrol, link_settings
from kiosk.store.connection import get_db
from kiosk.web import see_other

bp = Blueprint("setup", __name__, url_prefix="/setup")
OPEN_DURING_SETUP = ("setup.", "static", "assets.", "health.", "lang.")


def _enrolled() -> bool:
    return bool(current_store().get("id"))


def lead_to_setup():
    """Before every request: a terminal without a store (or without staff) shows the step still to do. Once both
    exist they always will (a store is never un-enrolled, staff are deactivated, not deleted): checked no more."""
    endpoint = request.endpoint or ""
    if current_app.extensions.get("kiosk.set_up") or endpoint.startswith(OPEN_DURING_SETUP) or \
            current_app.config["TERMINAL_MODE"] == "customer":
        return None
    if not _enrolled():
        return redirect(url_for("setup.enrolment"))
    if not staff_accounts.has_staff(get_db(), current_store()["id"]):
        return redirect(url_for("setup.first_manager"))
    current_app.extensions["kiosk.set_up"] = True
    return None


@bp.route("/enrol", methods=["GET", "POST"])
def enrolment():
    if _enrolled():
        done = staff_accounts.has_staff(get_db(), current_store()["id"])
        return redirect(url_for("auth.login" if done else "setup.first_manager"))
    form = {"hq_url": request.form.get("hq_url", "").strip(), "code": request.form.get("code", "").strip()}
    if request.method == "GET":
        return render_template("setup/enrol.html", form=form, error=None)
    if not form["hq_url"].startswith(("http://", "https://")) or not form["code"]:
        return render_template("setup/enrol.html", form=form, error=gettext(
            "Type HQ's address (https://…) and the enrolment code HQ gave you.")), 422
    try:
        result = enrol(get_db(), current_app.config["DATA_DIR"], form["hq_url"], form["code"],
                       current_app.config["SYNC_TIMEOUT"])
    except EnrolmentFailed as err:
        return render_template("setup/enrol.html", form=form, error=translated(err)), 422
    current_app.config.update(link_settings(current_app.config["DATA_DIR"]))
    g.pop("store", None)
    flash(gettext("This terminal now belongs to %(store)s.", store=result["profile"]["trading_name"]))
    if result["pull_error"]:
        flash(gettext("HQ's price grid and catalog could not be fetched yet (%(reason)s): they will be, at the next "
                      "sync.", reason=result["pull_error"]), "error")
    return see_other(url_for("setup.first_manager"))


@bp.route("/manager", methods=["GET", "POST"])
def first_manager():
    if not _enrolled():
        return redirect(url_for("setup.enrolment"))
    store_id = current_store()["id"]
    if staff_accounts.has_staff(get_db(), store_id):
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("setup/manager.html", error=None, name="")
    name = request.form.get("name", "")
    try:
        staff_accounts.add_first_manager(get_db(), store_id, name, request.form.get("pin", "").strip(),
                                         request.form.get("pin_again", "").strip())
    except staff_accounts.StaffAuthError as err:
        return render_template("setup/manager.html", error=translated(err), name=name[:80]), 422
    flash(gettext("Account created: sign in with your PIN, then add the other staff."))
    return see_other(url_for("auth.login"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(lead_to_setup)
