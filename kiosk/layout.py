"""The staff layout's head and top bar, each rendered once for what it shows (as kiosk.formatting.tradein_rows does
for a list's rows): every page a clerk opens repeats them, and building them (a dozen URLs and texts, two includes)
was about half of the till's page. A part's key is everything its HTML depends on: the values it is given (text),
the reader's language and the app's URL root. What changes from one request to the next, the CSRF token and the
path the language switch returns to, is written in a slot when the part is kept and put in per request."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import lru_cache

from flask import Flask, current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from kiosk.request_locale import request_locale_tag

PARTS_KEPT = 256  # a terminal's languages x its staff x its store's names: a few dozen
# Random, so that no text in a part (a clerk's or a store's name) can stand for them.
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(8)}"
_PATH_SLOT = f"path-slot-{secrets.token_hex(8)}"


def layout_part(template: str, **shown: str | bool | None) -> Markup:
    """`template` rendered with `shown`, kept for the reader's language and the app's URL root. The template reads
    only `shown`, the environment's globals (url_for, _, current_language), csrf_token() and `lang_next`."""
    key = (template, request_locale_tag(), request.script_root, *sorted(shown.items()))
    html = current_app.extensions["kiosk.layout_parts"](key)
    if _CSRF_SLOT in html:
        html = html.replace(_CSRF_SLOT, generate_csrf())
    if _PATH_SLOT in html:  # after the token: a path cannot bring a slot of its own in
        html = html.replace(_PATH_SLOT, str(escape(request.full_path.rstrip("?"))))
    return Markup(html)


def _part_cache(app: Flask) -> Callable[[tuple], str]:
    """The rendered parts of one app (tests run several); none kept while templates reload as they are edited."""

    @lru_cache(maxsize=0 if app.jinja_env.auto_reload else PARTS_KEPT)
    def rendered(key: tuple) -> str:
        template, _, _, *shown = key
        return current_app.jinja_env.get_template(template).render(
            dict(shown), csrf_token=lambda: _CSRF_SLOT, lang_next=_PATH_SLOT
        )

    return rendered


def init_app(app: Flask) -> None:
    app.extensions["kiosk.layout_parts"] = _part_cache(app)
    app.add_template_global(layout_part)
