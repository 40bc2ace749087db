"""kiosk.web: what the blueprints (kiosk.views) share and are not blueprints themselves: request size bounds,
page-or-fragment answers, the acting clerk, and the flows several views start (a trade-in from any scan, a
manager's approval on the clerk's screen, the customer's ticket). Below the views, above the services."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import abort, current_app, g, make_response, redirect, render_template, request

from hardware import escpos_render
from hardware.printer import PrinterError
from hardware.uploads import MAX_PICTURE_BYTES
from kiosk.compliance.audit import Actor
from kiosk.extensions import htmx
from kiosk.i18n import translated
from kiosk.provisioning.terminal import terminal_id_for
from kiosk.store.connection import get_db
from kiosk.tradein import tradeins

# A picture route may take a photo; every other request is a form, far smaller (413 above either).
FORM_REQUEST_BYTES = 1024 * 1024
PICTURE_REQUEST_BYTES = MAX_PICTURE_BYTES + 256 * 1024


def accepts_picture(view: Callable) -> Callable:
    """Marks a view that takes a picture upload: its request may be as large as a photo."""
    view.accepts_picture = True  # type: ignore[attr-defined]
    return view


def bound_request_size() -> None:
    """Before anything reads the body (CSRF included): the size this route may receive."""
    view = current_app.view_functions.get(request.endpoint or "")
    request.max_content_length = PICTURE_REQUEST_BYTES if getattr(view, "accepts_picture", False) \
        else FORM_REQUEST_BYTES


def wants_fragment() -> bool:
    """An htmx request aimed at a named part of the page gets just the partial; a boosted navigation
    or an HX-Location follow-up (both target <body>, which has no id) gets the whole page."""
    return bool(htmx) and not htmx.boosted and bool(htmx.target)


def page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    template = fragment if wants_fragment() else page
    return render_template(template, **context), status


def small_int(raw: str | None, limit: int = 1_000_000) -> int | None:
    """A form or query number that fits our columns, or None: 10**40 is not a device id, and must
    not reach SQLite (which would overflow) as anything but "not a choice"."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= limit else None


def current_actor() -> Actor:
    """Who acts, on which terminal: the signed-in clerk on this terminal (TERMINAL_ID or the first staff one).
    Looked up once per request: the till asks for it several times on its busiest route."""
    if "actor" not in g:
        g.actor = _lookup_actor()
    return g.actor


def _lookup_actor() -> Actor:
    terminal_id = current_app.config["TERMINAL_ID"]
    found = terminal_id_for(get_db(), g.staff["store_id"], terminal_id)
    if found is None:
        abort(503, f"Terminal {terminal_id or '(staff)'} is not registered for this store: check TERMINAL_ID.")
    return Actor(g.staff["id"], g.staff["store_id"], found)


def load_tradein(tradein_uuid: str) -> dict:
    ti = tradeins.get(get_db(), tradein_uuid)
    if ti is None or ti["store_id"] != g.staff["store_id"]:
        abort(404)
    return ti


def see_other(url: str):
    """Where to go after a successful POST. A plain form (or a boosted one) gets a 303; an htmx
    fragment request gets HX-Location, so htmx navigates instead of swapping a page into a fragment."""
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Location"] = json.dumps({"path": url, "target": "body"})
        return response
    return redirect(url, 303)


def send_paper(receipt, job_name: str, open_drawer: bool = False) -> str | None:
    """After the commit: print a receipt, report or manifest. None when it printed; else the reason in the reader's
    language (what was saved stays saved: the caller says so and offers to print again)."""
    data = escpos_render.render(receipt, current_app.config["PRINTER_PROFILE"], open_drawer)
    try:
        current_app.extensions["kiosk.printer"].send(data, job_name)
    except PrinterError as err:
        return translated(err)
    return None
