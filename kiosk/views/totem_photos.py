"""The customer totem's optional photo step (/customer/photos, routed by kiosk.views.customer): the customer shows
the device to the totem's camera, or picks a picture, before asking for the ticket. The shots stay with the
estimate; the clerk's trade-in of the ticket shows them, and a customer who leaves without a ticket takes them
away (the idle reset deletes them). A customer sees only the shots of their own estimate."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, send_file, url_for

from core.photos import SHOT_KINDS
from hardware.uploads import PictureRefused
from kiosk.evidence import photos
from kiosk.i18n import translated
from kiosk.provisioning.terminal import terminal_id_for
from kiosk.store.connection import get_db
from kiosk.web import see_other


def page(est: dict, status: int = 200, error: str | None = None):
    shots = photos.of_estimate(get_db(), est["uuid"])
    taken = {shot["kind"] for shot in shots}
    chosen = request.form.get("kind") or next((k for k in SHOT_KINDS if k not in taken), "damage")
    return render_template("customer/photos.html", est=est, shots=shots, kinds=SHOT_KINDS, chosen=chosen,
                           error=error), status


def take(est: dict):
    upload = request.files.get("image")
    terminal = terminal_id_for(get_db(), est["store_id"], current_app.config["TERMINAL_ID"], "customer") or ""
    try:
        photos.take_for_estimate(get_db(), est, request.form.get("kind", ""), upload.read() if upload else b"",
                                 terminal)
    except PictureRefused as err:  # too large, too many pixels, not a picture: before anything is decoded
        return page(est, err.status, translated(err.message))
    except photos.PhotoRefused as err:
        return page(est, 422, translated(err))
    return see_other(url_for("customer.photos_step"))


def remove(est: dict, photo_uuid: str):
    try:
        photos.remove(get_db(), photo_uuid[:40], "estimate_uuid", est["uuid"])
    except photos.PhotoRefused as err:
        return page(est, 422, translated(err))
    return see_other(url_for("customer.photos_step"))


def photo_file(est: dict | None, photo_uuid: str):
    shot = next((s for s in photos.of_estimate(get_db(), est["uuid"]) if s["uuid"] == photo_uuid), None) \
        if est else None
    found = photos.file_of(get_db(), shot["sha256"]) if shot else None
    if found is None or not found[0].is_file():
        abort(404)
    return send_file(found[0], mimetype=found[1], max_age=0)
