"""The staff hardware page: a verdict per device with what to do, a test page on demand, a box to scan into
and a button to take a picture, each showing what the device really delivered."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request

from hardware.printer import DRIVERS
from hardware.uploads import PictureRefused
from kiosk.auth import login_required
from kiosk.formatting import current_store
from kiosk.peripherals.selftest import PROBLEM, run_all
from kiosk.web import accepts_picture

bp = Blueprint("hardwarepage", __name__, url_prefix="/hardware")
bp.before_request(login_required(lambda: None))


def _page(print_page: bool = False, scanned: str | None = None, decoded: list[str] | None = None,
          refused: str = ""):
    checks = run_all(current_app.extensions["kiosk.printer"], current_app.config["PRINTER_PROFILE"],
                     current_store()["name"], print_page, scanned, decoded, refused)
    tested = scanned is not None or decoded is not None or refused or print_page
    failed = any(check.verdict == PROBLEM for check in checks)
    # Which printer drivers could run here: an installer reads it before choosing PRINTER_DRIVER.
    drivers = [(driver.name, *driver.usable()) for driver in DRIVERS.values() if driver.name != "dummy"]
    return render_template("hardware/hardware.html", checks=checks, scanned=scanned, drivers=drivers,
                           printer=current_app.extensions["kiosk.printer"].driver), 422 if failed and tested else 200


@bp.get("")
def index():
    return _page()


@bp.post("/test-page")
def print_test():
    return _page(print_page=True)


@bp.post("/scan")
def scan_test():
    """The scanner's burst, exactly as it arrived (not stripped: a stray character is what this is looking for)."""
    return _page(scanned=request.form.get("code", "")[:200])


@bp.post("/camera")
@accepts_picture
def camera_test():
    from hardware.camera import read_picture  # installed, or the page says it is not

    data = request.files["image"].read() if "image" in request.files else b""
    try:
        reading = read_picture(data)
        # No code: a *#06# screen's digits, read as text where OCR is usable (hardware.ocr says why not).
        return _page(decoded=[code.text for code in reading.codes] or [f"IMEI {imei}" for imei in reading.imeis])
    except PictureRefused as err:  # said on the page, with the status the other picture routes answer (413, 422)
        return _page(refused=err.message)[0], err.status


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
