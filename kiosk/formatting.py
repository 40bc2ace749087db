"""Jinja filters: money, local times, state labels, all in the store's locale and time zone."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, current_app, g, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from core.dates import short_datetime
from core.device_names import shown_name
from core.messages import N_
from core.money import format_money
from core.sale_receipt import TENDER_LABELS
from core.sales_tax import rate_text
from core.states import EDITABLE, LABELS
from kiosk.codes_svg import code128_svg, qr_svg
from kiosk.provisioning.terminal import store_profile
from kiosk.request_locale import catalogue_gettext, gettext, request_catalogue, request_locale, request_locale_tag
from kiosk.store.connection import get_db

JOB_KINDS = {"receipt": N_("receipt"), "label": N_("bag label")}
JOB_STATUSES = {"pending": N_("waiting"), "printed": N_("printed"), "failed": N_("failed")}
ROLES = {"clerk": N_("clerk"), "manager": N_("manager"), "admin": N_("admin")}
DEVICES = {"printer": N_("Printer"), "scanner": N_("Scanner"), "camera": N_("Camera")}
VERDICTS = {"ok": N_("OK"), "problem": N_("Problem"), "untested": N_("Not tested yet")}
RIGHTS = {"access": N_("access"), "rectification": N_("rectification"), "erasure": N_("erasure"),
          "restriction": N_("restriction"), "portability": N_("portability"), "objection": N_("objection"),
          "know": N_("right to know"), "delete": N_("right to delete"), "correct": N_("right to correct"),
          "opt_out": N_("opt-out of sale or sharing")}


def current_store() -> dict:
    """This terminal's store; before enrolment, an empty one in the set-up locale and time zone."""
    if "store" not in g:
        g.store = store_profile(get_db()) or {
            "id": "", "name": "", "address": "", "currency": "EUR", "demo": 0,
            "locale": current_app.config["LOCALE"], "timezone": current_app.config["TIMEZONE"]}
    return g.store


def money(minor: int | None, currency: str | None = None) -> str:
    if minor is None:
        return "—"
    return format_money(minor, currency or current_store()["currency"], request_locale_tag())


def local_datetime(iso: str | None, fmt: str = "short") -> str:
    if not iso:
        return "—"
    return _local_datetime(iso, fmt, current_store()["timezone"], request_locale_tag())


@lru_cache(maxsize=4096)  # a list shown again after every scan formats the same times again
def _local_datetime(iso: str, fmt: str, timezone: str, locale: str) -> str:
    if fmt == "short":  # a four-digit year: 11/23/2026, 9:05 AM in the US (Babel's short says 11/23/26)
        return short_datetime(datetime.fromisoformat(iso), timezone, locale)
    return format_datetime(datetime.fromisoformat(iso), fmt, tzinfo=ZoneInfo(timezone), locale=locale)


def _local_date(iso: str | None) -> str:
    return format_date(datetime.fromisoformat(iso).date(), "medium", locale=request_locale()) if iso else "—"


def device_label(device, with_brand: bool = True) -> str:
    """A device's name for the reader: a catalog device (kiosk.tradein.catalog) or a listed trade-in row (its
    device_brand, device_model and device_names columns), in the reader's language (core.device_names). Without
    the brand where the brand was just chosen (the customer's model tiles)."""
    if hasattr(device, "shown"):
        return shown_name(device.brand if with_brand else "", device.model, device.names,
                          request_locale().language, gettext)
    if device and device.get("device_model"):
        return _listed_name(device["device_brand"] if with_brand else "", device["device_model"],
                            device["device_names"] or "{}", request_locale().language, request_catalogue())
    return "—"


@lru_cache(maxsize=4096)  # a list names the same few models row after row, and again after every scan
def _listed_name(brand: str, model: str, names: str, language: str, catalogue) -> str:
    return shown_name(brand, model, json.loads(names), language,
                      lambda text, **values: catalogue_gettext(catalogue, text, **values))


