"""Staff login by PIN (argon2 hashes, never plain) and the guard every staff page uses."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from core.text import local_path
from kiosk.compliance import staff as staff_accounts
from kiosk.compliance.staff import StaffAuthError, check_pin
from kiosk.i18n import translated
from kiosk.provisioning.terminal import this_terminal
from kiosk.store.connection import get_db
from kiosk.till import journal

bp = Blueprint("auth", __name__)
# The session cookie is re-issued at most this often rather than on every request (re-signing
# it was a fifth of an htmx fragment's cost); the lifetime still slides with activity.
SESSION_TOUCH_SECONDS = 60


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("staff") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def _load_staff() -> None:
    """The signed-in clerk, if the session is still valid: not idle too long, made on this terminal."""
    staff_id = session.get("staff_id")
    g.staff = None
    if not staff_id:
        return
    now = int(time.time())
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if now - session.get("seen", 0) > idle_limit + SESSION_TOUCH_SECONDS or \
            session.get("terminal") != current_app.config["TERMINAL_KEY"]:
        session.clear()
        flash(gettext("Signed out after a while without activity. Sign in again."), "error")
        return
    if now - session.get("seen", 0) >= SESSION_TOUCH_SECONDS:
        session["seen"] = now  # re-signs the cookie, so its expiry slides with activity
    g.staff = staff_accounts.session_member(get_db(), session.get("sid", ""), staff_id,
                                            current_app.config["SESSION_MINUTES"])
    if g.staff is None:  # signed out (a copied cookie), deactivated, or past the session's absolute lifetime
        session.clear()


def _safe_next(target: str | None) -> str:
    # Only a path on this host (core.text.local_path): an open redirect after login would be a phishing aid.
    return local_path(target) or url_for("today.today")


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Not `staff`: that name is the signed-in clerk in every template.
    members = staff_accounts.sign_in_list(get_db())
    if request.method == "GET":
        return render_template("auth/login.html", members=members, error=None)
    staff_id, pin = request.form.get("staff_id", ""), request.form.get("pin", "").strip()
    try:
        row = check_pin(get_db(), staff_id, pin, current_app.config["LOCKOUT_ATTEMPTS"],
                        current_app.config["LOCKOUT_MINUTES"])
    except StaffAuthError as err:
        return render_template("auth/login.html", members=members, error=translated(err), selected=staff_id), 401
    session.clear()  # a new session id on login: no fixation
    session.permanent = True
    session.update(staff_id=row["id"], seen=int(time.time()), terminal=current_app.config["TERMINAL_KEY"],
                   sid=staff_accounts.open_session(get_db(), row["id"]))
    if terminal := this_terminal(get_db(), current_app.config["TERMINAL_ID"], current_app.config["TERMINAL_MODE"]):
        journal.record_now(get_db(), "sign_in", terminal, row["id"])  # the technical event journal (JET)
    flash(gettext("Signed in as %(name)s.", name=row["name"]))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    staff_accounts.close_session(get_db(), session.get("sid", ""))  # the cookie dies here, copies included
    session.clear()
    flash(gettext("Signed out."))
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_MINUTES"])
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    # Which terminal this process is: a session cookie made on another terminal is not valid here.
    app.config["TERMINAL_KEY"] = app.config["TERMINAL_ID"] or app.config["DATABASE"]
    app.before_request(_load_staff)
    app.register_blueprint(bp)
