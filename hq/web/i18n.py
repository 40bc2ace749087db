"""HQ's languages: the same Flask-Babel set-up as the kiosk's (French and English, the reader's choice kept in the
session, HQ_LANGUAGE until then), and what the pages show through it: money in the reader's locale, times in the
time zone of the store they happened at (HQ's own for HQ-wide figures), codes as translated labels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import Babel, get_locale, gettext

from core.dates import date_example
from core.device_names import shown_name
from core.messages import translate
from core.money import format_money
from core.text import local_path
from core.translation_catalogues import compile_catalogues
from hq.services.labels import LABELS
from hq.translations import CATALOGUES

LANGUAGES = (("fr", "Français"), ("en", "English"))
LANGUAGE_CODES = tuple(code for code, _ in LANGUAGES)
bp = Blueprint("hq_lang", __name__)

def ui_locale() -> str:
    """The reader's language in HQ's territory (fr_FR, en_FR: money and dates as France writes them)."""
    home = Locale.parse(current_app.config["LOCALE"])
    language = next(code for code in (session.get("lang"), current_app.config["LANGUAGE"], home.language, "fr")
                    if code in LANGUAGE_CODES)
    return str(Locale(language, home.territory)) if home.territory else language


def label(code: object) -> str:
    """A stored code in the reader's words; a code nobody labelled is shown as it is."""
    return gettext(LABELS[code]) if isinstance(code, str) and code in LABELS else ("—" if code is None else str(code))


def device_name(brand: str | None, model: str | None) -> str:
    """Brand once, the generation in the reader's language: "Apple Watch Series 10", « iPhone SE (3e génération) »
    (core.device_names, as at the kiosk; HQ's rows carry no catalog names)."""
    return shown_name(brand or "", model, None, get_locale().language, gettext) if model else "—"


def money(minor: float | None, currency: str | None = None) -> str:
    return "—" if minor is None else format_money(int(minor), currency or "EUR", str(get_locale()))


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or current_app.config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["TIMEZONE"])


def when(value: str | None, zone: str | None = None) -> str:
    """An instant (ISO 8601, UTC when it says no offset) in the store's time zone, as the reader's locale writes
    it; a day stays a day. Nothing -> "—"; text that is not a date is shown as it is."""
    if not value:
        return "—"
    try:
        if len(value) == 10:
            return format_date(date.fromisoformat(value), "medium", locale=get_locale())
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    return format_datetime(instant, "short", tzinfo=_zone(zone), locale=get_locale())


def translated(text: object) -> str:
    """A message (core.messages) in the reader's language: Amounts as money, Instants in HQ's time zone."""
    return translate(text, gettext, money, when)


@bp.post("/hq/lang")
def switch():
    code = request.form.get("lang", "")
    if code not in LANGUAGE_CODES:
        abort(400, gettext("Unknown language."))
    session["lang"] = code
    return redirect(local_path(request.form.get("next")) or url_for("hq_web.dashboard"), 303)


def _check_settings(config) -> None:
    """HQ_LOCALE and HQ_TIMEZONE are read on every page: a wrong one stops the start, saying which."""
    try:
        if not Locale.parse(config["LOCALE"]).territory:
            raise ValueError("no territory")
        ZoneInfo(config["TIMEZONE"])
    except (ValueError, TypeError, ZoneInfoNotFoundError, UnknownLocaleError) as err:
        raise SystemExit(f"HQ_LOCALE must be like fr_FR and HQ_TIMEZONE like Europe/Paris ({err})") from None


def init_app(app: Flask) -> None:
    _check_settings(app.config)
    compile_catalogues(CATALOGUES)
    Babel(app, locale_selector=ui_locale, timezone_selector=lambda: current_app.config["TIMEZONE"],
          default_translation_directories=str(CATALOGUES))
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=lambda: get_locale().language,
                                 label=label, money=money, when=when, device_name=device_name,
                                 date_hint=lambda: date_example(str(get_locale())))
    app.add_template_filter(translated, "tr")
    app.register_blueprint(bp)