def tradein_url(endpoint: str, tradein_uuid: str) -> str:
    """url_for(endpoint, tradein_uuid=...) for a list's rows: each endpoint's URL is built once a request and
    the id put in its place (werkzeug takes about 10 µs a URL, and a row has up to three)."""
    patterns = g.setdefault("_tradein_urls", {})
    pattern = patterns.get(endpoint)
    if pattern is None:
        pattern = patterns[endpoint] = url_for(endpoint, tradein_uuid=_ID_SLOT)
    return pattern.replace(_ID_SLOT, quote(tradein_uuid, safe=""))


_ID_SLOT = "tradein-id-slot"

ROW_TEMPLATE = "today/_tradein_row.html"
ROWS_KEPT = 4096  # a busy store's day many times over; a row is under a kilobyte
# A kept row that can still be resumed holds this where its form's CSRF token goes; each request puts its own in.
# Random, so that no text in a row can stand for it.
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(8)}"


def tradein_rows(rows: list[dict]) -> Markup:
    """The rows of a trade-in list (today's, a search's), each rendered once for what it shows: the list is
    shown again after every scan, and rendering its rows took nine tenths of the page. A row's key is everything
    its HTML depends on: its columns, the reader's language, the store's time zone and the app's URL root."""
    if not rows:
        return Markup("")
    rendered = current_app.extensions["tradein_rows"]
    shown_as = (request_locale_tag(), current_store()["timezone"], request.script_root, tuple(rows[0]))
    html = "".join([rendered(shown_as, tuple(row.values())) for row in rows])
    return Markup(html.replace(_CSRF_SLOT, generate_csrf()) if _CSRF_SLOT in html else html)


def _row_cache(app: Flask) -> Callable[[tuple, tuple], str]:
    """The rendered rows of one app (each app its own: tests run several, each with its own templates); none
    kept while templates reload as they are edited (debug), so an edited row shows at once."""
    @lru_cache(maxsize=0 if app.jinja_env.auto_reload else ROWS_KEPT)
    def rendered(shown_as: tuple, values: tuple) -> str:
        row = dict(zip(shown_as[-1], values, strict=True))
        return current_app.jinja_env.get_template(ROW_TEMPLATE).render(t=row, editable=EDITABLE, csrf=_CSRF_SLOT)
    return rendered


def init_app(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_global(device_label)
    app.add_template_global(tradein_url)
    app.add_template_global(tradein_rows)
    app.extensions["tradein_rows"] = _row_cache(app)
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(_local_date, "local_date")
    # Markup: the SVG is generated by qrcode / zxing-cpp from escaped text, not from user HTML.
    app.add_template_filter(lambda data: Markup(qr_svg(data)), "qr_svg")
    app.add_template_filter(lambda data: Markup(code128_svg(data)), "code128_svg")
    app.add_template_filter(lambda state: gettext(LABELS.get(state, state)), "state_label")
    app.add_template_filter(lambda kind: gettext(JOB_KINDS.get(kind, kind)), "job_kind")
    app.add_template_filter(lambda status: gettext(JOB_STATUSES.get(status, status)), "job_status")
    app.add_template_filter(lambda role: gettext(ROLES.get(role, role)), "role_label")
    app.add_template_filter(lambda kind: gettext(RIGHTS.get(kind, kind)), "request_label")
    app.add_template_filter(lambda kind: gettext(TENDER_LABELS.get(kind, kind)), "tender_label")
    app.add_template_filter(lambda name: gettext(DEVICES.get(name.split(" ")[0], name)) +
                            (f" {name.split(' ', 1)[1]}" if " " in name else ""), "device_label")
    app.add_template_filter(lambda verdict: gettext(VERDICTS.get(verdict, verdict)), "verdict_label")
    # A VAT rate in basis points as the reader writes a percentage: 2000 -> "20", 550 -> "5,5" in French.
    app.add_template_filter(lambda bp: format_decimal(bp / 100, locale=request_locale()), "rate")
    # A sales tax rate in percent ("8.875") as the reader writes it: 8.875% in the US (core/sales_tax.py).
    app.add_template_filter(lambda rate: rate_text(rate, request_locale_tag()), "tax_rate")
    app.context_processor(lambda: {"store": current_store(), "staff": g.get("staff")})
