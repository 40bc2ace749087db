"""The photo step of the staff trade-in flow (/tradeins/<uuid>/photos): front, back, lit screen, the *#06# screen
and any damage, from the browser's camera (photos.js) or a plain file input that works without JavaScript. Offered
from the trade-in's page and the quote, never forced unless the store's rule requires shots (kiosk.evidence).
The files are shown to signed-in staff only (/photos/<sha256>)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext

from core.photos import SHOT_KINDS
from core.states import EDITABLE
from hardware.uploads import MAX_PICTURE_BYTES, PictureRefused
from kiosk.auth import login_required
from kiosk.evidence import photos
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.web import accepts_picture, current_actor, load_tradein, see_other

bp = Blueprint("photos", __name__)
bp.before_request(login_required(lambda: None))  # staff only, the files included


def tradein_photos(ti: dict) -> list[dict]:
    """A trade-in's shots, for the pages that list them (trade-in, shipments)."""
    return photos.of_tradein(get_db(), ti)


def suggested_kind(shots: list[dict], required: tuple[str, ...]) -> str:
    """The kind the form offers first: the first required one missing, else the first with no shot yet."""
    taken = {shot["kind"] for shot in shots}
    return next((k for k in required if k not in taken), next((k for k in SHOT_KINDS if k not in taken), "damage"))


def _back_url(ti: dict) -> str:
    """Back where the flow stands: the quote (which sends a trade-in not quoted yet to its checklist), or the
    trade-in's page once it is past the quote."""
    if ti["state"] in EDITABLE:
        return url_for("tradein.quote", tradein_uuid=ti["uuid"])
    return url_for("tradein.detail", tradein_uuid=ti["uuid"])


def _page(ti: dict, status: int = 200, error: str | None = None):
    shots = photos.of_tradein(get_db(), ti)
    required = photos.required_kinds(get_db(), ti["store_id"])
    return render_template("photos/tradein.html", ti=ti, shots=shots, required=required,
                           missing=photos.missing_required(get_db(), ti), kinds=SHOT_KINDS,
                           chosen=request.form.get("kind") or suggested_kind(shots, required), error=error,
                           open=photo_step_open(ti), back_url=_back_url(ti)), status


@bp.get("/tradeins/<tradein_uuid>/photos")
def step(tradein_uuid: str):
    return _page(load_tradein(tradein_uuid))


@bp.post("/tradeins/<tradein_uuid>/photos")
@accepts_picture
def take(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    upload = request.files.get("image")
    kind = request.form.get("kind", "")
    try:
        photos.take_for_tradein(get_db(), ti, kind, upload.read() if upload else b"", current_actor().staff_id,
                                current_actor().terminal_id)
    except PictureRefused as err:  # too large, too many pixels, not a picture: said before anything is decoded
        return _page(ti, err.status, translated(err.message))
    except photos.PhotoRefused as err:
        return _page(ti, 422, translated(err))
    flash(gettext("Photo saved: %(kind)s.", kind=translated(photos.kind_label(kind))))
    return see_other(url_for(".step", tradein_uuid=tradein_uuid))


@bp.post("/tradeins/<tradein_uuid>/photos/<photo_uuid>/remove")
def remove(tradein_uuid: str, photo_uuid: str):
    ti = load_tradein(tradein_uuid)
    try:
        photos.remove(get_db(), photo_uuid[:40], "tradein_uuid", ti["uuid"])
    except photos.PhotoRefused as err:
        return _page(ti, 422, translated(err))
    flash(gettext("Photo removed."))
    return see_other(url_for(".step", tradein_uuid=tradein_uuid))


@bp.get("/photos/<sha256>")
def file(sha256: str):
    found = photos.file_of(get_db(), sha256)
    if found is None or not found[0].is_file():
        abort(404)
    return send_file(found[0], mimetype=found[1], max_age=0)


@bp.errorhandler(413)
def too_large(_error):
    """A picture far past the limit is refused by its size alone, before the form (and its CSRF token, and so the
    clerk's session) is even read: the photo step says why, once the browser is back on it."""
    flash(gettext("The picture is too large (at most %(limit)s MB): nothing was saved. Take it again closer, or at "
                  "a lower resolution.", limit=MAX_PICTURE_BYTES // 2**20), "error")
    if request.view_args and "tradein_uuid" in request.view_args:
        return redirect(url_for(".step", tradein_uuid=request.view_args["tradein_uuid"][:40]), 303)
    return redirect(url_for("today.today"), 303)


def photo_step_open(ti: dict) -> bool:
    """Whether shots may still be taken of this trade-in (before it ships)."""
    return ti["state"] in photos.OPEN_STATES


def photo_kind(kind: str) -> str:
    """What a shot shows, in the reader's language."""
    return translated(photos.kind_label(kind))


def init_app(app: Flask) -> None:
    app.add_template_global(tradein_photos)
    app.add_template_global(photo_step_open)
    app.add_template_global(photo_kind)
    app.add_template_filter(photo_kind)
    app.register_blueprint(bp)
