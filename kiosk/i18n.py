"""Languages: Flask-Babel set-up, who reads in which language, and the language switch.

The UI language is the reader's choice (kept in the session) or the store's; money, dates and
numbers follow it, in the store's territory (en_FR writes 250,00 € as France does) and time zone.
"""

from __future__ import annotations

from babel import Locale
from babel.core import UnknownLocaleError
from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import Babel
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from core.messages import translate
from core.text import local_path
from kiosk.request_locale import gettext, request_catalogue, request_locale
from kiosk.translations import CATALOGUES, compile_catalogues

# (code, name in its own language): the switch shows each language in itself.
LANGUAGES = (("fr", "Français"), ("en", "English"))
LANGUAGE_CODES = tuple(code for code, _ in LANGUAGES)
bp = Blueprint("lang", __name__)


def store_locale() -> str:
    from kiosk.formatting import current_store  # the store row is per request

    return current_store()["locale"]


def store_timezone() -> str:
    from kiosk.formatting import current_store

    return current_store()["timezone"]


def ui_locale() -> str:
    """The reader's language in the store's territory, when Babel knows that pair (fr_FR, en_FR)."""
    store = Locale.parse(store_locale())
    language = next(code for code in (session.get("lang"), current_app.config["LANGUAGE"], store.language, "en")
                    if code in LANGUAGE_CODES)
    try:
        return str(Locale(language, store.territory)) if store.territory else language
    except UnknownLocaleError:
        return language


def current_language() -> str:
    return request_locale().language


def translated(text: object) -> str:
    """Anything meant for a reader, in their language (core.messages.translate with the kiosk's catalogue)."""
    from kiosk.formatting import money

    return translate(text, gettext, money)


@bp.route("/lang", methods=["POST"])
def switch():
    code = request.form.get("lang", "")
    if code not in LANGUAGE_CODES:
        abort(400, gettext("Unknown language."))
    session["lang"] = code
    # A path on this host only (no open redirect).
    return redirect(local_path(request.form.get("next")) or url_for("today.home"), 303)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: object) -> str:
    """The templates' _(): what Jinja's newstyle gettext does (Markup where the template escapes, %-formatted even
    without variables), in one call where Jinja's `_` makes three through the template's context (a trade-in's
    page says thirty texts). A text with no variable and no % is what formatting it would give back."""
    text = request_catalogue().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


def init_app(app: Flask) -> None:
    compile_catalogues()
    Babel(app, locale_selector=ui_locale, timezone_selector=store_timezone,
          default_translation_directories=str(CATALOGUES))
    catalogue = request_catalogue
    app.jinja_env.install_gettext_callables(  # the callables Flask-Babel installs, through the request's catalogue
        gettext=lambda s: catalogue().ugettext(s), ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n), newstyle=True)
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=current_language, _=_template_gettext)
    # Text that comes from data (the checklist spec) rather than a template literal: looked up as is,
    # never %-formatted ("92 %" is a label, not a format).
    app.add_template_filter(translated, "tr")
    app.register_blueprint(bp)


def database_trouble(err: Exception) -> str:
    """Why the terminal's database refused a write, in words that say what to do: a busy database (another
    terminal is writing) is not a full disk."""
    reason = str(err).lower()
    if "locked" in reason or "busy" in reason:
        return gettext("The terminal's database is busy (another terminal is saving): nothing was recorded. "
                       "Wait a few seconds, then try again.")
    return gettext("The terminal could not write to its database (%(reason)s): nothing was recorded. Free disk "
                   "space or call support, then try again.", reason=str(err))
