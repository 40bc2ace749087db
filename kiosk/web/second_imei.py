"""A dual-SIM phone's second IMEI on the device step, checked before any question: the model its TAC names
(core.tacs.second_imei_doubted: the next customer's phone scanned into the field is shown, never recorded
silently), then the same gates as the first IMEI."""

from __future__ import annotations

from datetime import date

from flask import current_app, request

from core import tacs
from core.imei import IdentifierError, parse_imei
from core.messages import N_
from kiosk.hq_link import hq_refusal
from kiosk.store.connection import get_db
from kiosk.tradein import catalog, drafts, gates

KEPT_FIELD = "imei2_kept"  # the IMEI the clerk chose to keep although its TAC names another model


def kept() -> str | None:
    """The second IMEI the clerk kept although its TAC names another model (a valid IMEI, else nothing)."""
    raw = request.form.get(KEPT_FIELD, "")[:32]
    try:
        return parse_imei(raw).number if raw.strip() else None
    except IdentifierError:
        return None


def doubted(ti: dict, device_id: int, raw: str) -> tuple[str, catalog.CatalogDevice] | None:
    """The second IMEI and the model its TAC names, when that is not the model chosen and the clerk has not kept
    it; None when it may go on to `checked` (no second IMEI, an unknown TAC, the same model, kept)."""
    if not raw.strip() or not ti["imei"]:
        return None
    try:
        imei2 = parse_imei(raw)
    except IdentifierError:
        return None  # `checked` says why
    chosen, named = catalog.get_device(get_db(), device_id), catalog.device_for_tac(get_db(), imei2.tac)
    if chosen is None or named is None or not tacs.second_imei_doubted(
            (chosen.brand, chosen.model), (named.brand, named.model), kept() == imei2.number):
        return None
    return imei2.number, named


def checked(ti: dict, raw: str) -> str | None:
    """A dual-SIM phone's second IMEI, checked like the first before any question: HQ's blocklist, and the
    device not already bought (here or, when HQ answers, anywhere)."""
    if not raw.strip() or not ti["imei"]:
        return None
    imei2 = parse_imei(raw).number
    if imei2 == ti["imei"]:
        return imei2  # tradeins.set_device refuses it, saying why
    other = drafts.open_for(get_db(), ti["store_id"], imei2, "")
    if other and other["uuid"] != ti["uuid"]:  # the same phone already started by this IMEI: one trade-in a device
        raise IdentifierError(N_("Second IMEI %(imei)s: this phone's trade-in %(code)s is already in progress. "
                                 "Finish or discard it first."), imei=imei2, code=other["code"])
    refusal = gates.scan_refusal(get_db(), imei2, "", date.today(), current_app.config["RETRADE_MIN_DAYS"],
                                 hq_refusal)
    if refusal:
        raise IdentifierError(N_("Second IMEI %(imei)s: %(reason)s"), imei=imei2, reason=refusal.message())
    return imei2
