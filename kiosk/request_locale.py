"""The reader's catalogue and locale, found once a request and kept on `g`: Flask-Babel finds its domain, the
locale and the catalogue again on every call (about ten context lookups), and a list of 40 rows asks hundreds of
times. Text said in the reader's language goes through here (kiosk.i18n installs it in the templates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from babel import Locale
from babel.support import NullTranslations
from flask import g, has_app_context
from flask_babel import get_locale, get_translations

T = TypeVar("T")


def _per_request(name: str, find: Callable[[], T]) -> T:
    """`find()` once a request."""
    if not has_app_context():  # a command's text: Flask-Babel's own answer (the source text)
        return find()
    value = g.get(name)
    if value is None:
        value = find()
        setattr(g, name, value)
    return value


def request_catalogue() -> NullTranslations:
    """The reader's catalogue."""
    return _per_request("_catalogue", get_translations)


def request_locale() -> Locale:
    """The reader's locale."""
    return _per_request("_locale", get_locale)


def request_locale_tag() -> str:
    """The reader's locale as text ("fr_FR"): the key of the formatting caches."""
    return _per_request("_locale_tag", lambda: str(request_locale()))


def catalogue_gettext(catalogue: NullTranslations, string: str, **variables: object) -> str:
    text = catalogue.ugettext(string)
    return text % variables if variables else text


def gettext(string: str, **variables: object) -> str:
    """Flask-Babel's gettext, through the request's catalogue."""
    return catalogue_gettext(request_catalogue(), string, **variables)
