"""Starting a trade-in from a scanned identifier, the same way wherever it was scanned (the start form, a burst
caught anywhere on a page, a photo): a price grid must exist, the device's trade-in in progress is resumed, and
the gates (HQ's blocklist, earlier trade-ins here and at other stores) refuse before any question."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import current_app, flash, url_for
from flask_babel import gettext

from core.imei import IDENTIFIER_FOR_KIND, Imei, takes
from core.messages import Message
from core.pricing import NO_GRID
from kiosk.hq_link import hq_refusal
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import catalog, drafts, gates, tradeins
from kiosk.web import current_actor, see_other

# The codes an identifier field (the start form's, the pick-up's) takes itself; any other code leads where /scan
# would take it (kiosk.web.scan_routing). "unknown" stays: the field says why it is neither an IMEI nor a serial.
IDENTIFIER_CODES = frozenset({"imei", "imeisv", "serial", "unknown"})


def identifier_field_takes(kind: str) -> frozenset[str]:
    """What an identifier field takes for a device of `kind`: digits that could be a product barcode are the serial
    number when the clerk chose a kind taken on its serial (a watch, a console, a Wi-Fi tablet)."""
    on_serial = kind in IDENTIFIER_FOR_KIND and takes(kind, "serial")
    return (IDENTIFIER_CODES | {"ean13", "upca"}) if on_serial else IDENTIFIER_CODES


def begin(kind: str, imei: Imei | None, serial: str | None, refused: Callable[[str], object],
          imei2: str | None = None):
    """The device step of a new (or resumed) trade-in, or `refused(reason)` when it cannot start."""
    if catalog.active_grid_version(get_db()) is None:  # ten questions for no price: say so at once
        return refused(translated(Message(NO_GRID)))
    number, serial_number = (imei.number if imei else ""), (serial or "")
    if resumed := _resume(number, serial_number):
        return resumed
    refusal = gates.scan_refusal(get_db(), number, serial_number, date.today(),
                                 current_app.config["RETRADE_MIN_DAYS"], hq_refusal)
    if refusal:  # before any question: nothing is created, the clerk hands the device back
        return refused(translated(refusal.message()))
    ti = tradeins.create_draft(get_db(), current_actor(), kind, imei=imei, serial=serial)
    return see_other(url_for("tradein.device", tradein_uuid=ti["uuid"], imei2=imei2))


def _resume(imei: str, serial: str):
    """The same device scanned again: its trade-in in progress, where it stands (stale ones expire first)."""
    drafts.expire(get_db(), current_app.config["DRAFT_EXPIRY_HOURS"])
    resumed = drafts.open_for(get_db(), current_actor().store_id, imei, serial)
    if resumed is None:
        return None
    flash(gettext("This device's trade-in %(code)s was already started: resumed.", code=resumed["code"]))
    page = "tradein.quote" if resumed["state"] == "quoted" else "tradein.device"
    return see_other(url_for(page, tradein_uuid=resumed["uuid"]))
