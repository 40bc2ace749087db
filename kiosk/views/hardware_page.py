"""The staff hardware page: a verdict per device, and a test page on demand."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from kiosk.auth import login_required
from kiosk.formatting import current_store
from kiosk.peripherals.selftest import run_all

bp = Blueprint("hardwarepage", __name__, url_prefix="/hardware")
bp.before_request(login_required(lambda: None))


def _checks(print_page: bool):
    return run_all(current_app.extensions["kiosk.printer"], current_app.config["PRINTER_PROFILE"],
                   current_store()["name"], print_page)


@bp.get("")
def index():
    return render_template("hardware/hardware.html", checks=_checks(print_page=False))


@bp.post("/test-page")
def print_test():
    results = _checks(print_page=True)
    return render_template("hardware/hardware.html", checks=results), 200 if results[0].ok else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
