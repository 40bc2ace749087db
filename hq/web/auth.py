"""HQ staff: receivers and supervisors, PINs as argon2 hashes, a session per signed-in person.

    flask --app hq staff add "Nadia Benali" --role supervisor   (asks for the PIN)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime

import click
from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.cli import AppGroup
from flask_babel import gettext

from core.pins import Lockout
from core.text import local_path
from hq.services import staff
from hq.services.staff import ROLES
from hq.storage import Storage
from hq.web.i18n import translated

bp = Blueprint("hq_auth", __name__, url_prefix="/hq")
staff_cli = AppGroup("staff", help="HQ receiving staff.")


def _storage() -> Storage:
    return current_app.extensions["hq.storage"]


def load_staff() -> None:
    """The signed-in HQ staff member of a live server-side session (hq.services.staff.session_staff)."""
    g.hq_staff = None
    if not (sid := session.get("hq_sid")):
        return
    g.hq_staff = staff.session_staff(_storage(), sid, current_app.config["SESSION_MINUTES"],
                                     current_app.config["SESSION_IDLE_MINUTES"])
    if g.hq_staff is None:
        session.clear()


def staff_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("hq_staff") is None:
            return redirect(url_for("hq_auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def supervisor_required(view: Callable) -> Callable:
    @functools.wraps(view)
    @staff_required
    def wrapped(*args, **kwargs):
        if g.hq_staff["role"] != "supervisor":
            abort(403, gettext("Supervisors only: ask a supervisor to settle disputes and publish reference data."))
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Name and PIN, typed: HQ lists nobody to an anonymous visitor. Wrong PINs lock the account as on a kiosk."""
    if request.method == "GET":
        return render_template("hq/login.html", error=None, name="")
    name, pin = " ".join(request.form.get("name", "").split())[:80], request.form.get("pin", "").strip()[:12]
    rule = Lockout(current_app.config["LOCKOUT_ATTEMPTS"], current_app.config["LOCKOUT_MINUTES"])
    error, staff_id = staff.check_pin(_storage(), name, pin, rule, datetime.now(UTC))
    if error:
        return render_template("hq/login.html", error=translated(error), name=name), 401
    session.clear()
    session.update(hq_sid=staff.open_session(_storage(), staff_id))
    return redirect(local_path(request.args.get("next")) or url_for("hq_web.dashboard"))


@bp.post("/logout")
def logout():
    staff.close_session(_storage(), session.get("hq_sid", ""))  # the cookie dies here, copies included
    session.clear()
    flash(gettext("Signed out."))
    return redirect(url_for("hq_auth.login"))


@staff_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="receiver")
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True)
def add_staff_command(name: str, role: str, pin: str) -> None:
    """Add an HQ staff member (receiver or supervisor)."""
    staff.add_staff(_storage(), name, role, pin)
    click.echo(f"added {name} ({role})")


def init_app(app: Flask) -> None:
    app.before_request(load_staff)
    app.context_processor(lambda: {"hq_staff": g.get("hq_staff")})
    app.register_blueprint(bp)
    app.cli.add_command(staff_cli)
