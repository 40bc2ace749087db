"""The clerk's home: start a trade-in by scanning, today's trade-ins, search by IMEI or code."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext

from core import serials
from core.codes import SCAN_PRIORITY, classify
from core.imei import clean, parse_imei
from hardware import extras
from hardware.uploads import PictureRefused
from kiosk.auth import login_required
from kiosk.formatting import current_store
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import listing
from kiosk.web import accepts_picture, page_or_fragment
from kiosk.web.scan_routing import follow
from kiosk.web.start import begin

bp = Blueprint("today", __name__)


def _today_bounds_utc() -> tuple[str, str]:
    zone = ZoneInfo(current_store()["timezone"])
    start = datetime.combine(datetime.now(zone).date(), time.min, zone)
    return start.astimezone(ZoneInfo("UTC")).isoformat(), (start + timedelta(days=1)).astimezone(
        ZoneInfo("UTC")).isoformat()


def find_tradeins(query: str) -> list[dict]:
    """Today's trade-ins, or with a query any trade-in whose code, IMEI or serial contains it."""
    store_id = current_store()["id"]
    if query:
        return listing.search(get_db(), store_id, clean(query))
    return listing.created_between(get_db(), store_id, *_today_bounds_utc())


def today_context(**extra) -> dict:
    query = request.args.get("q", "").strip()[:64]
    return {"tradeins": find_tradeins(query), "q": query, "error": None, "value": "", "kind": "phone", **extra}


def _asking_kind() -> dict:
    """A serial whose format names no kind, scanned into another page's field (scan_routing): the start form
    shows it and asks the kind."""
    serial = request.args.get("serial", "")[:64]
    scanned = classify(serial) if serial else None  # the home page and its list, reloaded after every scan
    if scanned is None or scanned.kind != "serial":
        return {}
    return {"error": gettext(serials.ASK_KIND), "value": scanned.value, "kind": ""}


@bp.get("/")
def home():
    return redirect(url_for("today.today"))


@bp.get("/tradeins")
@login_required
def today():
    return page_or_fragment("today/today.html", "today/_tradein_rows.html", **today_context(**_asking_kind()))


@bp.post("/scan")
@login_required
def scan():
    """Whatever a scanner read outside any text field on a staff page: go where that code leads."""
    return follow(classify(request.form.get("code", "")[:200]), _refused)


@bp.post("/scan/image")
@accepts_picture
@login_required
def scan_image():
    """A camera snapshot from the browser: bounded, decoded here, then followed like a scan."""
    upload = request.files.get("image")
    if extras.camera():
        return _refused(gettext("Camera decoding is not installed on this terminal (the camera extra)."), 503)
    from hardware.camera import read_picture  # the camera extra, there as just asked
    data = upload.read() if upload else b""
    try:
        reading = read_picture(data)
    except PictureRefused as err:
        return _refused(translated(err.message), err.status)
    results, imeis = reading.codes, reading.imeis
    if imeis and not results:  # no code: the *#06# screen's digits, read as text; a dual-SIM screen shows two,
        # the second fills the device step's second-IMEI field
        return begin("phone", parse_imei(imeis[0]), None, _refused, imeis[1] if len(imeis) > 1 else None)
    if not results:
        return _refused(gettext("No barcode, QR code or IMEI found in the picture: hold it closer and steadier."))
    scans = sorted((classify(r.text) for r in results), key=lambda s: SCAN_PRIORITY.index(s.kind))
    if scans[0].kind == "imei" and len(imeis) > 1:  # a dual-SIM box's label: both IMEIs, the upper one first
        return begin("phone", parse_imei(imeis[0]), None, _refused, imeis[1])
    return follow(scans[0], _refused)  # a box label shows several codes: the device's own identity wins


def _refused(message: str, status: int = 422):
    """Back on the home page, saying why the scan led nowhere."""
    flash(message, "error")
    return page_or_fragment("today/today.html", "today/_tradein_rows.html", status, **today_context())
