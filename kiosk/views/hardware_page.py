"""The staff hardware page and `flask --app kiosk hardware selftest`."""

from __future__ import annotations

import sys

import click
from flask import Blueprint, Flask, current_app, render_template
from flask.cli import AppGroup

from kiosk.auth import login_required
from kiosk.formatting import current_store
from kiosk.hardware_check import run_all

bp = Blueprint("hardwarepage", __name__, url_prefix="/hardware")
bp.before_request(login_required(lambda: None))
cli = AppGroup("hardware", help="Printer, scanners and camera decoding.")


def _checks(print_page: bool):
    return run_all(current_app.extensions["kiosk.printer"], current_app.config["PRINTER_PROFILE"],
                   current_store()["name"], print_page)


@bp.get("")
def index():
    return render_template("hardware.html", checks=_checks(print_page=False))


@bp.post("/test-page")
def print_test():
    checks = _checks(print_page=True)
    return render_template("hardware.html", checks=checks), 200 if checks[0].ok else 503


@cli.command("selftest")
@click.option("--no-print", is_flag=True, help="Check the printer's state without printing a test page.")
def selftest(no_print: bool) -> None:
    """Print a test receipt, check scan parsing and camera decoding; exit 1 if anything failed."""
    checks = _checks(print_page=not no_print)
    for check in checks:
        click.echo(f"{'OK  ' if check.ok else 'FAIL'}  {check.device:<22} {check.detail}")
    if not all(check.ok for check in checks):
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli)
