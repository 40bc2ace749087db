"""The clerk closes a shipment: the bags leaving for HQ today, so HQ knows what to expect; and hands back the
devices HQ sent back for their sellers (a counter-offer refused: kiosk.tradein.counter_offers)."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Flask, current_app, flash, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from core.receipts import build_manifest
from core.sale_receipt import local_time
from kiosk.auth import login_required
from kiosk.formatting import current_store
from kiosk.i18n import translated
from kiosk.request_locale import request_locale_tag
from kiosk.store.connection import get_db
from kiosk.tradein import counter_offers, shipping
from kiosk.translations import catalogue
from kiosk.web import current_actor, see_other, send_paper

bp = Blueprint("shipments", __name__, url_prefix="/shipments")
bp.before_request(login_required(lambda: None))
BAG_ROW = "shipments/_bag_row.html"
BAG_ROWS_KEPT = 4096  # two weeks of a busy store's bags many times over; a row is under a kilobyte


def _page(status: int = 200, error: str | None = None):
    store_id = current_actor().store_id
    ready = shipping.ready_to_ship(get_db(), store_id)
    return render_template("shipments/shipments.html", ready=ready, photos=shipping.bag_photos(get_db(), ready),
                           error=error, shipments=shipping.recent_shipments(get_db(), store_id),
                           coming_back=counter_offers.coming_back(get_db(), store_id)), status


@bp.app_template_global()
def bag_rows(bags: list[dict], photos: dict[str, tuple[tuple[str, str], ...]]) -> Markup:
    """The bags' rows, each rendered once for what it shows (as kiosk.formatting.tradein_rows does for today's
    list): a busy store's two weeks of bags are a few hundred rows, shown again after every shipment closed. A
    row's key is everything its HTML depends on: its columns, its photos, the reader's language, the store's time
    zone and the app's URL root."""
    if not bags:
        return Markup("")
    rendered = current_app.extensions.get("kiosk.bag_rows") or _bag_row_cache(current_app)
    shown_as = (request_locale_tag(), current_store()["timezone"], request.script_root, tuple(bags[0]))
    return Markup("".join([rendered(shown_as, tuple(bag.values()), photos[bag["uuid"]]) for bag in bags]))


def _bag_row_cache(app: Flask):
    """One app's rendered rows (tests run several); none kept while templates reload as they are edited."""

    @lru_cache(maxsize=0 if app.jinja_env.auto_reload else BAG_ROWS_KEPT)
    def rendered(shown_as: tuple, values: tuple, shots: tuple[tuple[str, str], ...]) -> str:
        bag = dict(zip(shown_as[-1], values, strict=True))
        return app.jinja_env.get_template(BAG_ROW).render(
            t=bag, shots=[{"sha256": sha256, "kind": kind} for sha256, kind in shots])

    app.extensions["kiosk.bag_rows"] = rendered
    return rendered


@bp.get("")
def index():
    return _page()


@bp.post("")
def close():
    try:
        shipment = shipping.close_shipment(get_db(), current_actor(), request.form.getlist("tradein")[:500])
    except shipping.ShippingError as err:
        return _page(422, translated(err))
    flash(gettext("Shipment %(code)s closed with %(count)s bag(s): HQ now expects them.", code=shipment["code"],
                  count=len(shipment["bags"])))
    _print_manifest(shipment)
    return see_other(url_for(".index"))


@bp.post("/returns/<tradein_uuid>/handed-back")
def handed_back(tradein_uuid: str):
    """The seller took back the device HQ returned (they refused HQ's counter-offer)."""
    try:
        done = counter_offers.hand_back(get_db(), current_actor(), tradein_uuid[:64])
    except counter_offers.HandBackError as err:
        return _page(422, translated(err))
    flash(gettext("%(code)s handed back to its seller: HQ is told on the next sync.", code=done["code"]))
    return see_other(url_for(".index") + "#coming-back")


def _print_manifest(shipment: dict) -> None:
    """After the commit: the courier's paper. A printer fault loses nothing (the shipment is saved)."""
    store = current_store()
    manifest = build_manifest(store, shipment, shipping.manifest_bags(get_db(), shipment["uuid"]),
                              catalogue(store["locale"]).gettext, local_time(shipment["closed_at"], store))
    if reason := send_paper(manifest, f"{shipment['code']}-manifest"):
        flash(gettext("The manifest did not print: %(reason)s The shipment is saved.", reason=reason), "error")
