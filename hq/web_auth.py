"""HQ staff: receivers and supervisors, PINs as argon2 hashes, a session per signed-in person.

    flask --app hq staff add "Nadia Benali" --role supervisor   (asks for the PIN)
"""

from __future__ import annotations

import functools
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.cli import AppGroup
from flask_babel import gettext

from core.pins import Lockout, hash_pin, verify_pin
from core.text import local_path
from hq.storage import Storage

bp = Blueprint("hq_auth", __name__, url_prefix="/hq")
ROLES = ("receiver", "supervisor")
staff_cli = AppGroup("staff", help="HQ receiving staff.")


def add_staff(storage: Storage, name: str, role: str, pin: str) -> str:
    name = " ".join(name.split())
    if role not in ROLES or not 2 <= len(name) <= 80 or not (pin.isdigit() and 6 <= len(pin) <= 12):
        raise ValueError("A name of 2 to 80 characters, a role (receiver or supervisor) and a PIN of 6 to 12 digits.")
    staff_id = str(uuid.uuid4())
    with storage.transaction() as tx:
        tx.run("INSERT INTO hq_staff (id, name, role, pin_hash) VALUES (%s, %s, %s, %s)",
               [staff_id, name, role, hash_pin(pin)])
    return staff_id


def _storage() -> Storage:
    return current_app.extensions["hq.storage"]


def load_staff() -> None:
    """The signed-in HQ staff member of a live server-side session: not signed out (a copied cookie dies at
    sign-out), not idle past SESSION_IDLE_MINUTES, not older than SESSION_MINUTES."""
    g.hq_staff = None
    if not (sid := session.get("hq_sid")):
        return
    now, config = datetime.now(UTC), current_app.config
    oldest = (now - timedelta(minutes=config["SESSION_MINUTES"])).isoformat(timespec="seconds")
    idle = (now - timedelta(minutes=config["SESSION_IDLE_MINUTES"])).isoformat(timespec="seconds")
    with _storage().read() as tx:  # pages never take ingest's write lock just to look the session up
        rows = tx.rows("SELECT s.id, s.name, s.role, x.seen_at FROM hq_sessions x JOIN hq_staff s ON s.id = x.staff_id "
                       "WHERE x.sid = %s AND x.created_at >= %s AND x.seen_at >= %s AND s.active = 1",
                       [sid, oldest, idle])
    if rows and rows[0][3] < (now - timedelta(minutes=1)).isoformat(timespec="seconds"):  # at most once a minute
        with _storage().transaction() as tx:
            tx.run("UPDATE hq_sessions SET seen_at = %s WHERE sid = %s", [now.isoformat(timespec="seconds"), sid])
    if not rows:
        session.clear()
        return
    g.hq_staff = dict(zip(("id", "name", "role"), rows[0][:3], strict=True))


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
    error, staff_id = _check(name, pin, datetime.now(UTC))
    if error:
        return render_template("hq/login.html", error=error, name=name), 401
    session.clear()
    session.update(hq_sid=_open_session(staff_id))
    return redirect(local_path(request.args.get("next")) or url_for("hq_web.dashboard"))


def _check(name: str, pin: str, now: datetime) -> tuple[str | None, str | None]:
    """(error, None) or (None, staff id); counts wrong PINs and locks after LOCKOUT_ATTEMPTS."""
    rule = Lockout(current_app.config["LOCKOUT_ATTEMPTS"], current_app.config["LOCKOUT_MINUTES"])
    with _storage().transaction() as tx:
        found = [r for r in tx.rows("SELECT id, name, pin_hash, failed_attempts, locked_until FROM hq_staff "
                                    "WHERE active = 1") if r[1].casefold() == name.casefold()]
        if not found:
            return gettext("Wrong name or PIN."), None
        staff_id, _name, pin_hash, failures, locked_until = found[0]
        if minutes := rule.minutes_left(locked_until, now):
            return gettext("This account is locked after too many wrong PINs: try again in %(minutes)s min.",
                           minutes=minutes), None
        if verify_pin(pin_hash, pin):
            tx.run("UPDATE hq_staff SET failed_attempts = 0, locked_until = NULL WHERE id = %s", [staff_id])
            return None, staff_id
        failures, until = rule.after_wrong_pin(failures, now)
        tx.run("UPDATE hq_staff SET failed_attempts = %s, locked_until = %s WHERE id = %s", [failures, until, staff_id])
    if until:
        return gettext("Wrong name or PIN. The account is now locked for %(minutes)s min.", minutes=rule.minutes), None
    return gettext("Wrong name or PIN."), None


def _open_session(staff_id: str) -> str:
    sid, now = secrets.token_urlsafe(24), datetime.now(UTC).isoformat(timespec="seconds")
    with _storage().transaction() as tx:
        tx.run("INSERT INTO hq_sessions VALUES (%s, %s, %s, %s)", [sid, staff_id, now, now])
    return sid


@bp.post("/logout")
def logout():
    with _storage().transaction() as tx:  # the cookie dies here, copies included
        tx.run("DELETE FROM hq_sessions WHERE sid = %s", [session.get("hq_sid", "")])
    session.clear()
    flash(gettext("Signed out."))
    return redirect(url_for("hq_auth.login"))


@staff_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="receiver")
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True)
def add_staff_command(name: str, role: str, pin: str) -> None:
    """Add an HQ staff member (receiver or supervisor)."""
    add_staff(_storage(), name, role, pin)
    click.echo(f"added {name} ({role})")


def init_app(app: Flask) -> None:
    app.before_request(load_staff)
    app.context_processor(lambda: {"hq_staff": g.get("hq_staff")})
    app.register_blueprint(bp)
    app.cli.add_command(staff_cli)
