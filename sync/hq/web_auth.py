"""HQ staff: receivers and supervisors, PINs as argon2 hashes, a session per signed-in person.

    flask --app sync.hq staff add "Nadia Benali" --role supervisor   (asks for the PIN)
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

import click
from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.cli import AppGroup

from core.pins import hash_pin, verify_pin
from core.text import local_path
from sync.hq.storage import Storage

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


def _members() -> list[tuple]:
    with _storage().transaction() as tx:
        return tx.rows("SELECT id, name, role, pin_hash FROM hq_staff WHERE active = 1 ORDER BY name")


def load_staff() -> None:
    g.hq_staff = None
    if staff_id := session.get("hq_staff"):
        with _storage().transaction() as tx:
            rows = tx.rows("SELECT id, name, role FROM hq_staff WHERE id = %s AND active = 1", [staff_id])
        g.hq_staff = dict(zip(("id", "name", "role"), rows[0], strict=True)) if rows else None


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
            abort(403, "Supervisors only: ask a supervisor to settle disputes and publish reference data.")
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    members = _members()
    if request.method == "GET":
        return render_template("hq/login.html", members=members, error=None)
    chosen = next((m for m in members if m[0] == request.form.get("staff_id")), None)
    if chosen is None or not verify_pin(chosen[3], request.form.get("pin", "").strip()[:12]):
        return render_template("hq/login.html", members=members, error="Wrong name or PIN.",
                               selected=request.form.get("staff_id")), 401
    session.clear()
    session.update(hq_staff=chosen[0])
    return redirect(local_path(request.args.get("next")) or url_for("hq_web.dashboard"))


@bp.post("/logout")
def logout():
    session.clear()
    flash("Signed out.")
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
